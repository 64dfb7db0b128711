package programme_test

import (
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestProgrammePermissions(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	member := func(role prevent.Role) prevent.Principal {
		return prevent.Principal{PersonID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: 7, Role: role}}}
	}
	r := access.Resource{Kind: "programme", PartnershipID: 7}
	for _, role := range prevent.Roles {
		if !slices.Contains(access.ProgrammeActions(role), access.PlanView) {
			t.Errorf("%s cannot view the plan", role)
		}
		edits := slices.Contains(access.ProgrammeActions(role), access.PlanEdit)
		if edits != (role == prevent.Coordinator || role == prevent.Administrator) {
			t.Errorf("%s plan edit = %v", role, edits)
		}
	}
	cases := []struct {
		name   string
		p      prevent.Principal
		action access.Action
		r      access.Resource
		want   bool
	}{
		{"coordinator approves", member(prevent.Coordinator), access.PlanApprove, r, true},
		{"analyst reads funding", member(prevent.Analyst), access.FundingView, r, true},
		{"analyst cannot read due diligence", member(prevent.Analyst), access.DueDiligenceView, r, false},
		{"referrer cannot edit funding", member(prevent.Referrer), access.FundingEdit, r, false},
		{"other partnership", member(prevent.Coordinator), access.PlanView, access.Resource{PartnershipID: 8}, false},
		{"anonymous", prevent.Principal{}, access.PlanView, r, false},
		{"no second factor", prevent.Principal{PersonID: 1, Memberships: []prevent.Membership{{PartnershipID: 7, Role: prevent.Coordinator}}}, access.PlanView, r, false},
		{"uncleared for OFFICIAL-SENSITIVE", member(prevent.Referrer), access.LibraryView, access.Resource{PartnershipID: 7, Marking: prevent.OfficialSensitive}, false},
	}
	for _, c := range cases {
		if got := access.Decide(c.p, c.action, c.r, now); got.Allow != c.want {
			t.Errorf("%s: %+v, want allow=%v", c.name, got, c.want)
		}
	}
	cleared := member(prevent.Referrer)
	cleared.Clearance = prevent.Clearance{Level: prevent.BPSS}
	if !access.Decide(cleared, access.LibraryView, access.Resource{PartnershipID: 7, Marking: prevent.OfficialSensitive}, now).Allow {
		t.Error("BPSS should cover OFFICIAL-SENSITIVE")
	}
}

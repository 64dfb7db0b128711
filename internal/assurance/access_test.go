package assurance_test

import (
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestAssurancePermissions checks that the self-assessment follows the programme's rights: the plan's editors
// edit it, its approvers approve it, every role that reads the plan reads it, and only administrators revise a
// framework.
func TestAssurancePermissions(t *testing.T) {
	t.Parallel()
	for _, role := range prevent.Roles {
		prog, got := access.ProgrammeActions(role), access.AssuranceActions(role)
		for _, c := range []struct{ plan, self access.Action }{
			{access.PlanView, access.SelfAssessmentView},
			{access.PlanEdit, access.SelfAssessmentEdit},
			{access.PlanApprove, access.SelfAssessmentApprove},
		} {
			if slices.Contains(prog, c.plan) != slices.Contains(got, c.self) {
				t.Errorf("%s: %s = %v but %s = %v", role, c.plan, slices.Contains(prog, c.plan), c.self, slices.Contains(got, c.self))
			}
		}
		if manage := slices.Contains(got, access.AssuranceFrameworkManage); manage != (role == prevent.Administrator) {
			t.Errorf("%s: framework manage = %v", role, manage)
		}
		for _, a := range got {
			if !slices.Contains(access.RoleActions(role), a) {
				t.Errorf("%s: %s is not in the permission table", role, a)
			}
		}
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	member := func(role prevent.Role) prevent.Principal {
		return prevent.Principal{PersonID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: 7, Role: role}}}
	}
	r := access.Resource{Kind: "self_assessment", PartnershipID: 7}
	for _, c := range []struct {
		name   string
		p      prevent.Principal
		action access.Action
		r      access.Resource
		want   bool
	}{
		{"coordinator edits", member(prevent.Coordinator), access.SelfAssessmentEdit, r, true},
		{"coordinator approves", member(prevent.Coordinator), access.SelfAssessmentApprove, r, true},
		{"coordinator does not revise frameworks", member(prevent.Coordinator), access.AssuranceFrameworkManage, r, false},
		{"administrator revises frameworks", member(prevent.Administrator), access.AssuranceFrameworkManage, r, true},
		{"analyst reads", member(prevent.Analyst), access.SelfAssessmentView, r, true},
		{"analyst does not edit", member(prevent.Analyst), access.SelfAssessmentEdit, r, false},
		{"police officer does not approve", member(prevent.PoliceOfficer), access.SelfAssessmentApprove, r, false},
		{"other partnership", member(prevent.Coordinator), access.SelfAssessmentView, access.Resource{Kind: "self_assessment", PartnershipID: 8}, false},
		{"anonymous", prevent.Principal{}, access.SelfAssessmentView, r, false},
	} {
		if got := access.Decide(c.p, c.action, c.r, now); got.Allow != c.want {
			t.Errorf("%s: %+v, want allow=%v", c.name, got, c.want)
		}
	}
}

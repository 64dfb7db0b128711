package access_test

import (
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func person(id, org prevent.ID, partnership prevent.ID, role prevent.Role, level prevent.Vetting, expires time.Time) prevent.Principal {
	return prevent.Principal{PersonID: id, OrganisationID: org, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: partnership, Role: role}},
		Clearance:   prevent.Clearance{Level: level, Expires: expires}}
}

func TestDecide(t *testing.T) {
	caseRecord := access.Resource{Kind: "case", PartnershipID: 1, OwnerOrg: 10, DisclosedTo: []prevent.ID{20},
		Assigned: []prevent.ID{7}, Marking: prevent.OfficialSensitive, Personal: true}
	coord := person(1, 10, 1, prevent.Coordinator, prevent.BPSS, time.Time{})
	cases := []struct {
		name   string
		p      prevent.Principal
		action access.Action
		r      access.Resource
		allow  bool
	}{
		{"anonymous denied", prevent.Principal{}, access.PersonView, access.Resource{PartnershipID: 1}, false},
		{"administrator manages people", person(1, 10, 1, prevent.Administrator, prevent.BPSS, time.Time{}), access.PersonManage, access.Resource{PartnershipID: 1}, true},
		{"administrator of another partnership", person(1, 10, 2, prevent.Administrator, prevent.SC, time.Time{}), access.PersonManage, access.Resource{PartnershipID: 1}, false},
		{"referrer cannot view people", person(1, 10, 1, prevent.Referrer, prevent.BPSS, time.Time{}), access.PersonView, access.Resource{PartnershipID: 1}, false},
		{"auditor views audit", person(1, 10, 1, prevent.Auditor, prevent.BPSS, time.Time{}), access.AuditView, access.Resource{PartnershipID: 1}, true},
		{"analyst cannot view audit", person(1, 10, 1, prevent.Analyst, prevent.BPSS, time.Time{}), access.AuditView, access.Resource{PartnershipID: 1}, false},
		{"second factor missing", func() prevent.Principal { p := coord; p.MFA = false; return p }(), access.PersonView, access.Resource{PartnershipID: 1}, false},
		{"coordinator sees case", coord, access.PersonView, caseRecord, true},
		{"expired vetting grants nothing", person(1, 10, 1, prevent.Coordinator, prevent.SC, now.Add(-time.Hour)), access.PersonView, caseRecord, false},
		{"vetting expiring later still counts", person(1, 10, 1, prevent.Coordinator, prevent.BPSS, now.Add(time.Hour)), access.PersonView, caseRecord, true},
		{"no vetting cannot see OFFICIAL-SENSITIVE", person(1, 10, 1, prevent.Coordinator, prevent.VettingNone, time.Time{}), access.PersonView, caseRecord, false},
		{"BPSS cannot see SECRET", person(1, 10, 1, prevent.Coordinator, prevent.CTC, time.Time{}), access.PersonView, func() access.Resource { r := caseRecord; r.Marking = prevent.Secret; return r }(), false},
		{"SC sees SECRET", person(1, 10, 1, prevent.Coordinator, prevent.SC, time.Time{}), access.PersonView, func() access.Resource { r := caseRecord; r.Marking = prevent.Secret; return r }(), true},
		{"DPO not assigned: no need to know", person(3, 10, 1, prevent.DataProtection, prevent.SC, time.Time{}), access.PersonView, caseRecord, false},
		{"DPO assigned, owner organisation", person(7, 10, 1, prevent.DataProtection, prevent.SC, time.Time{}), access.PersonView, caseRecord, true},
		{"assigned in an organisation without a disclosure", person(7, 30, 1, prevent.DataProtection, prevent.SC, time.Time{}), access.PersonView, caseRecord, false},
		{"assigned in an organisation with a disclosure", person(7, 20, 1, prevent.DataProtection, prevent.SC, time.Time{}), access.PersonView, caseRecord, true},
		{"vetting alone never grants access", person(9, 99, 1, prevent.Analyst, prevent.DV, time.Time{}), access.PersonView, caseRecord, false},
		{"unknown marking denied", coord, access.PersonView, func() access.Resource { r := caseRecord; r.Marking = 9; return r }(), false},
		// Casework.
		{"referrer creates referrals", person(5, 10, 1, prevent.Referrer, prevent.BPSS, time.Time{}), access.CaseCreate, access.Resource{Kind: "case", PartnershipID: 1}, true},
		{"analyst cannot create referrals", person(5, 10, 1, prevent.Analyst, prevent.BPSS, time.Time{}), access.CaseCreate, access.Resource{Kind: "case", PartnershipID: 1}, false},
		{"referrer author sees status", person(7, 10, 1, prevent.Referrer, prevent.BPSS, time.Time{}), access.CaseStatusView, caseRecord, true},
		{"referrer cannot view the case in full", person(7, 10, 1, prevent.Referrer, prevent.BPSS, time.Time{}), access.CaseView, caseRecord, false},
		{"referrer of another school: no status", person(8, 30, 1, prevent.Referrer, prevent.BPSS, time.Time{}), access.CaseStatusView, caseRecord, false},
		{"coordinator views case", coord, access.CaseView, caseRecord, true},
		{"coordinator screens", coord, access.CaseScreen, caseRecord, true},
		{"coordinator cannot triage", coord, access.CaseTriage, caseRecord, false},
		{"police officer triages", person(2, 40, 1, prevent.PoliceOfficer, prevent.SC, time.Time{}), access.CaseTriage, caseRecord, true},
		{"police officer of another partnership", person(2, 40, 2, prevent.PoliceOfficer, prevent.SC, time.Time{}), access.CaseTriage, caseRecord, false},
		{"panel member not assigned", person(3, 10, 1, prevent.PanelMember, prevent.SC, time.Time{}), access.CaseView, caseRecord, false},
		{"panel member assigned", person(7, 10, 1, prevent.PanelMember, prevent.SC, time.Time{}), access.CaseView, caseRecord, true},
		{"provider assigned, other organisation without disclosure", person(7, 50, 1, prevent.Provider, prevent.SC, time.Time{}), access.CaseView, caseRecord, false},
		{"police officer reads OFFICIAL-SENSITIVE deconfliction", person(2, 40, 1, prevent.PoliceOfficer, prevent.BPSS, time.Time{}), access.DeconflictionView, deconfliction(prevent.OfficialSensitive), true},
		{"police officer with SC reads SECRET deconfliction", person(2, 40, 1, prevent.PoliceOfficer, prevent.SC, time.Time{}), access.DeconflictionView, deconfliction(prevent.Secret), true},
		{"police officer without SC: no SECRET deconfliction", person(2, 40, 1, prevent.PoliceOfficer, prevent.CTC, time.Time{}), access.DeconflictionView, deconfliction(prevent.Secret), false},
		{"coordinator never reads deconfliction", person(1, 10, 1, prevent.Coordinator, prevent.DV, time.Time{}), access.DeconflictionView, deconfliction(prevent.OfficialSensitive), false},
		{"deconfliction kind refused under another action", person(1, 10, 1, prevent.Coordinator, prevent.DV, time.Time{}), access.CaseView, deconfliction(prevent.OfficialSensitive), false},
		{"partner answers information request", person(6, 20, 1, prevent.PanelMember, prevent.BPSS, time.Time{}), access.InformationAnswer, access.Resource{Kind: "information_request", PartnershipID: 1, OwnerOrg: 20, Marking: prevent.OfficialSensitive}, true},
		// Assessment, panel, consent, support.
		{"coordinator assesses", coord, access.CaseAssess, caseRecord, true},
		{"police officer assesses", person(2, 40, 1, prevent.PoliceOfficer, prevent.SC, time.Time{}), access.CaseAssess, caseRecord, true},
		{"referrer cannot assess", person(7, 10, 1, prevent.Referrer, prevent.BPSS, time.Time{}), access.CaseAssess, caseRecord, false},
		{"coordinator records panel decisions", coord, access.PanelDecide, caseRecord, true},
		{"panel chair manages panels", person(3, 10, 1, prevent.PanelChair, prevent.SC, time.Time{}), access.PanelManage, access.Resource{Kind: "panel", PartnershipID: 1}, true},
		{"panel member views panels", person(3, 10, 1, prevent.PanelMember, prevent.SC, time.Time{}), access.PanelView, access.Resource{Kind: "panel", PartnershipID: 1}, true},
		{"panel member cannot decide", person(7, 10, 1, prevent.PanelMember, prevent.SC, time.Time{}), access.PanelDecide, caseRecord, false},
		{"panel member cannot manage panels", person(3, 10, 1, prevent.PanelMember, prevent.SC, time.Time{}), access.PanelManage, access.Resource{Kind: "panel", PartnershipID: 1}, false},
		{"police officer cannot decide for the panel", person(2, 40, 1, prevent.PoliceOfficer, prevent.SC, time.Time{}), access.PanelDecide, caseRecord, false},
		{"coordinator records consent and support", coord, access.CaseSupport, caseRecord, true},
		{"provider cannot record consent", person(7, 10, 1, prevent.Provider, prevent.SC, time.Time{}), access.CaseSupport, caseRecord, false},
		{"provider records sessions on an assigned intervention", person(7, 50, 1, prevent.Provider, prevent.SC, time.Time{}), access.SessionRecord, access.Resource{Kind: "intervention", PartnershipID: 1, OwnerOrg: 50, Assigned: []prevent.ID{7}, Marking: prevent.OfficialSensitive, Personal: true}, true},
		{"provider not assigned records no sessions", person(8, 50, 1, prevent.Provider, prevent.SC, time.Time{}), access.SessionRecord, access.Resource{Kind: "intervention", PartnershipID: 1, OwnerOrg: 50, Assigned: []prevent.ID{7}, Marking: prevent.OfficialSensitive, Personal: true}, false},
		{"analyst sees no panels", person(3, 10, 1, prevent.Analyst, prevent.SC, time.Time{}), access.PanelView, access.Resource{Kind: "panel", PartnershipID: 1}, false},
		{"provider cannot answer information request", person(6, 20, 1, prevent.Provider, prevent.BPSS, time.Time{}), access.InformationAnswer, access.Resource{Kind: "information_request", PartnershipID: 1, OwnerOrg: 20, Marking: prevent.OfficialSensitive}, false},
		// Returns (internal/returns): drafting and checking an annual return need StatisticsView; approving it
		// also PlanApprove, as a quarterly return's approval does; a partnership's tier and the senders it
		// trusts are PartnershipManage.
		{"analyst prepares returns", person(3, 10, 1, prevent.Analyst, prevent.VettingNone, time.Time{}), access.StatisticsView, returnRecord(1), true},
		{"coordinator prepares returns", coord, access.StatisticsView, returnRecord(1), true},
		{"coordinator approves returns", coord, access.PlanApprove, returnRecord(1), true},
		{"analyst cannot approve returns", person(3, 10, 1, prevent.Analyst, prevent.SC, time.Time{}), access.PlanApprove, returnRecord(1), false},
		{"administrator computes no returns", person(4, 10, 1, prevent.Administrator, prevent.SC, time.Time{}), access.StatisticsView, returnRecord(1), false},
		{"administrator sets the tier and senders", person(4, 10, 1, prevent.Administrator, prevent.BPSS, time.Time{}), access.PartnershipManage, returnRecord(1), true},
		{"coordinator cannot set the tier", coord, access.PartnershipManage, returnRecord(1), false},
		{"referrer computes no returns", person(5, 10, 1, prevent.Referrer, prevent.SC, time.Time{}), access.StatisticsView, returnRecord(1), false},
		{"coordinator of another partnership: no returns", coord, access.StatisticsView, returnRecord(2), false},
		{"a region's coordinator sees no source's case", person(1, 10, 2, prevent.Coordinator, prevent.SC, time.Time{}), access.CaseView, caseRecord, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := access.Decide(c.p, c.action, c.r, now)
			if d.Allow != c.allow {
				t.Fatalf("Decide = %+v, want allow=%v", d, c.allow)
			}
			if d.Reason == "" {
				t.Error("decision without a reason")
			}
		})
	}
}

// returnRecord is a partnership's return, as internal/returns asks about it.
func returnRecord(pid prevent.ID) access.Resource {
	return access.Resource{Kind: "return", PartnershipID: pid, Marking: prevent.Official}
}

func deconfliction(m prevent.Marking) access.Resource {
	return access.Resource{Kind: "deconfliction", PartnershipID: 1, OwnerOrg: 40, Marking: m, Personal: true}
}

func TestPermitsSpecialActions(t *testing.T) {
	anon := prevent.Principal{}
	pending := person(1, 1, 1, prevent.Coordinator, prevent.BPSS, time.Time{})
	pending.MFA = false
	full := person(1, 1, 1, prevent.Coordinator, prevent.BPSS, time.Time{})
	analyst := person(2, 1, 1, prevent.Analyst, prevent.BPSS, time.Time{})
	analyst.MFA = false
	checks := []struct {
		name   string
		p      prevent.Principal
		action access.Action
		allow  bool
	}{
		{"anonymous public", anon, access.Public, true},
		{"anonymous sign-in", anon, access.SignIn, true},
		{"anonymous second factor", anon, access.SecondFactor, false},
		{"anonymous account", anon, access.Account, false},
		{"pending second factor", pending, access.SecondFactor, true},
		{"pending may still sign in again", pending, access.SignIn, true},
		{"pending account", pending, access.Account, false},
		{"full sign-in page", full, access.SignIn, false},
		{"full account", full, access.Account, true},
		{"analyst without second factor has account", analyst, access.Account, true},
		{"unknown action", full, access.Action("nonsense"), false},
	}
	for _, c := range checks {
		if got := access.Permits(c.p, c.action).Allow; got != c.allow {
			t.Errorf("%s: Permits = %v, want %v", c.name, got, c.allow)
		}
	}
}

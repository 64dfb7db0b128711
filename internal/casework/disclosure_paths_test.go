package casework_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// newPerson adds a person with one role to an organisation of the fixture's partnership.
func (f *fixture) newPerson(t *testing.T, name string, org prevent.ID, role prevent.Role) prevent.Principal {
	t.Helper()
	ps := partnership.New(partnership.Deps{DB: f.db, Now: f.clock.Now})
	id, _, err := ps.CreatePerson(ctx, f.admin, f.partnership, partnership.PersonInput{Name: name,
		Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
	if err != nil {
		t.Fatal(err)
	}
	return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.partnership, Role: role}},
		Clearance:   prevent.Clearance{Level: prevent.SC, Expires: start.AddDate(4, 0, 0)}}
}

// youth adds an organisation that is party to no agreement, with a person in it.
func (f *fixture) youth(t *testing.T, role prevent.Role) (prevent.ID, prevent.Principal) {
	t.Helper()
	ps := partnership.New(partnership.Deps{DB: f.db, Now: f.clock.Now})
	org, err := ps.CreateOrganisation(ctx, f.admin, f.partnership, partnership.OrganisationInput{Name: "Northshire Youth Justice Service",
		Sector: "youth_justice", PublicBody: "yes"})
	if err != nil {
		t.Fatal(err)
	}
	return org, f.newPerson(t, "Yan Youth", org, role)
}

// snapshot is everything an action on a case may write: refused actions must leave it as it was.
func snapshot(t *testing.T, db *database.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT COUNT(*) FROM case_assignments`,
		`SELECT COUNT(*) FROM information_requests`,
		`SELECT COUNT(*) FROM information_requests WHERE answered_at IS NOT NULL`,
		`SELECT COUNT(*) FROM interventions`,
		`SELECT COUNT(*) FROM case_panels`,
		`SELECT COUNT(*) FROM sharing_disclosures`,
		`SELECT COUNT(*) FROM case_events`,
		`SELECT COUNT(*) FROM audit_entries`,
	} {
		var n int
		if err := db.Read().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s: %d\n", q, n)
	}
	rows, err := db.Read().QueryContext(ctx, `SELECT id, state FROM referrals ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id prevent.ID
		var st string
		if err := rows.Scan(&id, &st); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "referral %d: %s\n", id, st)
	}
	return b.String()
}

// lastDisclosure is the highest disclosure id so far.
func lastDisclosure(t *testing.T, db *database.DB) prevent.ID {
	t.Helper()
	var id prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM sharing_disclosures`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// disclosed is a disclosure as a path should record it.
type disclosed struct {
	to         prevent.ID
	recipients []prevent.ID
}

// disclosurePath is one way a case reaches another organisation, set up on a fresh fixture to the point
// where the action is one call away.
type disclosurePath struct {
	name  string
	setup func(t *testing.T, f *fixture) pathRun
}

type pathRun struct {
	referral prevent.ID
	// act takes the action with the share.
	act func(share sharing.DisclosureInput) error
	// noAgreement takes the action towards an organisation that is party to no agreement; nil when no
	// such organisation can be on the receiving end (an answer goes back to the organisation that asked,
	// which could ask only under an agreement).
	noAgreement func(share sharing.DisclosureInput) error
	// want are the disclosures the action records, and check anything else it must have written.
	want  []disclosed
	check func(t *testing.T)
}

func assigned(t *testing.T, db *database.DB, referral prevent.ID, people ...prevent.ID) {
	t.Helper()
	for _, p := range people {
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM case_assignments WHERE referral_id = $1 AND person_id = $2`,
			referral, p).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("person %d is not assigned to referral %d", p, referral)
		}
	}
}

func count(t *testing.T, db *database.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// screening is a referral by school B triaged to Channel screening, with an assessment recorded.
func (f *fixture) screening(t *testing.T) prevent.ID {
	t.Helper()
	id, _ := f.submit(t, f.referrerB, input("Kit", "Marsh", adultDOB))
	f.triageToChannel(t, id)
	if _, err := f.svc.SaveAssessment(ctx, f.coordinator, id, casework.AssessmentInput{SummaryConclusion: "Isolated and looking for belonging",
		Factors: []casework.FactorInput{{No: 3, Presence: casework.Present, Evidence: "Spends evenings on one forum", Source: "School"}}}); err != nil {
		t.Fatal(err)
	}
	return id
}

var disclosurePaths = []disclosurePath{
	{"share", func(t *testing.T, f *fixture) pathRun {
		id := f.screening(t)
		yorg, yp := f.youth(t, prevent.PanelMember)
		run := func(to, who prevent.ID) func(sharing.DisclosureInput) error {
			return func(in sharing.DisclosureInput) error {
				in.ToOrg, in.Recipients = to, []prevent.ID{who}
				_, err := f.svc.Share(ctx, f.coordinator, id, in)
				return err
			}
		}
		return pathRun{referral: id, act: run(f.schoolA, f.panelMember.PersonID), noAgreement: run(yorg, yp.PersonID),
			want:  []disclosed{{f.schoolA, []prevent.ID{f.panelMember.PersonID}}},
			check: func(t *testing.T) { assigned(t, f.db, id, f.panelMember.PersonID) }}
	}},
	{"assign", func(t *testing.T, f *fixture) pathRun {
		id := f.screening(t)
		_, yp := f.youth(t, prevent.PanelMember)
		run := func(who prevent.ID) func(sharing.DisclosureInput) error {
			return func(in sharing.DisclosureInput) error {
				return f.svc.Assign(ctx, f.coordinator, id, who, prevent.PanelMember, in)
			}
		}
		return pathRun{referral: id, act: run(f.panelMember.PersonID), noAgreement: run(yp.PersonID),
			want:  []disclosed{{f.schoolA, []prevent.ID{f.panelMember.PersonID}}},
			check: func(t *testing.T) { assigned(t, f.db, id, f.panelMember.PersonID) }}
	}},
	{"information request", func(t *testing.T, f *fixture) pathRun {
		id := f.screening(t)
		yorg, _ := f.youth(t, prevent.Referrer)
		run := func(to prevent.ID) func(sharing.DisclosureInput) error {
			return func(in sharing.DisclosureInput) error {
				_, err := f.svc.RequestInformation(ctx, f.coordinator, id, casework.InformationRequestInput{OrganisationID: to,
					Asked: "Attendance and any concerns", Why: "Screening", Due: start.AddDate(0, 0, 10), Share: in})
				return err
			}
		}
		return pathRun{referral: id, act: run(f.schoolA), noAgreement: run(yorg),
			want: []disclosed{{f.schoolA, nil}},
			check: func(t *testing.T) {
				if n := count(t, f.db, `SELECT COUNT(*) FROM information_requests WHERE referral_id = $1 AND to_org_id = $2`, id, f.schoolA); n != 1 {
					t.Errorf("%d requests to school A", n)
				}
			}}
	}},
	{"information answer", func(t *testing.T, f *fixture) pathRun {
		id := f.screening(t)
		rid, err := f.svc.RequestInformation(ctx, f.coordinator, id, casework.InformationRequestInput{OrganisationID: f.schoolA,
			Asked: "Attendance and any concerns", Why: "Screening", Due: start.AddDate(0, 0, 10), Share: share(sharing.ChannelScreening)})
		if err != nil {
			t.Fatal(err)
		}
		return pathRun{referral: id,
			act: func(in sharing.DisclosureInput) error {
				return f.svc.AnswerInformationRequest(ctx, f.referrer, rid, "Attendance 91%; no incidents", in)
			},
			want: []disclosed{{f.council, []prevent.ID{f.coordinator.PersonID}}},
			check: func(t *testing.T) {
				if n := count(t, f.db, `SELECT COUNT(*) FROM information_requests WHERE id = $1 AND answered_at IS NOT NULL`, rid); n != 1 {
					t.Error("the request is not answered")
				}
			}}
	}},
	{"list for panel", func(t *testing.T, f *fixture) pathRun {
		ps := f.panel(t)
		id := f.screening(t)
		// Another panel has a member from an organisation without an agreement.
		other, err := f.svc.CreatePanel(ctx, f.coordinator, f.partnership, "Combined panel", []string{"Northshire", "Southshire"})
		if err != nil {
			t.Fatal(err)
		}
		_, yp := f.youth(t, prevent.PanelMember)
		for _, m := range []casework.PanelMemberInput{{PersonID: f.coordinator.PersonID, Role: casework.RoleChair},
			{PersonID: f.officer.PersonID, Role: casework.RolePolice}, {PersonID: yp.PersonID, Role: casework.RoleMember}} {
			if _, err := f.svc.AddPanelMember(ctx, f.coordinator, other, m); err != nil {
				t.Fatal(err)
			}
		}
		otherMeeting, err := f.svc.ScheduleMeeting(ctx, f.coordinator, other, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		run := func(panel, meeting prevent.ID) func(sharing.DisclosureInput) error {
			return func(in sharing.DisclosureInput) error {
				return f.svc.ListForPanel(ctx, f.coordinator, id, panel, meeting, in)
			}
		}
		return pathRun{referral: id, act: run(ps.panel, ps.meeting), noAgreement: run(other, otherMeeting),
			// Chair first (the coordinator's own organisation needs none), then members, then police.
			want: []disclosed{{f.schoolA, []prevent.ID{f.panelMember.PersonID}}, {f.police, []prevent.ID{f.officer.PersonID}}},
			check: func(t *testing.T) {
				assigned(t, f.db, id, f.coordinator.PersonID, f.officer.PersonID, f.panelMember.PersonID)
				if st := f.state(t, id); st != casework.PanelListed {
					t.Errorf("state %s", st)
				}
			}}
	}},
	{"intervention", func(t *testing.T, f *fixture) pathRun {
		ps := f.panel(t)
		id := f.toPanel(t, f.referrerB, input("Kit", "Marsh", adultDOB), ps)
		f.present(t, ps.meeting, ps.chair, ps.police)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
			t.Fatal(err)
		}
		f.consentToSupport(t, id)
		worker := f.newPerson(t, "Wren Worker", f.schoolA, prevent.Provider)
		prov, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: f.schoolA})
		if err != nil {
			t.Fatal(err)
		}
		yorg, yp := f.youth(t, prevent.Provider)
		yprov, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: yorg})
		if err != nil {
			t.Fatal(err)
		}
		run := func(provider, who prevent.ID) func(sharing.DisclosureInput) error {
			return func(in sharing.DisclosureInput) error {
				_, err := f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING",
					ProviderID: provider, WorkerID: who, Description: "Weekly mentoring", Share: in})
				return err
			}
		}
		return pathRun{referral: id, act: run(prov, worker.PersonID), noAgreement: run(yprov, yp.PersonID),
			want: []disclosed{{f.schoolA, []prevent.ID{worker.PersonID}}},
			check: func(t *testing.T) {
				assigned(t, f.db, id, worker.PersonID)
				if n := count(t, f.db, `SELECT COUNT(*) FROM interventions WHERE referral_id = $1`, id); n != 1 {
					t.Errorf("%d interventions", n)
				}
			}}
	}},
	{"intervention drafted before consent", func(t *testing.T, f *fixture) pathRun {
		ps := f.panel(t)
		id := f.toPanel(t, f.referrerB, input("Kit", "Marsh", adultDOB), ps)
		f.present(t, ps.meeting, ps.chair, ps.police)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
			t.Fatal(err)
		}
		worker := f.newPerson(t, "Wren Worker", f.schoolA, prevent.Provider)
		prov, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: f.schoolA})
		if err != nil {
			t.Fatal(err)
		}
		yorg, yp := f.youth(t, prevent.Provider)
		yprov, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: yorg})
		if err != nil {
			t.Fatal(err)
		}
		// Drafting checks the disclosure as it would be made (and is refused as it would be); consent to
		// support then makes it.
		run := func(provider, who prevent.ID) func(sharing.DisclosureInput) error {
			return func(in sharing.DisclosureInput) error {
				before := lastDisclosure(t, f.db)
				if _, err := f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING",
					ProviderID: provider, WorkerID: who, Description: "Weekly mentoring", Share: in}); err != nil {
					return err
				}
				if last := lastDisclosure(t, f.db); last != before {
					t.Errorf("a drafted intervention was disclosed before consent (disclosure %d)", last)
				}
				f.consentToSupport(t, id)
				return nil
			}
		}
		return pathRun{referral: id, act: run(prov, worker.PersonID), noAgreement: run(yprov, yp.PersonID),
			want: []disclosed{{f.schoolA, []prevent.ID{worker.PersonID}}},
			check: func(t *testing.T) {
				assigned(t, f.db, id, worker.PersonID)
				if n := count(t, f.db, `SELECT COUNT(*) FROM interventions WHERE referral_id = $1 AND draft_disclosure IS NULL AND disclosed_at IS NOT NULL`, id); n != 1 {
					t.Errorf("%d interventions disclosed", n)
				}
			}}
	}},
	{"minutes export", func(t *testing.T, f *fixture) pathRun {
		ps := f.panel(t)
		id := f.toPanel(t, f.referrerB, input("Kit", "Marsh", adultDOB), ps)
		// A coordinator of an organisation without an agreement joins the panel after the listing.
		_, yp := f.youth(t, prevent.Coordinator)
		ym, err := f.svc.AddPanelMember(ctx, f.coordinator, ps.panel, casework.PanelMemberInput{PersonID: yp.PersonID, Role: casework.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		f.present(t, ps.meeting, ps.chair, ps.police, ym)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
			t.Fatal(err)
		}
		run := func(org prevent.ID) func(sharing.DisclosureInput) error {
			return func(in sharing.DisclosureInput) error {
				m, err := f.svc.Minutes(ctx, f.coordinator, ps.meeting, org, in)
				if err == nil && len(m.Items) != 1 {
					t.Errorf("minutes for %d: %d items", org, len(m.Items))
				}
				return err
			}
		}
		return pathRun{referral: id, act: run(f.police), noAgreement: run(yp.OrganisationID),
			want: []disclosed{{f.police, nil}}}
	}},
}

// dropped is a share with one required element taken away, the field error it must cause and words its
// message must hold.
type dropped struct {
	element string
	field   string
	says    string
	drop    func(f *fixture, in *sharing.DisclosureInput)
	// around runs before and after the attempt (suspending the agreement, for one).
	around func(t *testing.T, f *fixture) func()
}

var droppedElements = []dropped{
	{"categories", "categories", "the categories of data shared are not given", func(_ *fixture, in *sharing.DisclosureInput) { in.Categories = nil }, nil},
	{"purpose", "purpose", "the purpose is not given", func(_ *fixture, in *sharing.DisclosureInput) { in.Purpose = "" }, nil},
	{"expected outcome", "expected-outcome", "the expected outcome is not given", func(_ *fixture, in *sharing.DisclosureInput) { in.ExpectedOutcome = " " }, nil},
	{"gateway", "gateway", "the legal gateway is not given", func(_ *fixture, in *sharing.DisclosureInput) { in.Gateway = "" }, nil},
	{"consent status", "consent", "the consent status (given, refused or not sought) is not given", func(_ *fixture, in *sharing.DisclosureInput) { in.Consent = "" }, nil},
	{"consent reason when not sought", "consent-reason", "the reason consent was not sought is not given", func(_ *fixture, in *sharing.DisclosureInput) { in.ConsentReason = "" }, nil},
	{"consent reason when refused", "consent-reason", "the reason consent was refused is not given", func(_ *fixture, in *sharing.DisclosureInput) {
		in.Consent, in.ConsentReason = sharing.ConsentRefused, ""
	}, nil},
	{"necessity statement", "necessity", "the necessity and proportionality statement is missing", func(_ *fixture, in *sharing.DisclosureInput) { in.Necessity = "" }, nil},
	{"agreement in force", "agreement", "is suspended", func(*fixture, *sharing.DisclosureInput) {}, func(t *testing.T, f *fixture) func() {
		if err := f.sharing.Transition(ctx, f.dpo, f.agreement, sharing.Suspended, "Under review after a complaint"); err != nil {
			t.Fatal(err)
		}
		return func() {
			if err := f.sharing.Transition(ctx, f.dpo, f.agreement, sharing.Active, ""); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{"agreement covering the purpose", "purpose", "does not cover the purpose", func(_ *fixture, in *sharing.DisclosureInput) { in.Purpose = sharing.OffenderManagement }, nil},
	{"agreement covering the categories", "categories", "does not cover the data categories beliefs", func(_ *fixture, in *sharing.DisclosureInput) {
		in.Categories = append(slices.Clone(in.Categories), sharing.Beliefs)
	}, nil},
	{"agreement covering the gateway", "gateway", "does not rely on the legal gateway cda_1998_s115", func(_ *fixture, in *sharing.DisclosureInput) { in.Gateway = "cda_1998_s115" }, nil},
	{"gateway permitting sharing without consent", "consent", "does not permit sharing without consent", func(_ *fixture, in *sharing.DisclosureInput) {
		in.Consent, in.ConsentReason, in.Gateway = sharing.ConsentRefused, "He said no", "consent"
	}, nil},
	{"consent not withdrawn", "consent", "consent to share information was withdrawn on 2 November 2026", func(_ *fixture, in *sharing.DisclosureInput) {
		in.Consent, in.ConsentReason = sharing.ConsentGiven, ""
	}, nil},
}

// TestEveryDisclosurePathEnforced takes every path by which a case reaches another organisation and, for
// each element a lawful disclosure needs, takes it away: the action is refused with an Invalid error that
// names what is missing, and nothing of the action is written. With every element the action is taken and
// its disclosures are in the ledger, to the right organisation and people.
func TestEveryDisclosurePathEnforced(t *testing.T) {
	cases := 0
	for _, path := range disclosurePaths {
		t.Run(path.name, func(t *testing.T) {
			dbtest.Engines(t, func(t *testing.T, db *database.DB) {
				f := newFixture(t, db)
				run := path.setup(t, f)
				// The person's consent to information sharing was recorded, then withdrawn.
				for _, d := range []casework.ConsentDecision{casework.ConsentGiven, casework.ConsentWithdrawnBy} {
					if _, err := f.svc.RecordConsent(ctx, f.coordinator, run.referral, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
						GiverName: "Kit Marsh", GiverRole: casework.GiverSelf, Method: "In person", Decision: d, Reason: "Changed his mind"}); err != nil {
						t.Fatal(err)
					}
				}
				refused := func(t *testing.T, what string, act func(sharing.DisclosureInput) error, in sharing.DisclosureInput, field, says string) {
					t.Helper()
					before := snapshot(t, db)
					err := act(in)
					if k := prevent.ErrorKind(err); err == nil || k != prevent.Invalid {
						t.Fatalf("%s: got %v (%s), want an Invalid refusal", what, err, k)
					}
					msg := prevent.PublicMessage(err)
					if !strings.Contains(msg, says) {
						t.Errorf("%s: message %q does not say %q", what, msg, says)
					}
					var pe *prevent.Error
					if !errors.As(err, &pe) || !slices.ContainsFunc(pe.Fields, func(fe prevent.FieldError) bool { return fe.Field == field }) {
						t.Errorf("%s: no field error for %q in %v", what, field, err)
					}
					if after := snapshot(t, db); after != before {
						t.Errorf("%s: the refused action wrote something:\nbefore\n%s\nafter\n%s", what, before, after)
					}
					cases++
				}
				for _, d := range droppedElements {
					in := share(sharing.ChannelPanel, sharing.Identity, sharing.ConcernData, sharing.Assessment)
					d.drop(f, &in)
					var after func()
					if d.around != nil {
						after = d.around(t, f)
					}
					refused(t, d.element, run.act, in, d.field, d.says)
					if after != nil {
						after()
					}
				}
				if run.noAgreement != nil {
					refused(t, "agreement between the parties", run.noAgreement,
						share(sharing.ChannelPanel, sharing.Identity, sharing.ConcernData, sharing.Assessment), "agreement",
						"there is no information sharing agreement between Northshire Council and Northshire Youth Justice Service")
				}
				// With every element, the action is taken and its disclosures recorded.
				from := lastDisclosure(t, db)
				if err := run.act(share(sharing.ChannelPanel, sharing.Identity, sharing.ConcernData, sharing.Assessment)); err != nil {
					t.Fatalf("complete share refused: %v", err)
				}
				ds, err := f.sharing.Disclosures(ctx, f.dpo, f.partnership, casework.RecordKind, run.referral)
				if err != nil {
					t.Fatal(err)
				}
				var got []disclosed
				for _, d := range ds {
					if d.ID > from {
						got = append(got, disclosed{d.ToOrg, d.Recipients})
						if d.Purpose != sharing.ChannelPanel || d.Gateway != "uk_gdpr_6_1_e" || d.AgreementID != f.agreement || d.Consent != sharing.ConsentNotSought {
							t.Errorf("disclosure recorded as %+v", d)
						}
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(run.want) {
					t.Errorf("disclosures %v, want %v", got, run.want)
				}
				if run.check != nil {
					run.check(t)
				}
			})
		})
	}
	t.Logf("%d path × element refusals checked, over the engines run", cases)
}

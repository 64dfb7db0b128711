package casework_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// guardSnapshot is everything a guarded action may write: snapshot's rows and states, with consent records
// and sessions' attendance.
func guardSnapshot(t *testing.T, db *database.DB) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(snapshot(t, db))
	for _, q := range []string{`SELECT COUNT(*) FROM consent_records`, `SELECT COUNT(*) FROM intervention_sessions`,
		`SELECT COUNT(*) FROM intervention_sessions WHERE attendance <> 'planned'`,
		`SELECT COUNT(*) FROM interventions WHERE draft_disclosure IS NULL`} {
		fmt.Fprintf(&b, "%s: %d\n", q, count(t, db, q))
	}
	return b.String()
}

// refusedWithNothingWritten runs act, which must be refused with kind and a message holding says, and
// checks that it wrote nothing.
func refusedWithNothingWritten(t *testing.T, db *database.DB, what string, kind prevent.Kind, says string, act func() error) {
	t.Helper()
	before := guardSnapshot(t, db)
	err := act()
	if k := prevent.ErrorKind(err); err == nil || k != kind {
		t.Fatalf("%s: got %v (%s), want %s", what, err, k, kind)
	}
	if msg := prevent.PublicMessage(err); !strings.Contains(msg, says) {
		t.Errorf("%s: message %q does not say %q", what, msg, says)
	}
	if after := guardSnapshot(t, db); after != before {
		t.Errorf("%s: the refusal wrote something:\nbefore\n%s\nafter\n%s", what, before, after)
	}
}

// adopted takes a referral of the person to adopted by the panel.
func (f *fixture) adopted(t *testing.T, in casework.ReferralInput) prevent.ID {
	t.Helper()
	ps := f.panel(t)
	id := f.toPanel(t, f.referrer, in, ps)
	f.present(t, ps.meeting, ps.chair, ps.police)
	if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
		t.Fatal(err)
	}
	return id
}

// mentoring is the fixture's provider organisation (not a public body) with an agreement in force with the
// council for support delivery, registered as an intervention provider; it returns the agreement, the
// provider and its assigned worker.
func (f *fixture) mentoring(t *testing.T) (agreement, provider prevent.ID, worker prevent.Principal) {
	t.Helper()
	org, _, worker := f.providerPeople(t)
	agreement = f.activeAgreement(t, sharing.AgreementInput{Title: "Mentoring", Parties: []prevent.ID{f.council, org},
		Purposes: []sharing.Purpose{sharing.SupportDelivery}, Categories: []sharing.Category{sharing.Identity, sharing.ConcernData, sharing.SupportPlan},
		Gateways: []string{"uk_gdpr_6_1_e"}})
	provider, err := f.svc.RegisterProvider(ctx, f.coordinator, f.partnership, casework.ProviderInput{OrganisationID: org})
	if err != nil {
		t.Fatal(err)
	}
	return agreement, provider, worker
}

func givenBySelf(name string) casework.ConsentInput {
	return casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: name, GiverRole: casework.GiverSelf, Method: "In person",
		Decision: casework.ConsentGiven}
}

// TestGuardNoDisclosureToProviderBeforeConsent: an intervention added to an adopted case is a draft: a
// disclosure that could not be made is refused at drafting with its field errors and nothing written; a
// complete one is stored without a disclosure, an assignment or any sight of the case for the provider.
// Consent to support, while the agreement is suspended, is refused naming the provider, and writes nothing;
// once the agreement is in force again, consent starts support (through the consent request, both on the
// timeline), discloses the intervention in the ledger and assigns its worker, who may then work on it.
func TestGuardNoDisclosureToProviderBeforeConsent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		agreement, prov, worker := f.mentoring(t)
		id := f.adopted(t, input("Dev", "Ansah", adultDOB))
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting at college",
			ConsentWhen: start.AddDate(0, 0, 3), ConsentBy: "Channel coordinator"}); err != nil {
			t.Fatal(err)
		}
		add := func(share sharing.DisclosureInput) (prevent.ID, error) {
			return f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING", ProviderID: prov,
				WorkerID: worker.PersonID, Description: "Weekly mentoring", Share: share})
		}
		bad := share(sharing.SupportDelivery, sharing.SupportPlan)
		bad.Necessity = ""
		refusedWithNothingWritten(t, db, "a draft whose disclosure lacks the necessity statement", prevent.Invalid,
			"the necessity and proportionality statement is missing", func() error {
				_, err := add(bad)
				if !hasField(err, "necessity") {
					t.Errorf("no field error for necessity: %v", prevent.FieldErrors(err))
				}
				return err
			})
		before := count(t, db, `SELECT COUNT(*) FROM sharing_disclosures`)
		iv, err := add(share(sharing.SupportDelivery, sharing.SupportPlan))
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sharing_disclosures`); n != before {
			t.Errorf("drafting disclosed: %d disclosures, was %d", n, before)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM case_assignments WHERE referral_id = $1 AND person_id = $2`, id, worker.PersonID); n != 0 {
			t.Error("drafting assigned the provider's worker")
		}
		// The provider sees neither the case nor the intervention.
		if _, err := f.svc.Referral(ctx, worker, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("the provider's worker reads the case: %v", err)
		}
		if _, err := f.svc.Interventions(ctx, worker, id); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("the provider's worker lists the interventions: %v", err)
		}
		if _, err := f.svc.PlanSession(ctx, worker, iv, start.AddDate(0, 0, 7)); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("the provider's worker plans a session of the draft: %v", err)
		}
		ivs, err := f.svc.Interventions(ctx, f.coordinator, id)
		if err != nil || len(ivs) != 1 || !ivs[0].Drafted || !ivs[0].DisclosedAt.IsZero() {
			t.Fatalf("the coordinator's interventions: %+v, %v", ivs, err)
		}

		// The agreement is suspended before consent: the disclosure now refused refuses the consent.
		if err := f.sharing.Transition(ctx, f.dpo, agreement, sharing.Suspended, "Under review"); err != nil {
			t.Fatal(err)
		}
		refusedWithNothingWritten(t, db, "consent while the draft's agreement is suspended", prevent.Conflict,
			"the intervention drafted with Bridge Mentoring CIC cannot be disclosed to it now", func() error {
				_, err := f.svc.RecordConsent(ctx, f.coordinator, id, givenBySelf("Dev Ansah"))
				if err != nil && !strings.Contains(prevent.PublicMessage(err), "is suspended") {
					t.Errorf("the refusal does not say why: %q", prevent.PublicMessage(err))
				}
				return err
			})
		if st := f.state(t, id); st != casework.Adopted {
			t.Fatalf("the refused consent left the case %s", st)
		}

		// In force again: consent starts support and discloses the draft.
		if err := f.sharing.Transition(ctx, f.dpo, agreement, sharing.Active, ""); err != nil {
			t.Fatal(err)
		}
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, givenBySelf("Dev Ansah")); err != nil || st != casework.SupportActive {
			t.Fatalf("consent: %s, %v", st, err)
		}
		ds, err := f.sharing.Disclosures(ctx, f.dpo, f.partnership, casework.RecordKind, id)
		if err != nil {
			t.Fatal(err)
		}
		var toProvider []sharing.Disclosure
		for _, d := range ds {
			if d.Purpose == sharing.SupportDelivery {
				toProvider = append(toProvider, d)
			}
		}
		if len(toProvider) != 1 || toProvider[0].ToOrg != worker.OrganisationID || len(toProvider[0].Recipients) != 1 ||
			toProvider[0].Recipients[0] != worker.PersonID || toProvider[0].AgreementID != agreement || toProvider[0].DisclosedBy != f.coordinator.PersonID {
			t.Fatalf("disclosures to the provider: %+v", toProvider)
		}
		assigned(t, db, id, worker.PersonID)
		ivs, err = f.svc.Interventions(ctx, worker, id)
		if err != nil || len(ivs) != 1 || ivs[0].Drafted || !ivs[0].DisclosedAt.Equal(start) {
			t.Fatalf("the worker's interventions after consent: %+v, %v", ivs, err)
		}
		if _, err := f.svc.PlanSession(ctx, worker, iv, start.AddDate(0, 0, 7)); err != nil {
			t.Fatalf("the worker plans a session after consent: %v", err)
		}
		tl, err := f.svc.Timeline(ctx, f.coordinator, id)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range tl {
			kinds = append(kinds, e.Kind)
		}
		joined := " " + strings.Join(kinds, " ") + " "
		if !strings.Contains(joined, " intervention_drafted request_consent consent_given intervention_disclosed ") {
			t.Errorf("timeline: %s", joined)
		}
		// An intervention added during support is disclosed at once.
		if _, err := add(share(sharing.SupportDelivery, sharing.SupportPlan)); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sharing_disclosures WHERE record_id = $1 AND purpose = 'support_delivery'`, id); n != 2 {
			t.Errorf("%d disclosures for support, want 2", n)
		}
	})
}

func hasField(err error, field string) bool {
	for _, fe := range prevent.FieldErrors(err) {
		if fe.Field == field {
			return true
		}
	}
	return false
}

// TestGuardConsentToSupportAtAdoptionNeedsTheConsentPlan: consent to support recorded for a case still at
// adoption is refused while the support plan does not say how, when and by whom consent is requested, and
// writes nothing; with the plan it moves the case through the consent request to support.
func TestGuardConsentToSupportAtAdoptionNeedsTheConsentPlan(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id := f.adopted(t, input("Ike", "Bello", adultDOB))
		refusedWithNothingWritten(t, db, "consent without a plan", prevent.Conflict, "how, when and by whom consent to support is requested", func() error {
			_, err := f.svc.RecordConsent(ctx, f.coordinator, id, givenBySelf("Ike Bello"))
			return err
		})
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting", ConsentBy: "Coordinator"}); err != nil {
			t.Fatal(err)
		}
		refusedWithNothingWritten(t, db, "consent with a plan that does not say when", prevent.Conflict, "how, when and by whom", func() error {
			_, err := f.svc.RecordConsent(ctx, f.coordinator, id, givenBySelf("Ike Bello"))
			return err
		})
		f.consentToSupport(t, id)
		tl, err := f.svc.Timeline(ctx, f.coordinator, id)
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, e := range tl {
			if e.From != e.To {
				moves = append(moves, string(e.From)+">"+string(e.To))
			}
		}
		if got := strings.Join(moves[len(moves)-2:], " "); got != "adopted>consent_requested consent_requested>support_active" {
			t.Errorf("the last moves: %s", got)
		}
	})
}

// TestGuardConsentToSupportWhereItCannotApply: decisions on consent to support at a stage where they do not
// apply are refused with a plain message and not recorded; consent to information sharing is recorded at
// any stage.
func TestGuardConsentToSupportWhereItCannotApply(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		screening, _ := f.submit(t, f.referrer, input("Uma", "Noor", adultDOB))
		f.triageToChannel(t, screening)
		for _, d := range []casework.ConsentDecision{casework.ConsentGiven, casework.ConsentRefusedBy, casework.ConsentNotSought} {
			in := givenBySelf("Uma Noor")
			in.Decision, in.Reason = d, "Reason"
			refusedWithNothingWritten(t, db, "support consent "+string(d)+" at screening", prevent.Conflict,
				"Consent to support can only be recorded for a case the panel has adopted: this case is at the stage ‘Channel screening’", func() error {
					_, err := f.svc.RecordConsent(ctx, f.coordinator, screening, in)
					return err
				})
		}
		id := f.adopted(t, input("Ola", "Bright", adultDOB))
		withdrawn := givenBySelf("Ola Bright")
		withdrawn.Decision, withdrawn.Reason = casework.ConsentWithdrawnBy, "Changed his mind"
		refusedWithNothingWritten(t, db, "withdrawal before support", prevent.Conflict,
			"Consent to support can only be withdrawn while support is in progress: this case is at the stage ‘Adopted as a Channel case’", func() error {
				_, err := f.svc.RecordConsent(ctx, f.coordinator, id, withdrawn)
				return err
			})
		f.consentToSupport(t, id)
		refused := withdrawn
		refused.Decision = casework.ConsentRefusedBy
		refusedWithNothingWritten(t, db, "refusal during support", prevent.Conflict, "record that consent to support was withdrawn", func() error {
			_, err := f.svc.RecordConsent(ctx, f.coordinator, id, refused)
			return err
		})
		// Consent to support confirmed during support is recorded; consent to share is recorded at screening.
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, givenBySelf("Ola Bright")); err != nil || st != casework.SupportActive {
			t.Fatalf("consent confirmed during support: %s, %v", st, err)
		}
		share := givenBySelf("Uma Noor")
		share.Scope = casework.ScopeInformationSharing
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, screening, share); err != nil {
			t.Fatalf("consent to share at screening: %v", err)
		}
	})
}

// TestGuardChildsConsentToSupportNeedsChildrensServices: a person adopted on their 18th birthday whose
// parent consented the week before (when they were 17): the parent's consent is the right one, and support
// starts only once children's services were consulted; until then the refusal writes nothing.
func TestGuardChildsConsentToSupportNeedsChildrensServices(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id := f.adopted(t, input("Tia", "Moss", start.AddDate(-18, 0, 0)))
		f.clock.Set(start.AddDate(0, 0, 1))
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Home visit", ConsentWhen: start,
			ConsentBy: "Coordinator"}); err != nil {
			t.Fatal(err)
		}
		self := givenBySelf("Tia Moss")
		self.DecidedAt = start.AddDate(0, 0, -7)
		refusedWithNothingWritten(t, db, "the person's own consent at 17", prevent.Conflict, "parent or guardian if they are under 18", func() error {
			_, err := f.svc.RecordConsent(ctx, f.coordinator, id, self)
			return err
		})
		parent := self
		parent.GiverName, parent.GiverRole = "Jo Moss", casework.GiverParent
		refusedWithNothingWritten(t, db, "a parent's consent without the consultation", prevent.Conflict,
			"The person is under 18: record the consultation with children’s services before support starts", func() error {
				_, err := f.svc.RecordConsent(ctx, f.coordinator, id, parent)
				return err
			})
		if err := f.svc.RecordChildrensServicesConsultation(ctx, f.coordinator, id, start.AddDate(0, 0, -8), "Duty team manager", ""); err != nil {
			t.Fatal(err)
		}
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, parent); err != nil || st != casework.SupportActive {
			t.Fatalf("a parent's consent after the consultation: %s, %v", st, err)
		}
		if recs, _ := f.svc.ConsentRecords(ctx, f.coordinator, id); len(recs) != 1 || !recs[0].Under18 || recs[0].GiverRole != casework.GiverParent {
			t.Errorf("consent records: %+v", recs)
		}
	})
}

// TestGuardNoDeliveryAfterConsentEnds: after consent to support is withdrawn, a session planned for after
// the withdrawal (dated by when the person withdrew, before it was recorded) cannot be recorded, and none
// can be planned, each refusal writing nothing; a session that took place before may still be recorded.
func TestGuardNoDeliveryAfterConsentEnds(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, prov, worker := f.mentoring(t)
		id := f.adopted(t, input("Sol", "Reyes", adultDOB))
		f.consentToSupport(t, id)
		iv, err := f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING", ProviderID: prov,
			WorkerID: worker.PersonID, Share: share(sharing.SupportDelivery, sharing.SupportPlan)})
		if err != nil {
			t.Fatal(err)
		}
		var sessions []prevent.ID
		for _, days := range []int{3, 7, 14} {
			sid, err := f.svc.PlanSession(ctx, worker, iv, start.AddDate(0, 0, days))
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, sid)
		}
		// On day 10 the coordinator records that the person withdrew consent on day 5.
		f.clock.Set(start.AddDate(0, 0, 10))
		withdrawn := givenBySelf("Sol Reyes")
		withdrawn.Decision, withdrawn.Reason, withdrawn.DecidedAt = casework.ConsentWithdrawnBy, "No longer wishes to take part", start.AddDate(0, 0, 5)
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, withdrawn); err != nil || st != casework.ConsentWithdrawn {
			t.Fatalf("withdrawal: %s, %v", st, err)
		}
		for i, sid := range sessions[1:] {
			refusedWithNothingWritten(t, db, fmt.Sprintf("recording session %d, after the withdrawal", i+2), prevent.Conflict,
				"after support ended on "+start.AddDate(0, 0, 5).Format("2 January 2006")+" (consent to support was withdrawn)", func() error {
					return f.svc.RecordSession(ctx, worker, sid, casework.Attended, "Met at the library")
				})
		}
		refusedWithNothingWritten(t, db, "planning a session after the withdrawal", prevent.Conflict, "Sessions can only be planned while support is in progress", func() error {
			_, err := f.svc.PlanSession(ctx, worker, iv, start.AddDate(0, 0, 21))
			return err
		})
		// The session of day 3 took place before: it is recorded.
		if err := f.svc.RecordSession(ctx, worker, sessions[0], casework.Attended, "Met at the library"); err != nil {
			t.Fatalf("a session before the withdrawal: %v", err)
		}
		ivs, err := f.svc.Interventions(ctx, f.coordinator, id)
		if err != nil || len(ivs) != 1 || ivs[0].Sessions[0].Attendance != casework.Attended || ivs[0].Sessions[1].Attendance != casework.Planned {
			t.Fatalf("sessions: %+v, %v", ivs, err)
		}
	})
}

package casework_test

import (
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/work"
)

// TestTasksFollowTheCase walks a case through the pathway and checks, after each step, that its open tasks are
// exactly the next steps, whose they are and when they are due: the police triage; the coordinators choose a
// case officer; the officer assesses, lists, records the plan and consent; the provider sees nothing until
// support starts and then plans and records sessions; exit makes the 6-month post-exit review due.
func TestTasksFollowTheCase(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		_, prov, worker := f.mentoring(t)
		ps := f.panel(t)
		open := func(id prevent.ID) []work.Task {
			t.Helper()
			ts, err := work.OpenForCases(ctx, db.Read(), []prevent.ID{id})
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		want := func(step string, id prevent.ID, kinds ...work.Kind) []work.Task {
			t.Helper()
			ts := open(id)
			var got []work.Kind
			for _, x := range ts {
				got = append(got, x.Kind)
			}
			slices.Sort(got)
			slices.Sort(kinds)
			if !slices.Equal(got, kinds) {
				t.Fatalf("after %s: tasks %v, want %v", step, got, kinds)
			}
			return ts
		}
		mine := func(p prevent.Principal) []work.Kind {
			t.Helper()
			pg, err := work.New(work.Deps{DB: db, Now: f.clock.Now}).Mine(ctx, p, work.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			var out []work.Kind
			for _, it := range pg.Tasks {
				out = append(out, it.Kind)
			}
			return out
		}

		id, _ := f.submit(t, f.referrer, input("Tam", "Lowe", adultDOB))
		ts := want("submission", id, work.Triage)
		if ts[0].PersonID != 0 || ts[0].Action != "case.triage" {
			t.Errorf("triage task: %+v", ts[0])
		}
		f.triageToChannel(t, id)
		want("the referral to Channel", id, work.AssignOfficer, work.Assess)
		if got := mine(f.coordinator); !slices.Contains(got, work.AssignOfficer) {
			t.Errorf("the coordinator's work after the referral to Channel: %v", got)
		}
		if err := f.svc.AssignOfficer(ctx, f.coordinator, id, f.referrer.PersonID); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("a referrer made case officer: %v", err)
		}
		if err := f.svc.AssignOfficer(ctx, f.coordinator, id, f.coordinator.PersonID); err != nil {
			t.Fatal(err)
		}
		ts = want("choosing the officer", id, work.Assess)
		if ts[0].PersonID != f.coordinator.PersonID {
			t.Errorf("the assessment is not the officer's: %+v", ts[0])
		}
		if _, err := f.svc.SaveAssessment(ctx, f.coordinator, id, casework.AssessmentInput{SummaryConclusion: "Isolated, groomed online",
			Factors: []casework.FactorInput{{No: 3, Presence: casework.Present, Evidence: "Says the group are his only friends", Source: "School"}}}); err != nil {
			t.Fatal(err)
		}
		want("the assessment", id, work.ListForPanel)
		if err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, ps.meeting, share(sharing.ChannelPanel)); err != nil {
			t.Fatal(err)
		}
		ts = want("listing", id, work.PanelDiscussion)
		if !ts[0].Due.Equal(f.clock.Now()) {
			t.Errorf("the discussion is due %s, want the meeting's date %s", ts[0].Due, f.clock.Now())
		}
		f.present(t, ps.meeting, ps.chair, ps.police)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Agreed")); err != nil {
			t.Fatal(err)
		}
		want("adoption", id, work.SupportPlan)
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting", ConsentWhen: start.AddDate(0, 0, 9),
			ConsentBy: "Coordinator"}); err != nil {
			t.Fatal(err)
		}
		want("the plan", id, work.RequestConsent)
		if _, err := f.svc.AddIntervention(ctx, f.coordinator, id, casework.InterventionInput{Type: "MENTORING_COUNSELLING", ProviderID: prov,
			WorkerID: worker.PersonID, Description: "Weekly mentoring", Share: share(sharing.SupportDelivery, sharing.SupportPlan)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RequestConsent(ctx, f.coordinator, id); err != nil {
			t.Fatal(err)
		}
		ts = want("the consent request", id, work.RecordConsent)
		if !ts[0].Due.Equal(start.AddDate(0, 0, 9)) {
			t.Errorf("the consent decision is due %s, want the plan's date", ts[0].Due)
		}
		if got := mine(worker); len(got) != 0 {
			t.Errorf("the provider has tasks before consent to support: %v", got)
		}
		if st, err := f.svc.RecordConsent(ctx, f.coordinator, id, givenBySelf("Tam Lowe")); err != nil || st != casework.SupportActive {
			t.Fatalf("consent: %s, %v", st, err)
		}
		want("consent", id, work.PlanReview, work.PlanSessions)
		if got := mine(worker); !slices.Equal(got, []work.Kind{work.PlanSessions}) {
			t.Errorf("the provider's work once support started: %v", got)
		}
		ivs, err := f.svc.Interventions(ctx, worker, id)
		if err != nil || len(ivs) != 1 {
			t.Fatalf("interventions: %+v, %v", ivs, err)
		}
		session := f.clock.Now().Add(48 * time.Hour)
		if _, err := f.svc.PlanSession(ctx, worker, ivs[0].ID, session); err != nil {
			t.Fatal(err)
		}
		ts = want("planning a session", id, work.PlanReview, work.RecordSession)
		for _, x := range ts {
			if x.Kind == work.RecordSession && (x.PersonID != worker.PersonID || !x.Due.Equal(session.AddDate(0, 0, 2))) {
				t.Errorf("record-session task: %+v", x)
			}
		}
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, casework.DecisionInput{Kind: casework.DecideExit,
			Rationale: "Engaged well", Reached: casework.Unanimous, ExitOutcome: "EXIT_CONCERNS_REFERRED"}); err != nil {
			t.Fatal(err)
		}
		ts = want("exit", id, work.PostExitReview)
		if !ts[0].Due.Equal(f.clock.Now().AddDate(0, 6, 0)) {
			t.Errorf("post-exit review due %s, want 6 months after exit", ts[0].Due)
		}
		if got := mine(worker); len(got) != 0 {
			t.Errorf("the provider still has tasks after exit: %v", got)
		}
	})
}

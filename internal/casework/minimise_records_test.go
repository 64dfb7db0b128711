package casework_test

import (
	"slices"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// The assessment, the support plan and the consent records are fields of a case held in records of their own
// (CaseFields): an organisation given only some fields of the case gets each record with what it holds zeroed
// and the field's label in Withheld, as the panel decisions and interventions are read; the holding
// organisation and the coordinator get them whole, and so does the organisation once the field is disclosed.
func TestRecordsOfTheirOwnAreWithheldFromARecipientNotGivenThem(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := f.panel(t)
		id := f.screening(t) // referred by school B, assessed; the panel member is of school A
		// School A is given the person's identity only.
		if err := f.svc.ListForPanel(ctx, f.coordinator, id, ps.panel, ps.meeting, share(sharing.ChannelPanel, sharing.Identity)); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddToAgenda(ctx, f.coordinator, ps.meeting, id); err != nil {
			t.Fatal(err)
		}
		f.present(t, ps.meeting, ps.chair, ps.police)
		if _, err := f.svc.RecordDecision(ctx, f.coordinator, ps.meeting, id, adopt("Isolated; mentoring will help")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SaveSupportPlan(ctx, f.coordinator, id, casework.SupportPlanInput{ConsentHow: "Meeting at home", ConsentWhen: start,
			ConsentBy: "Coordinator", Objectives: "Find a club outside the forum", ReviewCadence: "Monthly"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport, GiverName: "Kit Marsh",
			GiverRole: casework.GiverSelf, CapacityNotes: "Understood what support means", Method: "In person", Evidence: "Signed form on file",
			Decision: casework.ConsentGiven}); err != nil {
			t.Fatal(err)
		}

		whole := func(t *testing.T, p prevent.Principal, what string) {
			t.Helper()
			as, err := f.svc.Assessments(ctx, p, id)
			if err != nil || len(as) != 1 || as[0].SummaryConclusion == "" || !evidenced(as[0].Factors) || as[0].Withheld != nil {
				t.Errorf("%s: assessments %+v, %v", what, as, err)
			}
			sp, ok, err := f.svc.SupportPlan(ctx, p, id)
			if err != nil || !ok || sp.Objectives == "" || sp.ConsentHow == "" || sp.ConsentWhen.IsZero() || sp.Withheld != nil {
				t.Errorf("%s: support plan %+v, %v, %v", what, sp, ok, err)
			}
			cs, err := f.svc.ConsentRecords(ctx, p, id)
			if err != nil || len(cs) != 1 || cs[0].GiverName == "" || cs[0].Method == "" || cs[0].Decision != casework.ConsentGiven ||
				cs[0].Withheld != nil {
				t.Errorf("%s: consent records %+v, %v", what, cs, err)
			}
		}
		withheldAssessment := func(t *testing.T, p prevent.Principal) {
			t.Helper()
			as, err := f.svc.Assessments(ctx, p, id)
			if err != nil || len(as) != 1 {
				t.Fatalf("assessments: %+v, %v", as, err)
			}
			a := as[0]
			if a.SummaryConclusion != "" || a.ManagementPlan != "" || a.ChangesSinceLast != "" || a.ProfessionalJudgement != "" || len(a.Factors) != 0 ||
				!slices.Equal(a.Withheld, []string{"Assessment"}) {
				t.Errorf("school A's assessment: %+v", a)
			}
		}
		withheldPlan := func(t *testing.T, p prevent.Principal) {
			t.Helper()
			sp, ok, err := f.svc.SupportPlan(ctx, p, id)
			if err != nil || !ok {
				t.Fatalf("support plan: %v, %v", ok, err)
			}
			if sp.SupportPlanInput != (casework.SupportPlanInput{}) || !slices.Equal(sp.Withheld, []string{"Support plan"}) {
				t.Errorf("school A's support plan: %+v", sp)
			}
			cs, err := f.svc.ConsentRecords(ctx, p, id)
			if err != nil || len(cs) != 1 {
				t.Fatalf("consent records: %+v, %v", cs, err)
			}
			if cs[0].ConsentInput != (casework.ConsentInput{}) || cs[0].Under18 || !slices.Equal(cs[0].Withheld, []string{"Consent records"}) {
				t.Errorf("school A's consent records: %+v", cs[0])
			}
		}

		whole(t, f.coordinator, "coordinator")
		whole(t, f.officer, "police")
		withheldAssessment(t, f.panelMember)
		withheldPlan(t, f.panelMember)

		// Given the assessment by name, school A reads it whole; the plan and consent stay withheld.
		in := share(sharing.ChannelPanel)
		in.ToOrg, in.Fields = f.schoolA, []string{casework.FieldAssessment}
		if _, err := f.svc.Share(ctx, f.coordinator, id, in); err != nil {
			t.Fatal(err)
		}
		if as, err := f.svc.Assessments(ctx, f.panelMember, id); err != nil || len(as) != 1 || as[0].SummaryConclusion == "" ||
			!evidenced(as[0].Factors) || as[0].Withheld != nil {
			t.Errorf("school A given the assessment: %+v, %v", as, err)
		}
		withheldPlan(t, f.panelMember)

		// Given the support plan category, school A reads everything.
		cat := share(sharing.ChannelPanel, sharing.SupportPlan)
		cat.ToOrg = f.schoolA
		if _, err := f.svc.Share(ctx, f.coordinator, id, cat); err != nil {
			t.Fatal(err)
		}
		whole(t, f.panelMember, "school A given everything")
	})
}

// evidenced reports whether some factor carries its evidence.
func evidenced(fs []casework.Factor) bool {
	return slices.ContainsFunc(fs, func(f casework.Factor) bool { return f.Evidence != "" })
}

package casework_test

import (
	"bytes"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

// TestAssessmentDraft saves an unfinished assessment and comes back to it: the draft is its assessor's alone,
// sealed at rest, audited, counts for nothing (the case has no assessment and the assessment task stays open),
// and is deleted when that assessor records the assessment.
func TestAssessmentDraft(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrer, input("Nia", "Vale", adultDOB))
		f.triageToChannel(t, id)
		other := f.newPerson(t, "Cole Second", f.council, prevent.Coordinator)
		const canary = "Canary-Quillfeather evidence"
		in := casework.AssessmentInput{ManagementPlan: "Talk to the school first",
			Factors: []casework.FactorInput{{No: 3, Presence: casework.Present, Evidence: canary}, {No: 5}}}

		// Nothing is required of a draft, but what recording would refuse is refused now, and nothing is written.
		collects := auditCount(t, db, "collect", "referral")
		bad := in
		bad.Factors = append(bad.Factors, casework.FactorInput{No: 999, Presence: casework.Present})
		if _, err := f.svc.SaveAssessmentDraft(ctx, f.coordinator, id, bad); prevent.ErrorKind(err) != prevent.Invalid {
			t.Fatalf("a draft with an unknown factor: %v", err)
		}
		if _, err := f.svc.SaveAssessmentDraft(ctx, f.panelMember, id, in); err == nil {
			t.Fatal("a panel member saved a draft assessment")
		}
		if n := count(t, db, `SELECT count(*) FROM assessment_drafts`); n != 0 || auditCount(t, db, "collect", "referral") != collects {
			t.Fatalf("refused drafts wrote %d rows", n)
		}

		d, err := f.svc.SaveAssessmentDraft(ctx, f.coordinator, id, in)
		if err != nil {
			t.Fatal(err)
		}
		if d.TemplateCode != casework.VAF || len(d.Input.Factors) != 1 || d.Input.Factors[0].No != 3 {
			t.Errorf("saved draft %+v: the empty factor 5 should be left out", d)
		}
		if got := auditCount(t, db, "collect", "referral"); got != collects+1 {
			t.Errorf("saving a draft wrote %d audit entries", got-collects)
		}
		var body []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT body_sealed FROM assessment_drafts WHERE referral_id = $1`, id).Scan(&body); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte("Quillfeather")) || bytes.Contains(body, []byte("school first")) {
			t.Error("the draft is stored in clear")
		}

		// It counts for nothing.
		if as, err := f.svc.Assessments(ctx, f.coordinator, id); err != nil || len(as) != 0 {
			t.Errorf("assessments with only a draft: %d %v", len(as), err)
		}
		ts, err := work.OpenForCases(ctx, db.Read(), []prevent.ID{id})
		if err != nil {
			t.Fatal(err)
		}
		assess := false
		for _, x := range ts {
			assess = assess || x.Kind == work.Assess
		}
		if !assess {
			t.Errorf("the assessment task closed on a draft: %+v", ts)
		}

		// Coming back to it: the assessor's own, audited; nobody else's.
		consults := auditCount(t, db, "consult", "referral")
		got, ok, err := f.svc.AssessmentDraftOf(ctx, f.coordinator, id)
		if err != nil || !ok || got.Input.Factors[0].Evidence != canary || got.Input.ManagementPlan != "Talk to the school first" {
			t.Fatalf("the draft read back: %+v %v %v", got, ok, err)
		}
		if auditCount(t, db, "consult", "referral") != consults+1 {
			t.Error("opening the draft was not audited")
		}
		if _, ok, err := f.svc.AssessmentDraftOf(ctx, other, id); ok || err != nil {
			t.Errorf("another coordinator read the draft: %v %v", ok, err)
		}
		if _, err := f.svc.SaveAssessmentDraft(ctx, other, id, casework.AssessmentInput{SummaryConclusion: "Second view"}); err != nil {
			t.Fatal(err)
		}
		if at, ok, err := f.svc.AssessmentDraftSaved(ctx, f.coordinator, id); !ok || err != nil || !at.Equal(d.UpdatedAt) {
			t.Errorf("draft saved at %v %v %v, want %v", at, ok, err, d.UpdatedAt)
		}

		// Recording it (incomplete: no summary) is refused and keeps the draft; once complete, recording deletes
		// the recorder's draft only.
		in = got.Input
		if _, err := f.svc.SaveAssessment(ctx, f.coordinator, id, in); prevent.ErrorKind(err) != prevent.Invalid {
			t.Fatalf("recording without a summary: %v", err)
		}
		in.SummaryConclusion = "Looking for belonging"
		if _, err := f.svc.SaveAssessment(ctx, f.coordinator, id, in); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := f.svc.AssessmentDraftOf(ctx, f.coordinator, id); ok {
			t.Error("the draft outlived the assessment it became")
		}
		if _, ok, _ := f.svc.AssessmentDraftOf(ctx, other, id); !ok {
			t.Error("recording one assessor's draft deleted another's")
		}
		if err := f.svc.DiscardAssessmentDraft(ctx, other, id); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, `SELECT count(*) FROM assessment_drafts`); n != 0 {
			t.Errorf("%d drafts left after discarding", n)
		}
		if err := f.svc.DiscardAssessmentDraft(ctx, other, id); err != nil {
			t.Errorf("discarding no draft: %v", err)
		}
	})
}

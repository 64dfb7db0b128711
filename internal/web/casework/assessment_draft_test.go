package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestAssessmentDraftThroughThePages saves a half-done assessment, finds it again from the case, sees it
// restored in the form with the date it was saved, and deletes it. The case has no assessment meanwhile, and
// nobody else is offered the draft.
func TestAssessmentDraftThroughThePages(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	co := f.Coordinator
	id := f.SubmitReferral(t, "Robin", "Young")
	if _, err := f.Casework.RecordDeconfliction(ctx, f.Officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Casework.Triage(ctx, f.Officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Shared violent material"}); err != nil {
		t.Fatal(err)
	}
	cases := fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id)

	doc := parse(t, serve(t, f.s, co, http.MethodGet, cases+"/assessment/new", nil))
	if doc.Find("button[name=save][value=draft]").Length() != 1 || doc.Find("a[href='#section-formulation']").Length() != 1 {
		t.Fatalf("the assessment form offers no draft or no sections: %s", doc.Find("main").Text())
	}
	// A draft needs no summary and no evidence yet.
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/assessment/new", url.Values{"save": {"draft"}, "factor-3": {"present"},
		"factor-7": {"not_present"}, "management-plan": {"See the school first"}}), cases+"/assessment")
	doc = parse(t, serve(t, f.s, co, http.MethodGet, cases+"/assessment", nil))
	main := doc.Find("main").Text()
	if !strings.Contains(main, "Continue your draft assessment") || !strings.Contains(main, "No assessment has been recorded") {
		t.Errorf("the assessment section after a draft: %s", main)
	}
	doc = parse(t, serve(t, f.s, co, http.MethodGet, cases+"/assessment/new", nil))
	if doc.Find("input[name=factor-7][value=not_present][checked]").Length() != 1 || doc.Find("#management-plan").Text() != "See the school first" ||
		!strings.Contains(doc.Find("main").Text(), "You are continuing the draft you saved") ||
		!strings.Contains(doc.Find("main").Text(), "Engagement (2 of 13 factors recorded)") {
		t.Errorf("the draft is not restored: %s", doc.Find("main").Text())
	}
	// The police officer may assess the case too, but the coordinator's draft is not theirs.
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, cases+"/assessment/new", nil))
	if doc.Find("input[name=factor-7][checked]").Length() != 0 || strings.Contains(doc.Find("main").Text(), "continuing the draft") {
		t.Errorf("another assessor was given the coordinator's draft: %s", doc.Find("main").Text())
	}
	if w := serve(t, f.s, f.Referrer, http.MethodGet, cases+"/assessment/new", nil); w.Code == http.StatusOK {
		t.Errorf("the referrer opened the assessment form: %d", w.Code)
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/assessment/draft/delete", url.Values{}), cases+"/assessment")
	doc = parse(t, serve(t, f.s, co, http.MethodGet, cases+"/assessment", nil))
	if strings.Contains(doc.Find("main").Text(), "Continue your draft") {
		t.Error("the deleted draft is still offered")
	}
	doc = parse(t, serve(t, f.s, co, http.MethodGet, cases+"/assessment/new", nil))
	if doc.Find("input[name=factor-7][checked]").Length() != 0 || strings.Contains(doc.Find("main").Text(), "continuing the draft") {
		t.Error("the deleted draft is still in the form")
	}
}

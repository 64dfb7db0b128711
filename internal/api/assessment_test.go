package api_test

import (
	"fmt"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// TestAssessmentThroughTheAPI saves a draft assessment, reads it back, records the assessment (refused first
// for want of a summary, naming the JSON member), and lists the versions: the draft counts for nothing, is
// the caller's alone, and goes when the assessment is recorded.
func TestAssessmentThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		id := f.screened("Assessperson")
		cases := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d", f.pid, id)
		draft := map[string]any{"factors": []map[string]any{{"no": 3, "presence": "present", "evidence": "Only friends are online"}, {"no": 7}},
			"management_plan": "Meet the family"}

		f.problem(f.do("GET", cases+"/assessment-draft", f.coordinator, nil), 404)
		f.problem(f.do("PUT", cases+"/assessment-draft", f.referrerA, draft), 404)
		// Where the case stands, as the case page shows it: screening, assessment not started, and the
		// coordinator offered the assessment and the information requests.
		progress := func(token string) (api.CaseProgress, map[string]string, map[string]bool) {
			t.Helper()
			var cp api.CaseProgress
			f.want(f.do("GET", cases+"/progress", token, nil), 200, &cp)
			steps, offered := map[string]string{}, map[string]bool{}
			for _, x := range cp.Progress {
				steps[x.Key] = x.Status
			}
			for _, x := range cp.NextActions {
				offered[x.Key] = true
			}
			return cp, steps, offered
		}
		cp, steps, offered := progress(f.coordinator)
		if cp.State != "channel_screening" || cp.Reference == "" || steps["assessment"] != "Not yet started" || !offered["assess"] {
			t.Errorf("progress before the assessment: %+v", cp)
		}
		f.problem(f.do("GET", cases+"/progress", f.referrerA, nil), 404)
		p := f.problem(f.do("PUT", cases+"/assessment-draft", f.coordinator, map[string]any{"factors": []map[string]any{{"no": 99, "presence": "present"}}}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "factors[0].presence" {
			t.Errorf("an unknown factor: %+v", p.Errors)
		}
		var saved api.AssessmentDraftView
		f.want(f.do("PUT", cases+"/assessment-draft", f.coordinator, draft), 200, &saved)
		if saved.Template != "VAF" || len(saved.Draft.Factors) != 1 || saved.Draft.ManagementPlan != "Meet the family" {
			t.Errorf("saved draft: %+v", saved)
		}
		var got api.AssessmentDraftView
		f.want(f.do("GET", cases+"/assessment-draft", f.coordinator, nil), 200, &got)
		if len(got.Draft.Factors) != 1 || got.Draft.Factors[0].Evidence != "Only friends are online" || !got.SavedAt.Equal(saved.SavedAt) {
			t.Errorf("draft read back: %+v", got)
		}
		f.problem(f.do("GET", cases+"/assessment-draft", f.officer, nil), 404)
		var list api.AssessmentList
		f.want(f.do("GET", cases+"/assessments", f.coordinator, nil), 200, &list)
		if len(list.Items) != 0 {
			t.Errorf("a draft listed as an assessment: %+v", list)
		}

		record := got.Draft
		p = f.problem(f.do("POST", cases+"/assessments", f.coordinator, record), 422)
		if len(p.Errors) == 0 || p.Errors[0].Field != "summary_conclusion" {
			t.Errorf("recording without a summary: %+v", p.Errors)
		}
		record.SummaryConclusion = "Seeks belonging; no capability"
		var rec api.AssessmentRecorded
		f.want(f.do("POST", cases+"/assessments", f.coordinator, record), 201, &rec)
		if rec.Version != 1 || rec.CaseID != id {
			t.Errorf("recorded: %+v", rec)
		}
		f.problem(f.do("GET", cases+"/assessment-draft", f.coordinator, nil), 404)
		if _, steps, _ := progress(f.coordinator); steps["assessment"] != "Completed" {
			t.Errorf("progress after the assessment: %v", steps)
		}
		f.want(f.do("GET", cases+"/assessments", f.officer, nil), 200, &list)
		if len(list.Items) != 1 || len(list.Items[0].Factors) != 22 || list.Items[0].Factors[2].Presence != "present" ||
			list.Items[0].Factors[6].Presence != "unknown" || list.Items[0].SummaryConclusion != "Seeks belonging; no capability" {
			t.Errorf("assessments: %+v", list)
		}

		f.want(f.do("PUT", cases+"/assessment-draft", f.officer, map[string]any{"summary_conclusion": "Police view"}), 200, nil)
		if rec := f.do("DELETE", cases+"/assessment-draft", f.officer, nil); rec.Code != 204 {
			t.Errorf("delete draft: %d %s", rec.Code, rec.Body.String())
		}
		f.problem(f.do("GET", cases+"/assessment-draft", f.officer, nil), 404)
	})
}

package api_test

import (
	"fmt"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestTasksThroughTheAPI follows a referral through the task list: the police's triage task, the coordinator's
// "choose a case officer" once it is referred to Channel, the officer chosen through the API (a referrer is
// refused, naming the member), the case's steps moving to the officer, filters, the team view, and no task for
// those who have none.
func TestTasksThroughTheAPI(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newCaseFixture(t, db)
		var created api.ReferralView
		f.want(f.do("POST", "/api/v1/referrals", f.referrerA, f.referral("Taskperson")), 201, &created)
		var list api.TaskList
		f.want(f.do("GET", "/api/v1/tasks", f.officer, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].Kind != "triage" || list.Items[0].Mine || list.Items[0].CaseID == nil ||
			*list.Items[0].CaseID != created.ID || list.Items[0].Reference != *created.Reference ||
			list.Items[0].Href != fmt.Sprintf("/partnerships/%d/cases/%d/triage", f.pid, created.ID) || list.Counts.Unassigned != 1 {
			t.Fatalf("officer's tasks = %+v", list)
		}
		f.want(f.do("GET", "/api/v1/tasks", f.referrerA, nil), 200, &list)
		if len(list.Items) != 0 || list.Next != nil {
			t.Errorf("referrer's tasks = %+v", list)
		}
		f.want(f.do("POST", fmt.Sprintf("/api/v1/referrals/%d/triage", created.ID), f.officer, map[string]any{"decision": "refer_to_channel",
			"reasonable_grounds": "Repeated statements of intent to harm", "deconfliction": map[string]any{"result": "no_trace", "marking": "OFFICIAL-SENSITIVE"}}),
			200, nil)
		f.want(f.do("GET", "/api/v1/tasks", f.coordinator, nil), 200, &list)
		var kinds []string
		for _, it := range list.Items {
			kinds = append(kinds, it.Kind)
		}
		if fmt.Sprint(kinds) != "[assign_officer assess]" {
			t.Fatalf("coordinator's tasks after referral to Channel: %v", kinds)
		}

		officer := fmt.Sprintf("/api/v1/partnerships/%d/cases/%d/officer", f.pid, created.ID)
		var me api.Me
		f.want(f.do("GET", "/api/v1/me", f.coordinator, nil), 200, &me)
		var referrer api.Me
		f.want(f.do("GET", "/api/v1/me", f.referrerA, nil), 200, &referrer)
		p := f.problem(f.do("PUT", officer, f.coordinator, map[string]any{"person_id": referrer.ID}), 422)
		if len(p.Errors) != 1 || p.Errors[0].Field != "person_id" {
			t.Errorf("a referrer as case officer: %+v", p)
		}
		f.problem(f.do("PUT", officer, f.referrerA, map[string]any{"person_id": me.ID}), 404)
		f.want(f.do("PUT", officer, f.coordinator, map[string]any{"person_id": me.ID}), 204, nil)
		f.want(f.do("GET", "/api/v1/tasks?type=screening", f.coordinator, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].Kind != "assess" || !list.Items[0].Mine || list.Counts.Mine != 1 {
			t.Errorf("coordinator's screening tasks after choosing the officer = %+v", list)
		}
		f.want(f.do("GET", "/api/v1/tasks?type=triage", f.coordinator, nil), 200, &list)
		if len(list.Items) != 0 {
			t.Errorf("triage filter = %+v", list)
		}
		if p := f.problem(f.do("GET", "/api/v1/tasks?due=soon", f.coordinator, nil), 422); len(p.Errors) != 1 || p.Errors[0].Field != "due" {
			t.Errorf("bad due filter: %+v", p)
		}

		var cl api.Caseload
		f.want(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/caseload", f.pid), f.coordinator, nil), 200, &cl)
		if cl.Open != 1 || len(cl.Officers) != 1 || cl.Officers[0].PersonID == nil || *cl.Officers[0].PersonID != prevent.ID(me.ID) ||
			cl.Officers[0].ByStage["screening"] != 1 {
			t.Errorf("caseload = %+v", cl)
		}
		f.problem(f.do("GET", fmt.Sprintf("/api/v1/partnerships/%d/caseload", f.pid), f.referrerA, nil), 404)
	})
}

package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// progFixture is the API fixture with the programme's base path, the administrator's organisation, and a
// helper for writes that checks each leaves an audit entry.
type progFixture struct {
	*fixture
	base  string // /api/v1/partnerships/{pid}/programme
	orgID prevent.ID
}

func newProgFixture(t *testing.T, db *database.DB) *progFixture {
	f := newFixture(t, db)
	var me api.Me
	f.want(f.do("GET", "/api/v1/me", f.admin, nil), 200, &me)
	return &progFixture{fixture: f, base: fmt.Sprintf("/api/v1/partnerships/%d/programme", f.pid), orgID: me.Organisation.ID}
}

// write sends a change as the administrator, wants status, decodes the body into v and checks the change was
// audited.
func (f *progFixture) write(method, path string, body any, status int, v any) *httptest.ResponseRecorder {
	f.t.Helper()
	before := f.audits()
	rec := f.do(method, f.base+path, f.admin, body)
	f.want(rec, status, v)
	if after := f.audits(); after <= before {
		f.t.Errorf("%s %s left no audit entry", method, path)
	}
	return rec
}

// refused sends a change as the administrator, wants a problem with status, and checks nothing was audited.
// For a 422 it returns the members the problem names.
func (f *progFixture) refused(method, path string, body any, status int) []string {
	f.t.Helper()
	before := f.audits()
	p := f.problem(f.do(method, f.base+path, f.admin, body), status)
	if after := f.audits(); after != before {
		f.t.Errorf("refused %s %s left %d audit entries", method, path, after-before)
	}
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Field)
	}
	return fields
}

// member adds a person of the administrator's organisation with one role and returns their id and token.
func (f *progFixture) member(name string, role prevent.Role) (prevent.ID, string) {
	f.t.Helper()
	var pc api.PersonCreated
	email := strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@kirklees.example.gov.uk"
	f.want(f.do("POST", fmt.Sprintf("/api/v1/partnerships/%d/people", f.pid), f.admin, map[string]any{"name": name, "email": email,
		"organisation_id": f.orgID, "roles": []string{string(role)}}), 201, &pc)
	return pc.Person.ID, f.token(pc.Person.ID)
}

// notPermitted checks a role without the action gets 404 and changes nothing.
func (f *progFixture) notPermitted(tok, method, path string, body any) {
	f.t.Helper()
	before := f.audits()
	f.problem(f.do(method, f.base+path, tok, body), http.StatusNotFound)
	if after := f.audits(); after != before {
		f.t.Errorf("%s %s without the action left %d audit entries", method, path, after-before)
	}
}

func progWantFields(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: errors name %v, want %q among them", what, got, w)
		}
	}
}

func pidText(v prevent.ID) string { return fmt.Sprint(v) }

// TestProgrammePlanWrites starts, drafts, approves and activates a delivery plan and shares a lesson through
// the API: each change is visible on the next read and audited; the page's refusals come back as problems.
func TestProgrammePlanWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		_, referrer := f.member("Rita Shah", prevent.Referrer)

		f.notPermitted(referrer, "POST", "/plans", map[string]any{"year": 2026, "title": "Plan"})
		progWantFields(t, "blank plan", f.refused("POST", "/plans", map[string]any{"year": 1999, "title": " "}, 422), "year", "title")

		var pl api.Plan
		rec := f.write("POST", "/plans", map[string]any{"year": 2026, "title": "Delivery plan 2026 to 2027"}, 201, &pl)
		if pl.ID == 0 || pl.Status != "draft" || len(pl.Sections) != len(programme.PlanSections) || pl.Sections[0].Status != "not-started" {
			t.Fatalf("created plan = %+v", pl)
		}
		if loc := rec.Header().Get("Location"); loc != f.base+"/plans/"+pidText(pl.ID) {
			t.Errorf("Location = %q", loc)
		}
		progWantFields(t, "second plan for the year", f.refused("POST", "/plans", map[string]any{"year": 2026, "title": "Again"}, 422), "year")
		plan := "/plans/" + pidText(pl.ID)

		// Sections: a completed section needs a body; an unknown section is not found; the referrer may not edit.
		progWantFields(t, "completed without body", f.refused("PUT", plan+"/sections/aims", map[string]any{"body": " ", "completed": true}, 422), "body")
		f.refused("PUT", plan+"/sections/no-such-section", map[string]any{"body": "x"}, 404)
		f.notPermitted(referrer, "PUT", plan+"/sections/aims", map[string]any{"body": "x"})
		f.write("PUT", plan+"/sections/aims", map[string]any{"body": "Reduce the risk of radicalisation"}, 200, &pl)
		if pl.Sections[0].Key != "aims" || pl.Sections[0].Status != "in-progress" || pl.Sections[0].Body != "Reduce the risk of radicalisation" {
			t.Errorf("aims after saving = %+v", pl.Sections[0])
		}

		// Approval is refused (409) until every section is completed, and an unknown status is a 422.
		f.notPermitted(referrer, "POST", plan+"/status", map[string]any{"to": "approved"})
		f.refused("POST", plan+"/status", map[string]any{"to": "approved"}, 409)
		progWantFields(t, "unknown status", f.refused("POST", plan+"/status", map[string]any{"to": "published"}, 422), "to")
		f.refused("POST", plan+"/status", map[string]any{"to": "active"}, 409)
		for _, d := range programme.PlanSections {
			f.write("PUT", plan+"/sections/"+d.Key, map[string]any{"body": "Text of " + d.Title, "completed": true}, 200, &pl)
		}
		f.write("POST", plan+"/status", map[string]any{"to": "approved"}, 200, &pl)
		if pl.Status != "approved" || pl.ApprovedBy == nil || pl.ApprovedBy.ID != f.adminID || pl.ApprovedAt == nil {
			t.Errorf("approved plan = %+v", pl)
		}
		// An approved plan cannot be changed until approval is withdrawn.
		f.refused("PUT", plan+"/sections/aims", map[string]any{"body": "Changed"}, 409)
		f.write("POST", plan+"/status", map[string]any{"to": "active"}, 200, &pl)
		var got api.Plan
		f.want(f.do("GET", f.base+plan, referrer, nil), 200, &got)
		if got.Status != "active" || got.Sections[0].Status != "completed" {
			t.Errorf("plan as read = %+v", got)
		}

		// Lessons.
		f.notPermitted(referrer, "POST", "/lessons", map[string]any{"title": "T", "body": "B"})
		progWantFields(t, "blank lesson", f.refused("POST", "/lessons", map[string]any{"title": "", "body": ""}, 422), "title", "body")
		f.refused("POST", "/lessons", map[string]any{"project_id": 999999, "title": "T", "body": "B"}, 404)
		var l api.LessonView
		f.write("POST", "/lessons", map[string]any{"title": "Start early", "body": "Schools need a term's notice"}, 201, &l)
		if l.ID == 0 || l.Author.ID != f.adminID || l.Author.Name != "Aisha Khan" || l.ProjectID != nil {
			t.Errorf("lesson = %+v", l)
		}
		var ls api.LessonList
		f.want(f.do("GET", f.base+"/lessons", referrer, nil), 200, &ls)
		if len(ls.Items) != 1 || ls.Items[0] != l {
			t.Errorf("lessons = %+v", ls)
		}
	})
}

// TestProgrammeProjectWrites adds and changes a project, its milestones, impacts, actuals and evaluation.
func TestProgrammeProjectWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		_, referrer := f.member("Rita Shah", prevent.Referrer)
		in := map[string]any{"public_title": "Safer schools", "internal_title": "Prevent in schools", "lead_organisation_id": f.orgID,
			"objectives": []string{"contest-2023:A"}, "scope": "community", "areas": "Huddersfield", "starts_on": "2026-04-01",
			"ends_on": "2027-03-31", "rag": "green"}

		f.notPermitted(referrer, "POST", "/projects", in)
		progWantFields(t, "empty project", f.refused("POST", "/projects", map[string]any{"starts_on": "2026-02-30"}, 422),
			"public_title", "internal_title", "lead_organisation_id", "objectives", "scope", "starts_on", "ends_on", "rag")
		var pr api.Project
		f.write("POST", "/projects", in, 201, &pr)
		if pr.ID == 0 || pr.PublicTitle != "Safer schools" || pr.Lead.ID != f.orgID || !slices.Equal(pr.Objectives, []string{"contest-2023:A"}) {
			t.Fatalf("created project = %+v", pr)
		}
		project := "/projects/" + pidText(pr.ID)

		in["rag"] = "red"
		progWantFields(t, "red without reason", f.refused("PUT", project, in, 422), "rag_reason")
		in["rag_reason"] = "The venue fell through"
		f.notPermitted(referrer, "PUT", project, in)
		f.write("PUT", project, in, 200, &pr)
		if pr.RAG != "red" || pr.RAGReason != "The venue fell through" {
			t.Errorf("updated project = %+v", pr)
		}

		// Milestones.
		progWantFields(t, "milestone", f.refused("POST", project+"/milestones", map[string]any{"title": "", "due_on": "2026-13-01"}, 422), "title", "due_on")
		var m api.Milestone
		f.write("POST", project+"/milestones", map[string]any{"title": "Launch", "due_on": "2026-05-01"}, 201, &m)
		if m.ID == 0 || m.Title != "Launch" || m.DueOn != "2026-05-01" || m.DoneOn != "" {
			t.Errorf("milestone = %+v", m)
		}
		f.write("PUT", project+"/milestones/"+pidText(m.ID), map[string]any{"done": true}, 200, &m)
		if m.DoneOn != testNow.Format(programme.DateLayout) {
			t.Errorf("done milestone = %+v", m)
		}
		progWantFields(t, "done on", f.refused("PUT", project+"/milestones/"+pidText(m.ID), map[string]any{"done": true, "done_on": "soon"}, 422), "done_on")
		f.write("PUT", project+"/milestones/"+pidText(m.ID), map[string]any{"done": false}, 200, &m)
		if m.DoneOn != "" {
			t.Errorf("undone milestone = %+v", m)
		}
		f.refused("PUT", project+"/milestones/999999", map[string]any{"done": true}, 404)
		f.notPermitted(referrer, "PUT", project+"/milestones/"+pidText(m.ID), map[string]any{"done": true})

		// Impacts and actuals.
		progWantFields(t, "impact", f.refused("POST", project+"/impacts", map[string]any{"indicator": "Staff trained", "baseline": "ten",
			"target": "100", "evidence": "Registers"}, 422), "baseline")
		var im api.Impact
		f.write("POST", project+"/impacts", map[string]any{"indicator": "Staff trained", "unit": "people", "baseline": "10",
			"target": "1,000", "evidence": "Registers"}, 201, &im)
		if im.ID == 0 || im.Baseline != "10" || im.Target != "1000" {
			t.Errorf("impact = %+v", im)
		}
		actual := project + "/impacts/" + pidText(im.ID) + "/actuals/"
		progWantFields(t, "quarter", f.refused("PUT", actual+"Q1-2026", map[string]any{"value": "12"}, 422), "quarter")
		progWantFields(t, "value", f.refused("PUT", actual+"2026-Q1", map[string]any{"value": "a dozen"}, 422), "value")
		f.write("PUT", actual+"2026-Q1", map[string]any{"value": "12", "evidence": "April register"}, 200, &im)
		f.write("PUT", actual+"2026-Q1", map[string]any{"value": "14"}, 200, &im)
		if len(im.Actuals) != 1 || im.Actuals[0].Quarter != "2026-Q1" || im.Actuals[0].Value != "14" {
			t.Errorf("actuals = %+v", im.Actuals)
		}
		f.refused("PUT", project+"/impacts/999999/actuals/2026-Q1", map[string]any{"value": "1"}, 404)

		// The evaluation plan.
		progWantFields(t, "evaluation", f.refused("PUT", project+"/evaluation", map[string]any{"why": strings.Repeat("x", 10001)}, 422), "why")
		f.write("PUT", project+"/evaluation", map[string]any{"why": " To learn what works ", "findings": "Attendance doubled"}, 200, &pr)
		var got api.Project
		f.want(f.do("GET", f.base+project, referrer, nil), 200, &got)
		if got.Evaluation.Why != "To learn what works" || got.Evaluation.Findings != "Attendance doubled" || len(got.Milestones) != 1 ||
			len(got.Impacts) != 1 || len(got.Impacts[0].Actuals) != 1 {
			t.Errorf("project as read = %+v", got)
		}
		f.notPermitted(referrer, "PUT", project+"/evaluation", map[string]any{"why": "x"})
	})
}

// TestProgrammeGovernanceWrites records a board meeting, a decision and actions, and reads them back.
func TestProgrammeGovernanceWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		officerID, officer := f.member("Dan Cole", prevent.PoliceOfficer) // may read governance, not change it
		_, referrer := f.member("Rita Shah", prevent.Referrer)            // may do neither

		meeting := map[string]any{"held_on": "2026-02-20", "title": "Partnership board", "present": []prevent.ID{f.adminID}}
		f.notPermitted(officer, "POST", "/governance/meetings", meeting)
		progWantFields(t, "meeting", f.refused("POST", "/governance/meetings", map[string]any{"held_on": "20/02/2026", "title": "Board",
			"present": []prevent.ID{f.adminID}, "apologies": []prevent.ID{f.adminID}}, 422), "held_on", "apologies")
		meeting["apologies"] = []prevent.ID{officerID}
		var m api.BoardMeeting
		f.write("POST", "/governance/meetings", meeting, 201, &m)
		if m.ID == 0 || m.Title != "Partnership board" || len(m.Attendance) != 2 || !m.Attendance[0].Present || m.Attendance[0].Person.ID != f.adminID ||
			m.Attendance[1].Present || m.Attendance[1].Person.ID != officerID {
			t.Fatalf("meeting = %+v", m)
		}
		decisions := "/governance/meetings/" + pidText(m.ID) + "/decisions"
		progWantFields(t, "decision", f.refused("POST", decisions, map[string]any{"text": " "}, 422), "text")
		f.refused("POST", "/governance/meetings/999999/decisions", map[string]any{"text": "Fund it"}, 404)
		f.notPermitted(officer, "POST", decisions, map[string]any{"text": "Fund it"})
		var d api.BoardDecisionView
		f.write("POST", decisions, map[string]any{"text": "Fund the schools project"}, 201, &d)

		progWantFields(t, "action", f.refused("POST", "/governance/actions", map[string]any{"description": "Write to schools", "due_on": "x",
			"meeting_id": 999999}, 422), "owner_id", "due_on", "meeting_id")
		var a api.BoardActionView
		f.write("POST", "/governance/actions", map[string]any{"description": "Write to schools", "owner_id": officerID, "due_on": "2026-02-27",
			"meeting_id": m.ID}, 201, &a)
		if a.ID == 0 || a.Status != "open" || !a.Overdue || a.Owner.ID != officerID || a.MeetingID == nil || *a.MeetingID != m.ID {
			t.Errorf("action = %+v", a)
		}
		status := "/governance/actions/" + pidText(a.ID) + "/status"
		progWantFields(t, "status", f.refused("PUT", status, map[string]any{"status": "finished"}, 422), "status")
		f.notPermitted(officer, "PUT", status, map[string]any{"status": "done"})
		f.write("PUT", status, map[string]any{"status": "done"}, 200, &a)
		if a.Status != "done" || a.Overdue {
			t.Errorf("done action = %+v", a)
		}

		// The police officer reads what was written; the referrer may not.
		var ms api.BoardMeetingList
		f.want(f.do("GET", f.base+"/governance/meetings", officer, nil), 200, &ms)
		if len(ms.Items) != 1 || len(ms.Items[0].Decisions) != 1 || ms.Items[0].Decisions[0] != d || d.Text != "Fund the schools project" {
			t.Errorf("meetings = %+v", ms)
		}
		var as api.BoardActionList
		f.want(f.do("GET", f.base+"/governance/actions", officer, nil), 200, &as)
		if len(as.Items) != 1 || !reflect.DeepEqual(as.Items[0], a) {
			t.Errorf("actions = %+v", as)
		}
		f.problem(f.do("GET", f.base+"/governance/meetings", referrer, nil), 404)
		f.problem(f.do("GET", f.base+"/governance/actions", referrer, nil), 404)
	})
}

// TestProgrammeTrainingWrites adds a course, records a completion, sets a target and reads the coverage.
func TestProgrammeTrainingWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		_, officer := f.member("Dan Cole", prevent.PoliceOfficer) // reads coverage, not names

		f.notPermitted(officer, "POST", "/training/courses", map[string]any{"title": "Awareness", "kind": "workshop"})
		progWantFields(t, "course", f.refused("POST", "/training/courses", map[string]any{"title": "", "kind": "lecture"}, 422), "title", "kind")
		var c api.TrainingCourse
		f.write("POST", "/training/courses", map[string]any{"title": "Prevent awareness for schools", "kind": "prevent-awareness"}, 201, &c)
		if c.ID == 0 || c.Kind != "prevent-awareness" || len(c.Coverage) != 0 {
			t.Fatalf("course = %+v", c)
		}
		course := "/training/courses/" + pidText(c.ID)

		progWantFields(t, "completion", f.refused("POST", course+"/completions", map[string]any{"person_id": 999999, "completed_on": "2026-04-01"}, 422),
			"person_id", "completed_on")
		f.notPermitted(officer, "POST", course+"/completions", map[string]any{"person_id": f.adminID, "completed_on": "2026-03-01"})
		var done api.CourseCompletion
		f.write("POST", course+"/completions", map[string]any{"person_id": f.adminID, "completed_on": "2026-03-01"}, 201, &done)
		if done.Person.ID != f.adminID || done.Organisation != "Kirklees Council" || done.CompletedOn != "2026-03-01" ||
			!slices.Equal(done.Roles, []prevent.Role{prevent.Administrator}) {
			t.Errorf("completion = %+v", done)
		}
		progWantFields(t, "twice", f.refused("POST", course+"/completions", map[string]any{"person_id": f.adminID, "completed_on": "2026-03-01"}, 422),
			"completed_on")

		progWantFields(t, "no target", f.refused("PUT", course+"/targets", map[string]any{"organisation_id": f.orgID}, 422), "target")
		progWantFields(t, "negative target", f.refused("PUT", course+"/targets", map[string]any{"organisation_id": f.orgID, "target": -1}, 422), "target")
		progWantFields(t, "organisation", f.refused("PUT", course+"/targets", map[string]any{"organisation_id": 999999, "target": 4}, 422), "organisation_id")
		f.notPermitted(officer, "PUT", course+"/targets", map[string]any{"organisation_id": f.orgID, "target": 4})
		f.write("PUT", course+"/targets", map[string]any{"organisation_id": f.orgID, "target": 4}, 200, &c)
		want := []api.CourseCoverage{{Organisation: api.OrganisationRef{ID: f.orgID, Name: "Kirklees Council"}, Target: 4, Completed: 1, Percent: 25}}
		if !slices.Equal(c.Coverage, want) {
			t.Errorf("coverage = %+v", c.Coverage)
		}

		var got api.TrainingCourse
		f.want(f.do("GET", f.base+course, officer, nil), 200, &got)
		if !slices.Equal(got.Coverage, want) {
			t.Errorf("course as the officer reads it = %+v", got)
		}
		var list api.TrainingCourseList
		f.want(f.do("GET", f.base+"/training/courses", officer, nil), 200, &list)
		if len(list.Items) != 1 || list.Items[0].ID != c.ID || !slices.Equal(list.Items[0].Coverage, want) {
			t.Errorf("courses = %+v", list)
		}
		f.problem(f.do("GET", f.base+course+"/completions", officer, nil), 404) // names are for those who manage training
		var cs api.CourseCompletionList
		f.want(f.do("GET", f.base+course+"/completions", f.admin, nil), 200, &cs)
		if len(cs.Items) != 1 || cs.Items[0].ID != done.ID {
			t.Errorf("completions = %+v", cs)
		}
		f.problem(f.do("GET", f.base+"/training/courses/999999", f.admin, nil), 404)
	})
}

// TestProgrammeQandAWrites edits the public questions and answers: adding copies the defaults into the
// partnership's own list, changing a default changes that copy, and deleting removes it.
func TestProgrammeQandAWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		_, referrer := f.member("Rita Shah", prevent.Referrer)
		list := func() []api.QuestionAnswer {
			t.Helper()
			var l api.QuestionAnswerList
			f.want(f.do("GET", f.base+"/questions-and-answers", f.admin, nil), 200, &l)
			return l.Items
		}
		defaults := list()
		if len(defaults) == 0 {
			t.Fatal("no default questions and answers")
		}
		f.problem(f.do("GET", f.base+"/questions-and-answers", referrer, nil), 404)
		f.notPermitted(referrer, "POST", "/questions-and-answers", map[string]any{"topic": "T", "question": "Q", "answer": "A", "sort": 1})

		progWantFields(t, "blank", f.refused("POST", "/questions-and-answers", map[string]any{"topic": "", "question": "", "answer": "", "sort": -1}, 422),
			"topic", "question", "answer", "sort")
		var q api.QuestionAnswer
		f.write("POST", "/questions-and-answers", map[string]any{"topic": "Local", "question": "Who runs Prevent here?",
			"answer": "The council's Prevent coordinator", "sort": 9999}, 201, &q)
		after := list()
		if len(after) != len(defaults)+1 || after[len(after)-1] != q {
			t.Fatalf("after adding: %d entries (defaults %d), last %+v, added %+v", len(after), len(defaults), after[len(after)-1], q)
		}

		// Changing a default changes the partnership's copy, whose id comes back.
		first := defaults[0]
		var changed api.QuestionAnswer
		f.write("PUT", "/questions-and-answers/"+pidText(first.ID), map[string]any{"topic": first.Topic, "question": first.Question,
			"answer": "Changed locally", "sort": first.Sort}, 200, &changed)
		if changed.ID == first.ID || changed.Answer != "Changed locally" {
			t.Errorf("changed default = %+v (default %+v)", changed, first)
		}
		f.refused("PUT", "/questions-and-answers/999999", map[string]any{"topic": "T", "question": "Q", "answer": "A", "sort": 1}, 404)
		f.notPermitted(referrer, "DELETE", "/questions-and-answers/"+pidText(q.ID), nil)
		f.write("DELETE", "/questions-and-answers/"+pidText(q.ID), nil, 204, nil)
		f.refused("DELETE", "/questions-and-answers/"+pidText(q.ID), nil, 404)
		final := list()
		if len(final) != len(defaults) || slices.Contains(final, q) || !slices.Contains(final, changed) {
			t.Errorf("after deleting: %+v", final)
		}
	})
}

// TestProgrammeDueDiligenceWrites records shared-values reviews of a member organisation.
func TestProgrammeDueDiligenceWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		_, referrer := f.member("Rita Shah", prevent.Referrer)
		var org api.Organisation
		f.want(f.do("POST", fmt.Sprintf("/api/v1/partnerships/%d/organisations", f.pid), f.admin,
			map[string]any{"name": "Dewsbury Youth Trust", "sector": "community", "public_body": false}), 201, &org)
		reviews := "/due-diligence/organisations/" + pidText(org.ID) + "/reviews"
		findings := map[string]string{}
		for _, it := range programme.DueDiligenceItems {
			findings[it.Key] = "clear"
		}
		review := map[string]any{"basis": "funding", "findings": findings, "indicators": []string{"stated-aims", "nature-of-work"},
			"evidence": "Constitution and public statements reviewed", "decision": "positive", "decided_on": "2026-03-01", "review_due": "2027-03-01"}

		f.notPermitted(referrer, "POST", reviews, review)
		findings["law"] = "concern"
		progWantFields(t, "concern without second reviewer", f.refused("POST", reviews, review, 422), "second_reviewer_id")
		findings["law"] = "adverse"
		delete(findings, "terrorism")
		review["review_due"] = "2029-03-01"
		progWantFields(t, "adverse", f.refused("POST", reviews, review, 422), "decision", "findings.terrorism", "review_due")
		f.refused("POST", "/due-diligence/organisations/999999/reviews", review, 404)

		findings["terrorism"] = "clear"
		review["decision"], review["review_due"], review["notes"] = "negative", "2027-03-01", map[string]string{"law": "Refused to confirm"}
		var rv api.DueDiligenceReview
		f.write("POST", reviews, review, 201, &rv)
		if rv.ID == 0 || rv.Decision != "negative" || rv.DecidedBy.ID != f.adminID || rv.Organisation.ID != org.ID || len(rv.Findings) != 10 {
			t.Fatalf("review = %+v", rv)
		}
		for _, fd := range rv.Findings {
			if fd.Item == "law" && (fd.Result != "adverse" || fd.Note != "Refused to confirm") {
				t.Errorf("law finding = %+v", fd)
			}
		}
		var rs api.DueDiligenceReviewList
		f.want(f.do("GET", f.base+reviews, f.admin, nil), 200, &rs)
		if len(rs.Items) != 1 || rs.Items[0].ID != rv.ID {
			t.Errorf("reviews = %+v", rs)
		}
		var sts api.StandingList
		f.want(f.do("GET", f.base+"/due-diligence", f.admin, nil), 200, &sts)
		for _, st := range sts.Items {
			if st.Organisation.ID == org.ID && (st.State != "refused" || !st.BlocksAllocations) {
				t.Errorf("standing after a negative review = %+v", st)
			}
		}
		f.problem(f.do("GET", f.base+reviews, referrer, nil), 404)
	})
}

// TestProgrammeLibraryWrites uploads a document and a new version as raw bodies with their details in the
// query, and downloads what was uploaded.
func TestProgrammeLibraryWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		_, referrer := f.member("Rita Shah", prevent.Referrer) // may read the library, not add to it
		send := func(tok, path, ctype string, body []byte) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", f.base+path, bytes.NewReader(body))
			if ctype != "" {
				r.Header.Set("Content-Type", ctype)
			}
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			f.mux.ServeHTTP(rec, r)
			checkResponse(t, r, rec)
			return rec
		}
		refused := func(path, ctype string, body []byte, status int) []string {
			t.Helper()
			before := f.audits()
			p := f.problem(send(f.admin, path, ctype, body), status)
			if f.audits() != before {
				t.Errorf("refused upload %s was audited", path)
			}
			var fields []string
			for _, e := range p.Errors {
				fields = append(fields, e.Field)
			}
			return fields
		}
		const q = "/library?title=Working+with+schools&kind=guidance&originator=Kirklees+Council&audience=Schools&review_on=2027-01-01"
		text := []byte("How to make a Prevent referral from a school.\n")

		if rec := send(referrer, q+"&marking=OFFICIAL&filename=schools.txt", "text/plain", text); rec.Code != http.StatusNotFound {
			t.Errorf("referrer upload = %d", rec.Code)
		}
		progWantFields(t, "secret", refused(q+"&marking=SECRET&filename=schools.txt", "text/plain", text, 422), "marking")
		progWantFields(t, "above vetting", refused(q+"&marking=OFFICIAL-SENSITIVE&filename=schools.txt", "text/plain", text, 422), "marking")
		progWantFields(t, "review date", refused(strings.Replace(q, "2027-01-01", "next-year", 1)+"&marking=OFFICIAL&filename=schools.txt",
			"text/plain", text, 422), "review_on")
		progWantFields(t, "no file", refused(q+"&marking=OFFICIAL&filename=schools.txt", "text/plain", nil, 422), "file")
		progWantFields(t, "no filename", refused(q+"&marking=OFFICIAL", "text/plain", text, 422), "file")
		progWantFields(t, "not a document", refused(q+"&marking=OFFICIAL&filename=tool.exe", "application/octet-stream",
			[]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), 422), "file")
		big := bytes.Repeat([]byte("a"), programme.MaxDocumentSize+1)
		progWantFields(t, "too big", refused(q+"&marking=OFFICIAL&filename=big.txt", "text/plain", big, 422), "file")
		refused(q+"&marking=OFFICIAL&filename=schools.txt", "multipart/form-data; boundary=x", text, 415)

		before := f.audits()
		rec := send(f.admin, q+"&marking=OFFICIAL&filename=schools.txt", "text/plain", text)
		var d api.Document
		f.want(rec, 201, &d)
		if f.audits() <= before {
			t.Error("upload not audited")
		}
		if d.ID == 0 || d.Title != "Working with schools" || d.Marking != "OFFICIAL" || d.ReviewOn != "2027-01-01" || d.CurrentVersion != 1 ||
			len(d.Versions) != 1 || d.Versions[0].Filename != "schools.txt" || d.Versions[0].Size != int64(len(text)) {
			t.Fatalf("uploaded document = %+v", d)
		}
		doc := "/library/" + pidText(d.ID)
		if loc := rec.Header().Get("Location"); loc != f.base+doc {
			t.Errorf("Location = %q", loc)
		}
		content := func() string {
			rec := f.do("GET", f.base+doc+"/content", referrer, nil)
			f.want(rec, 200, nil)
			return rec.Body.String()
		}
		if got := content(); got != string(text) {
			t.Errorf("content = %q", got)
		}

		v2 := []byte("How to make a Prevent referral from a school, revised.\n")
		if rec := send(referrer, doc+"/versions?filename=schools-v2.txt", "text/plain", v2); rec.Code != http.StatusNotFound {
			t.Errorf("referrer new version = %d", rec.Code)
		}
		progWantFields(t, "empty version", refused(doc+"/versions?filename=schools-v2.txt", "text/plain", nil, 422), "file")
		refused("/library/999999/versions?filename=schools-v2.txt", "text/plain", v2, 404)
		before = f.audits()
		f.want(send(f.admin, doc+"/versions?filename=schools-v2.txt", "text/plain", v2), 201, &d)
		if f.audits() <= before {
			t.Error("new version not audited")
		}
		if d.CurrentVersion != 2 || len(d.Versions) != 2 || d.Versions[0].Filename != "schools-v2.txt" {
			t.Errorf("document after a new version = %+v", d)
		}
		if got := content(); got != string(v2) {
			t.Errorf("content after a new version = %q", got)
		}
	})
}

// TestProgrammeFundingWrites adds a funding stream, allocates from it, records spend and a commissioning
// decision, and reads them back as a member who may see funding but not change it.
func TestProgrammeFundingWrites(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgFixture(t, db)
		_, officer := f.member("Dan Cole", prevent.PoliceOfficer) // reads funding, does not change it

		stream := map[string]any{"funder": "Home Office", "name": "Prevent grant", "year": 2026, "amount": "25,000"}
		f.notPermitted(officer, "POST", "/funding/streams", stream)
		progWantFields(t, "stream", f.refused("POST", "/funding/streams", map[string]any{"funder": "", "name": "Grant", "year": 0, "amount": "lots"}, 422),
			"funder", "year", "amount")
		var st api.Stream
		f.write("POST", "/funding/streams", stream, 201, &st)
		if st.ID == 0 || st.AmountPence != 2500000 || st.Year != 2026 || st.Funder != "Home Office" {
			t.Fatalf("stream = %+v", st)
		}
		var streams api.StreamList
		f.want(f.do("GET", f.base+"/funding/streams", officer, nil), 200, &streams)
		if len(streams.Items) != 1 || streams.Items[0] != st {
			t.Errorf("streams = %+v", streams)
		}

		var pr api.Project
		f.write("POST", "/projects", map[string]any{"public_title": "Safer schools", "internal_title": "Prevent in schools",
			"lead_organisation_id": f.orgID, "objectives": []string{"contest-2023:A"}, "scope": "community", "areas": "Huddersfield",
			"starts_on": "2026-04-01", "ends_on": "2027-03-31", "rag": "green"}, 201, &pr)
		var al api.Allocation
		f.write("POST", "/funding/allocations", map[string]any{"stream_id": st.ID, "project_id": pr.ID, "amount": "5000"}, 201, &al)

		spend := "/funding/allocations/" + pidText(al.ID) + "/spend"
		progWantFields(t, "spend", f.refused("POST", spend, map[string]any{"year": 2026, "quarter": 5, "amount": "0"}, 422), "quarter", "amount")
		f.refused("POST", "/funding/allocations/999999/spend", map[string]any{"year": 2026, "quarter": 1, "amount": "10"}, 404)
		f.notPermitted(officer, "POST", spend, map[string]any{"year": 2026, "quarter": 1, "amount": "10"})
		f.write("POST", spend, map[string]any{"year": 2026, "quarter": 1, "amount": "1,250.50"}, 201, &al)
		if al.SpentPence != 125050 || len(al.Spend) != 1 || al.Spend[0] != (api.QuarterSpend{Year: 2026, Quarter: 1, AmountPence: 125050}) {
			t.Errorf("allocation after spend = %+v", al)
		}
		var rep api.FundingReport
		f.want(f.do("GET", f.base+"/funding/report", officer, nil), 200, &rep)
		if rep.Total.SpentPence != 125050 || rep.Total.AllocatedPence != 500000 {
			t.Errorf("report total = %+v", rep.Total)
		}

		progWantFields(t, "commissioning", f.refused("POST", "/funding/commissioning", map[string]any{"project_id": 999999, "decision": "",
			"decided_by_id": 999999, "decided_on": "2026-04-01", "evidence": ""}, 422), "project_id", "decision", "decided_by_id", "decided_on", "evidence")
		decision := map[string]any{"project_id": pr.ID, "decision": "Commission the schools workshops", "decided_by_id": f.adminID,
			"decided_on": "2026-03-01", "evidence": "Local profile and the schools survey"}
		f.notPermitted(officer, "POST", "/funding/commissioning", decision)
		var c api.CommissioningView
		f.write("POST", "/funding/commissioning", decision, 201, &c)
		if c.ID == 0 || c.ProjectID == nil || *c.ProjectID != pr.ID || c.DecidedBy.ID != f.adminID || c.DecidedOn != "2026-03-01" {
			t.Errorf("commissioning decision = %+v", c)
		}
		var cs api.CommissioningList
		f.want(f.do("GET", f.base+"/funding/commissioning", officer, nil), 200, &cs)
		if len(cs.Items) != 1 || !reflect.DeepEqual(cs.Items[0], c) {
			t.Errorf("commissioning decisions = %+v", cs)
		}
	})
}

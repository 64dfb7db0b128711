package programme_test

import (
	"context"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

func TestProjects(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		_, err := s.CreateProject(ctx, f.coordinator, f.pid, programme.ProjectInput{LeadOrganisation: 4242, Objectives: []string{"nope:Z"}, RAG: "amber",
			StartsOn: "2026-05-01", EndsOn: "2026-04-01"})
		fields := prevent.Fields(prevent.FieldErrors(err))
		for _, want := range []string{"public-title", "internal-title", "lead-organisation", "objectives", "scope", "areas", "ends-on", "rag-reason"} {
			if !fields.Has(want) {
				t.Errorf("invalid project: no error on %s (%v)", want, fields)
			}
		}
		var id prevent.ID
		audited(t, db, "create project", func() (err error) {
			id, err = s.CreateProject(ctx, f.coordinator, f.pid, programme.ProjectInput{PublicTitle: "Safer online", InternalTitle: "Prevent online harms",
				LeadOrganisation: f.community, Partners: []prevent.ID{f.council}, Objectives: []string{"contest-2023:A", "prevent-2009:O1"},
				Scope: "individuals", Areas: "North ward", StartsOn: "2026-04-01", EndsOn: "2027-03-31", RAG: "amber", RAGReason: "Late start", Risks: "Staff turnover"})
			return err
		})
		var m, im prevent.ID
		audited(t, db, "milestone", func() (err error) {
			m, err = s.AddMilestone(ctx, f.coordinator, f.pid, id, "Sessions begin", "2026-06-01")
			return err
		})
		audited(t, db, "milestone done", func() error { return s.SetMilestoneDone(ctx, f.coordinator, f.pid, m, "2026-06-03") })
		if _, err := s.AddImpact(ctx, f.coordinator, f.pid, id, programme.ImpactInput{Indicator: "Young people reached", Baseline: "x", Target: "200"}); !prevent.Fields(prevent.FieldErrors(err)).Has("baseline") {
			t.Errorf("impact with a bad baseline: %v", err)
		}
		audited(t, db, "impact", func() (err error) {
			im, err = s.AddImpact(ctx, f.coordinator, f.pid, id, programme.ImpactInput{Indicator: "Young people reached", Unit: "people", Baseline: "0", Target: "200", Evidence: "Attendance registers"})
			return err
		})
		audited(t, db, "actual", func() error { return s.RecordActual(ctx, f.coordinator, f.pid, im, "2026-Q1", "45", "Registers") })
		audited(t, db, "actual replaced", func() error {
			return s.RecordActual(ctx, f.coordinator, f.pid, im, "2026-Q1", "50", "Registers, corrected")
		})
		if err := s.RecordActual(ctx, f.coordinator, f.pid, im, "Q5", "1", ""); !prevent.Fields(prevent.FieldErrors(err)).Has("quarter") {
			t.Errorf("bad quarter: %v", err)
		}
		audited(t, db, "evaluation", func() error {
			return s.SaveEvaluation(ctx, f.coordinator, f.pid, id, programme.Evaluation{Why: "To learn", Questions: "Did confidence rise?", Findings: "It did"})
		})
		if err := s.SaveEvaluation(ctx, f.outsider, f.pid, id, programme.Evaluation{}); kindOf(err) != prevent.NotFound {
			t.Errorf("outsider saving evaluation: %v", err)
		}
		pr, err := s.Project(ctx, f.referrer, f.pid, id)
		if err != nil {
			t.Fatal(err)
		}
		if pr.Lead.Name != "Elm Youth Trust" || len(pr.Partners) != 1 || len(pr.Objectives) != 2 || len(pr.Milestones) != 1 || pr.Milestones[0].DoneOn != "2026-06-03" ||
			len(pr.Impacts) != 1 || len(pr.Impacts[0].Actuals) != 1 || pr.Impacts[0].Actuals[0].Value != 50 || pr.Evaluation.Findings != "It did" {
			t.Errorf("project = %+v", pr)
		}
		if _, err := s.ShareLesson(ctx, f.referrer, f.pid, id, "x", "y"); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer sharing a lesson: %v", err)
		}
		audited(t, db, "lesson", func() error {
			_, err := s.ShareLesson(ctx, f.coordinator, f.pid, id, "Book rooms early", "Venues in the north ward fill quickly.")
			return err
		})
		if ls, err := s.Lessons(ctx, f.referrer, f.pid); err != nil || len(ls) != 1 || ls[0].AuthorName != "Cara Coordinator" {
			t.Errorf("lessons = %+v, %v", ls, err)
		}
	})
}

func TestGovernanceAndBriefing(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		var meeting prevent.ID
		audited(t, db, "meeting", func() (err error) {
			meeting, err = s.CreateMeeting(ctx, f.coordinator, f.pid, programme.MeetingInput{HeldOn: "2026-11-20", Title: "Board",
				Present: []prevent.ID{f.coordinator.PersonID, f.admin.PersonID}, Apologies: []prevent.ID{f.analyst.PersonID}})
			return err
		})
		if _, err := s.CreateMeeting(ctx, f.coordinator, f.pid, programme.MeetingInput{HeldOn: "2026-11-20", Title: "B", Present: []prevent.ID{999}}); !prevent.Fields(prevent.FieldErrors(err)).Has("present") {
			t.Errorf("meeting with a stranger present: %v", err)
		}
		audited(t, db, "decision", func() error {
			_, err := s.RecordDecision(ctx, f.coordinator, f.pid, meeting, "Approve the plan")
			return err
		})
		var late, soon prevent.ID
		audited(t, db, "action", func() (err error) {
			late, err = s.AddAction(ctx, f.coordinator, f.pid, programme.ActionInput{MeetingID: meeting, Description: "Send the briefing", OwnerID: f.admin.PersonID, DueOn: "2026-11-25"})
			return err
		})
		soon, err := s.AddAction(ctx, f.coordinator, f.pid, programme.ActionInput{Description: "Book venue", OwnerID: f.coordinator.PersonID, DueOn: "2026-12-25"})
		if err != nil {
			t.Fatal(err)
		}
		audited(t, db, "action done", func() error { return s.SetActionStatus(ctx, f.coordinator, f.pid, soon, programme.ActionDone) })
		if err := s.SetActionStatus(ctx, f.referrer, f.pid, late, programme.ActionDone); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer closing an action: %v", err)
		}
		actions, err := s.Actions(ctx, f.coordinator, f.pid)
		if err != nil || len(actions) != 2 || actions[0].ID != late || !actions[0].Overdue || actions[1].Overdue {
			t.Errorf("actions = %+v, %v", actions, err)
		}
		ms, err := s.Meetings(ctx, f.coordinator, f.pid)
		if err != nil || len(ms) != 1 || len(ms[0].Attendance) != 3 || !ms[0].Attendance[0].Present || ms[0].Attendance[2].Present || len(ms[0].Decisions) != 1 {
			t.Errorf("meetings = %+v, %v", ms, err)
		}
		// The briefing reflects the plan's state and uses public titles only.
		plan, err := s.CreatePlan(ctx, f.coordinator, f.pid, 2026, "Elm plan")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSection(ctx, f.coordinator, f.pid, plan, "aims", "Keep young people safe online", false); err != nil {
			t.Fatal(err)
		}
		f.project(t, "Safer online", f.council, nil, "contest-2023:A", "prevent-2009:O1")
		b, err := s.Briefing(ctx, f.coordinator, f.pid)
		if err != nil {
			t.Fatal(err)
		}
		if b.Plan == nil || b.Plan.Year != 2026 || b.Plan.Status != programme.PlanDraft || b.Plan.Aims != "Keep young people safe online" || b.Plan.SectionsCompleted != 0 ||
			len(b.Projects) != 1 || b.Projects[0].PublicTitle != "Safer online" || len(b.Projects[0].Objectives) != 1 || b.RAGCounts[programme.Green] != 1 ||
			b.OpenActions != 1 || b.OverdueActions != 1 || b.LastMeetingOn != "2026-11-20" {
			t.Errorf("briefing = %+v (plan %+v)", b, b.Plan)
		}
		if strings.Contains(strings.Join(b.Projects[0].Objectives, " "), "ideology behind violent extremism") {
			t.Errorf("briefing shows a superseded objective: %v", b.Projects[0].Objectives)
		}
		if _, err := s.Briefing(ctx, f.referrer, f.pid); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer reading the briefing: %v", err)
		}
	})
}

func TestTraining(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		var course prevent.ID
		audited(t, db, "course", func() (err error) {
			course, err = s.CreateCourse(ctx, f.coordinator, f.pid, "Prevent awareness e-learning", "prevent-awareness")
			return err
		})
		audited(t, db, "target", func() error { return s.SetTarget(ctx, f.coordinator, f.pid, course, f.council, 4) })
		for _, p := range []prevent.Principal{f.coordinator, f.analyst, f.referrer} {
			audited(t, db, "completion", func() error {
				_, err := s.RecordCompletion(ctx, f.coordinator, f.pid, course, p.PersonID, "2026-10-01")
				return err
			})
		}
		if _, err := s.RecordCompletion(ctx, f.coordinator, f.pid, course, f.analyst.PersonID, "2026-10-01"); !prevent.Fields(prevent.FieldErrors(err)).Has("completed-on") {
			t.Errorf("duplicate completion: %v", err)
		}
		// A second completion by the same person counts once.
		if _, err := s.RecordCompletion(ctx, f.coordinator, f.pid, course, f.analyst.PersonID, "2026-11-01"); err != nil {
			t.Fatal(err)
		}
		cov, err := s.CourseCoverage(ctx, f.analyst, f.pid, course)
		if err != nil {
			t.Fatal(err)
		}
		got := map[prevent.ID]programme.Coverage{}
		for _, c := range cov {
			got[c.Organisation.ID] = c
		}
		if c := got[f.council]; c.Target != 4 || c.Completed != 2 || c.Percent != 50 {
			t.Errorf("council coverage = %+v", c)
		}
		if c := got[f.community]; c.Target != 0 || c.Completed != 1 || c.Percent != 0 {
			t.Errorf("community coverage = %+v", c)
		}
		if _, err := s.Completions(ctx, f.analyst, f.pid, course); kindOf(err) != prevent.NotFound {
			t.Errorf("analyst listing named completions: %v", err)
		}
		cs, err := s.Completions(ctx, f.coordinator, f.pid, course)
		if err != nil || len(cs) != 4 || cs[0].Name != "Ann Analyst" || len(cs[0].Roles) != 1 || cs[0].Roles[0] != prevent.Analyst || cs[0].Organisation != "Elm Council" {
			t.Errorf("completions = %+v, %v", cs, err)
		}
	})
}

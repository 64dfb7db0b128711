package demo

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// TestLoadProgramme checks the demo programme of action: an active plan with a dozen projects across the
// objectives, the 2009 streams with spend, one overdue due-diligence review, training and library documents
// of both markings, all created through the audited service by the coordinator or the administrator.
func TestLoadProgramme(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		// In the third quarter of the financial year, so that there are actuals and spend for three quarters.
		c := &clock{t: time.Date(2026, 11, 9, 10, 15, 7, 0, time.UTC)}
		if _, _, err := Load(ctx, deps(db, c)); err != nil {
			t.Fatalf("Load: %v", err)
		}
		pid, err := partnershipID(ctx, db.Read())
		if err != nil {
			t.Fatal(err)
		}
		var coordID prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1 AND role = $2`, pid, string(prevent.Coordinator)).Scan(&coordID); err != nil {
			t.Fatal(err)
		}
		coord, err := auth.LoadPrincipal(ctx, db.Read(), coordID, c.now())
		if err != nil {
			t.Fatal(err)
		}
		coord.MFA = true
		svc := programme.New(programme.Deps{DB: db, Now: c.now})

		plans, err := svc.Plans(ctx, coord, pid)
		if err != nil || len(plans) != 1 || plans[0].Status != programme.PlanActive || plans[0].Year != 2026 {
			t.Fatalf("plans = %+v, %v; want one active 2026 plan", plans, err)
		}
		projects, err := svc.Projects(ctx, coord, pid)
		if err != nil || len(projects) != 12 {
			t.Fatalf("%d projects, %v; want 12", len(projects), err)
		}
		tags := map[string]bool{}
		for _, p := range projects {
			for _, o := range p.Objectives {
				tags[o.Tag()] = true
			}
			full, err := svc.Project(ctx, coord, pid, p.ID)
			if err != nil || len(full.Impacts) == 0 || len(full.Milestones) != 3 {
				t.Errorf("%s: %d impacts, %d milestones, %v; want an impact indicator and three milestones", p.PublicTitle, len(full.Impacts), len(full.Milestones), err)
			}
		}
		for _, want := range []string{"contest-2023:", "prevent-2009:"} {
			n := 0
			for tag := range tags {
				if len(tag) > len(want) && tag[:len(want)] == want {
					n++
				}
			}
			if n < 3 {
				t.Errorf("projects address %d objectives of %s, want at least 3", n, want)
			}
		}
		streams, err := svc.Streams(ctx, coord, pid)
		if err != nil || len(streams) != 3 || streams[0].Name == "" {
			t.Fatalf("streams = %+v, %v", streams, err)
		}
		rep, err := svc.BudgetReport(ctx, coord, pid, programme.Contest2023)
		if err != nil || rep.Total.Spent == 0 || rep.Total.Allocated <= rep.Total.Spent {
			t.Fatalf("report total = %+v, %v; want spend below allocation", rep.Total, err)
		}
		standings, err := svc.Standings(ctx, coord, pid)
		if err != nil {
			t.Fatal(err)
		}
		overdue := 0
		for _, st := range standings {
			if st.State == programme.Overdue {
				overdue++
			}
		}
		if overdue != 1 {
			t.Errorf("%d overdue reviews, want 1", overdue)
		}
		docs, err := svc.Documents(ctx, coord, pid)
		if err != nil {
			t.Fatal(err)
		}
		markings := map[prevent.Marking]int{}
		for _, d := range docs {
			markings[d.Marking]++
		}
		if markings[prevent.Official] == 0 || markings[prevent.OfficialSensitive] == 0 {
			t.Errorf("document markings = %v, want both OFFICIAL and OFFICIAL-SENSITIVE", markings)
		}
		courses, err := svc.Courses(ctx, coord, pid)
		if err != nil || len(courses) != 3 {
			t.Fatalf("courses = %v, %v", courses, err)
		}
		done, err := svc.Completions(ctx, coord, pid, courses[0].ID)
		if err != nil || len(done) == 0 {
			t.Errorf("completions = %d, %v", len(done), err)
		}
		// Every programme record was created by the coordinator or the administrator, and audited.
		var audited, others int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE purpose = 'programme of action' AND actor_id = $1`, coordID).Scan(&audited); err != nil {
			t.Fatal(err)
		}
		if audited < 12 {
			t.Errorf("%d programme audit entries by the coordinator, want at least one per project", audited)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE purpose = 'programme of action'
			AND actor_id NOT IN (SELECT person_id FROM memberships WHERE partnership_id = $1 AND role IN ('administrator', 'coordinator'))`, pid).Scan(&others); err != nil {
			t.Fatal(err)
		}
		if others != 0 {
			t.Errorf("%d programme audit entries by someone else", others)
		}
	})
}

package returns

import (
	"context"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// quarterlyWorld is a partnership built through the partnership and programme services, with referrals
// written into casework's tables as the other tests of this package do.
type quarterlyWorld struct {
	*fixture
	coordinator, analyst prevent.Principal
	projectA, projectB   prevent.ID
}

func newQuarterlyWorld(t *testing.T, db *database.DB) *quarterlyWorld {
	t.Helper()
	ctx := context.Background()
	now := clock("2026-07-15T10:00:00Z")
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	pid, err := ps.Bootstrap(ctx, "Fernley partnership", "Fernley", "South West")
	if err != nil {
		t.Fatal(err)
	}
	adminID, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Fernley Council", Sector: "local_authority", PublicBody: "yes"}, "Ada Admin", "ada@fernley.example")
	if err != nil {
		t.Fatal(err)
	}
	var council prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, adminID).Scan(&council); err != nil {
		t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: adminID, OrganisationID: council, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	person := func(name, email string, role prevent.Role) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: name, Email: email, OrganisationID: council, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: id, OrganisationID: council, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: role}}}
	}
	w := &quarterlyWorld{fixture: &fixture{db: db, pid: pid, org: council}}
	w.coordinator = person("Cara Coordinator", "cara@fernley.example", prevent.Coordinator)
	w.analyst = person("Ann Analyst", "ann@fernley.example", prevent.Analyst)
	w.person = w.coordinator.PersonID

	pg := programme.New(programme.Deps{DB: db, Now: now})
	c := w.coordinator
	project := func(title, starts, ends string) prevent.ID {
		id, err := pg.CreateProject(ctx, c, pid, programme.ProjectInput{PublicTitle: title, InternalTitle: title + " (Prevent)", LeadOrganisation: council, Objectives: []string{"contest-2023:A"},
			Scope: "community", Areas: "Fernley", Institutions: "Fernley Academy", StartsOn: starts, EndsOn: ends, RAG: "amber", RAGReason: "Slow start", Risks: "Take-up"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	w.projectA = project("Youth outreach", "2026-04-01", "2027-03-31")
	w.projectB = project("Last year's project", "2025-04-01", "2026-03-31")
	project("Next quarter's project", "2026-07-01", "2027-03-31")
	milestone := func(title, due, done string) {
		id, err := pg.AddMilestone(ctx, c, pid, w.projectA, title, due)
		must(err)
		if done != "" {
			must(pg.SetMilestoneDone(ctx, c, pid, id, done))
		}
	}
	milestone("Kick-off", "2026-04-10", "2026-04-09")
	milestone("Launch", "2026-06-30", "")
	milestone("Recruit volunteers", "2026-03-01", "")
	milestone("Scoping", "2026-03-01", "2026-03-15")
	milestone("Evaluation", "2026-09-01", "")
	impact, err := pg.AddImpact(ctx, c, pid, w.projectA, programme.ImpactInput{Indicator: "Young people reached", Unit: "people", Baseline: "0", Target: "100", Evidence: "Registers"})
	must(err)
	must(pg.RecordActual(ctx, c, pid, impact, "2026-Q1", "40", "Registers"))
	must(pg.RecordActual(ctx, c, pid, impact, "2026-Q2", "70", "Registers"))
	stream, err := pg.CreateStream(ctx, c, pid, programme.StreamInput{Funder: "Home Office", Name: "Prevent funding", Year: "2026", Amount: "10000", Conditions: "Quarterly returns"})
	must(err)
	alloc, err := pg.Allocate(ctx, c, pid, programme.AllocationInput{StreamID: stream, ProjectID: w.projectA, Amount: "6000", Note: "Outreach"})
	must(err)
	for _, s := range []struct {
		year, quarter int
		amount        string
	}{{2025, 4, "300"}, {2026, 1, "1000"}, {2026, 1, "500"}, {2026, 2, "700"}} {
		_, err := pg.RecordSpend(ctx, c, pid, alloc, s.year, s.quarter, s.amount)
		must(err)
	}

	// Six referrals in April to June 2026, the first at 00:30 on 1 April (BST); one just before; two adopted in
	// the quarter.
	r := referral{sector: "police", types: []string{"islamist"}, dob: "1990-01-01", gender: "male", states: triaged}
	r.submitted = day("2026-03-31T23:30:00Z")
	w.add(t, 1, r)
	r.submitted = day("2026-05-01T10:00:00Z")
	w.add(t, 5, r)
	r.submitted = day("2026-03-31T22:30:00Z")
	w.add(t, 1, r)
	if _, err := db.Writer().ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
		SELECT id, $2, $3, 'transition', 'discussed', $4, '' FROM referrals WHERE partnership_id = $1 AND submitted_at > $5
		AND id <= (SELECT MIN(id) + 1 FROM referrals WHERE partnership_id = $1 AND submitted_at > $5)`,
		pid, day("2026-06-30T22:59:00Z"), w.person, string(casework.Adopted), day("2026-05-01T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	return w
}

func auditFor(t *testing.T, db *database.DB, id prevent.ID) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_entries WHERE record_kind = 'quarterly_return' AND record_id = $1`,
		id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestQuarterlyReturn(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newQuarterlyWorld(t, db)
		svc := New(Deps{DB: db, Now: clock("2026-07-15T10:00:00Z"), DigestKey: testKey})

		if _, err := svc.GenerateQuarterly(ctx, w.analyst, w.pid, 2026, 1); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("analyst drafting: %v, want not found", err)
		}
		if _, err := svc.GenerateQuarterly(ctx, w.coordinator, w.pid, 2026, 2); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("quarter not over: %v, want invalid", err)
		}
		q, err := svc.GenerateQuarterly(ctx, w.coordinator, w.pid, 2026, 1)
		if err != nil {
			t.Fatal(err)
		}
		if q.State != QuarterlyDraft || q.Period != (Period{2026, 1}) {
			t.Errorf("drafted %+v", q)
		}
		fg := q.Figures
		// Five referrals on 1 May and one in the first half hour of 1 April: 6; two adopted: withheld.
		if fg.Referrals.Text != "6" || fg.Adopted.Text != Confidential {
			t.Errorf("referrals %+v, adopted %+v", fg.Referrals, fg.Adopted)
		}
		if len(fg.Projects) != 1 || fg.Projects[0].ProjectID != w.projectA {
			t.Fatalf("projects %+v, want Youth outreach only", fg.Projects)
		}
		a := fg.Projects[0]
		var ms []string
		for _, m := range a.Milestones {
			ms = append(ms, m.Title+": "+m.Status)
		}
		want := []string{"Recruit volunteers: overdue", "Kick-off: done in the quarter", "Launch: due in the quarter, not done"}
		if len(ms) != len(want) {
			t.Errorf("milestones %q, want %q", ms, want)
		} else {
			for i := range ms {
				if ms[i] != want[i] {
					t.Errorf("milestones %q, want %q", ms, want)
					break
				}
			}
		}
		if len(a.Impacts) != 1 || !a.Impacts[0].Recorded || a.Impacts[0].Actual != 40 || a.Impacts[0].Target != 100 {
			t.Errorf("impacts %+v", a.Impacts)
		}
		if a.AllocatedPence != 600000 || a.SpentPence != 150000 || a.SpentToDatePence != 180000 {
			t.Errorf("money: allocated %d, spent %d, to date %d", a.AllocatedPence, a.SpentPence, a.SpentToDatePence)
		}

		text := ProjectText{Achievements: "Reached 40 young people", Issues: "Volunteers slow to recruit"}
		if err := svc.EditQuarterlyProject(ctx, w.analyst, w.pid, q.ID, w.projectA, text); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("analyst editing: %v", err)
		}
		if err := svc.EditQuarterlyProject(ctx, w.coordinator, w.pid, q.ID, w.projectB, text); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("editing a project not in the return: %v", err)
		}
		if err := svc.EditQuarterlyProject(ctx, w.coordinator, w.pid, q.ID, w.projectA, text); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.GenerateQuarterly(ctx, w.coordinator, w.pid, 2026, 1); err != nil {
			t.Fatal(err)
		}
		if err := svc.ApproveQuarterly(ctx, w.analyst, w.pid, q.ID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("analyst approving: %v", err)
		}
		if err := svc.ApproveQuarterly(ctx, w.coordinator, w.pid, q.ID); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Quarterly(ctx, w.analyst, w.pid, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != QuarterlyApproved || got.ApprovedBy != w.coordinator.PersonID || got.ApprovedAt.IsZero() {
			t.Errorf("approved %+v", got)
		}
		if got.Text[w.projectA] != text {
			t.Errorf("text %+v, want %+v (kept when the figures were generated again)", got.Text[w.projectA], text)
		}
		if err := svc.EditQuarterlyProject(ctx, w.coordinator, w.pid, q.ID, w.projectA, ProjectText{}); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("editing after approval: %v", err)
		}
		if _, err := svc.GenerateQuarterly(ctx, w.coordinator, w.pid, 2026, 1); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("generating after approval: %v", err)
		}
		if err := svc.ApproveQuarterly(ctx, w.coordinator, w.pid, q.ID); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("approving twice: %v", err)
		}
		if _, err := svc.Quarterly(ctx, w.coordinator, w.pid+1, q.ID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("read through another partnership: %v", err)
		}
		// Drafted, text edited, generated again, approved: four entries, and none for the refusals.
		if n := auditFor(t, db, q.ID); n != 4 {
			t.Errorf("%d audit entries, want 4", n)
		}
	})
}

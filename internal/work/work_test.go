package work_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

var (
	ctx   = context.Background()
	start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
)

func sync(t *testing.T, db *database.DB, scope string, now time.Time, want ...work.Task) {
	t.Helper()
	if err := db.WithTx(ctx, func(tx *database.Tx) error { return work.Sync(ctx, tx, scope, want, now) }); err != nil {
		t.Fatalf("sync %s: %v", scope, err)
	}
}

func task(scope, key string, kind work.Kind, action access.Action, due time.Time) work.Task {
	return work.Task{Key: scope + ":" + key, Scope: scope, Kind: kind, PartnershipID: 1, ReferralID: 7, Reference: "PRV-2026-000007",
		Action: action, Due: due}
}

type openTask struct {
	key, kind string
	person    prevent.ID
	due       time.Time
	created   time.Time
}

func open(t *testing.T, db *database.DB) map[string]openTask {
	t.Helper()
	rows, err := db.Read().QueryContext(ctx, `SELECT task_key, kind, person_id, due_at, created_at FROM tasks WHERE closed_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]openTask{}
	for rows.Next() {
		var o openTask
		if err := rows.Scan(&o.key, &o.kind, &o.person, &o.due, &o.created); err != nil {
			t.Fatal(err)
		}
		out[o.key] = o
	}
	return out
}

// TestSyncOpensUpdatesAndClosesTasks checks that a scope's tasks follow what is wanted: new ones open, changed
// ones keep their age, ones no longer wanted close, and nothing appears twice.
func TestSyncOpensUpdatesAndClosesTasks(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		triage := task("case:7", "triage", work.Triage, access.CaseTriage, start.AddDate(0, 0, 7))
		sync(t, db, "case:7", start, triage, triage)
		got := open(t, db)
		if len(got) != 1 || got["case:7:triage"].kind != "triage" || !got["case:7:triage"].created.Equal(start) {
			t.Fatalf("after the first sync: %+v", got)
		}
		// The same task with another owner and due date is updated in place, keeping its age.
		moved := triage
		moved.PersonID, moved.Due = 42, start.AddDate(0, 0, 3)
		sync(t, db, "case:7", start.Add(time.Hour), moved)
		got = open(t, db)
		if o := got["case:7:triage"]; len(got) != 1 || o.person != 42 || !o.due.Equal(start.AddDate(0, 0, 3)) || !o.created.Equal(start) {
			t.Fatalf("after moving the task: %+v", got)
		}
		// The step is done: the triage task closes and the next opens; another scope is untouched.
		sync(t, db, "case:8", start, task("case:8", "triage", work.Triage, access.CaseTriage, start))
		sync(t, db, "case:7", start.Add(2*time.Hour), task("case:7", "officer", work.AssignOfficer, access.CaseScreen, start.AddDate(0, 0, 2)))
		got = open(t, db)
		if _, ok := got["case:7:triage"]; ok || len(got) != 2 || got["case:7:officer"].kind != "assign_officer" || got["case:8:triage"].kind != "triage" {
			t.Fatalf("after the step: %+v", got)
		}
		var closed int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE task_key = 'case:7:triage' AND closed_at IS NOT NULL`).Scan(&closed); err != nil || closed != 1 {
			t.Errorf("closed triage tasks: %d, %v", closed, err)
		}
		// A task without a due date, or of another scope, is refused and nothing is written.
		bad := task("case:7", "x", work.Assess, access.CaseAssess, time.Time{})
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return work.Sync(ctx, tx, "case:7", []work.Task{bad}, start) }); err == nil {
			t.Error("a task without a due date was accepted")
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			return work.Sync(ctx, tx, "case:7", []work.Task{task("case:9", "x", work.Assess, access.CaseAssess, start)}, start)
		}); err == nil {
			t.Error("a task of another scope was accepted")
		}
		if got := open(t, db); len(got) != 2 {
			t.Errorf("a refused sync changed the tasks: %+v", got)
		}
	})
}

// TestSyncPrefixReplacesEveryScope checks reconciling a domain's tasks: scopes no longer wanted close.
func TestSyncPrefixReplacesEveryScope(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		a := task("sharing:1:a", "x", work.SubjectAccess, access.DataProtectionView, start)
		b := task("sharing:1:b", "x", work.SubjectAccess, access.DataProtectionView, start)
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return work.SyncPrefix(ctx, tx, "sharing:1:", []work.Task{a, b}, start) }); err != nil {
			t.Fatal(err)
		}
		sync(t, db, "case:1", start, task("case:1", "triage", work.Triage, access.CaseTriage, start))
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return work.SyncPrefix(ctx, tx, "sharing:1:", []work.Task{b}, start) }); err != nil {
			t.Fatal(err)
		}
		got := open(t, db)
		if _, ok := got["sharing:1:a:x"]; ok || len(got) != 2 {
			t.Errorf("open after reconciling: %+v", got)
		}
	})
}

func principal(person, org prevent.ID, roles ...prevent.Role) prevent.Principal {
	p := prevent.Principal{PersonID: person, OrganisationID: org, MFA: true}
	for _, r := range roles {
		p.Memberships = append(p.Memberships, prevent.Membership{PartnershipID: 1, Role: r})
	}
	return p
}

// TestMineOrdersFiltersAndPages checks My work: the reader's own tasks first, then the unassigned ones their
// role and organisation may take, soonest due first, each once, across pages; filters; counts; and nothing of
// another organisation, another role or another partnership.
func TestMineOrdersFiltersAndPages(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		now := start.AddDate(0, 0, 10)
		svc := work.New(work.Deps{DB: db, Now: func() time.Time { return now }})
		coordinator := principal(5, 100, prevent.Coordinator)
		var want []string
		for i := range 7 {
			scope := fmt.Sprintf("case:%d", i+1)
			mine := task(scope, "assess", work.Assess, access.CaseAssess, start.AddDate(0, 0, 14-2*i))
			mine.PersonID, mine.Reference = 5, fmt.Sprintf("PRV-%d", i+1)
			pool := task(scope, "officer", work.AssignOfficer, access.CaseScreen, start.AddDate(0, 0, i))
			pool.Reference = mine.Reference
			other := task(scope, "request", work.InformationRequest, access.InformationAnswer, start) // another organisation's
			other.OrgID = 200
			police := task(scope, "triage", work.Triage, access.CaseTriage, start) // the police's
			elsewhere := task(scope, "list", work.ListForPanel, access.PanelManage, start)
			elsewhere.PartnershipID = 2 // another partnership
			sync(t, db, scope, start, mine, pool, other, police, elsewhere)
		}
		for i := 6; i >= 0; i-- {
			want = append(want, fmt.Sprintf("case:%d:assess", i+1))
		}
		for i := range 7 {
			want = append(want, fmt.Sprintf("case:%d:officer", i+1))
		}
		var got []string
		var pages int
		f := work.Filter{Limit: 3}
		for {
			pg, err := svc.Mine(ctx, coordinator, f)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if pg.Counts != (work.Counts{Mine: 7, Unassigned: 7, Overdue: 4 + 7}) {
				t.Errorf("counts: %+v", pg.Counts)
			}
			for _, it := range pg.Tasks {
				got = append(got, it.Key)
				if it.Mine != (it.Kind == work.Assess) {
					t.Errorf("%s mine = %v", it.Key, it.Mine)
				}
			}
			if pg.Next == "" {
				break
			}
			f.After = pg.Next
		}
		if !slices.Equal(got, want) || pages != 5 {
			t.Errorf("pages %d:\n got %v\nwant %v", pages, got, want)
		}
		// Filters: a type, a case, overdue.
		pg, err := svc.Mine(ctx, coordinator, work.Filter{Group: work.GroupScreening, Reference: "prv-3", Due: work.DueWeek})
		if err != nil || len(pg.Tasks) != 2 || pg.Tasks[0].Key != "case:3:assess" || pg.Tasks[1].Key != "case:3:officer" {
			t.Errorf("filtered: %+v, %v", pg.Tasks, err)
		}
		if _, err := svc.Mine(ctx, coordinator, work.Filter{Due: "soon"}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("unknown due filter: %v", err)
		}
		if _, err := svc.Mine(ctx, coordinator, work.Filter{After: "x.y"}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("bad cursor: %v", err)
		}
		// A partner of organisation 200 sees only the requests to it; the police only triage.
		partner := principal(9, 200, prevent.Referrer)
		pg, err = svc.Mine(ctx, partner, work.Filter{Limit: 50})
		if err != nil || len(pg.Tasks) != 7 || pg.Tasks[0].Kind != work.InformationRequest {
			t.Errorf("partner: %d tasks, %v", len(pg.Tasks), err)
		}
		if pg, err := svc.Mine(ctx, principal(9, 300, prevent.Referrer), work.Filter{}); err != nil || len(pg.Tasks) != 0 {
			t.Errorf("a partner of another organisation: %+v, %v", pg.Tasks, err)
		}
		pg, err = svc.Mine(ctx, principal(11, 400, prevent.PoliceOfficer), work.Filter{})
		if err != nil || len(pg.Tasks) != 7 || pg.Tasks[0].Kind != work.Triage {
			t.Errorf("police: %+v, %v", pg.Tasks, err)
		}
		if pg, err := svc.Mine(ctx, principal(12, 100, prevent.Analyst), work.Filter{}); err != nil || len(pg.Tasks) != 0 {
			t.Errorf("analyst: %+v, %v", pg.Tasks, err)
		}
		// Each read is audited.
		var audited int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE record_kind = 'task'`).Scan(&audited); err != nil || audited < pages {
			t.Errorf("audited reads: %d, %v", audited, err)
		}
	})
}

// TestPendingExpandsToPeople checks that tasks for a role or an organisation reach each person who holds it.
func TestPendingExpandsToPeople(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Writer().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO partnerships (id, name, area, region, created_at, updated_at) VALUES (1, 'P', 'A', 'R', $1, $1)`, start)
		for _, o := range []int{100, 200} {
			exec(`INSERT INTO organisations (id, name, sector, public_body, created_at, updated_at) VALUES ($1, $2, 'local_authority', TRUE, $3, $3)`,
				o, fmt.Sprint("Org ", o), start)
		}
		people := []struct {
			id, org int
			role    prevent.Role
		}{{1, 100, prevent.Coordinator}, {2, 100, prevent.Coordinator}, {3, 200, prevent.Referrer}, {4, 100, prevent.Referrer}, {5, 100, prevent.PoliceOfficer}}
		for _, p := range people {
			exec(`INSERT INTO people (id, organisation_id, name, email, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
				p.id, p.org, fmt.Sprint("Person ", p.id), fmt.Sprintf("p%d@example.org", p.id), start)
			exec(`INSERT INTO memberships (person_id, partnership_id, role, created_at) VALUES ($1, 1, $2, $3)`, p.id, string(p.role), start)
		}
		officer := task("case:1", "officer", work.AssignOfficer, access.CaseScreen, start)
		request := task("case:1", "request", work.InformationRequest, access.InformationAnswer, start)
		request.OrgID = 200
		assess := task("case:1", "assess", work.Assess, access.CaseAssess, start)
		assess.PersonID = 2
		sync(t, db, "case:1", start, officer, request, assess)
		got, err := work.New(work.Deps{DB: db}).Pending(ctx, start)
		if err != nil {
			t.Fatal(err)
		}
		var pairs []string
		for _, p := range got {
			pairs = append(pairs, fmt.Sprintf("%d %s", p.PersonID, p.TaskKey))
		}
		slices.Sort(pairs)
		want := []string{"1 case:1:officer", "2 case:1:assess", "2 case:1:officer", "3 case:1:request"}
		if !slices.Equal(pairs, want) {
			t.Errorf("pending:\n got %v\nwant %v", pairs, want)
		}
	})
}

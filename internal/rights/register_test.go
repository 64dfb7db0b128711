package rights_test

import (
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// auditCountOf counts audit entries of an action on one record.
func auditCountOf(t *testing.T, db *database.DB, action, kind string, id prevent.ID) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = $1 AND record_kind = $2 AND record_id = $3`,
		action, kind, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDueDate(t *testing.T) {
	cases := []struct {
		received time.Time
		extended bool
		want     time.Time
	}{
		{date(2028, 1, 31), false, date(2028, 2, 29)}, // leap year
		{date(2027, 1, 31), false, date(2027, 2, 28)},
		{date(2026, 3, 31), false, date(2026, 4, 30)},
		{date(2026, 1, 31), true, date(2026, 4, 30)}, // three months from receipt, not 28 April
		{date(2026, 1, 15), false, date(2026, 2, 15)},
		{date(2026, 12, 31), false, date(2027, 1, 31)}, // across the year end
		{date(2026, 11, 30), true, date(2027, 2, 28)},
		{date(2027, 11, 30), true, date(2028, 2, 29)},
		{date(2028, 2, 29), false, date(2028, 3, 29)},
		{time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC), false, date(2026, 2, 28)},
	}
	for _, c := range cases {
		if got := rights.DueDate(c.received, c.extended); !got.Equal(c.want) {
			t.Errorf("DueDate(%s, %v) = %s, want %s", c.received.Format(time.DateOnly), c.extended, got.Format(time.DateOnly), c.want.Format(time.DateOnly))
		}
	}
	if got := rights.AddMonths(date(2026, 8, 31), 6); !got.Equal(date(2027, 2, 28)) {
		t.Errorf("AddMonths(2026-08-31, 6) = %s", got)
	}
}

func TestSubjectAccessRegister(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.clock.Set(time.Date(2026, 1, 31, 11, 0, 0, 0, time.UTC))
		in := rights.SubjectAccessInput{Received: date(2026, 1, 31), Requester: "A. Person", Subject: "A. Person", Regime: rights.UKGDPR}
		if _, err := f.svc.RegisterRequest(ctx, f.coordinator, f.partnership, in); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a coordinator registering: %v", err)
		}
		if _, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: date(2026, 2, 1)}); len(prevent.FieldErrors(err)) != 4 {
			t.Errorf("empty request in the future: %v", prevent.FieldErrors(err))
		}
		id, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, in)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Request(ctx, f.dpo, id)
		if err != nil || !r.Due.Equal(date(2026, 2, 28)) || r.Status != rights.RequestOpen {
			t.Fatalf("request: %+v %v", r, err)
		}
		if err := f.svc.ExtendRequest(ctx, f.dpo, id, " "); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("extension without reason: %v", err)
		}
		f.clock.Set(time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC))
		if err := f.svc.ExtendRequest(ctx, f.dpo, id, "Complex: records held by four partners"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ExtendRequest(ctx, f.dpo, id, "Again"); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("second extension: %v", err)
		}
		r, _ = f.svc.Request(ctx, f.dpo, id)
		if !r.Extended || !r.Due.Equal(date(2026, 4, 30)) || r.Overdue(date(2026, 4, 30)) || !r.Overdue(date(2026, 5, 1)) {
			t.Errorf("extended request: %+v", r)
		}
		// Too late to extend a second request once its first month has passed.
		late, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: date(2026, 1, 10), Requester: "B", Subject: "B", Regime: rights.DPAPart3})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.ExtendRequest(ctx, f.dpo, late, "Complex"); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("late extension: %v", err)
		}
		if err := f.svc.CompleteRequest(ctx, f.dpo, id, date(2026, 2, 20)); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.CompleteRequest(ctx, f.dpo, id, date(2026, 2, 20)); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("completing twice: %v", err)
		}
		if n := auditCountOf(t, db, "collect", "subject_access_request", id); n != 1 {
			t.Errorf("%d collect entries", n)
		}
		if n := auditCountOf(t, db, "alter", "subject_access_request", id); n != 2 {
			t.Errorf("%d alter entries, want extension and completion", n)
		}
		if n := auditCountOf(t, db, "consult", "subject_access_request", id); n != 2 {
			t.Errorf("%d consult entries, want 2 reads", n)
		}
	})
}

// The register as a list: open requests by deadline, then completed ones; the data protection officer's only.
func TestRequests(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		a, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: f.clock.Now().AddDate(0, 0, -10), Requester: "A", Subject: "A", Regime: rights.UKGDPR})
		if err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: f.clock.Now().AddDate(0, 0, -20), Requester: "B", Subject: "B", Regime: rights.UKGDPR})
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: f.clock.Now().AddDate(0, 0, -25), Requester: "C", Subject: "C", Regime: rights.DPAPart3})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.CompleteRequest(ctx, f.dpo, c, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		rs, err := f.svc.Requests(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		var order []prevent.ID
		for _, r := range rs {
			order = append(order, r.ID)
		}
		if !slices.Equal(order, []prevent.ID{b, a, c}) {
			t.Errorf("register order %v, want open by deadline then completed: %v", order, []prevent.ID{b, a, c})
		}
		if _, err := f.svc.Requests(ctx, f.coordinator, f.partnership); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("coordinator: %v, want NotFound", err)
		}
	})
}

// The open requests due within the overview's window, without names, for the data protection officer.
func TestRequestsDue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		if _, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: date(2026, 10, 20), Requester: "C", Subject: "C", Regime: rights.UKGDPR}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: date(2026, 11, 1), Requester: "D", Subject: "D", Regime: rights.UKGDPR}); err != nil {
			t.Fatal(err)
		}
		due, err := f.svc.RequestsDue(ctx, f.dpo, f.partnership, start, 25)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 1 || !due[0].Due.Equal(date(2026, 11, 20)) {
			t.Errorf("requests due within 25 days: %+v", due)
		}
		if _, err := f.svc.RequestsDue(ctx, f.officer, f.partnership, start, 30); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer's requests due: %v", err)
		}
	})
}

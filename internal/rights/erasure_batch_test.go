package rights_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

// sameEngine opens another empty database of db's engine.
func sameEngine(t *testing.T, db *database.DB) *database.DB {
	t.Helper()
	if db.Dialect == database.SQLite {
		return dbtest.NewSQLite(t)
	}
	return dbtest.NewPostgres(t)
}

// erasureWorld closes the same cases in a fixture: five with no further action, two signposted, one
// police-led (kept six years) and one left open; it returns the first case closed.
func erasureWorld(t *testing.T, f *fixture) prevent.ID {
	t.Helper()
	first := f.triaged(t, "Nfaone", casework.EvCloseNFA, "note one")
	for _, c := range []struct {
		given string
		ev    casework.Event
	}{{"Nfatwo", casework.EvCloseNFA}, {"Signone", casework.EvSignpost}, {"Nfathree", casework.EvCloseNFA},
		{"Policeone", casework.EvPoliceLed}, {"Nfafour", casework.EvCloseNFA}, {"Signtwo", casework.EvSignpost},
		{"Openone", ""}, {"Nfafive", casework.EvCloseNFA}} {
		f.triaged(t, c.given, c.ev, "note "+c.given)
	}
	return first
}

// statistics lists the outcomes kept in case_statistics, sorted.
func statistics(t *testing.T, db *database.DB) []string {
	t.Helper()
	rows, err := db.Read().QueryContext(ctx, `SELECT outcome FROM case_statistics ORDER BY outcome`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// certified sums the counts of the certificates by outcome.
func certified(certs []rights.ErasureCertificate) map[rights.Outcome]int {
	out := map[rights.Outcome]int{}
	for _, c := range certs {
		out[c.Outcome] += c.Count
	}
	return out
}

// TestEraseDueInBoundedRuns: a run with a bound smaller than the work erases no more than the bound and says
// there is more; the next runs resume where it stopped, come back to the beginning for a case whose legal
// hold was released in between, and end with the same cases erased, the same statistics kept and the same
// counts certified as one unbounded run over the same cases.
func TestEraseDueInBoundedRuns(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		at := start.AddDate(3, 0, 1)

		// One unbounded run.
		one := newFixture(t, sameEngine(t, db))
		erasureWorld(t, one)
		one.clock.Set(at)
		want, err := one.svc.EraseDue(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if want.Erased != 7 || want.More || len(want.Certificates) != 2 {
			t.Fatalf("unbounded run: %+v", want)
		}

		// Bounded runs, with the first case under a legal hold during the first.
		f := newFixture(t, db)
		first := erasureWorld(t, f)
		f.clock.Set(at)
		hold, err := f.svc.PlaceHold(ctx, f.dpo, f.partnership, rights.HoldInput{RecordKind: rights.HoldCase, RecordID: first, Reason: "Inquiry"})
		if err != nil {
			t.Fatal(err)
		}
		r1, err := f.svc.EraseDueUpTo(ctx, at, 3)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Erased+r1.Held != 3 || r1.Held != 1 || !r1.More {
			t.Fatalf("first bounded run: erased %d, held %d, more %v; want 2, 1, true", r1.Erased, r1.Held, r1.More)
		}
		cursors := func() int {
			var n int
			if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM batch_cursors WHERE name = 'retention-erasure'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if cursors() != 1 {
			t.Error("the bounded run kept no cursor")
		}
		if got := len(erasedIDs(t, db)); got != 2 {
			t.Fatalf("after the first bounded run %d cases are erased, want 2", got)
		}
		r2, err := f.svc.EraseDueUpTo(ctx, at, 3)
		if err != nil {
			t.Fatal(err)
		}
		if r2.Erased != 3 || r2.Held != 0 || !r2.More {
			t.Fatalf("second bounded run: %+v; want 3 erased and more", r2)
		}
		if err := f.svc.ReleaseHold(ctx, f.dpo, f.partnership, hold, "Inquiry closed"); err != nil {
			t.Fatal(err)
		}
		r3, err := f.svc.EraseDue(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if r3.Erased != 2 || r3.More {
			t.Fatalf("last run: %+v; want the last case and the one released, and no more", r3)
		}
		if !erasedIDs(t, db)[first] {
			t.Error("the case whose hold was released before the cursor was not erased")
		}
		if !slices.Equal(slices.Sorted(maps.Keys(erasedIDs(t, db))), slices.Sorted(maps.Keys(erasedIDs(t, one.db)))) {
			t.Errorf("bounded runs erased %v, one run %v", erasedIDs(t, db), erasedIDs(t, one.db))
		}
		if got, w := statistics(t, db), statistics(t, one.db); !slices.Equal(got, w) {
			t.Errorf("statistics %v, want %v", got, w)
		}
		all := slices.Concat(r1.Certificates, r2.Certificates, r3.Certificates)
		if got, w := certified(all), certified(want.Certificates); !maps.Equal(got, w) {
			t.Errorf("certified %v, want %v", got, w)
		}
		if got := len(certificates(t, db)); got != len(all) {
			t.Errorf("%d certificates in the audit log, the runs reported %d", got, len(all))
		}
		if cursors() != 0 {
			t.Error("the run that finished left its cursor")
		}
		// Nothing is left: another run erases nothing and says so.
		if r, err := f.svc.EraseDue(ctx, at); err != nil || r.Erased != 0 || r.More {
			t.Errorf("run after: %+v, %v", r, err)
		}
	})
}

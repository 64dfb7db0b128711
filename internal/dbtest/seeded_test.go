package dbtest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
)

// TestSeededCopiesAreTheirOwn: the seed runs once per key, every copy holds what it wrote, and a change in one
// copy is not seen in the next.
func TestSeededCopiesAreTheirOwn(t *testing.T) {
	t.Parallel()
	for _, d := range []database.Dialect{database.SQLite, database.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			var runs atomic.Int32
			key := "seeded-test-" + randomSuffix()
			seed := func(tb testing.TB, db *database.DB) {
				runs.Add(1)
				if _, err := db.Writer().ExecContext(ctx, `INSERT INTO partnerships (name, area, region, created_at, updated_at) VALUES ('Seeded', 'A', 'R', $1, $1)`, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
					tb.Fatal(err)
				}
			}
			count := func(db *database.DB) int {
				var n int
				if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships WHERE name = 'Seeded'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			first := Seeded(t, d, key, seed)
			if n := count(first); n != 1 {
				t.Fatalf("first copy holds %d seeded partnerships, want 1", n)
			}
			if _, err := first.Writer().ExecContext(ctx, `DELETE FROM partnerships`); err != nil {
				t.Fatal(err)
			}
			second := Seeded(t, d, key, seed)
			if n := count(second); n != 1 {
				t.Fatalf("second copy holds %d seeded partnerships after the first copy deleted its own, want 1", n)
			}
			if n := runs.Load(); n != 1 {
				t.Fatalf("the seed ran %d times for one key, want once", n)
			}
		})
	}
}

// TestProcessGone: only the names of seeded templates made by a process that has ended are removed.
func TestProcessGone(t *testing.T) {
	t.Parallel()
	if processGone(seedPrefix() + "abc") {
		t.Fatal("this process's own template counted as left by an ended process")
	}
	for _, name := range []string{"seed_x_abc", "sqlite-abc.db", "seed_1", "seed_0_abc"} {
		if processGone(name) {
			t.Fatalf("%q counted as left by an ended process", name)
		}
	}
	// Process ids stop well below this on Linux (pid_max is at most 2^22).
	if !processGone("seed_99999999_abc") {
		t.Fatal("a template of a process id that cannot exist was not counted as left behind")
	}
}

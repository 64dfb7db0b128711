package database_test

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// On SQLite a query run again in later transactions is served prepared; what it returns, a multi-statement
// exec and a query whose table has changed shape behave exactly as unprepared. On PostgreSQL the cache is
// off (pgx keeps its own) and the same checks hold.
func TestStatementCacheServesRepeatsAndChangesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		const q = "SELECT value FROM settings WHERE name = $1"
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return insertSetting("cache-a", "one")(ctx, tx) }); err != nil {
			t.Fatal(err)
		}
		read := func(name string) (string, error) {
			var v string
			err := db.WithRead(ctx, func(tx *database.Tx) error { return tx.QueryRowContext(ctx, q, name).Scan(&v) })
			return v, err
		}
		// The first read runs unprepared and has the query prepared once the read has ended; keep reading
		// until a read is served prepared (or give up after a few seconds: preparation runs in the background).
		before := db.Statements()
		deadline := time.Now().Add(10 * time.Second)
		for {
			v, err := read("cache-a")
			if err != nil || v != "one" {
				t.Fatalf("read = %q, %v; want one", v, err)
			}
			if db.Dialect != database.SQLite || db.Statements().Hits > before.Hits || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		st := db.Statements()
		if db.Dialect == database.SQLite && st.Hits <= before.Hits {
			t.Fatalf("no read was served by a prepared statement: %+v", st)
		}
		if db.Dialect == database.Postgres && st != (database.StatementStats{}) {
			t.Fatalf("PostgreSQL counted cached statements: %+v", st)
		}
		// A prepared read with other arguments, and one that finds nothing.
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return insertSetting("cache-b", "two")(ctx, tx) }); err != nil {
			t.Fatal(err)
		}
		if v, err := read("cache-b"); err != nil || v != "two" {
			t.Fatalf("second name = %q, %v", v, err)
		}
		if _, err := read("cache-none"); err == nil {
			t.Fatal("a name not there was found")
		}

		// A multi-statement exec runs every statement each time (a prepared statement would run only the first).
		multi := "INSERT INTO settings (name, value) VALUES ('cache-m1', 'x'); INSERT INTO settings (name, value) VALUES ('cache-m2', 'y')"
		if db.Dialect == database.SQLite {
			for i := 0; i < 3; i++ {
				if err := db.WithTx(ctx, func(tx *database.Tx) error {
					if _, err := tx.ExecContext(ctx, "DELETE FROM settings WHERE name IN ('cache-m1', 'cache-m2')"); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, multi)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(20 * time.Millisecond)
				if settingCount(t, db, "cache-m2") != 1 {
					t.Fatalf("run %d: the second statement of a multi-statement exec did not run", i)
				}
			}
		}

		// A cached SELECT * after the table gains a column returns the new column too. (PostgreSQL is left out:
		// pgx's own statement cache answers "cached plan must not change result type" for a query whose result
		// changed shape under it; this service migrates PostgreSQL at start, before it serves.)
		if db.Dialect != database.SQLite {
			return
		}
		table := "cache_shape"
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, "CREATE TABLE "+table+" (a INTEGER)")
			if err == nil {
				_, err = tx.ExecContext(ctx, "INSERT INTO "+table+" (a) VALUES (1)")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		cols := func() int {
			var n int
			if err := db.WithTx(ctx, func(tx *database.Tx) error {
				rows, err := tx.QueryContext(ctx, "SELECT * FROM "+table)
				if err != nil {
					return err
				}
				defer rows.Close()
				c, err := rows.Columns()
				n = len(c)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for i := 0; i < 5; i++ {
			if n := cols(); n != 1 {
				t.Fatalf("columns = %d, want 1", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, "ALTER TABLE "+table+" ADD COLUMN b INTEGER")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n := cols(); n != 2 {
			t.Fatalf("after ALTER TABLE the cached SELECT * gives %d columns, want 2", n)
		}
	})
}

package demo

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// pgInspect opens a plain connection pool on dsn for looking into its schemas, closed when the test ends.
func pgInspect(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tableCounts returns the number of rows of every table in schema.
func tableCounts(t *testing.T, q *sql.DB, schema string) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := q.QueryContext(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteIdent(schema)+`.`+quoteIdent(tb)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[tb] = n
	}
	return counts
}

// schemas returns the names of the schemas of the database other than PostgreSQL's own.
func schemas(t *testing.T, q *sql.DB) []string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), `SELECT nspname FROM pg_namespace
		WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' ORDER BY nspname`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// pgLoadedAccounts opens the PostgreSQL database at dsn and returns the demo accounts Load finds there,
// failing unless the demo is completely loaded and is the only partnership.
func pgLoadedAccounts(t *testing.T, dsn string, c *clock) []Account {
	t.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	accounts, created, err := Load(ctx, deps(db, c))
	if err != nil || created || len(accounts) == 0 {
		t.Fatalf("Load after the first start: %d accounts, created %v, %v", len(accounts), created, err)
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d partnerships (%v), want the demo's alone", n, err)
	}
	return accounts
}

// TestPreparePostgresKilledAtEachStep: a first start on PostgreSQL killed after any step of the demo load
// leaves the demo half-loaded in place; the next start moves the schema aside, with everything the killed
// start wrote, and loads the same demo an uninterrupted start loads. A later start leaves it alone.
func TestPreparePostgresKilledAtEachStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}

	// What an uninterrupted first start loads.
	ref := dbtest.PostgresURL(t)
	if created, err := PreparePostgres(ctx, ref, t.TempDir(), firstStartDeps(c, "", nil)); err != nil || !created {
		t.Fatalf("first start = %v, %v", created, err)
	}
	want := tableCounts(t, pgInspect(t, ref), "public")
	wantAccounts := pgLoadedAccounts(t, ref, c)

	for _, step := range LoadSteps {
		t.Run(strings.ReplaceAll(step, " ", "_"), func(t *testing.T) {
			t.Parallel()
			dsn := dbtest.PostgresURL(t)
			auditDir := filepath.Join(t.TempDir(), "audit")
			q := pgInspect(t, dsn)
			created, err := PreparePostgres(ctx, dsn, auditDir, firstStartDeps(c, step, nil))
			if !errors.Is(err, errKilled) || created {
				t.Fatalf("start killed after %s = %v, %v; want the injected failure", step, created, err)
			}
			partial := tableCounts(t, q, "public")
			if partial["partnerships"] != 1 || partial["people"] == 0 || partial["settings"] != want["settings"]-1 {
				t.Fatalf("after the kill: %d partnerships, %d people, %d settings; want the demo half-loaded", partial["partnerships"], partial["people"], partial["settings"])
			}

			created, err = PreparePostgres(ctx, dsn, auditDir, firstStartDeps(c, "", nil))
			if err != nil || !created {
				t.Fatalf("second start = %v, %v; want the demo loaded", created, err)
			}
			got := schemas(t, q)
			if len(got) != 2 || got[0] != "public" || !strings.HasPrefix(got[1], "public_incomplete_") {
				t.Fatalf("schemas after the second start: %v, want public and the one moved aside", got)
			}
			if aside := tableCounts(t, q, got[1]); !maps.Equal(aside, partial) {
				t.Errorf("the schema moved aside holds %v, want what the killed start left: %v", aside, partial)
			}
			if loaded := tableCounts(t, q, "public"); !maps.Equal(loaded, want) {
				t.Errorf("the demo loaded again holds %v, want what an uninterrupted start loads: %v", loaded, want)
			}
			// The same accounts, each with an authenticator secret of its own (they are random).
			accounts := pgLoadedAccounts(t, dsn, c)
			if !slices.EqualFunc(accounts, wantAccounts, func(a, b Account) bool {
				a.TOTPSecret, b.TOTPSecret = "", ""
				return a == b
			}) {
				t.Errorf("accounts after the second start:\n%v\nwant those of an uninterrupted start:\n%v", accounts, wantAccounts)
			}

			// A later start finds the demo loaded and changes nothing.
			created, err = PreparePostgres(ctx, dsn, auditDir, firstStartDeps(c, "administrator", nil))
			if err != nil || created {
				t.Fatalf("start with the demo loaded = %v, %v", created, err)
			}
			if again := schemas(t, q); !slices.Equal(again, got) {
				t.Errorf("schemas after a start with the demo loaded: %v, want %v", again, got)
			}
			if loaded := tableCounts(t, q, "public"); !maps.Equal(loaded, want) {
				t.Errorf("a start with the demo loaded changed it: %v", loaded)
			}
		})
	}
}

// TestPreparePostgresKilledDuringMigrations: a first start killed during the migrations leaves the ones
// committed so far (each runs in a transaction of its own); the next start carries on and loads the demo in
// place, with nothing to move aside.
func TestPreparePostgresKilledDuringMigrations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
	files := os.DirFS(filepath.Join("..", "database", "migrations", "postgres"))
	dsn := dbtest.PostgresURL(t)
	probe := pgInspect(t, dsn)
	p, err := goose.NewProvider(goose.DialectPostgres, probe, files)
	if err != nil {
		t.Fatal(err)
	}
	sources := p.ListSources()
	if len(sources) < 3 {
		t.Fatalf("%d migrations", len(sources))
	}
	for _, upTo := range []int64{sources[0].Version, sources[len(sources)/2].Version, sources[len(sources)-1].Version} {
		t.Run("", func(t *testing.T) {
			dsn := dbtest.PostgresURL(t)
			q := pgInspect(t, dsn)
			p, err := goose.NewProvider(goose.DialectPostgres, q, files)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, upTo); err != nil {
				t.Fatal(err)
			}
			created, err := PreparePostgres(ctx, dsn, t.TempDir(), firstStartDeps(c, "", nil))
			if err != nil || !created {
				t.Fatalf("start after migrations up to %d = %v, %v; want the demo loaded", upTo, created, err)
			}
			if got := schemas(t, q); !slices.Equal(got, []string{"public"}) {
				t.Errorf("schemas: %v, want public alone", got)
			}
			pgLoadedAccounts(t, dsn, c)
		})
	}
}

// TestPreparePostgresLeavesOtherDatabasesAlone: a database with a partnership of its own is not touched, and
// neither is a half-loaded demo whose audit log has been checkpointed, which Load goes on refusing.
func TestPreparePostgresLeavesOtherDatabasesAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}

	t.Run("real partnership", func(t *testing.T) {
		dsn := dbtest.PostgresURL(t)
		db, err := database.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := deps(db, c).Partnership.Bootstrap(ctx, "Realshire Prevent Partnership", "Realshire", "South West"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		q := pgInspect(t, dsn)
		before := tableCounts(t, q, "public")
		created, err := PreparePostgres(ctx, dsn, t.TempDir(), firstStartDeps(c, "", nil))
		if err != nil || created {
			t.Fatalf("PreparePostgres on a real database = %v, %v; want it left for Load", created, err)
		}
		if got := schemas(t, q); !slices.Equal(got, []string{"public"}) {
			t.Errorf("schemas: %v, want public alone", got)
		}
		if after := tableCounts(t, q, "public"); !maps.Equal(after, before) {
			t.Errorf("PreparePostgres changed a database with a partnership of its own: %v, was %v", after, before)
		}
	})

	t.Run("checkpointed half-loaded demo", func(t *testing.T) {
		dsn := dbtest.PostgresURL(t)
		auditDir := filepath.Join(t.TempDir(), "audit")
		if _, err := PreparePostgres(ctx, dsn, auditDir, firstStartDeps(c, "people", nil)); !errors.Is(err, errKilled) {
			t.Fatalf("start killed after people: %v", err)
		}
		cpdir := filepath.Join(auditDir, audit.CheckpointDir)
		if err := os.MkdirAll(cpdir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cpdir, "12.note"), []byte("signed\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		q := pgInspect(t, dsn)
		before := tableCounts(t, q, "public")
		created, err := PreparePostgres(ctx, dsn, auditDir, firstStartDeps(c, "", nil))
		if err != nil || created {
			t.Fatalf("start over a checkpointed half-loaded demo = %v, %v; want it left alone", created, err)
		}
		if got := schemas(t, q); !slices.Equal(got, []string{"public"}) {
			t.Errorf("schemas: %v, want public alone", got)
		}
		if after := tableCounts(t, q, "public"); !maps.Equal(after, before) {
			t.Errorf("a checkpointed half-loaded database was changed: %v, was %v", after, before)
		}
		db, err := database.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, _, err := Load(ctx, deps(db, c)); prevent.ErrorKind(err) != prevent.Conflict || !strings.Contains(err.Error(), "did not finish") {
			t.Fatalf("Load over the checkpointed half-loaded demo: %v, want Conflict saying so", err)
		}
	})
}

// TestPreparePostgresConcurrentStarts: two first starts at once load the demo once; the second waits for
// the first and finds the demo loaded.
func TestPreparePostgresConcurrentStarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 3, 9, 10, 15, 7, 0, time.UTC)}
	dsn := dbtest.PostgresURL(t)
	auditDir := t.TempDir()
	var wg sync.WaitGroup
	created := make([]bool, 2)
	errs := make([]error, 2)
	for i := range created {
		wg.Go(func() { created[i], errs[i] = PreparePostgres(ctx, dsn, auditDir, firstStartDeps(c, "", nil)) })
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || created[0] == created[1] {
		t.Fatalf("concurrent starts = %v, %v; want one to load the demo and the other to find it", created, errs)
	}
	if got := schemas(t, pgInspect(t, dsn)); !slices.Equal(got, []string{"public"}) {
		t.Errorf("schemas: %v, want public alone", got)
	}
	pgLoadedAccounts(t, dsn, c)
}

package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
)

// Seeded templates. Many tests start from the same filled database (the demo partnership, for one), and
// filling it costs seconds where copying it costs milliseconds. Seeded fills a database once per test process
// for each key and gives every test that asks for that key a copy of its own.
//
// A seeded template belongs to the process that filled it, not to the schema: what a seed writes may be sealed
// under the process's ephemeral key (keyring.Ephemeral), which no other process holds. So its name carries the
// process id, and templates left by processes that have ended are removed the next time one is made.

// Seed fills db; tb is the test that first asked for the seed.
type Seed func(tb testing.TB, db *database.DB)

type seeded struct {
	once sync.Once
	// ref is the template's file (SQLite) or database name (PostgreSQL); empty when the seed did not finish.
	ref string
	err error
}

var seeds sync.Map // engine + "\x00" + key → *seeded

// Seeded returns a fresh store on the dialect's engine holding a copy of what seed wrote, filled once per test
// process for key. Tests that share a key must mean the same seed by it (include the seed's clock in the key
// when the seed depends on it). On PostgreSQL it skips without PREVENT_TEST_POSTGRES, as NewPostgres does.
func Seeded(tb testing.TB, dialect database.Dialect, key string, seed Seed) *database.DB {
	tb.Helper()
	switch dialect {
	case database.SQLite:
		ref := seededRef(tb, dialect, key, seed)
		path := filepath.Join(tb.TempDir(), "prevent.db")
		if err := copyFile(ref, path); err != nil {
			tb.Fatalf("seeded %q: %v", key, err)
		}
		db, err := database.Open(context.Background(), "sqlite:"+path)
		if err != nil {
			tb.Fatalf("open sqlite: %v", err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	case database.Postgres:
		if os.Getenv(PostgresEnv) == "" {
			tb.Skipf("PostgreSQL tests skipped: set %s to a server URL (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them", PostgresEnv)
		}
		ref := seededRef(tb, dialect, key, seed)
		db, err := database.Open(context.Background(), postgresDatabase(tb, ref))
		if err != nil {
			tb.Fatalf("open postgres: %v", err)
		}
		tb.Cleanup(func() { db.Close() })
		return db
	}
	tb.Fatalf("seeded: unknown dialect %q", dialect)
	return nil
}

// SeededEngines runs fn as a subtest on SQLite and on PostgreSQL (skipped without PREVENT_TEST_POSTGRES), each
// on a copy of the seeded template for key.
func SeededEngines(t *testing.T, key string, seed Seed, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Seeded(t, database.SQLite, key, seed)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Seeded(t, database.Postgres, key, seed)) })
}

// seededRef returns the template for key on the dialect's engine, filling it first if this process has not.
// A seed that fails fails the test that ran it, and every later test that asks for the same key.
func seededRef(tb testing.TB, dialect database.Dialect, key string, seed Seed) string {
	tb.Helper()
	v, _ := seeds.LoadOrStore(string(dialect)+"\x00"+key, &seeded{})
	s := v.(*seeded)
	s.once.Do(func() {
		s.err = fmt.Errorf("the seed failed in an earlier test")
		var ref string
		var err error
		if dialect == database.SQLite {
			ref, err = seedSQLite(tb, seed)
		} else {
			ref, err = seedPostgres(tb, seed)
		}
		s.ref, s.err = ref, err
	})
	if s.err != nil {
		tb.Fatalf("seeded %q: %v", key, s.err)
	}
	return s.ref
}

// seedPrefix starts the name of every seeded template this process makes.
func seedPrefix() string { return fmt.Sprintf("seed_%d_", os.Getpid()) }

// processGone reports whether the process that made a seeded template (named by seedPrefix) has ended.
func processGone(name string) bool {
	rest, ok := strings.CutPrefix(name, "seed_")
	if !ok {
		return false
	}
	pidText, _, ok := strings.Cut(rest, "_")
	if !ok {
		return false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == syscall.ESRCH
}

// seedSQLite fills a copy of the migrated template with seed and returns its file.
func seedSQLite(tb testing.TB, seed Seed) (string, error) {
	tmpl, err := sqliteTemplatePath()
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(tmpl)
	if old, err := filepath.Glob(filepath.Join(dir, "seed_*")); err == nil {
		for _, o := range old {
			if processGone(filepath.Base(o)) {
				_ = os.RemoveAll(o)
			}
		}
	}
	own, err := os.MkdirTemp(dir, seedPrefix())
	if err != nil {
		return "", err
	}
	path := filepath.Join(own, "seeded.db")
	if err := copyFile(tmpl, path); err != nil {
		return "", err
	}
	db, err := database.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	seed(tb, db)
	// Closing the last connection checkpoints the write-ahead log, so the file alone holds the seed.
	if err := db.Close(); err != nil {
		return "", err
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return "", fmt.Errorf("the seeded database's write-ahead log was not checkpointed")
	}
	return path, nil
}

// seedPostgres fills a copy of the migrated template with seed and returns the database's name. The database
// stays (it is a template for the tests that follow) until a later process finds its maker gone and drops it.
func seedPostgres(tb testing.TB, seed Seed) (string, error) {
	base := os.Getenv(PostgresEnv)
	tmpl, err := pgTemplateName(base)
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'prevent\_seed\_%'`)
	if err == nil {
		var gone []string
		for rows.Next() {
			var n string
			if rows.Scan(&n) == nil && processGone(strings.TrimPrefix(n, "prevent_")) {
				gone = append(gone, n)
			}
		}
		rows.Close()
		for _, n := range gone {
			_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)")
		}
	}
	name := "prevent_" + seedPrefix() + randomSuffix()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		return "", err
	}
	db, err := database.Open(ctx, withDatabase(base, name))
	if err != nil {
		return "", err
	}
	defer db.Close()
	seed(tb, db)
	// A database is copied only while nobody is connected to it.
	if err := db.Close(); err != nil {
		return "", err
	}
	return name, nil
}

// Dialects runs fn as a subtest for SQLite and for PostgreSQL, for tests that open their stores themselves (with
// Seeded, for one); the PostgreSQL subtest is skipped without PREVENT_TEST_POSTGRES.
func Dialects(t *testing.T, fn func(t *testing.T, dialect database.Dialect)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, database.SQLite) })
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(PostgresEnv) == "" {
			t.Skipf("PostgreSQL tests skipped: set %s to a server URL (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them", PostgresEnv)
		}
		fn(t, database.Postgres)
	})
}

// Package dbtest opens real databases for tests: SQLite in a temporary directory always, and PostgreSQL
// when PREVENT_TEST_POSTGRES holds a URL, each test in a fresh database of its own.
//
// Migrating a fresh database for every test would dominate the suite's time, so each engine has one
// migrated template per schema (keyed by database.MigrationsDigest): a SQLite file under the system's
// temporary directory, and a PostgreSQL database named prevent_tmpl_<digest>. A test gets a copy — a file
// copy, or CREATE DATABASE … TEMPLATE — which database.Open then finds up to date. Templates are built
// under a temporary name and renamed into place, so a run killed half-way leaves nothing half-migrated to be
// reused, and concurrent test processes agree on one.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
)

// PostgresEnv names the variable that holds the PostgreSQL server URL for tests.
const PostgresEnv = "PREVENT_TEST_POSTGRES"

var sqliteTemplate struct {
	once sync.Once
	path string
	err  error
}

// sqliteTemplatePath returns the migrated SQLite template of the current schema, building it once.
func sqliteTemplatePath() (string, error) {
	t := &sqliteTemplate
	t.once.Do(func() {
		digest, err := database.MigrationsDigest(database.SQLite)
		if err != nil {
			t.err = err
			return
		}
		dir := filepath.Join(os.TempDir(), "prevent-dbtest")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.err = err
			return
		}
		path := filepath.Join(dir, "sqlite-"+digest[:24]+".db")
		if _, err := os.Stat(path); err == nil {
			t.path = path
			return
		}
		build, err := os.MkdirTemp(dir, "build-")
		if err != nil {
			t.err = err
			return
		}
		defer os.RemoveAll(build)
		tmp := filepath.Join(build, "template.db")
		db, err := database.Open(context.Background(), "sqlite:"+tmp)
		if err != nil {
			t.err = err
			return
		}
		// Closing the last connection checkpoints the write-ahead log into the file, so the file alone is the
		// whole database.
		if err := db.Close(); err != nil {
			t.err = err
			return
		}
		for _, side := range []string{"-wal", "-shm"} {
			if fi, err := os.Stat(tmp + side); err == nil && fi.Size() > 0 && side == "-wal" {
				t.err = fmt.Errorf("dbtest: the template's write-ahead log was not checkpointed")
				return
			}
		}
		if err := os.Rename(tmp, path); err != nil {
			t.err = err
			return
		}
		t.path = path
	})
	return t.path, t.err
}

// NewSQLite opens a migrated SQLite store in tb.TempDir, copied from the template.
func NewSQLite(tb testing.TB) *database.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "prevent.db")
	tmpl, err := sqliteTemplatePath()
	if err != nil {
		tb.Fatalf("sqlite template: %v", err)
	}
	if err := copyFile(tmpl, path); err != nil {
		tb.Fatalf("sqlite template: %v", err)
	}
	db, err := database.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var pgTemplate struct {
	once sync.Once
	name string
	err  error
}

// pgTemplateName returns the migrated PostgreSQL template database of the current schema on the server at
// base, building it once; an advisory lock makes concurrent test processes build it once between them.
func pgTemplateName(base string) (string, error) {
	t := &pgTemplate
	t.once.Do(func() {
		digest, err := database.MigrationsDigest(database.Postgres)
		if err != nil {
			t.err = err
			return
		}
		name := "prevent_tmpl_" + digest[:24]
		ctx := context.Background()
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.err = err
			return
		}
		defer admin.Close()
		conn, err := admin.Conn(ctx)
		if err != nil {
			t.err = err
			return
		}
		defer conn.Close()
		const lockKey = 7_356_112_904 // any constant shared by the test processes
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			t.err = err
			return
		}
		defer func() { _, _ = conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", lockKey) }()
		var exists bool
		if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
			t.err = err
			return
		}
		if exists {
			t.name = name
			return
		}
		build := "prevent_tmpl_build_" + randomSuffix()
		if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+build); err != nil {
			t.err = err
			return
		}
		db, err := database.Open(ctx, withDatabase(base, build))
		if err != nil {
			_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)")
			t.err = err
			return
		}
		db.Close()
		if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+build+" RENAME TO "+name); err != nil {
			t.err = err
			return
		}
		// Templates of older schemas are of no more use, but another test process built from another tree
		// may still be copying one: keep the newest few (by oid, which grows), and drop the rest only when
		// nobody is connected (no FORCE).
		rows, err := conn.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'prevent\\_tmpl\\_%' AND datname <> $1 ORDER BY oid DESC OFFSET 8", name)
		if err == nil {
			var old []string
			for rows.Next() {
				var n string
				if rows.Scan(&n) == nil {
					old = append(old, n)
				}
			}
			rows.Close()
			for _, n := range old {
				_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n)
			}
		}
		t.name = name
	})
	return t.name, t.err
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

// PostgresURL returns a URL to a new, empty database on the test server, dropped when the test ends.
// It skips the test when PREVENT_TEST_POSTGRES is not set.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	return postgresDatabase(tb, "")
}

// postgresDatabase creates a database for the test, from template when one is named, and returns its URL.
func postgresDatabase(tb testing.TB, template string) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s to a server URL (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them", PostgresEnv)
	}
	if _, err := url.Parse(base); err != nil {
		tb.Fatalf("postgres: %s is not a URL: %v", PostgresEnv, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	name := "prevent_test_" + randomSuffix()
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	// Copying a template is refused while another session is connected to it, which happens only for a
	// moment while another process checks it exists: try again.
	for attempt := 0; ; attempt++ {
		_, err = admin.Exec(create)
		if err == nil || attempt == 50 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("postgres: create database: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return withDatabase(base, name)
}

// NewPostgres opens a migrated store in a fresh PostgreSQL database copied from the template, or skips
// without PREVENT_TEST_POSTGRES.
func NewPostgres(tb testing.TB) *database.DB {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s to a server URL (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them", PostgresEnv)
	}
	tmpl, err := pgTemplateName(base)
	if err != nil {
		tb.Fatalf("postgres template: %v", err)
	}
	db, err := database.Open(context.Background(), postgresDatabase(tb, tmpl))
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Engines runs fn as a subtest on SQLite and on PostgreSQL (skipped without PREVENT_TEST_POSTGRES).
func Engines(t *testing.T, fn func(t *testing.T, db *database.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, NewSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, NewPostgres(t)) })
}

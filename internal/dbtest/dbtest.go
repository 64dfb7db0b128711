// Package dbtest opens real databases for tests: SQLite in a temporary directory always, and PostgreSQL
// when PREVENT_TEST_POSTGRES holds a URL, each test in a fresh database of its own.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
)

// PostgresEnv names the variable that holds the PostgreSQL server URL for tests.
const PostgresEnv = "PREVENT_TEST_POSTGRES"

// NewSQLite opens a migrated SQLite store in t.TempDir.
func NewSQLite(tb testing.TB) *database.DB {
	tb.Helper()
	db, err := database.Open(context.Background(), "sqlite:"+filepath.Join(tb.TempDir(), "prevent.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns a URL to a new, empty database on the test server, dropped when the test ends.
// It skips the test when PREVENT_TEST_POSTGRES is not set.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s to a server URL (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run them", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "prevent_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("postgres: create database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("postgres: %s is not a URL: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return u.String()
}

// NewPostgres opens a migrated store in a fresh PostgreSQL database, or skips without PREVENT_TEST_POSTGRES.
func NewPostgres(tb testing.TB) *database.DB {
	tb.Helper()
	dsn := PostgresURL(tb)
	db, err := database.Open(context.Background(), dsn)
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

package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/preventplatform/prevent/internal/prevent"
)

// OpenReadOnly opens the store named by dsn for reading only, for commands that check evidence (audit
// verify): it applies no migrations, creates no directory or database, and on SQLite opens the file
// read-only. A SQLite database with a -wal file beside it (a running service, or one that was killed) is
// read through that WAL; one without is opened immutable, so that SQLite creates no -wal or -shm file
// beside it. Both pools of the returned DB are read-only; writes through it fail.
func OpenReadOnly(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		w, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("database: open postgres: %w", err)
		}
		w.SetMaxOpenConns(4)
		if err := w.PingContext(ctx); err != nil {
			w.Close()
			return nil, fmt.Errorf("database: connect to postgres: %w", err)
		}
		return &DB{Dialect: Postgres, write: w, read: w}, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		return nil, errors.New("database: empty SQLite path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, prevent.Errorf(prevent.NotFound, "There is no database at %s", abs)
	}
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, prevent.Errorf(prevent.Invalid, "%s is not a database file", abs)
	}
	query := "mode=ro&_pragma=query_only(ON)&_pragma=busy_timeout(10000)&_time_format=sqlite"
	if _, err := os.Lstat(abs + "-wal"); errors.Is(err, fs.ErrNotExist) {
		query += "&immutable=1"
	} else if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	r, err := sql.Open("sqlite", sqliteFileURI(abs, query))
	if err != nil {
		return nil, fmt.Errorf("database: open %s: %w", abs, err)
	}
	r.SetMaxOpenConns(2)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		return nil, fmt.Errorf("database: open %s: %w", abs, err)
	}
	return &DB{Dialect: SQLite, Path: abs, write: r, read: r}, nil
}

// sqliteFileURI returns the SQLite URI "file:<abs path>?<query>" with the path escaped, so that any
// absolute path works (a relative one would be read as the URI's authority).
func sqliteFileURI(abs, rawQuery string) string {
	u := url.URL{Scheme: "file", OmitHost: true, Path: filepath.ToSlash(abs), RawQuery: rawQuery}
	return u.String()
}

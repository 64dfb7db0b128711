// Package database opens the platform's SQL store, embedded SQLite or PostgreSQL, checks that it cannot
// lose acknowledged writes, applies the embedded migrations and runs transactions.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Querier is satisfied by *sql.DB, *sql.Tx and *Tx, so store functions run inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open store: one writer pool (a single connection on SQLite) and one reader pool.
type DB struct {
	Dialect Dialect
	// Path is the SQLite file, empty for PostgreSQL.
	Path  string
	write *sql.DB
	read  *sql.DB
	// group appends the writes deferred by read transactions (WithRead), many reads to one commit.
	group groupCommitter
	// writeStmts and readStmts keep each pool's queries prepared (SQLite only; nil on PostgreSQL).
	writeStmts, readStmts *stmtCache
}

// ErrNotFound is returned by stores when a row does not exist; callers turn it into a prevent.Error.
var ErrNotFound = errors.New("database: not found")

// Open opens the store named by dsn: "sqlite:PATH" (or a bare path) or a postgres:// URL.
// It refuses settings that could lose acknowledged writes, and applies the migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var db *DB
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err = openPostgres(ctx, dsn)
	default:
		db, err = openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	}
	if err != nil {
		return nil, err
	}
	if err := db.checkDurability(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(ON)",
		"busy_timeout(10000)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_time_format", "sqlite")
	if readOnly {
		// Readers begin DEFERRED: a read transaction takes no write lock, and WAL gives it a snapshot.
		q.Set("_txlock", "deferred")
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("database: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("database: create %s: %w", dir, err)
		}
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("database: open %s: %w", path, err)
	}
	// One writer: SQLite allows one write transaction at a time, and BEGIN IMMEDIATE (the _txlock above)
	// takes the write lock at the start, so transactions queue in Go rather than fail with SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("database: open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("database: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	return &DB{Dialect: SQLite, Path: path, write: w, read: r, writeStmts: newStmtCache(w), readStmts: newStmtCache(r)}, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	w, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("database: open postgres: %w", err)
	}
	w.SetMaxOpenConns(16)
	w.SetConnMaxIdleTime(5 * time.Minute)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("database: connect to postgres: %w", err)
	}
	return &DB{Dialect: Postgres, write: w, read: w}, nil
}

// checkDurability refuses settings under which a committed transaction could be lost.
func (db *DB) checkDurability(ctx context.Context) error {
	switch db.Dialect {
	case SQLite:
		var mode string
		var sync int
		if err := db.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			return fmt.Errorf("database: read journal_mode: %w", err)
		}
		if err := db.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			return fmt.Errorf("database: read synchronous: %w", err)
		}
		return CheckSQLiteSettings(mode, sync)
	case Postgres:
		var fsync, syncCommit string
		if err := db.write.QueryRowContext(ctx, "SHOW fsync").Scan(&fsync); err != nil {
			return fmt.Errorf("database: read fsync: %w", err)
		}
		if err := db.write.QueryRowContext(ctx, "SHOW synchronous_commit").Scan(&syncCommit); err != nil {
			return fmt.Errorf("database: read synchronous_commit: %w", err)
		}
		var fullPage string
		if err := db.write.QueryRowContext(ctx, "SHOW full_page_writes").Scan(&fullPage); err != nil {
			return fmt.Errorf("database: read full_page_writes: %w", err)
		}
		return CheckPostgresSettings(fsync, syncCommit, fullPage)
	}
	return nil
}

// CheckSQLiteSettings returns an error unless the journal is WAL and synchronous is FULL (2) or EXTRA (3).
func CheckSQLiteSettings(journalMode string, synchronous int) error {
	if !strings.EqualFold(journalMode, "wal") {
		return fmt.Errorf("database: refusing to start: SQLite journal_mode is %q, want WAL (acknowledged writes could be lost)", journalMode)
	}
	if synchronous < 2 {
		return fmt.Errorf("database: refusing to start: SQLite synchronous is %d, want FULL (2) so that every commit is on disk before it is acknowledged", synchronous)
	}
	return nil
}

// CheckPostgresSettings returns an error when fsync, synchronous_commit or full_page_writes is off.
func CheckPostgresSettings(fsync, synchronousCommit, fullPageWrites string) error {
	if fsync != "on" {
		return fmt.Errorf("database: refusing to start: PostgreSQL fsync is %q, want on (a crash could lose or corrupt acknowledged writes)", fsync)
	}
	if synchronousCommit == "off" {
		return errors.New("database: refusing to start: PostgreSQL synchronous_commit is off, so acknowledged writes could be lost in a crash; set it to on")
	}
	if fullPageWrites != "on" {
		return fmt.Errorf("database: refusing to start: PostgreSQL full_page_writes is %q, want on (torn pages could corrupt data after a crash)", fullPageWrites)
	}
	return nil
}

// Close closes both pools.
func (db *DB) Close() error {
	for _, c := range []*stmtCache{db.writeStmts, db.readStmts} {
		if c != nil {
			c.close()
		}
	}
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Read returns the reader pool, for queries that neither write nor read personal data
// (reads of personal data are audited, so they run in WithRead or WithTx).
func (db *DB) Read() Querier { return db.read }

// Writer returns the writer pool. It is for migrations, backups and benchmarks; use WithTx for changes.
func (db *DB) Writer() *sql.DB { return db.write }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Tx is a transaction: a write transaction (WithTx) or a read transaction (WithRead, ReadOnly reports
// which). It is passed explicitly, never hidden in a context.
type Tx struct {
	*sql.Tx
	Dialect Dialect
	after   []func()
	before  []beforeCommit
	// readOnly marks a read transaction; deferred holds the writes it handed to DeferWrite.
	readOnly bool
	deferred []func(ctx context.Context, tx *Tx) error
	// stmts is the pool's statement cache (nil: none); unprepared holds the queries this transaction ran
	// unprepared, for the cache to prepare once it has ended.
	stmts      *stmtCache
	unprepared []string
	// collected holds the items of Collect, by key, until their flush.
	collected map[string]*[]any
}

type beforeCommit struct {
	key string
	fn  func() error
}

// BeforeCommit registers fn, under key, to run once the transaction's work is done and before it commits, so
// that something derived from everything the transaction changed (a case's tasks, for one) is written once and
// in the same transaction. A second registration under the same key is ignored; an error from fn rolls the
// transaction back.
func (tx *Tx) BeforeCommit(key string, fn func() error) {
	for _, b := range tx.before {
		if b.key == key {
			return
		}
	}
	tx.before = append(tx.before, beforeCommit{key, fn})
}

// AfterCommit registers fn to run once the transaction has committed (for example to wake a worker).
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

// WithTx runs fn in one write transaction, committing if it returns nil and rolling back otherwise.
// On SQLite the transaction begins IMMEDIATE, so it holds the write lock from the start.
func (db *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("database: begin: %w", err)
	}
	tx := &Tx{Tx: stx, Dialect: db.Dialect, stmts: db.writeStmts}
	defer tx.ended()
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	for i := 0; i < len(tx.before); i++ {
		if err := tx.before[i].fn(); err != nil {
			_ = stx.Rollback()
			return err
		}
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("database: commit: %w", err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

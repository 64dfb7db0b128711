package database

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
)

// maxCachedStatements bounds the statement cache of a pool. Queries are written in the code, so their number
// is bounded too, but a few are built with a variable number of placeholders; past the bound, new queries
// are simply run unprepared.
const maxCachedStatements = 2000

// stmtCache keeps the queries of one SQLite pool prepared, so that SQLite parses each query once per
// connection rather than on every execution (parsing was a fifth of the server's CPU under load). A query
// seen for the first time inside a transaction runs unprepared there; once the transaction has ended it is
// prepared on the pool, and later transactions run it through database/sql's per-connection statements
// (Tx.StmtContext reuses a statement already prepared on the transaction's connection). PostgreSQL needs
// none of this: pgx keeps its own statement cache per connection.
type stmtCache struct {
	pool *sql.DB
	// ctx ends when the cache closes, so that a preparation waiting for a connection gives up.
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	// stmts holds a prepared statement per query, or nil for a query that failed to prepare (it is not
	// tried again).
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	wg      sync.WaitGroup
	hits    atomic.Int64
	misses  atomic.Int64
}

func newStmtCache(pool *sql.DB) *stmtCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &stmtCache{pool: pool, ctx: ctx, cancel: cancel, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// cacheable reports whether q may be kept prepared: one statement only (a prepared statement runs only the
// first of several).
func cacheable(q string) bool {
	return !strings.Contains(strings.TrimRight(strings.TrimSpace(q), ";"), ";")
}

// lookup returns q's prepared statement, or nil; on a miss it reports whether q should be prepared later.
func (c *stmtCache) lookup(q string) (s *sql.Stmt, prepareLater bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, seen := c.stmts[q]
	if s != nil {
		c.hits.Add(1)
		return s, false
	}
	c.misses.Add(1)
	if seen || c.closed || c.pending[q] || len(c.stmts)+len(c.pending) >= maxCachedStatements || !cacheable(q) {
		return nil, false
	}
	c.pending[q] = true
	return nil, true
}

// prepare prepares qs on the pool in the background: on SQLite's single writer connection it must wait for
// the transaction that saw them to give the connection back.
func (c *stmtCache) prepare(qs []string) {
	if len(qs) == 0 {
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.wg.Done()
		for _, q := range qs {
			s, err := c.pool.PrepareContext(c.ctx, q)
			c.mu.Lock()
			delete(c.pending, q)
			if c.closed {
				if s != nil {
					s.Close()
				}
				c.mu.Unlock()
				return
			}
			if err != nil {
				s = nil
			}
			c.stmts[q] = s
			c.mu.Unlock()
		}
	}()
}

// close waits for background preparation and closes every statement. It runs before the pool closes.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.stmts {
		if s != nil {
			s.Close()
		}
		delete(c.stmts, q)
	}
}

// StatementStats counts the statement cache's hits and misses of one DB since it was opened (SQLite only).
type StatementStats struct {
	Hits, Misses int64
}

// Statements reports the statement caches' counts, for tests and measurements.
func (db *DB) Statements() StatementStats {
	var s StatementStats
	for _, c := range []*stmtCache{db.writeStmts, db.readStmts} {
		if c != nil {
			s.Hits += c.hits.Load()
			s.Misses += c.misses.Load()
		}
	}
	return s
}

// stmt returns q prepared for this transaction, or nil to run it unprepared.
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if tx.stmts == nil {
		return nil
	}
	s, later := tx.stmts.lookup(q)
	if s == nil {
		if later {
			tx.unprepared = append(tx.unprepared, q)
		}
		return nil
	}
	return tx.Tx.StmtContext(ctx, s)
}

// ended hands the queries the transaction ran unprepared to the cache once its connection is free again.
func (tx *Tx) ended() {
	if tx.stmts != nil {
		tx.stmts.prepare(tx.unprepared)
		tx.unprepared = nil
	}
}

// ExecContext runs q in the transaction, prepared once per connection on SQLite.
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := tx.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, q, args...)
}

// QueryContext runs q in the transaction, prepared once per connection on SQLite.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, q, args...)
}

// QueryRowContext runs q in the transaction, prepared once per connection on SQLite.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, q, args...)
}

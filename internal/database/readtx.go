package database

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
)

// maxGroup caps how many read transactions' deferred writes one group commit carries.
const maxGroup = 256

// ReadOnly reports whether tx is a read transaction (WithRead), in which writes fail.
func (tx *Tx) ReadOnly() bool { return tx.readOnly }

// DeferWrite arranges for fn to write in a write transaction. In a write transaction (WithTx) fn runs at
// once, in tx, and its error is returned. In a read transaction (WithRead) fn is kept and returns nil; once
// the read's function has succeeded, the group committer runs fn, with the deferred writes of other reads,
// in one write transaction, and WithRead returns only after that transaction has committed. The writes of
// one read commit together or not at all; if the read's function fails, they are dropped.
func (tx *Tx) DeferWrite(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	if !tx.readOnly {
		return fn(ctx, tx)
	}
	tx.deferred = append(tx.deferred, fn)
	return nil
}

// Collect adds item to the list kept in tx under key and arranges for flush to run, before tx commits, with
// every item collected under key since the last flush, in order; so that many small writes of one kind
// (the audit entries of a group commit) are made in a few statements. An item collected by a hook that runs
// after the flush is flushed by a hook of its own. A flush error rolls tx back.
func (tx *Tx) Collect(key string, item any, flush func(items []any) error) {
	if tx.collected == nil {
		tx.collected = map[string]*[]any{}
	}
	l, ok := tx.collected[key]
	if !ok {
		l = new([]any)
		tx.collected[key] = l
		// A key of its own for each round, so that BeforeCommit does not take it for one already registered.
		tx.BeforeCommit(key+"#"+strconv.Itoa(len(tx.before)), func() error {
			items := *l
			delete(tx.collected, key)
			return flush(items)
		})
	}
	*l = append(*l, item)
}

// WithRead runs fn in a read transaction on the reader pool and returns once fn's deferred writes (its
// audit entries) are committed. The transaction takes no write lock: on SQLite it begins DEFERRED on a
// query_only connection and reads a WAL snapshot; on PostgreSQL it is READ ONLY. A write attempted in it
// fails. The writes fn hands to tx.DeferWrite are appended by the group committer in one write transaction
// together with those of other reads, after the read transaction has ended; if fn fails they are dropped
// and nothing is written; if the group commit fails, WithRead returns its error and the caller must return
// none of what it read. Do not call WithRead inside a WithTx on SQLite: the group commit needs the single
// writer connection that the outer transaction holds.
func (db *DB) WithRead(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("database: begin read: %w", err)
	}
	tx := &Tx{Tx: stx, Dialect: db.Dialect, readOnly: true, stmts: db.readStmts}
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
	// The read is over: give its connection back before waiting for the group commit.
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("database: end read: %w", err)
	}
	if len(tx.deferred) > 0 {
		if err := db.group.submit(ctx, db, tx.deferred); err != nil {
			return err
		}
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// GroupStats counts the group committer's work for one DB since it was opened.
type GroupStats struct {
	Batches int64 // group write transactions begun, each carrying one or more reads' writes
	Reads   int64 // read transactions whose deferred writes were carried
	Retries int64 // write transactions for one read each, after the batch it was in failed
}

// GroupCommits reports the group committer's counts, for tests and measurements.
func (db *DB) GroupCommits() GroupStats {
	g := &db.group
	return GroupStats{Batches: g.batches.Load(), Reads: g.reads.Load(), Retries: g.retries.Load()}
}

// groupCommitter appends the deferred writes of read transactions. Reads queue their writes; one goroutine,
// started when the queue fills and ending when it is empty, takes everything queued (up to maxGroup reads)
// and runs it in one WithTx, so many reads share one commit and one fsync. While it commits, new reads
// queue for the next batch. If a batch fails, each read's writes are retried in a transaction of their own,
// so that one bad write does not lose the others; each read is told its own outcome.
type groupCommitter struct {
	mu      sync.Mutex
	queue   []*deferredWrites
	running bool
	batches atomic.Int64
	reads   atomic.Int64
	retries atomic.Int64
}

type deferredWrites struct {
	fns  []func(ctx context.Context, tx *Tx) error
	done chan error // buffered: the committer never waits for a reader that has gone
}

// submit queues fns and waits until they have committed or failed, or until ctx ends (then the writes may
// still commit; the caller returns an error and none of what it read).
func (g *groupCommitter) submit(ctx context.Context, db *DB, fns []func(ctx context.Context, tx *Tx) error) error {
	w := &deferredWrites{fns: fns, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, w)
	if !g.running {
		g.running = true
		go g.run(db)
	}
	g.mu.Unlock()
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("database: waiting for the audit commit: %w", ctx.Err())
	}
}

func (g *groupCommitter) run(db *DB) {
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		batch := make([]*deferredWrites, n)
		copy(batch, g.queue)
		rest := copy(g.queue, g.queue[n:])
		clear(g.queue[rest:])
		g.queue = g.queue[:rest]
		g.mu.Unlock()
		g.commit(db, batch)
	}
}

// commit runs batch in one write transaction, or each read's writes in one of their own if that fails.
func (g *groupCommitter) commit(db *DB, batch []*deferredWrites) {
	// The writes belong to no one request, so no request's cancellation stops them.
	ctx := context.Background()
	g.batches.Add(1)
	g.reads.Add(int64(len(batch)))
	err := db.WithTx(ctx, func(tx *Tx) error {
		for _, w := range batch {
			if err := runDeferred(ctx, tx, w.fns); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil || len(batch) == 1 {
		for _, w := range batch {
			w.done <- err
		}
		return
	}
	for _, w := range batch {
		g.retries.Add(1)
		w.done <- db.WithTx(ctx, func(tx *Tx) error { return runDeferred(ctx, tx, w.fns) })
	}
}

// runDeferred runs fns in tx, turning a panic into an error so that it fails the read that deferred it
// rather than the process.
func runDeferred(ctx context.Context, tx *Tx, fns []func(ctx context.Context, tx *Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("database: deferred write panicked: %v", p)
		}
	}()
	for _, fn := range fns {
		if err := fn(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

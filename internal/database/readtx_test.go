package database_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

func insertSetting(name, value string) func(ctx context.Context, tx *database.Tx) error {
	return func(ctx context.Context, tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ($1, $2)", name, value)
		return err
	}
}

func settingCount(t *testing.T, db *database.DB, name string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM settings WHERE name = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A read transaction cannot write; its deferred writes are committed before WithRead returns, and dropped
// when its function fails.
func TestWithReadRefusesWritesAndCommitsDeferred(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		err := db.WithRead(ctx, func(tx *database.Tx) error {
			if !tx.ReadOnly() {
				t.Error("WithRead's Tx is not ReadOnly")
			}
			return insertSetting("direct", "1")(ctx, tx)
		})
		if err == nil {
			t.Fatal("a write inside WithRead succeeded; want it refused")
		}
		if n := settingCount(t, db, "direct"); n != 0 {
			t.Fatalf("the refused write left %d rows", n)
		}

		var seen int
		err = db.WithRead(ctx, func(tx *database.Tx) error {
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM settings").Scan(&seen); err != nil {
				return err
			}
			return tx.DeferWrite(ctx, insertSetting("deferred", "1"))
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := settingCount(t, db, "deferred"); n != 1 {
			t.Fatalf("deferred write: %d rows once WithRead returned, want 1", n)
		}

		boom := errors.New("boom")
		err = db.WithRead(ctx, func(tx *database.Tx) error {
			if err := tx.DeferWrite(ctx, insertSetting("dropped", "1")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithRead = %v, want boom", err)
		}
		if n := settingCount(t, db, "dropped"); n != 0 {
			t.Fatalf("a failed read's deferred write left %d rows, want 0", n)
		}

		// A failed group commit is the read's error.
		err = db.WithRead(ctx, func(tx *database.Tx) error {
			return tx.DeferWrite(ctx, insertSetting("deferred", "again"))
		})
		if err == nil {
			t.Fatal("a deferred write that violates the key succeeded")
		}

		// In a write transaction DeferWrite writes at once.
		err = db.WithTx(ctx, func(tx *database.Tx) error {
			if tx.ReadOnly() {
				t.Error("WithTx's Tx is ReadOnly")
			}
			if err := tx.DeferWrite(ctx, insertSetting("now", "1")); err != nil {
				return err
			}
			var n int
			return tx.QueryRowContext(ctx, "SELECT count(*) FROM settings WHERE name = 'now'").Scan(&n)
		})
		if err != nil || settingCount(t, db, "now") != 1 {
			t.Fatalf("DeferWrite in WithTx: %v, %d rows", err, settingCount(t, db, "now"))
		}
	})
}

// Reads run while a write transaction holds the write lock: the read's function completes; only its
// deferred write waits for the lock.
func TestWithReadDoesNotWaitForTheWriter(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if err := db.WithTx(ctx, insertTx("existing")); err != nil {
			t.Fatal(err)
		}
		holding := make(chan struct{})
		release := make(chan struct{})
		writeDone := make(chan error, 1)
		go func() {
			writeDone <- db.WithTx(ctx, func(tx *database.Tx) error {
				if err := insertSetting("held", "1")(ctx, tx); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding

		readFnDone := make(chan int, 1)
		readDone := make(chan error, 1)
		go func() {
			readDone <- db.WithRead(ctx, func(tx *database.Tx) error {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM settings").Scan(&n); err != nil {
					return err
				}
				readFnDone <- n
				return tx.DeferWrite(ctx, insertSetting("read-audit", "1"))
			})
		}()
		select {
		case n := <-readFnDone:
			// The read saw the committed row and not the uncommitted one.
			if n != 1 {
				t.Errorf("read saw %d settings, want 1 (the held write is uncommitted)", n)
			}
		case <-time.After(20 * time.Second):
			close(release)
			t.Fatal("the read's function did not complete while a write transaction was open")
		}
		var readErr error
		returned := false
		select {
		case readErr = <-readDone:
			returned = true
			// PostgreSQL's rows do not conflict, so the group commit need not wait there.
			if db.Dialect == database.SQLite {
				t.Errorf("WithRead returned (%v) before its deferred write could take the write lock", readErr)
			}
		case <-time.After(200 * time.Millisecond):
		}
		close(release)
		if err := <-writeDone; err != nil {
			t.Fatal(err)
		}
		if !returned {
			readErr = <-readDone
		}
		if readErr != nil {
			t.Fatal(readErr)
		}
		if n := settingCount(t, db, "read-audit"); n != 1 {
			t.Fatalf("deferred write: %d rows, want 1", n)
		}
	})
}

func insertTx(name string) func(tx *database.Tx) error {
	return func(tx *database.Tx) error { return insertSetting(name, "1")(context.Background(), tx) }
}

// Many concurrent reads share commits; one read's failing write does not lose the others'.
func TestGroupCommitBatchesAndIsolatesFailures(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		if err := db.WithTx(ctx, insertTx("taken")); err != nil {
			t.Fatal(err)
		}
		// Hold the write lock so that the reads queue, then let them go.
		holding := make(chan struct{})
		release := make(chan struct{})
		writeDone := make(chan error, 1)
		go func() {
			writeDone <- db.WithTx(ctx, func(tx *database.Tx) error {
				// The deferred writes below update this row first, so on PostgreSQL too they wait for us.
				if _, err := tx.ExecContext(ctx, "UPDATE settings SET value = 'held' WHERE name = 'taken'"); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		before := db.GroupCommits()
		const n = 100
		errs := make([]error, n)
		var wg sync.WaitGroup
		var fnDone sync.WaitGroup
		fnDone.Add(n)
		for i := range n {
			wg.Go(func() {
				name := fmt.Sprintf("read-%d", i)
				if i == 37 {
					name = "taken" // a duplicate key: this read's write fails
				}
				var once sync.Once
				errs[i] = db.WithRead(ctx, func(tx *database.Tx) error {
					defer once.Do(fnDone.Done)
					var c int
					if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM settings").Scan(&c); err != nil {
						return err
					}
					return tx.DeferWrite(ctx, func(ctx context.Context, tx *database.Tx) error {
						if _, err := tx.ExecContext(ctx, "UPDATE settings SET value = 'read' WHERE name = 'taken'"); err != nil {
							return err
						}
						return insertSetting(name, "1")(ctx, tx)
					})
				})
			})
		}
		fnDone.Wait()
		close(release)
		wg.Wait()
		if err := <-writeDone; err != nil {
			t.Fatal(err)
		}
		for i, err := range errs {
			if i == 37 {
				if err == nil || !database.IsUniqueViolation(err) {
					t.Errorf("read 37: %v, want its unique violation", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("read %d: %v", i, err)
			}
		}
		var rows int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM settings WHERE name LIKE 'read-%'").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != n-1 {
			t.Errorf("%d reads' writes committed, want %d", rows, n-1)
		}
		st := db.GroupCommits()
		batches, reads, retries := st.Batches-before.Batches, st.Reads-before.Reads, st.Retries-before.Retries
		t.Logf("%d reads in %d group transactions and %d one-by-one retries", reads, batches, retries)
		if reads != n {
			t.Errorf("group committer carried %d reads, want %d", reads, n)
		}
		if batches >= n/2 {
			t.Errorf("%d group transactions for %d reads queued behind one writer; want them batched", batches, n)
		}
	})
}

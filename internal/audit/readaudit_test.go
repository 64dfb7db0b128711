package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

func consultEntry(i int) audit.Entry {
	return audit.Entry{At: base.Add(time.Duration(i) * time.Second), ActorID: 7, ActorOrg: 100, Action: audit.Consult,
		RecordKind: "referral", RecordID: int64(1000 + i), PartnershipID: 1, RequestID: fmt.Sprintf("read-%d", i)}
}

// auditedRead reads a row in a read transaction and appends the read's audit entry, as the casework reads do.
func auditedRead(ctx context.Context, db *database.DB, e audit.Entry) error {
	return db.WithRead(ctx, func(tx *database.Tx) error {
		var n int64
		if err := tx.QueryRowContext(ctx, "SELECT size FROM audit_head WHERE id = 1").Scan(&n); err != nil {
			return err
		}
		seq, err := audit.Append(ctx, tx, e)
		if seq != 0 {
			return fmt.Errorf("Append in a read returned seq %d before the entry was written", seq)
		}
		return err
	})
}

// A read's audit entry is committed before WithRead returns: another connection, here a fresh read-only
// open of the same file on SQLite, sees it, and the log verifies.
func TestReadAuditEntryDurableBeforeReturn(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		appendEntries(t, db, consultEntry(0))
		e := consultEntry(1)
		if err := auditedRead(ctx, db, e); err != nil {
			t.Fatal(err)
		}
		q := database.Querier(db.Read())
		if db.Dialect == database.SQLite {
			other, err := database.OpenReadOnly(ctx, "sqlite:"+db.Path)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			q = other.Read()
		}
		got := readEntry(t, q, 1)
		e.Seq = 1
		if got != e {
			t.Fatalf("entry 1 = %+v, want %+v", got, e)
		}
		// A read with several entries has them appended together, in order, with consecutive seqs.
		err := db.WithRead(ctx, func(tx *database.Tx) error {
			for i := 2; i <= 4; i++ {
				if _, err := audit.Append(ctx, tx, consultEntry(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := 2; i <= 4; i++ {
			want := consultEntry(i)
			want.Seq = int64(i)
			if got := readEntry(t, db.Read(), int64(i)); got != want {
				t.Fatalf("entry %d = %+v, want %+v", i, got, want)
			}
		}
		f := newFixture(t, db)
		f.checkpoint(t)
		rep, err := audit.Verify(ctx, q, f.dir, f.verifier)
		if err != nil || !rep.OK() || rep.N != 5 || rep.Covered != 5 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

// A read whose function fails leaves no entry, as a rolled-back write transaction left none.
func TestFailedReadLeavesNoEntry(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.WithRead(ctx, func(tx *database.Tx) error {
			if _, err := audit.Append(ctx, tx, consultEntry(0)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("WithRead = %v, want boom", err)
		}
		if n := count(t, db.Read(), "SELECT COUNT(*) FROM audit_entries"); n != 0 {
			t.Fatalf("%d entries after a failed read, want 0", n)
		}
		// An invalid entry fails the read at once.
		bad := consultEntry(1)
		bad.Action = "peek"
		if err := auditedRead(ctx, db, bad); err == nil {
			t.Fatal("a read with an invalid audit entry succeeded")
		}
		if n := count(t, db.Read(), "SELECT COUNT(*) FROM audit_entries"); n != 0 {
			t.Fatalf("%d entries after an invalid one, want 0", n)
		}
	})
}

// 100 concurrent reads make 100 entries in fewer than 100 commits, and the chain verifies.
func TestConcurrentReadsGroupCommit(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		const n = 100
		before := db.GroupCommits()
		// Hold the write lock while the reads start, as a busy service's writes do, so that they queue.
		holding, release := make(chan struct{}), make(chan struct{})
		held := make(chan error, 1)
		go func() {
			held <- db.WithTx(ctx, func(tx *database.Tx) error {
				w := consultEntry(n)
				w.Action, w.RequestID = audit.Alter, "write"
				if _, err := audit.Append(ctx, tx, w); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = auditedRead(ctx, db, consultEntry(i)) })
		}
		time.Sleep(100 * time.Millisecond)
		close(release)
		wg.Wait()
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
		}
		st := db.GroupCommits()
		batches, reads := st.Batches-before.Batches, st.Reads-before.Reads
		t.Logf("%d audited reads in %d commits", reads, batches)
		if reads != n || batches >= n || st.Retries != before.Retries {
			t.Fatalf("%d reads in %d commits and %d retries; want %d in fewer than %d and no retries", reads, batches, st.Retries-before.Retries, n, n)
		}
		if got := count(t, db.Read(), "SELECT COUNT(*) FROM audit_entries WHERE request_id LIKE 'read-%'"); got != n {
			t.Fatalf("%d read entries, want %d", got, n)
		}
		f := newFixture(t, db)
		f.checkpoint(t)
		rep, err := audit.Verify(ctx, db.Read(), f.dir, f.verifier)
		if err != nil || !rep.OK() || rep.N != n+1 || rep.Covered != n+1 {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

package audit_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// waitForCheckpoint polls until the checkpoint of the given size exists in epoch 0, failing after a
// generous deadline: the test is that it appears, not how fast.
func waitForCheckpoint(t *testing.T, dir string, size int64) {
	t.Helper()
	path := filepath.Join(dir, audit.CheckpointDir, strconv.FormatInt(size, 10)+".note")
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of size %d after 20s: %v", size, checkpointFiles(t, dir))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRunSignsTheTail: with the periodic checkpoint an hour away, entries are signed soon after they
// commit, each burst in a checkpoint of its own, and the final checkpoint covers the rest.
func TestRunSignsTheTail(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.cp.Now = time.Now
		f.cp.Coalesce = 200 * time.Millisecond
		rng := rand.New(rand.NewPCG(31, 32))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if _, _, err := f.cp.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- f.cp.Run(ctx, time.Hour) }()

		appendEntries(t, db, randomEntry(rng, 0))
		waitForCheckpoint(t, f.dir, 1)
		appendEntries(t, db, randomEntry(rng, 1), randomEntry(rng, 2))
		waitForCheckpoint(t, f.dir, 3)
		// Entries committed without the in-process wake-up (as another process would) are found by polling.
		err := db.WithTx(ctx, func(tx *database.Tx) error {
			e := randomEntry(rng, 3)
			e.Seq = 3
			h := e.LeafHash()
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (seq, at, actor_id, actor_org, action, record_kind, record_id,
				partnership_id, purpose, recipient_org, request_id, detail, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				e.Seq, e.At, e.ActorID, e.ActorOrg, string(e.Action), e.RecordKind, e.RecordID, e.PartnershipID, e.Purpose, e.RecipientOrg, e.RequestID, e.Detail, h[:])
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "UPDATE audit_head SET size = size + 1 WHERE id = 1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		waitForCheckpoint(t, f.dir, 4)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		rep, err := audit.VerifyDB(context.Background(), db, f.dir, f.verifier)
		if err != nil || !rep.OK() || rep.Covered != 4 || rep.Checkpoints != 3 {
			t.Fatalf("after tail signing: %v %v", rep, err)
		}
	})
}

// TestResumeRecordsUnsignedEntries: entries committed before a crash and never signed are signed at the
// next start only with an entry, covered by the same checkpoint, that records their range; a start with
// nothing unsigned records nothing.
func TestResumeRecordsUnsignedEntries(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rng := rand.New(rand.NewPCG(33, 34))
		f.build(t, rng, 5, 0) // checkpoint 5
		for i := 5; i < 8; i++ {
			appendEntries(t, db, randomEntry(rng, i)) // the crash: never signed
		}

		restarted := *f.cp
		from, to, err := restarted.Resume(ctx)
		if err != nil || from != 5 || to != 8 {
			t.Fatalf("Resume = %d, %d, %v; want 5, 8", from, to, err)
		}
		files := checkpointFiles(t, f.dir)
		if len(files) != 2 || files[1] != "9.note" {
			t.Fatalf("checkpoints %v, want 5.note and 9.note (the range entry signed with the entries)", files)
		}
		e := readEntry(t, db.Read(), 8)
		if e.Action != audit.SignedAfterRestart || e.RecordKind != audit.RestartRecordKind || !strings.Contains(e.Detail, "[5, 8)") {
			t.Fatalf("entry 8 = %+v, want the range [5, 8) recorded", e)
		}
		if rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier); err != nil || !rep.OK() || rep.Covered != 9 {
			t.Fatalf("verify: %v %v", rep, err)
		}

		// Nothing unsigned: nothing recorded.
		again := *f.cp
		if from, to, err := again.Resume(ctx); err != nil || from != 9 || to != 9 {
			t.Fatalf("second Resume = %d, %d, %v", from, to, err)
		}
		if n := count(t, db.Read(), "SELECT COUNT(*) FROM audit_entries"); n != 9 {
			t.Fatalf("%d entries after a clean restart, want 9", n)
		}

		// Run on a fresh checkpointer resumes by itself.
		appendEntries(t, db, randomEntry(rng, 9))
		runner := *f.cp
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := runner.Run(cctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		if e := readEntry(t, db.Read(), 10); e.Action != audit.SignedAfterRestart || !strings.Contains(e.Detail, "[9, 10)") {
			t.Fatalf("entry 10 = %+v, want the range [9, 10)", e)
		}
		if rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier); err != nil || !rep.OK() || rep.Covered != 11 {
			t.Fatalf("verify after Run: %v %v", rep, err)
		}
	})
}

// TestResumeRefusesAChangedLog: Resume checks the log against the newest checkpoint before it writes
// anything, so a changed log gets no range entry and no signature.
func TestResumeRefusesAChangedLog(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	ctx := context.Background()
	f := newFixture(t, db)
	rng := rand.New(rand.NewPCG(35, 36))
	f.build(t, rng, 4, 0)
	appendEntries(t, db, randomEntry(rng, 4))
	tx, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	disableTriggers(t, tx, db.Dialect)
	// The DBA changes an entry and recomputes every hash stored in the database.
	mustExec(t, tx, "UPDATE audit_entries SET detail = 'changed' WHERE seq = 1")
	rehashLeaf(t, tx, 1)
	rebuildHashes(t, tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	restarted := *f.cp
	if _, _, err := restarted.Resume(ctx); err == nil {
		t.Fatal("Resume signed on top of a changed log")
	}
	if n := count(t, db.Read(), "SELECT COUNT(*) FROM audit_entries"); n != 5 {
		t.Fatalf("%d entries, want 5: Resume wrote on a changed log", n)
	}
}

// TestResumeRemovesTemporariesLeftByACrash: temporary files a killed process left while writing a
// checkpoint or a cosigned copy are removed at the next start once a checkpoint at least as large is in
// place; a temporary for a larger size, and files of any other name, are left alone.
func TestResumeRemovesTemporariesLeftByACrash(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rng := rand.New(rand.NewPCG(35, 36))
		f.build(t, rng, 5, 0)
		appendEntries(t, db, randomEntry(rng, 5))
		cpdir := filepath.Join(f.dir, audit.CheckpointDir)
		stale := []string{".6.note.123456.tmp", ".5.cosigned-0a1b2c3d.note.99.tmp"}
		kept := []string{".900.note.1.tmp", "notes.tmp"}
		for _, name := range append(append([]string{}, stale...), kept...) {
			if err := os.WriteFile(filepath.Join(cpdir, name), []byte("partial"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		restarted := *f.cp
		if _, _, err := restarted.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		files := strings.Join(checkpointFiles(t, f.dir), " ")
		for _, name := range stale {
			if strings.Contains(files, name) {
				t.Errorf("%s is still there after the restart: %s", name, files)
			}
		}
		for _, name := range kept {
			if !strings.Contains(files, name) {
				t.Errorf("%s was removed: %s", name, files)
			}
		}
	})
}

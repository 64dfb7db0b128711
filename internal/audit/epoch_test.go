package audit_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// restoredCopy is a database holding the first n of the entries es, as a backup taken at n would.
func restoredCopy(t *testing.T, db *database.DB, es []audit.Entry, n int) *database.DB {
	t.Helper()
	var r *database.DB
	if db.Dialect == database.Postgres {
		r = dbtest.NewPostgres(t)
	} else {
		r = dbtest.NewSQLite(t)
	}
	appendEntries(t, r, es[:n]...)
	return r
}

// TestEpochAfterRestore: a log checkpointed up to 20 is restored to 12. The new epoch's statement keeps
// every checkpoint of epoch 0 where it is; the restored log verifies (2 epochs), the replaced one still
// verifies against epoch 0, new checkpoints go to the new epoch and cannot be taken for the discarded ones,
// and tampering with the evidence is reported. A second restore makes three epochs.
func TestEpochAfterRestore(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rng := rand.New(rand.NewPCG(41, 42))
		var es []audit.Entry
		for i := range 20 {
			es = append(es, randomEntry(rng, i))
		}
		for i, e := range es {
			appendEntries(t, db, e)
			if n := i + 1; n == 5 || n == 10 || n == 12 || n == 20 {
				f.checkpoint(t)
			}
		}
		restored := restoredCopy(t, db, es, 12)
		now := time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)

		// A backup of another log is refused, and nothing is written.
		other := restoredCopy(t, db, append([]audit.Entry{randomEntry(rng, 99)}, es[1:]...), 12)
		var ie *audit.IntegrityError
		if _, err := audit.StartEpochAfterRestore(ctx, other, f.dir, now); !errors.As(err, &ie) {
			t.Fatalf("restore of another log: %v, want an IntegrityError", err)
		}
		if n, err := audit.CurrentEpoch(f.dir); err != nil || n != 0 {
			t.Fatalf("epoch after a refused restore: %d %v", n, err)
		}

		e, err := audit.StartEpochAfterRestore(ctx, restored, f.dir, now)
		if err != nil || e == nil {
			t.Fatalf("StartEpochAfterRestore: %v %v", e, err)
		}
		if e.Number != 1 || e.Restored != 12 || e.Discarded != 20 || e.Kept != 12 {
			t.Fatalf("statement %+v, want epoch 1 restored 12, discarded up to 20, kept 12", e)
		}
		if got := checkpointFiles(t, f.dir); len(got) != 4 {
			t.Errorf("epoch 0 checkpoints %v, want all four kept", got)
		}
		rep, err := audit.VerifyDB(ctx, restored, f.dir, f.verifier)
		if err != nil || !rep.OK() || rep.Epochs != 2 || rep.Covered != 12 || !strings.Contains(rep.String(), "2 epochs") {
			t.Fatalf("restored log: %v %+v", err, rep)
		}
		// The replaced log still verifies against epoch 0.
		if rep, err := audit.VerifyDBWith(ctx, db, f.dir, f.verifier, audit.VerifyOptions{PastEpoch: true, Epoch: 0}); err != nil || !rep.OK() || rep.Covered != 20 {
			t.Fatalf("replaced log against epoch 0: %v %v", rep, err)
		}

		// The service carries on in epoch 1: its first checkpoint is the restored size, then new entries.
		cp := *f.cp
		cp.DB = restored
		if n, err := cp.Checkpoint(ctx); err != nil || n != 12 {
			t.Fatalf("first checkpoint of epoch 1: %d %v", n, err)
		}
		for i := range 8 {
			appendEntries(t, restored, randomEntry(rng, 50+i))
		}
		if n, err := cp.Checkpoint(ctx); err != nil || n != 20 {
			t.Fatalf("checkpoint of epoch 1: %d %v", n, err)
		}
		newer := filepath.Join(audit.EpochCheckpointDir(f.dir, 1), "20.note")
		b, err := os.ReadFile(newer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := audit.OpenCheckpoint(b, f.verifier)
		if err != nil || c.Epoch != 1 || !strings.HasPrefix(string(b), audit.EpochOrigin(1)+"\n") {
			t.Fatalf("epoch 1 checkpoint: %+v %v\n%s", c, err, b)
		}
		old20 := filepath.Join(f.dir, audit.CheckpointDir, "20.note")
		oldBytes, err := os.ReadFile(old20)
		if err != nil {
			t.Fatal(err)
		}
		if string(oldBytes) == string(b) {
			t.Fatal("the two checkpoints of size 20 are the same file")
		}
		if rep, err := audit.VerifyDB(ctx, restored, f.dir, f.verifier); err != nil || !rep.OK() || rep.Covered != 20 || rep.Checkpoints != 2 {
			t.Fatalf("after new checkpoints: %v %v", rep, err)
		}

		if rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier); err != nil || rep.OK() {
			t.Fatalf("replaced log against epoch 1, whose entries 12..19 differ, verified: %v %v", rep, err)
		}

		tamper := func(what string, change func(), undo func(), want string) {
			t.Helper()
			change()
			rep, err := audit.VerifyDB(ctx, restored, f.dir, f.verifier)
			undo()
			if err != nil || rep.OK() || !strings.Contains(rep.Problem, want) {
				t.Errorf("%s: %v %q, want a problem with %q", what, err, rep.Problem, want)
			}
		}
		write := func(path string, b []byte) {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// A discarded checkpoint copied over the new epoch's one of the same size.
		tamper("epoch 0's 20.note copied into epoch 1", func() { write(newer, oldBytes) }, func() { write(newer, b) }, "belongs to epoch 0")
		// The newest discarded checkpoint deleted.
		tamper("epoch 0's 20.note deleted", func() { os.Remove(old20) }, func() { write(old20, oldBytes) }, "had signed 20 entries")
		// The statement changed.
		stmtPath := filepath.Join(audit.EpochDir(f.dir, 1), audit.EpochStatementFile)
		stmt, err := os.ReadFile(stmtPath)
		if err != nil {
			t.Fatal(err)
		}
		tamper("statement edited", func() { write(stmtPath, []byte(strings.Replace(string(stmt), "restored 12", "restored 11", 1))) },
			func() { write(stmtPath, stmt) }, "epoch statement")
		// The statement removed: the epoch-1 checkpoints no longer belong to the current epoch.
		tamper("statement removed", func() { os.Remove(stmtPath) }, func() { write(stmtPath, stmt) }, "")
		if rep, err := audit.VerifyDB(ctx, restored, f.dir, f.verifier); err != nil || !rep.OK() {
			t.Fatalf("after undoing the tampering: %v %v", rep, err)
		}

		// A second restore, to 12 again: epoch 2 keeps epoch 1's statement head and discards up to 20.
		again := restoredCopy(t, db, es, 12)
		e2, err := audit.StartEpochAfterRestore(ctx, again, f.dir, now.Add(time.Hour))
		if err != nil || e2.Number != 2 || e2.Kept != 12 || e2.Discarded != 20 {
			t.Fatalf("second restore: %+v %v", e2, err)
		}
		if rep, err := audit.VerifyDB(ctx, again, f.dir, f.verifier); err != nil || !rep.OK() || rep.Epochs != 3 || !strings.Contains(rep.String(), "3 epochs") {
			t.Fatalf("after the second restore: %v %v", rep, err)
		}
	})
}

// TestEpochNotStartedWithoutCheckpoints: a restore into an audit directory with nothing signed starts no
// epoch and writes nothing.
func TestEpochNotStartedWithoutCheckpoints(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	rng := rand.New(rand.NewPCG(43, 44))
	appendEntries(t, db, randomEntry(rng, 0))
	dir := filepath.Join(t.TempDir(), "audit")
	if e, err := audit.StartEpochAfterRestore(context.Background(), db, dir, time.Now()); err != nil || e != nil {
		t.Fatalf("StartEpochAfterRestore = %v, %v; want nothing", e, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the audit directory was created: %v", err)
	}
}

func TestParseEpochRoundTrip(t *testing.T) {
	e := audit.Epoch{Number: 3, Restored: 12, Discarded: 20, Kept: 10, Time: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC)}
	e.Hash[0], e.KeptHash[1] = 1, 2
	got, err := audit.ParseEpoch(e.Format())
	if err != nil || got != e {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	for _, bad := range []string{
		strings.Replace(string(e.Format()), "discarded 12 20", "discarded 11 20", 1),
		strings.Replace(string(e.Format()), "kept 10", "kept 13", 1),
		strings.Replace(string(e.Format()), "epoch 3", "epoch 0", 1),
		strings.TrimSuffix(string(e.Format()), "\n"),
	} {
		if _, err := audit.ParseEpoch([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if _, err := audit.ParseCheckpoint([]byte(audit.EpochOrigin(0) + "/epoch-0\n1\n" + strings.Repeat("A", 43) + "=\n")); err == nil {
		t.Error("accepted the origin of an epoch 0 with a number")
	}
}

package audit_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/dbtest"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func readCheckpoint(t *testing.T, f *fixture, size string) audit.Checkpoint {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, audit.CheckpointDir, size+".note"))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := audit.OpenCheckpoint(b, f.verifier)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// TestCheckpointsNameTheirPredecessor: every checkpoint signs the size of the one before it (0 for the first).
func TestCheckpointsNameTheirPredecessor(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	f.build(t, rand.New(rand.NewPCG(11, 12)), 12, 5)
	for _, c := range []struct {
		size string
		prev int64
	}{{"5", 0}, {"10", 5}, {"12", 10}} {
		cp := readCheckpoint(t, f, c.size)
		if !cp.HasPrev || cp.Prev != c.prev {
			t.Errorf("%s.note: prev %d (present %v), want %d", c.size, cp.Prev, cp.HasPrev, c.prev)
		}
	}
	rep, err := audit.Verify(context.Background(), db.Read(), f.dir, f.verifier)
	if err != nil || !rep.OK() || rep.Checkpoints != 3 || rep.Covered != 12 || rep.Newest.N != 12 || rep.Hashed != 12 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// TestDeletedCheckpointDetected: removing a checkpoint file that a later checkpoint follows is reported,
// naming both; removing only the newest cannot be seen locally, but the stored tree then outruns the newest
// checkpoint, which the report shows.
func TestDeletedCheckpointDetected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	f.build(t, rand.New(rand.NewPCG(13, 14)), 20, 5)
	cpdir := filepath.Join(f.dir, audit.CheckpointDir)

	ten := filepath.Join(cpdir, "10.note")
	saved, err := os.ReadFile(ten)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(ten); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, db.Read(), f.dir, f.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(rep.Problem, "15.note") || !strings.Contains(rep.Problem, "10.note") || !strings.Contains(rep.Problem, "missing") {
		t.Fatalf("deleting 10.note: %v", rep)
	}
	if err := os.WriteFile(ten, saved, 0o644); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(filepath.Join(cpdir, "20.note")); err != nil {
		t.Fatal(err)
	}
	rep, err = audit.Verify(ctx, db.Read(), f.dir, f.verifier)
	if err != nil || !rep.OK() {
		t.Fatalf("deleting only the newest checkpoint is expected to go unnoticed locally: %v %v", rep, err)
	}
	if rep.Covered != 15 || rep.Hashed != 20 || rep.Uncovered() != 5 {
		t.Fatalf("after deleting the newest checkpoint: covered %d, hashed %d, uncovered %d; want 15, 20, 5", rep.Covered, rep.Hashed, rep.Uncovered())
	}
}

// TestRolledBackCheckpointDetected: an older checkpoint copied over a newer one is reported.
func TestRolledBackCheckpointDetected(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	f.build(t, rand.New(rand.NewPCG(15, 16)), 20, 10)
	cpdir := filepath.Join(f.dir, audit.CheckpointDir)
	older, err := os.ReadFile(filepath.Join(cpdir, "10.note"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cpdir, "20.note"), older, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(context.Background(), db.Read(), f.dir, f.verifier)
	if err != nil || rep.OK() || !strings.Contains(rep.Problem, "20.note is signed for size 10") {
		t.Fatalf("rolled-back checkpoint: %v %v", rep, err)
	}
}

// TestCheckpointsWithoutPrevLine: checkpoints signed before the prev line existed still verify, and the
// first one signed after them names the newest of them.
func TestCheckpointsWithoutPrevLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	rng := rand.New(rand.NewPCG(17, 18))
	f.build(t, rng, 8, 4)
	skey, err := os.ReadFile(filepath.Join(f.dir, audit.SignerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	signer := mustSigner(t, strings.TrimSpace(string(skey)))
	for _, size := range []string{"4", "8"} {
		cp := readCheckpoint(t, f, size)
		cp.Prev, cp.HasPrev = 0, false
		msg, err := note.Sign(&note.Note{Text: string(cp.Format())}, signer)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(msg), "\nprev ") {
			t.Fatalf("old-style checkpoint %q", msg)
		}
		if err := os.WriteFile(filepath.Join(f.dir, audit.CheckpointDir, size+".note"), msg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(f.dir, audit.CheckpointDir, "4.note")); err != nil {
		t.Fatal(err)
	}
	appendEntries(t, db, randomEntry(rng, 8))
	f.checkpoint(t)
	if cp := readCheckpoint(t, f, "9"); !cp.HasPrev || cp.Prev != 8 {
		t.Fatalf("9.note prev %d (present %v), want 8", cp.Prev, cp.HasPrev)
	}
	rep, err := audit.Verify(ctx, db.Read(), f.dir, f.verifier)
	if err != nil || !rep.OK() || rep.Checkpoints != 2 || rep.Covered != 9 {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestParseCheckpointPrevLine(t *testing.T) {
	h := tlog.RecordHash([]byte("x"))
	body := audit.Checkpoint{N: 7, Hash: h}.Format()
	ok := map[string]audit.Checkpoint{
		"prev 0\n":                            {N: 7, Hash: h, HasPrev: true},
		"prev 6\n":                            {N: 7, Hash: h, Prev: 6, HasPrev: true},
		"time 2026-01-02T03:04:05Z\nprev 3\n": {N: 7, Hash: h, Prev: 3, HasPrev: true},
	}
	for ext, want := range ok {
		cp, err := audit.ParseCheckpoint(append(append([]byte(nil), body...), ext...))
		if err != nil || cp.N != want.N || cp.Prev != want.Prev || cp.HasPrev != want.HasPrev || cp.Hash != want.Hash {
			t.Errorf("%q: %+v %v", ext, cp, err)
		}
	}
	for _, ext := range []string{"prev 7\n", "prev 8\n", "prev 05\n", "prev -1\n", "prev\n", "prev 3\ntime 2026-01-02T03:04:05Z\n", "prev 3\nprev 3\n", "other 1\n"} {
		if cp, err := audit.ParseCheckpoint(append(append([]byte(nil), body...), ext...)); err == nil {
			t.Errorf("%q accepted: %+v", ext, cp)
		}
	}
}

func TestParseVerifier(t *testing.T) {
	skey, vkey, err := audit.GenerateKey(audit.KeyName)
	if err != nil {
		t.Fatal(err)
	}
	v, err := audit.ParseVerifier(" " + vkey + "\n")
	if err != nil || v.Name() != audit.KeyName {
		t.Fatalf("ParseVerifier(vkey) = %v, %v", v, err)
	}
	if _, err := audit.ParseVerifier(skey); err == nil || !strings.Contains(err.Error(), "private") {
		t.Errorf("a private key was accepted as the verifier key: %v", err)
	}
	if _, err := audit.ParseVerifier("prevent-audit+00000000+AAAA"); err == nil {
		t.Error("a malformed verifier key was accepted")
	}
	dir := t.TempDir()
	if _, err := audit.LoadVerifier(dir); err == nil {
		t.Error("LoadVerifier on an empty directory succeeded")
	}
	if des, _ := os.ReadDir(dir); len(des) != 0 {
		t.Errorf("LoadVerifier wrote into the directory: %v", des)
	}
}

package audit_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// TestSetAsideAfterRestore: after restoring a backup taken at 12 entries over a log checkpointed up to 20,
// the checkpoints above 12 are set aside (with every checkpoint and the verifier key, so that the replaced
// database still verifies against them), the restored log verifies, and the checkpointer signs on top of it.
func TestSetAsideAfterRestore(t *testing.T) {
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	rng := rand.New(rand.NewPCG(21, 22))
	f.build(t, rng, 12, 5) // checkpoints 5, 10, 12
	backups := t.TempDir()
	m, err := db.Backup(ctx, backups, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for i := 12; i < 20; i++ {
		appendEntries(t, db, randomEntry(rng, i))
	}
	f.checkpoint(t) // 20

	if aside, moved, err := audit.SetAsideAfterRestore(f.dir, 20, time.Now()); err != nil || aside != "" || len(moved) != 0 {
		t.Fatalf("nothing above 20: %q %v %v", aside, moved, err)
	}
	aside, moved, err := audit.SetAsideAfterRestore(f.dir, m.AuditHeadSize, time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC))
	if err != nil || len(moved) != 1 || moved[0] != 20 {
		t.Fatalf("SetAsideAfterRestore = %q %v %v", aside, moved, err)
	}
	if got := checkpointFiles(t, f.dir); len(got) != 3 {
		t.Errorf("checkpoints left: %v, want 5, 10 and 12", got)
	}
	if got := checkpointFiles(t, aside); len(got) != 4 {
		t.Errorf("checkpoints set aside: %v, want all four", got)
	}
	if _, err := os.Stat(filepath.Join(aside, audit.VerifierKeyFile)); err != nil {
		t.Errorf("no verifier key set aside: %v", err)
	}
	// The database as it was before the restore still verifies against what was set aside.
	if rep, err := audit.Verify(ctx, db.Read(), aside, f.verifier); err != nil || !rep.OK() || rep.Covered != 20 {
		t.Fatalf("the replaced log against the set-aside checkpoints: %v %v", rep, err)
	}

	// The restored log verifies against what is left, and the checkpointer carries on.
	target := filepath.Join(t.TempDir(), "prevent.db")
	if err := database.Restore(ctx, filepath.Join(backups, m.ManifestName()), target); err != nil {
		t.Fatal(err)
	}
	restored, err := database.Open(ctx, "sqlite:"+target)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	rep, err := audit.Verify(ctx, restored.Read(), f.dir, f.verifier)
	if err != nil || !rep.OK() || rep.Covered != 12 || rep.N != 12 {
		t.Fatalf("restored log: %v %v", rep, err)
	}
	appendEntries(t, restored, randomEntry(rng, 30))
	cp := *f.cp
	cp.DB = restored
	if n, err := cp.Checkpoint(ctx); err != nil || n != 13 {
		t.Fatalf("checkpoint on the restored log: %d %v", n, err)
	}
	if rep, err := audit.Verify(ctx, restored.Read(), f.dir, f.verifier); err != nil || !rep.OK() || rep.Covered != 13 {
		t.Fatalf("restored log after a new checkpoint: %v %v", rep, err)
	}
}

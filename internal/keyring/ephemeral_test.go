package keyring

import (
	"context"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestEphemeral: keyrings made separately in one process share the in-memory master, so one opens what the
// other sealed; a file master does not; shredding works without a journal; rotation keeps data readable.
func TestEphemeral(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		a, b := Ephemeral(db), Ephemeral(db)
		if !a.Master.Ephemeral() || a.Master != b.Master {
			t.Fatal("ephemeral keyrings do not share one in-memory master")
		}
		ct := seal(t, a, "referral:1", []byte("secret"), []byte("ad"))
		pt, err := b.OpenRead(ctx, db.Read(), "referral:1", ct, []byte("ad"))
		if err != nil || string(pt) != "secret" {
			t.Fatalf("open = %q, %v", pt, err)
		}
		if _, err := newKeyring(t, db).OpenRead(ctx, db.Read(), "referral:1", ct, []byte("ad")); err == nil {
			t.Fatal("a file master opened a key wrapped by the ephemeral master")
		}
		if _, err := a.RotateMaster(ctx); err != nil {
			t.Fatalf("rotate: %v", err)
		}
		if pt, err := b.OpenRead(ctx, db.Read(), "referral:1", ct, []byte("ad")); err != nil || string(pt) != "secret" {
			t.Fatalf("after rotation: %q, %v", pt, err)
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return a.Shred(ctx, tx, "referral:1") }); err != nil {
			t.Fatal(err)
		}
		if _, err := b.OpenRead(ctx, db.Read(), "referral:1", ct, []byte("ad")); prevent.ErrorKind(err) != prevent.NotFound {
			t.Fatalf("after shred: %v", err)
		}
		if n, err := a.SyncShreds(ctx); err != nil || n != 0 {
			t.Fatalf("sync shreds = %d, %v", n, err)
		}
	})
}

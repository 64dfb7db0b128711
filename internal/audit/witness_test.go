package audit_test

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/witness"
	"golang.org/x/mod/sumdb/note"
)

// TestCheckpointerWitness: each new checkpoint is cosigned by the witness and stored beside it; a witness
// that is down does not stop the checkpointer, and is asked again the next time; Verify with the witness
// key accepts the cosigned log and reports a newest checkpoint without its cosignature.
func TestCheckpointerWitness(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		wdir := t.TempDir()
		signer, err := witness.LoadOrCreateKey(wdir, "test-witness")
		if err != nil {
			t.Fatal(err)
		}
		handler := (&witness.Server{Dir: wdir, Signer: signer, Logs: []note.Verifier{f.verifier}}).Handler()
		srv := httptest.NewServer(handler)
		wc, err := audit.NewWitnessClient(srv.URL, signer.VerifierKey())
		if err != nil {
			t.Fatal(err)
		}
		f.cp.Witnesses = []*audit.WitnessClient{wc}
		rng := rand.New(rand.NewPCG(51, 52))
		cpdir := filepath.Join(f.dir, audit.CheckpointDir)

		appendEntries(t, db, randomEntry(rng, 0), randomEntry(rng, 1))
		f.checkpoint(t)
		appendEntries(t, db, randomEntry(rng, 2))
		f.checkpoint(t) // sent with a consistency proof from 2
		for _, n := range []int64{2, 3} {
			if _, err := os.Stat(filepath.Join(cpdir, audit.CosignedName(n, wc.Key))); err != nil {
				t.Fatalf("checkpoint %d not cosigned: %v", n, err)
			}
		}
		withWitness := audit.VerifyOptions{Witness: wc.Key}
		rep, err := audit.VerifyDBWith(ctx, db, f.dir, f.verifier, withWitness)
		if err != nil || !rep.OK() || rep.Witnessed.IsZero() {
			t.Fatalf("verify with the witness: %v %+v", err, rep)
		}

		// The witness is down: the checkpoint is still signed, not cosigned, and verify says so.
		srv.Close()
		appendEntries(t, db, randomEntry(rng, 3))
		if n := f.checkpoint(t); n != 4 {
			t.Fatalf("checkpoint with the witness down: %d", n)
		}
		if _, err := os.Stat(filepath.Join(cpdir, audit.CosignedName(4, wc.Key))); err == nil {
			t.Fatal("cosigned with the witness down")
		}
		rep, err = audit.VerifyDBWith(ctx, db, f.dir, f.verifier, withWitness)
		if err != nil || rep.OK() || !strings.Contains(rep.Problem, "carries no cosignature") {
			t.Fatalf("verify with the newest not cosigned: %v %q", err, rep.Problem)
		}
		// Back up (same state directory): the next checkpoint call sends the newest again.
		srv = httptest.NewServer(handler)
		defer srv.Close()
		wc.URL = srv.URL
		f.checkpoint(t)
		if rep, err := audit.VerifyDBWith(ctx, db, f.dir, f.verifier, withWitness); err != nil || !rep.OK() {
			t.Fatalf("verify after the witness came back: %v %+v", err, rep)
		}

		// The newest checkpoint file deleted, its cosigned copy left: detected.
		newest := filepath.Join(cpdir, "4.note")
		b, err := os.ReadFile(newest)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(newest)
		rep, err = audit.VerifyDBWith(ctx, db, f.dir, f.verifier, withWitness)
		if err != nil || rep.OK() || !strings.Contains(rep.Problem, "which is missing") {
			t.Fatalf("verify with the newest deleted: %v %q", err, rep.Problem)
		}
		if rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier); err != nil || !rep.OK() {
			t.Fatalf("without the witness key the deletion is not visible here, as documented: %v %+v", err, rep)
		}
		if err := os.WriteFile(newest, b, 0o644); err != nil {
			t.Fatal(err)
		}
	})
}

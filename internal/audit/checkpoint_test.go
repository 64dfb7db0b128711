package audit_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
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
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func mustSigner(t testing.TB, skey string) note.Signer {
	t.Helper()
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkpointFiles(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(dir, audit.CheckpointDir))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestCheckpointWritesSignedTreeHeads(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if n := f.checkpoint(t); n != 0 || len(checkpointFiles(t, f.dir)) != 0 {
			t.Fatalf("empty log: size %d, files %v", n, checkpointFiles(t, f.dir))
		}
		rng := rand.New(rand.NewPCG(9, 10))
		var es []audit.Entry
		for i := range 7 {
			es = append(es, randomEntry(rng, i))
		}
		appendEntries(t, db, es...)
		if n := f.checkpoint(t); n != 7 {
			t.Fatalf("size %d, want 7", n)
		}
		// Unchanged size: no new file.
		if n := f.checkpoint(t); n != 7 {
			t.Fatalf("size %d, want 7", n)
		}
		if got := checkpointFiles(t, f.dir); len(got) != 1 || got[0] != "7.note" {
			t.Fatalf("files %v, want [7.note]", got)
		}
		if got := count(t, db.Read(), "SELECT COUNT(*) FROM audit_hashes"); got != tlog.StoredHashCount(7) {
			t.Fatalf("%d stored hashes, want %d", got, tlog.StoredHashCount(7))
		}
		b, err := os.ReadFile(filepath.Join(f.dir, audit.CheckpointDir, "7.note"))
		if err != nil {
			t.Fatal(err)
		}
		cp, err := audit.OpenCheckpoint(b, f.verifier)
		if err != nil {
			t.Fatal(err)
		}
		// The signed hash is the RFC 6962 root over the entries' encodings, computed independently here.
		var leaves []tlog.Hash
		for i := range es {
			leaves = append(leaves, readEntry(t, db.Read(), int64(i)).LeafHash())
		}
		if want := rfc6962Root(leaves); cp.N != 7 || cp.Hash != want {
			t.Fatalf("checkpoint %d %x, want 7 %x", cp.N, cp.Hash, want)
		}
		if !cp.Time.Equal(base.Add(48 * time.Hour)) {
			t.Fatalf("checkpoint time %v", cp.Time)
		}
		if !bytes.HasPrefix(b, []byte(audit.Origin+"\n7\n")) {
			t.Fatalf("body %q", b)
		}
		appendEntries(t, db, randomEntry(rng, 8))
		if n := f.checkpoint(t); n != 8 {
			t.Fatalf("size %d, want 8", n)
		}
		if got := checkpointFiles(t, f.dir); len(got) != 2 {
			t.Fatalf("files %v", got)
		}
		rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier)
		if err != nil || rep.String() != "ok, 8 entries, 2 checkpoints checked, covering 8; every entry is covered by a checkpoint" || rep.Checkpoints != 2 || rep.Covered != 8 {
			t.Fatalf("%+v %v", rep, err)
		}
	})
}

// rfc6962Root is the RFC 6962 Merkle tree hash, written out recursively as the RFC states it.
func rfc6962Root(leaves []tlog.Hash) tlog.Hash {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return tlog.NodeHash(rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:]))
}

// commitTampering applies fn as the adversary, committing it.
func commitTampering(t testing.TB, db *database.DB, fn func(tx *sql.Tx)) {
	t.Helper()
	tx, err := db.Writer().BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	disableTriggers(t, tx, db.Dialect)
	fn(tx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointRefusesTamperedEntries(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rng := rand.New(rand.NewPCG(11, 12))
		f.build(t, rng, 5, 0)
		appendEntries(t, db, randomEntry(rng, 5), randomEntry(rng, 6), randomEntry(rng, 7))
		commitTampering(t, db, func(tx *sql.Tx) { editColumn(t, tx, "purpose", 6, 8) })
		_, err := f.cp.Checkpoint(ctx)
		var ie *audit.IntegrityError
		if !errors.As(err, &ie) || ie.Seq != 6 || !strings.Contains(err.Error(), "entry 6") {
			t.Fatalf("got %v, want an integrity error naming entry 6", err)
		}
		if got := count(t, db.Read(), "SELECT COUNT(*) FROM audit_hashes"); got != tlog.StoredHashCount(5) {
			t.Fatalf("hashes were stored despite the refusal: %d", got)
		}
		if got := checkpointFiles(t, f.dir); len(got) != 1 {
			t.Fatalf("files %v", got)
		}
	})
}

func TestCheckpointRefusesTreeThatNoLongerMatches(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		rng := rand.New(rand.NewPCG(13, 14))
		f.build(t, rng, 9, 0)
		// The DBA rewrites entry 3 and recomputes everything in the database.
		commitTampering(t, db, func(tx *sql.Tx) {
			editColumn(t, tx, "detail", 3, 9)
			rehashLeaf(t, tx, 3)
			rebuildHashes(t, tx)
		})
		appendEntries(t, db, randomEntry(rng, 9))
		_, err := f.cp.Checkpoint(context.Background())
		var ie *audit.IntegrityError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "9.note") {
			t.Fatalf("got %v, want a refusal naming 9.note", err)
		}
		if got := checkpointFiles(t, f.dir); len(got) != 1 {
			t.Fatalf("a checkpoint was signed over the rewritten tree: %v", got)
		}
	})
}

func TestRunWritesFinalCheckpoint(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	rng := rand.New(rand.NewPCG(15, 16))
	ctx, cancel := context.WithCancel(context.Background())
	// As serve does: resume before anything is written, so that Run signs what it sees committed.
	if from, to, err := f.cp.Resume(ctx); err != nil || from != 0 || to != 0 {
		t.Fatalf("Resume on an empty log = %d, %d, %v", from, to, err)
	}
	done := make(chan error, 1)
	go func() { done <- f.cp.Run(ctx, time.Hour) }()
	for i := range 4 {
		appendEntries(t, db, randomEntry(rng, i))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := checkpointFiles(t, f.dir); len(got) == 0 || got[len(got)-1] != "4.note" {
		t.Fatalf("files %v, want a final 4.note", got)
	}
}

// TestSigningKeyNotInDatabase: after checkpoints, no table and no byte of the SQLite files holds the
// signing key; it lives only in the key file, mode 0600.
func TestSigningKeyNotInDatabase(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.build(t, rand.New(rand.NewPCG(17, 18)), 6, 2)
		raw, err := os.ReadFile(filepath.Join(f.dir, audit.SignerKeyFile))
		if err != nil {
			t.Fatal(err)
		}
		skey := strings.TrimSpace(string(raw))
		secret := strings.SplitN(skey, "+", 5)[4] // base64 of the private key
		if !strings.HasPrefix(skey, "PRIVATE+KEY+") || len(secret) < 40 {
			t.Fatalf("unexpected key file %q", skey[:12])
		}
		seed, err := base64.StdEncoding.DecodeString(secret)
		if err != nil || len(seed) != 33 {
			t.Fatalf("key encoding: %v", err)
		}
		seed = seed[1:] // after the algorithm byte
		fi, err := os.Stat(filepath.Join(f.dir, audit.SignerKeyFile))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %v, %v", fi.Mode().Perm(), err)
		}
		if db.Dialect == database.SQLite {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				b, err := os.ReadFile(db.Path + suffix)
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, seed) || bytes.Contains(b, []byte("PRIVATE+KEY")) {
					t.Fatalf("the signing key is in %s", db.Path+suffix)
				}
			}
			return
		}
		rows, err := db.Read().QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			tables = append(tables, name)
		}
		rows.Close()
		for _, tbl := range tables {
			var dump sql.NullString
			q := `SELECT string_agg(t::text, E'\n') FROM "` + tbl + `" t`
			if err := db.Read().QueryRowContext(ctx, q).Scan(&dump); err != nil {
				t.Fatalf("%s: %v", tbl, err)
			}
			if strings.Contains(dump.String, secret) || strings.Contains(dump.String, hex.EncodeToString(seed)) || strings.Contains(dump.String, "PRIVATE+KEY") {
				t.Fatalf("the signing key is in table %s", tbl)
			}
		}
		if len(tables) < 3 {
			t.Fatalf("only %d tables searched", len(tables))
		}
	})
}

package audit_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"golang.org/x/mod/sumdb/tlog"
)

// TestVerifyCleanLogs grows a log one entry at a time, checkpointing at random, and verifies it at every
// size from 0: a clean log must never be reported, whatever its size or checkpoints.
func TestVerifyCleanLogs(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(1, 2))
		f := newFixture(t, db)
		checkpoints := 0
		for size := 0; size <= 70; size++ {
			if size > 0 {
				appendEntries(t, db, randomEntry(rng, size))
			}
			if size > 0 && rng.IntN(3) == 0 {
				f.checkpoint(t)
				checkpoints++
			}
			rep, err := audit.Verify(ctx, db.Read(), f.dir, f.verifier)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.OK() || rep.N != int64(size) || rep.Checkpoints != checkpoints {
				t.Fatalf("size %d: false positive or miscount: %+v (want %d checkpoints)", size, rep, checkpoints)
			}
			want := fmt.Sprintf("ok, %d entries,", size)
			if size == 1 {
				want = "ok, 1 entry,"
			}
			if got := rep.String(); !strings.HasPrefix(got, want) || !strings.Contains(got, fmt.Sprintf("covering %d;", rep.Covered)) {
				t.Fatalf("String() = %q, want it to start %q and name the entries covered (%d)", got, want, rep.Covered)
			}
			snap, err := audit.VerifyDB(ctx, db, f.dir, f.verifier)
			if err != nil || !snap.OK() || snap.N != int64(size) {
				t.Fatalf("size %d: VerifyDB: %+v, %v", size, snap, err)
			}
		}
	})
}

// A mutation is one adversary action on a log of n entries whose checkpoints cover all of them. It
// returns the entry Verify must name (want), or -1 when Verify need only bound it within [lo, hi].
type mutation func(t testing.TB, tx database.Querier, rng *rand.Rand, n int64) (want, lo, hi int64)

var entryColumnsForEdit = []string{"seq", "at", "actor_id", "actor_org", "action", "record_kind", "record_id",
	"partnership_id", "purpose", "recipient_org", "request_id", "detail", "leaf_hash"}

// editColumn changes one column of entry p to a different value of its type.
func editColumn(t testing.TB, q database.Querier, col string, p, n int64) {
	switch col {
	case "seq":
		mustExec(t, q, "UPDATE audit_entries SET seq = $1 WHERE seq = $2", n+1000+p, p)
	case "at":
		at := readEntry(t, q, p).At.Add(time.Microsecond)
		mustExec(t, q, "UPDATE audit_entries SET at = $1 WHERE seq = $2", at, p)
	case "leaf_hash":
		var h []byte
		if err := q.QueryRowContext(context.Background(), "SELECT leaf_hash FROM audit_entries WHERE seq = $1", p).Scan(&h); err != nil {
			t.Fatal(err)
		}
		h[len(h)-1] ^= 1
		mustExec(t, q, "UPDATE audit_entries SET leaf_hash = $1 WHERE seq = $2", h, p)
	case "actor_id", "actor_org", "record_id", "partnership_id", "recipient_org":
		mustExec(t, q, "UPDATE audit_entries SET "+col+" = "+col+" + 1 WHERE seq = $1", p)
	case "action":
		e := readEntry(t, q, p)
		other := audit.Consult
		if e.Action == other {
			other = audit.Disclose
		}
		mustExec(t, q, "UPDATE audit_entries SET action = $1 WHERE seq = $2", string(other), p)
	default: // text columns
		mustExec(t, q, "UPDATE audit_entries SET "+col+" = "+col+" || 'x' WHERE seq = $1", p)
	}
}

func randomContentColumn(rng *rand.Rand) string {
	c := entryColumnsForEdit[1 : len(entryColumnsForEdit)-1]
	return c[rng.IntN(len(c))]
}

func mutations() map[string]mutation {
	m := map[string]mutation{
		"none": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			return -2, 0, 0
		},
		// The DBA edits a row and recomputes its leaf_hash, but not the tree.
		"edit-rehash-leaf": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			editColumn(t, q, randomContentColumn(rng), p, n)
			rehashLeaf(t, q, p)
			return p, 0, 0
		},
		// ... and its level-0 hash in audit_hashes, but not the hashes above it.
		"edit-rehash-level0": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			editColumn(t, q, randomContentColumn(rng), p, n)
			rehashLeaf(t, q, p)
			h := readEntry(t, q, p).LeafHash()
			mustExec(t, q, "UPDATE audit_hashes SET hash = $1 WHERE idx = $2", h[:], tlog.StoredHashIndex(0, p))
			return -1, p, p
		},
		// The DBA recomputes everything the database holds: only the signed checkpoints disagree.
		"edit-rehash-all": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			editColumn(t, q, randomContentColumn(rng), p, n)
			rehashLeaf(t, q, p)
			rebuildHashes(t, q)
			return -1, p, p
		},
		"delete": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			mustExec(t, q, "DELETE FROM audit_entries WHERE seq = $1", p)
			return p, 0, 0
		},
		// Delete, renumber the rest, recompute their leaf hashes, the head and the whole tree.
		"delete-renumber-rehash": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			mustExec(t, q, "DELETE FROM audit_entries WHERE seq = $1", p)
			shiftSeq(t, q, p+1, -1)
			for s := p; s < n-1; s++ {
				rehashLeaf(t, q, s)
			}
			mustExec(t, q, "UPDATE audit_head SET size = size - 1")
			rebuildHashes(t, q)
			return -1, p, p
		},
		// Insert a forged entry at p with a correctly computed leaf hash, renumbering (and rehashing) the rest.
		"insert": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			insertForged(t, q, rng, p, n)
			return p, 0, 0
		},
		"insert-rehash": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			insertForged(t, q, rng, p, n)
			rebuildHashes(t, q)
			return -1, p, p
		},
		// Swap the contents of two rows, leaf hashes included.
		"swap": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			i, j := twoDistinct(rng, n)
			swapRows(t, q, i, j, n)
			return i, 0, 0
		},
		// Swap, then recompute both leaf hashes for their new positions and the whole tree.
		"swap-rehash": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			i, j := twoDistinct(rng, n)
			swapRows(t, q, i, j, n)
			rehashLeaf(t, q, i)
			rehashLeaf(t, q, j)
			rebuildHashes(t, q)
			return -1, i, i
		},
		// Delete the last k entries and set the head to match.
		"truncate": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			k := 1 + rng.Int64N(n)
			mustExec(t, q, "DELETE FROM audit_entries WHERE seq >= $1", n-k)
			mustExec(t, q, "UPDATE audit_head SET size = $1", n-k)
			return n - k, 0, 0
		},
		// ... and their tree hashes too.
		"truncate-rehash": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			k := 1 + rng.Int64N(n)
			mustExec(t, q, "DELETE FROM audit_entries WHERE seq >= $1", n-k)
			mustExec(t, q, "UPDATE audit_head SET size = $1", n-k)
			rebuildHashes(t, q)
			return -1, n - k, n - k
		},
		"head": func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			if rng.IntN(2) == 0 {
				mustExec(t, q, "UPDATE audit_head SET size = size - 1")
				return n - 1, 0, 0
			}
			mustExec(t, q, "UPDATE audit_head SET size = size + 1")
			return n, 0, 0
		},
	}
	for _, col := range entryColumnsForEdit {
		m["edit-"+col] = func(t testing.TB, q database.Querier, rng *rand.Rand, n int64) (int64, int64, int64) {
			p := rng.Int64N(n)
			editColumn(t, q, col, p, n)
			return p, 0, 0
		}
	}
	return m
}

func twoDistinct(rng *rand.Rand, n int64) (int64, int64) {
	i := rng.Int64N(n)
	j := rng.Int64N(n - 1)
	if j >= i {
		j++
	}
	return min(i, j), max(i, j)
}

func swapRows(t testing.TB, q database.Querier, i, j, n int64) {
	const tmp = 5_000_000
	mustExec(t, q, "UPDATE audit_entries SET seq = $1 WHERE seq = $2", tmp, i)
	mustExec(t, q, "UPDATE audit_entries SET seq = $1 WHERE seq = $2", i, j)
	mustExec(t, q, "UPDATE audit_entries SET seq = $1 WHERE seq = $2", j, tmp)
}

func insertForged(t testing.TB, q database.Querier, rng *rand.Rand, p, n int64) {
	shiftSeq(t, q, p, 1)
	for s := p + 1; s <= n; s++ {
		rehashLeaf(t, q, s)
	}
	e := randomEntry(rng, int(p))
	e.Seq = p
	e.At = e.At.UTC().Truncate(time.Microsecond)
	h := e.LeafHash()
	mustExec(t, q, `INSERT INTO audit_entries (`+cols+`, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Seq, e.At, e.ActorID, e.ActorOrg, string(e.Action), e.RecordKind, e.RecordID, e.PartnershipID,
		e.Purpose, e.RecipientOrg, e.RequestID, e.Detail, h[:])
	mustExec(t, q, "UPDATE audit_head SET size = size + 1")
}

// TestMutationsDetected is the acceptance test of the tamper evidence: on a checkpointed log of 50
// entries, an adversary with full write access (triggers off) makes one random change per trial, and
// Verify must report every one, naming the entry where the change is visible in the rows and bounding it
// between two checkpoints where the adversary recomputed every stored hash. Untouched logs ("none")
// must verify.
func TestMutationsDetected(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		trials := 260
		if db.Dialect == database.Postgres {
			trials = 90
		}
		if testing.Short() {
			trials /= 4
		}
		const n, every = 50, 8
		rng := rand.New(rand.NewPCG(20260301, uint64(len(db.Dialect))))
		f := newFixture(t, db)
		f.build(t, rng, n, every)

		muts := mutations()
		names := make([]string, 0, len(muts))
		for name := range muts {
			names = append(names, name)
		}
		sort.Strings(names)
		tried := map[string]int{}
		detected := map[string]int{}
		for trial := range trials {
			// Every kind at least once, then at random.
			name := names[trial%len(names)]
			if trial >= len(names) {
				name = names[rng.IntN(len(names))]
			}
			tx, err := db.Writer().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			disableTriggers(t, tx, db.Dialect)
			want, lo, hi := muts[name](t, tx, rng, n)
			rep, err := audit.Verify(ctx, tx, f.dir, f.verifier)
			_ = tx.Rollback()
			if err != nil {
				t.Fatalf("trial %d %s: %v", trial, name, err)
			}
			tried[name]++
			if want == -2 {
				if !rep.OK() {
					t.Errorf("trial %d: false positive on a clean log: %v", trial, rep)
				}
				continue
			}
			if rep.OK() {
				t.Errorf("trial %d %s: not detected", trial, name)
				continue
			}
			detected[name]++
			switch {
			case want >= 0 && (rep.Seq != want || rep.Last != want):
				t.Errorf("trial %d %s: reported entries %d..%d (%s), want entry %d", trial, name, rep.Seq, rep.Last, rep.Problem, want)
			case want == -1 && !(rep.Seq <= lo && hi <= rep.Last && rep.Last-rep.Seq < every):
				t.Errorf("trial %d %s: reported entries %d..%d (%s), want a range of < %d around %d..%d", trial, name, rep.Seq, rep.Last, rep.Problem, every, lo, hi)
			}
		}
		total, caught := 0, 0
		for _, name := range names {
			if name == "none" {
				continue
			}
			total += tried[name]
			caught += detected[name]
		}
		t.Logf("%s: %d/%d mutations detected over %d kinds; %d clean trials, all ok", db.Dialect, caught, total, len(names)-1, tried["none"])
		if caught != total {
			t.Errorf("detected %d of %d mutations", caught, total)
		}
		// The database itself is untouched by the rolled-back trials.
		if rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier); err != nil || !rep.OK() || rep.N != n {
			t.Fatalf("after the trials: %v, %v", rep, err)
		}
	})
}

// TestTamperedCheckpointFiles: a checkpoint whose text was changed, or that was signed by another key,
// is reported.
func TestTamperedCheckpointFiles(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	f.build(t, rand.New(rand.NewPCG(3, 4)), 12, 5)
	name := filepath.Join(f.dir, audit.CheckpointDir, "10.note")
	orig, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"changed size": []byte(strings.Replace(string(orig), "\n10\n", "\n11\n", 1)),
		"changed hash": func() []byte {
			b := append([]byte(nil), orig...)
			i := len(audit.Origin) + 4 // inside the base64 hash
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return b
		}(),
		"other key": func() []byte {
			skey, _, err := audit.GenerateKey(audit.KeyName)
			if err != nil {
				t.Fatal(err)
			}
			other := &audit.Checkpointer{DB: db, Dir: t.TempDir(), Signer: mustSigner(t, skey)}
			if _, err := other.Checkpoint(context.Background()); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(other.Dir, audit.CheckpointDir, "12.note"))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}(),
		"garbage": []byte("not a note\n"),
	}
	for cname, content := range cases {
		t.Run(cname, func(t *testing.T) {
			if err := os.WriteFile(name, content, 0o644); err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(name, orig, 0o644)
			rep, err := audit.Verify(context.Background(), db.Read(), f.dir, f.verifier)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || !strings.Contains(rep.Problem, "10.note") {
				t.Fatalf("tampered checkpoint not reported: %v", rep)
			}
		})
	}
	if rep, err := audit.Verify(context.Background(), db.Read(), f.dir, f.verifier); err != nil || !rep.OK() {
		t.Fatalf("restored: %v %v", rep, err)
	}
}

// TestLimitsOfTheLog documents, by test, what the log cannot promise (see checkpoint.go): a change to
// entries after the newest checkpoint, or a truncation together with deleting the checkpoints that cover
// it, is not detected locally. Exported copies of the checkpoints are what catch the second.
func TestLimitsOfTheLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	rng := rand.New(rand.NewPCG(5, 6))
	f.build(t, rng, 20, 10)
	appendEntries(t, db, randomEntry(rng, 20), randomEntry(rng, 21)) // not yet checkpointed

	tx, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	disableTriggers(t, tx, db.Dialect)
	mustExec(t, tx, "DELETE FROM audit_entries WHERE seq >= 20")
	mustExec(t, tx, "UPDATE audit_head SET size = 20")
	rep, err := audit.Verify(ctx, tx, f.dir, f.verifier)
	if err != nil || !rep.OK() || rep.Covered != 20 {
		t.Fatalf("removing the unexported tail is expected to go unnoticed locally: %v %v", rep, err)
	}

	mustExec(t, tx, "DELETE FROM audit_entries WHERE seq >= 10")
	mustExec(t, tx, "UPDATE audit_head SET size = 10")
	rebuildHashes(t, tx)
	if rep, _ := audit.Verify(ctx, tx, f.dir, f.verifier); rep.OK() {
		t.Fatal("truncation below a checkpoint not detected")
	}
	if err := os.Remove(filepath.Join(f.dir, audit.CheckpointDir, "20.note")); err != nil {
		t.Fatal(err)
	}
	rep, err = audit.Verify(ctx, tx, f.dir, f.verifier)
	if err != nil || !rep.OK() {
		t.Fatalf("with the covering checkpoint deleted too, truncation is expected to go unnoticed locally: %v %v", rep, err)
	}
}

// TestLargeLog covers the verifier's and checkpointer's batching over more than a thousand entries.
func TestLargeLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db)
	f.cp.Batch = 300
	rng := rand.New(rand.NewPCG(7, 8))
	var es []audit.Entry
	for i := range 2345 {
		es = append(es, randomEntry(rng, i))
	}
	appendEntries(t, db, es[:1500]...)
	if n := f.checkpoint(t); n != 1500 {
		t.Fatalf("checkpoint size %d, want 1500", n)
	}
	appendEntries(t, db, es[1500:]...)
	if n := f.checkpoint(t); n != 2345 {
		t.Fatalf("checkpoint size %d, want 2345", n)
	}
	rep, err := audit.VerifyDB(ctx, db, f.dir, f.verifier)
	if err != nil || rep.String() != "ok, 2345 entries, 2 checkpoints checked, covering 2345; every entry is covered by a checkpoint" || rep.Checkpoints != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	tx, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	disableTriggers(t, tx, db.Dialect)
	editColumn(t, tx, "detail", 2001, 2345)
	rep, err = audit.Verify(ctx, tx, f.dir, f.verifier)
	if err != nil || rep.Seq != 2001 || rep.Last != 2001 {
		t.Fatalf("edit of entry 2001: %+v %v", rep, err)
	}
}

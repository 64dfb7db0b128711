package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var base = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

var kinds = []string{"referral", "case", "person", "disclosure", "panel"}

var purposes = []string{"", "screening", "panel \"review\"", "line one\nline two", "café — naïve", "tab\there"}

// randomEntry returns an entry with varied contents, including awkward strings.
func randomEntry(rng *rand.Rand, i int) audit.Entry {
	return audit.Entry{
		At:            base.Add(time.Duration(i)*time.Minute + time.Duration(rng.IntN(1_000_000))*time.Microsecond),
		ActorID:       int64(1 + rng.IntN(9)),
		ActorOrg:      int64(100 + rng.IntN(4)),
		Action:        audit.Actions[rng.IntN(len(audit.Actions))],
		RecordKind:    kinds[rng.IntN(len(kinds))],
		RecordID:      int64(1 + rng.IntN(500)),
		PartnershipID: int64(1 + rng.IntN(3)),
		Purpose:       purposes[rng.IntN(len(purposes))],
		RecipientOrg:  int64(rng.IntN(3)),
		RequestID:     fmt.Sprintf("req-%08x", rng.Uint32()),
		Detail:        fmt.Sprintf("fields %d", rng.IntN(20)),
	}
}

func appendEntries(t testing.TB, db *database.DB, es ...audit.Entry) {
	t.Helper()
	ctx := context.Background()
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		for _, e := range es {
			if _, err := audit.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("append: %v", err)
	}
}

// fixture is a log with checkpoints, and what its verifier needs.
type fixture struct {
	db       *database.DB
	dir      string
	cp       *audit.Checkpointer
	verifier note.Verifier
}

func newFixture(t testing.TB, db *database.DB) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "audit")
	signer, verifier, err := audit.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	cp := &audit.Checkpointer{DB: db, Dir: dir, Signer: signer, Verifier: verifier,
		Now: func() time.Time { return base.Add(48 * time.Hour) }}
	return &fixture{db: db, dir: dir, cp: cp, verifier: verifier}
}

func (f *fixture) checkpoint(t testing.TB) int64 {
	t.Helper()
	n, err := f.cp.Checkpoint(context.Background())
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return n
}

// build appends n entries one transaction each, checkpointing after every `every` entries and at the end.
func (f *fixture) build(t testing.TB, rng *rand.Rand, n, every int) {
	t.Helper()
	for i := range n {
		appendEntries(t, f.db, randomEntry(rng, i))
		if every > 0 && (i+1)%every == 0 {
			f.checkpoint(t)
		}
	}
	f.checkpoint(t)
}

// The adversary: a DBA with full write access who turns off the append-only triggers.

func disableTriggers(t testing.TB, tx *sql.Tx, d database.Dialect) {
	t.Helper()
	ctx := context.Background()
	if d == database.Postgres {
		for _, tbl := range []string{"audit_entries", "audit_hashes", "audit_head"} {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE "+tbl+" DISABLE TRIGGER ALL"); err != nil {
				t.Fatalf("disable triggers on %s: %v", tbl, err)
			}
		}
		return
	}
	rows, err := tx.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_entries', 'audit_hashes', 'audit_head')")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if len(names) == 0 {
		t.Fatal("no audit triggers found")
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, "DROP TRIGGER "+n); err != nil {
			t.Fatalf("drop trigger %s: %v", n, err)
		}
	}
}

func mustExec(t testing.TB, q database.Querier, query string, args ...any) {
	t.Helper()
	if _, err := q.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

const cols = "seq, at, actor_id, actor_org, action, record_kind, record_id, partnership_id, purpose, recipient_org, request_id, detail"

func readEntry(t testing.TB, q database.Querier, seq int64) audit.Entry {
	t.Helper()
	var e audit.Entry
	var action string
	err := q.QueryRowContext(context.Background(), "SELECT "+cols+" FROM audit_entries WHERE seq = $1", seq).Scan(
		&e.Seq, &e.At, &e.ActorID, &e.ActorOrg, &action, &e.RecordKind, &e.RecordID, &e.PartnershipID,
		&e.Purpose, &e.RecipientOrg, &e.RequestID, &e.Detail)
	if err != nil {
		t.Fatalf("read entry %d: %v", seq, err)
	}
	e.Action = audit.Action(action)
	e.At = e.At.UTC()
	return e
}

func count(t testing.TB, q database.Querier, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := q.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// rehashLeaf recomputes the stored leaf hash of entry seq from its (possibly altered) contents.
func rehashLeaf(t testing.TB, q database.Querier, seq int64) {
	t.Helper()
	h := readEntry(t, q, seq).LeafHash()
	mustExec(t, q, "UPDATE audit_entries SET leaf_hash = $1 WHERE seq = $2", h[:], seq)
}

// rebuildHashes is the DBA recomputing audit_hashes from the rows as they now are.
func rebuildHashes(t testing.TB, q database.Querier) {
	t.Helper()
	n := count(t, q, "SELECT COUNT(*) FROM audit_entries")
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idxs []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idxs))
		for i, x := range idxs {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := range n {
		hs, err := tlog.StoredHashesForRecordHash(i, readEntry(t, q, i).LeafHash(), r)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	mustExec(t, q, "DELETE FROM audit_hashes")
	for i, h := range stored {
		mustExec(t, q, "INSERT INTO audit_hashes (idx, hash) VALUES ($1, $2)", int64(i), h[:])
	}
}

// shiftSeq moves entries with seq >= from by delta, in two steps so that no step collides.
func shiftSeq(t testing.TB, q database.Querier, from, delta int64) {
	t.Helper()
	const far = 1_000_000
	mustExec(t, q, "UPDATE audit_entries SET seq = seq + $1 WHERE seq >= $2", far, from)
	mustExec(t, q, "UPDATE audit_entries SET seq = seq - $1 WHERE seq >= $2", far-delta, far)
}

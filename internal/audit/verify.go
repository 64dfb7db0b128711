package audit

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/witness"

	"github.com/preventplatform/prevent/internal/database"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Report is the outcome of Verify.
type Report struct {
	// N is the number of entries read.
	N int64
	// Checkpoints is the number of checkpoint files whose signature and tree hash were checked.
	Checkpoints int
	// Covered is the size of the largest checkpoint that matched: entries 0..Covered-1 are proven intact.
	Covered int64
	// Newest is the newest checkpoint that matched (zero when none did), for comparing with the exported
	// copies: a deleted newest checkpoint can only be noticed there.
	Newest Checkpoint
	// Hashed is how many entries the stored Merkle tree (audit_hashes) covers. The checkpointer extends the
	// stored tree just before it signs, so Hashed above Covered means that the service stopped between the
	// two, that it is signing now, or that the newest checkpoint files were deleted.
	Hashed int64
	// Problem describes the first inconsistency found; it is empty when the log verified.
	Problem string
	// Seq and Last bound the first inconsistent entry: it is one of entries Seq..Last (Seq == Last when
	// it is named exactly). Both are -1 when the problem is not tied to entries (a bad checkpoint file).
	Seq, Last int64
	// Epoch is the epoch whose checkpoints were checked against the log, and Epochs how many epochs the
	// audit directory holds (1 until a restore starts the second). Statements are the epoch statements
	// of epochs 1..Epochs-1, each checked (epoch.go).
	Epoch, Epochs int64
	Statements    []Epoch
	// Witnessed is the time of the witness's cosignature on the newest checkpoint, when a witness key
	// was given and it verified.
	Witnessed time.Time
}

// OK reports whether the log verified.
func (r Report) OK() bool { return r.Problem == "" }

// Uncovered is the number of entries after the newest checkpoint: no signature vouches for them yet.
func (r Report) Uncovered() int64 { return r.N - r.Covered }

// String summarises a log that verified, as "ok, 1179 entries, 12 checkpoints checked, covering 1150;
// 29 entries not yet covered by a checkpoint", and names the problem otherwise.
func (r Report) String() string {
	if !r.OK() {
		return "problem: " + r.Problem
	}
	epochs := ""
	if r.Epochs > 1 {
		epochs = plural(r.Epochs, "epoch", "epochs") + ", "
	}
	s := fmt.Sprintf("ok, %s, %s%s checked, covering %d", plural(r.N, "entry", "entries"), epochs, plural(int64(r.Checkpoints), "checkpoint", "checkpoints"), r.Covered)
	switch u := r.Uncovered(); {
	case u == 0:
		return s + "; every entry is covered by a checkpoint"
	case u == 1:
		return s + "; 1 entry not yet covered by a checkpoint"
	default:
		return fmt.Sprintf("%s; %d entries not yet covered by a checkpoint", s, u)
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

type verifiedCheckpoint struct {
	name string
	Checkpoint
	// pseudo marks a tree head that is not one of the selected epoch's checkpoints: an epoch statement's,
	// or a kept checkpoint of the previous epoch.
	pseudo bool
}

// loadCheckpoints reads and checks the checkpoints of epoch in cpdir on their own: each is signed by
// verifier, belongs to the epoch and is in the file named after its size, none is below the size its
// epoch was restored to, and the checkpoint each names as its predecessor is there. It returns them
// ascending, or the problem found.
func loadCheckpoints(cpdir string, epoch int64, verifier note.Verifier, stmt *Epoch) ([]verifiedCheckpoint, string, error) {
	sizes, err := checkpointSizes(cpdir)
	if err != nil {
		return nil, "", err
	}
	var cps []verifiedCheckpoint
	for _, size := range sizes {
		name := checkpointPath(epoch, size)
		b, err := os.ReadFile(filepath.Join(cpdir, checkpointName(size)))
		if err != nil {
			return nil, "", fmt.Errorf("audit: read checkpoint: %w", err)
		}
		cp, err := OpenCheckpoint(b, verifier)
		if err != nil {
			return nil, fmt.Sprintf("checkpoint %s: %v", name, err), nil
		}
		if cp.N != size {
			return nil, fmt.Sprintf("checkpoint %s is signed for size %d", name, cp.N), nil
		}
		if cp.Epoch != epoch {
			return nil, fmt.Sprintf("checkpoint %s belongs to epoch %d, not epoch %d: it was copied from another epoch's directory", name, cp.Epoch, epoch), nil
		}
		if stmt != nil && size < stmt.Restored {
			return nil, fmt.Sprintf("checkpoint %s covers fewer entries than epoch %d was restored with (%d)", name, epoch, stmt.Restored), nil
		}
		cps = append(cps, verifiedCheckpoint{name: name, Checkpoint: cp})
	}
	// Each checkpoint names the one signed before it: that one must still be there, so that deleting a
	// checkpoint file is noticed while a later checkpoint survives.
	for _, cp := range cps {
		if !cp.HasPrev || cp.Prev == 0 {
			continue
		}
		if _, ok := slices.BinarySearch(sizes, cp.Prev); !ok {
			return nil, fmt.Sprintf("checkpoint %s was signed after checkpoint %s, which is missing: a checkpoint file was deleted or renamed", cp.name, checkpointPath(epoch, cp.Prev)), nil
		}
	}
	return cps, "", nil
}

// VerifyOptions are the checks Verify makes beyond the default.
type VerifyOptions struct {
	// PastEpoch selects, instead of the current epoch, the epoch Epoch, whose checkpoints are then
	// checked against the log (for the database a restore moved aside); other epochs are not checked.
	PastEpoch bool
	Epoch     int64
	// Witness, when set, is the key of a witness whose cosignature the newest checkpoint must carry
	// (checkCosigned).
	Witness *witness.Verifier
}

// Verify checks the audit log in q against itself and against every signed checkpoint in the audit
// directory dir. It reads the entries in seq order and checks that they are numbered 0..N-1 and that
// N equals audit_head.size; re-encodes each row and compares it with its stored leaf_hash and with the
// hashes stored in audit_hashes; recomputes the whole tree; and checks each checkpoint's signature and
// that the recomputed tree hash at its size equals the signed one (a checkpoint larger than N means the
// log was truncated). With epochs (epoch.go), the current epoch's checkpoints are checked so, with its
// statement's restored tree head and the previous epoch's checkpoints it kept; the earlier epochs'
// checkpoints, whose entries a restore discarded, are checked for signature, epoch, size and chain, and
// against the statements. The first inconsistency is described in Report.Problem; the error is only for
// failures to read. Run it in a snapshot (VerifyDB does) when the log is being written to.
func Verify(ctx context.Context, q database.Querier, dir string, verifier note.Verifier) (Report, error) {
	return VerifyWith(ctx, q, dir, verifier, VerifyOptions{})
}

// VerifyWith is Verify with options.
func VerifyWith(ctx context.Context, q database.Querier, dir string, verifier note.Verifier, opt VerifyOptions) (Report, error) {
	rep := Report{Seq: -1, Last: -1}
	fail := func(seq, last int64, format string, args ...any) (Report, error) {
		rep.Problem = fmt.Sprintf(format, args...)
		rep.Seq, rep.Last = seq, last
		return rep, nil
	}

	ns, err := epochNumbers(dir)
	if err != nil {
		return rep, err
	}
	for i, n := range ns {
		if n != int64(i+1) {
			return fail(-1, -1, "epoch %d has a statement but epoch %d has none (%s is missing): an epoch was removed",
				n, i+1, filepath.Join(EpochsDir, strconv.Itoa(i+1), EpochStatementFile))
		}
		e, err := readEpoch(dir, n, verifier)
		var ie *IntegrityError
		if errors.As(err, &ie) {
			return fail(-1, -1, "%s", ie.Problem)
		}
		if err != nil {
			return rep, err
		}
		rep.Statements = append(rep.Statements, e)
	}
	current := int64(len(ns))
	rep.Epochs = current + 1
	rep.Epoch = current
	if opt.PastEpoch {
		if opt.Epoch < 0 || opt.Epoch > current {
			return fail(-1, -1, "there is no epoch %d: the audit directory holds epochs 0..%d", opt.Epoch, current)
		}
		rep.Epoch = opt.Epoch
	}
	statement := func(n int64) *Epoch {
		if n < 1 || n > int64(len(rep.Statements)) {
			return nil
		}
		return &rep.Statements[n-1]
	}

	// Every epoch's checkpoints are read and checked on their own first.
	byEpoch := map[int64][]verifiedCheckpoint{}
	for k := int64(0); k <= current; k++ {
		if opt.PastEpoch && k != rep.Epoch {
			continue
		}
		cps, problem, err := loadCheckpoints(EpochCheckpointDir(dir, k), k, verifier, statement(k))
		if err != nil || problem != "" {
			rep.Problem = problem
			return rep, err
		}
		byEpoch[k] = cps
		if k == current || opt.PastEpoch {
			continue
		}
		// A closed epoch: its statement and the next one's must agree with its checkpoints.
		next := statement(k + 1)
		largest := next.Restored
		if s := statement(k); s != nil {
			largest = max(largest, s.Restored)
		}
		if len(cps) > 0 {
			largest = max(largest, cps[len(cps)-1].N)
		}
		if largest != next.Discarded {
			return fail(-1, -1, "the statement of epoch %d says epoch %d had signed %d entries, but its newest tree head covers %d: "+
				"a checkpoint of epoch %d was removed, or one was added after the restore", k+1, k, next.Discarded, largest, k)
		}
		if next.Kept > 0 {
			var kept *tlog.Hash
			if s := statement(k); s != nil && s.Restored == next.Kept {
				kept = &s.Hash
			}
			for _, cp := range cps {
				if cp.N == next.Kept {
					kept = &cp.Hash
				}
			}
			if kept == nil || *kept != next.KeptHash {
				return fail(-1, -1, "the statement of epoch %d names the tree head of size %d of epoch %d, which is not there or differs", k+1, next.Kept, k)
			}
		}
	}

	// The heads checked against the log: the selected epoch's checkpoints, its statement's restored tree
	// head and, for the current epoch, the previous epoch's checkpoints up to the one its statement kept.
	cps := byEpoch[rep.Epoch]
	own := len(cps)
	if s := statement(rep.Epoch); s != nil {
		cps = append(cps, verifiedCheckpoint{name: "the statement of epoch " + strconv.FormatInt(rep.Epoch, 10),
			Checkpoint: Checkpoint{Epoch: rep.Epoch, N: s.Restored, Hash: s.Hash}, pseudo: true})
		if !opt.PastEpoch {
			for _, cp := range byEpoch[rep.Epoch-1] {
				if cp.N <= s.Kept {
					cp.pseudo = true
					cps = append(cps, cp)
				}
			}
		}
	}
	slices.SortStableFunc(cps, func(a, b verifiedCheckpoint) int { return cmp.Compare(a.N, b.N) })

	var head int64
	err = q.QueryRowContext(ctx, "SELECT size FROM audit_head WHERE id = 1").Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return fail(0, 0, "audit_head has no row")
	}
	if err != nil {
		return rep, fmt.Errorf("audit: read head: %w", err)
	}

	tree := &hashTree{nodes: map[int64]tlog.Hash{}}
	next := 0 // the next checkpoint to check
	// checkCheckpoints checks the checkpoints whose size the tree has reached.
	checkCheckpoints := func() (bool, error) {
		for next < len(cps) && cps[next].N == tree.n {
			cp := cps[next]
			root, err := tree.root()
			if err != nil {
				return false, err
			}
			if root != cp.Hash {
				from := rep.Covered
				rep.Problem = fmt.Sprintf("%s does not match the log: the first changed entry is among entries %d..%d", cp.name, from, cp.N-1)
				rep.Seq, rep.Last = from, cp.N-1
				return false, nil
			}
			if !cp.pseudo {
				rep.Checkpoints++
				rep.Newest = cp.Checkpoint
			}
			rep.Covered = max(rep.Covered, cp.N)
			next++
		}
		return true, nil
	}
	if ok, err := checkCheckpoints(); !ok {
		return rep, err
	}

	// The log is read in batches of entries, each with the stored hashes over it; the batch's rows, the
	// stored hashes and the leaf encoding reuse their memory from one batch and entry to the next.
	const batch = 1000
	hashGap := false // some earlier entry had no stored hashes
	var (
		rows   []entryRow
		stored storedHashes
		buf    []byte
	)
	for {
		rows, err = appendEntryRows(ctx, q, tree.n, batch, rows[:0])
		if err != nil {
			return rep, err
		}
		if len(rows) == 0 {
			break
		}
		first := tree.n
		err = stored.read(ctx, q, tlog.StoredHashIndex(0, first), tlog.StoredHashIndex(0, first+int64(len(rows))))
		if err != nil {
			return rep, err
		}
		for i := range rows {
			r := &rows[i]
			e := tree.n
			rep.N = e
			if r.entry.Seq != e {
				return fail(e, e, "entry %d is missing (the next entry is %d)", e, r.entry.Seq)
			}
			if r.problem != "" {
				return fail(e, e, "entry %d: %s", e, r.problem)
			}
			var leaf tlog.Hash
			leaf, buf = r.entry.leafHash(buf)
			if !bytes.Equal(leaf[:], r.leaf) {
				return fail(e, e, "entry %d: its contents do not match its stored leaf hash", e)
			}
			base := tlog.StoredHashIndex(0, e)
			hs, err := tree.add(leaf)
			if err != nil {
				return rep, err
			}
			present := 0
			for j := range hs {
				if _, ok := stored.get(base + int64(j)); ok {
					present++
				}
			}
			if present > 0 {
				rep.Hashed = e + 1
			}
			switch {
			case present == 0:
				hashGap = true
			case hashGap || present != len(hs):
				return fail(e, e, "entry %d: the stored tree has a gap here (hashes were deleted)", e)
			default:
				for j, h := range hs {
					if sh, _ := stored.get(base + int64(j)); sh == h {
						continue
					}
					if j == 0 {
						return fail(e, e, "entry %d: its contents do not match its hash in the stored tree", e)
					}
					from := e + 1 - int64(1)<<j
					return fail(from, e, "entries %d..%d do not match the stored tree hash over them (level %d)", from, e, j)
				}
			}
			if ok, err := checkCheckpoints(); !ok {
				return rep, err
			}
		}
		rep.N = tree.n
		if len(rows) < batch {
			break
		}
	}
	n := tree.n
	rep.N = n

	var extra int64
	err = q.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_hashes WHERE idx >= $1", tlog.StoredHashCount(n)).Scan(&extra)
	if err != nil {
		return rep, fmt.Errorf("audit: read hashes: %w", err)
	}
	if extra > 0 {
		return fail(n, n, "audit_hashes holds hashes for entries after the last entry (%d): entries from %d on were removed", n-1, n)
	}
	if head != n {
		return fail(min(head, n), max(head, n)-1, "audit_head.size is %d but the log holds %d entries", head, n)
	}
	if next < len(cps) {
		cp := cps[next]
		// Entries Covered..n-1 are still there but no checkpoint vouches for them, so the first changed
		// entry is bounded, not named.
		return fail(rep.Covered, cp.N-1, "%s covers %d entries but the log holds %d: entries %d..%d are missing (truncated) and entries from %d on are unproven", cp.name, cp.N, n, n, cp.N-1, rep.Covered)
	}
	if opt.Witness != nil {
		if own == 0 {
			return fail(-1, -1, "epoch %d has no checkpoint yet, so none carries the witness's cosignature: start the service, which signs one and sends it to the witness", rep.Epoch)
		}
		rel := EpochCheckpointDir("", rep.Epoch)
		problem, when, err := checkCosigned(EpochCheckpointDir(dir, rep.Epoch), rel, rep.Newest.N, verifier, opt.Witness)
		if err != nil {
			return rep, err
		}
		if problem != "" {
			return fail(-1, -1, "%s", problem)
		}
		rep.Witnessed = when
	}
	return rep, nil
}

// VerifyDB runs Verify on a consistent snapshot of db, so that appends made meanwhile do not disturb it:
// a read-only REPEATABLE READ transaction on PostgreSQL, a read transaction on SQLite.
func VerifyDB(ctx context.Context, db *database.DB, dir string, verifier note.Verifier) (Report, error) {
	return VerifyDBWith(ctx, db, dir, verifier, VerifyOptions{})
}

// VerifyDBWith is VerifyDB with options.
func VerifyDBWith(ctx context.Context, db *database.DB, dir string, verifier note.Verifier, opt VerifyOptions) (Report, error) {
	var tx *sql.Tx
	var err error
	if db.Dialect == database.Postgres {
		tx, err = db.Writer().BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	} else if r, ok := db.Read().(*sql.DB); ok {
		tx, err = r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	} else {
		tx, err = db.Writer().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	}
	if err != nil {
		return Report{Seq: -1, Last: -1}, fmt.Errorf("audit: verify: begin: %w", err)
	}
	defer tx.Rollback()
	return VerifyWith(ctx, tx, dir, verifier, opt)
}

// storedHashes holds the stored hashes with indexes in [lo, lo+len(hash)), as read by read.
type storedHashes struct {
	lo   int64
	hash []tlog.Hash
	ok   []bool // whether audit_hashes holds the hash at that index
}

// read reads the stored hashes with indexes in [lo, hi), reusing the memory of the previous read.
func (s *storedHashes) read(ctx context.Context, q database.Querier, lo, hi int64) error {
	n := int(hi - lo)
	s.lo = lo
	s.hash = slices.Grow(s.hash[:0], n)[:n]
	s.ok = slices.Grow(s.ok[:0], n)[:n]
	clear(s.ok)
	rows, err := q.QueryContext(ctx, "SELECT idx, hash FROM audit_hashes WHERE idx >= $1 AND idx < $2", lo, hi)
	if err != nil {
		return fmt.Errorf("audit: read hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int64
		var b sql.RawBytes
		if err := rows.Scan(&idx, &b); err != nil {
			return fmt.Errorf("audit: read hashes: %w", err)
		}
		if idx < lo || idx >= hi {
			continue
		}
		i := idx - lo
		if len(b) == tlog.HashSize {
			s.hash[i] = tlog.Hash(b)
		} else {
			// A stored hash of the wrong length stands in as a value that matches no real hash.
			s.hash[i] = tlog.RecordHash(append([]byte("malformed stored hash "), b...))
		}
		s.ok[i] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: read hashes: %w", err)
	}
	return nil
}

// get returns the stored hash at idx, and whether there is one.
func (s *storedHashes) get(idx int64) (tlog.Hash, bool) {
	i := idx - s.lo
	if i < 0 || i >= int64(len(s.ok)) || !s.ok[i] {
		return tlog.Hash{}, false
	}
	return s.hash[i], true
}

package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Epochs.
//
// Restoring a database backup takes the audit log back to the size it had when the backup was taken: the
// entries written after it are gone, and checkpoints may have been signed over them. Those checkpoints are
// evidence of what the log held, so they are never removed. Instead the restore starts a new epoch: epoch 0
// is the log as first started, and every restore that finds signed checkpoints opens the next one with a
// signed epoch statement. Each epoch keeps its checkpoints in a directory of its own, and names itself in
// the origin line of its checkpoints (EpochOrigin), so a checkpoint of one epoch can never be mistaken for
// one of another even when both cover the same number of entries.
//
//	<audit>/checkpoints/<size>.note               epoch 0
//	<audit>/epochs/<n>/epoch.note                 the statement that opened epoch n (n >= 1)
//	<audit>/epochs/<n>/checkpoints/<size>.note    epoch n's checkpoints
//
// An epoch exists once its statement does: the restore creates the directory first and writes the
// statement last, so a restore that is killed half way leaves the previous epoch current.

// EpochsDir is the subdirectory of the audit directory that holds the epochs after the first.
const EpochsDir = "epochs"

// EpochStatementFile is the name of an epoch's statement in its directory.
const EpochStatementFile = "epoch.note"

// epochHeader is the first line of an epoch statement; it is never a checkpoint origin.
const epochHeader = "prevent-audit-epoch/v1"

// Epoch is the signed statement that opens epoch Number: "the log was restored to Restored entries, whose
// tree hash is Hash; the entries Restored..Discarded-1 that checkpoints of the previous epoch covered are
// discarded; the newest checkpoint of the previous epoch that still holds is Kept, with hash KeptHash".
// It is signed with the same key as the checkpoints.
type Epoch struct {
	Number   int64
	Restored int64
	Hash     tlog.Hash
	// Discarded is the largest size the previous epoch had signed (its newest checkpoint), or Restored
	// when it had signed nothing beyond the restored size.
	Discarded int64
	// Kept is the size of the newest tree head of the previous epoch (a checkpoint, or its own statement)
	// that is not larger than Restored, 0 when there is none; KeptHash is its hash.
	Kept     int64
	KeptHash tlog.Hash
	Time     time.Time
}

// Format returns the statement's canonical note body.
func (e Epoch) Format() []byte {
	var b bytes.Buffer
	b64 := base64.StdEncoding.EncodeToString
	fmt.Fprintf(&b, "%s\nepoch %d\nrestored %d\nhash %s\ndiscarded %d %d\nkept %d %s\ntime %s\n", epochHeader, e.Number,
		e.Restored, b64(e.Hash[:]), e.Restored, e.Discarded, e.Kept, b64(e.KeptHash[:]), e.Time.UTC().Format(time.RFC3339))
	return b.Bytes()
}

// ParseEpoch parses an epoch statement body; only the canonical encoding is accepted.
func ParseEpoch(text []byte) (Epoch, error) {
	var e Epoch
	bad := func(what string) (Epoch, error) { return Epoch{}, errors.New("audit: epoch statement: " + what) }
	if len(text) > maxCheckpointSize {
		return bad("too large")
	}
	s, ok := strings.CutSuffix(string(text), "\n")
	if !ok {
		return bad("body does not end in a newline")
	}
	lines := strings.Split(s, "\n")
	if len(lines) != 7 || lines[0] != epochHeader {
		return bad("want the header line and the epoch, restored, hash, discarded, kept and time lines")
	}
	field := func(i int, key string, n int) ([]string, bool) {
		v, ok := strings.CutPrefix(lines[i], key+" ")
		if !ok {
			return nil, false
		}
		f := strings.Split(v, " ")
		return f, len(f) == n
	}
	hash := func(s string) (tlog.Hash, bool) {
		var h tlog.Hash
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize || base64.StdEncoding.EncodeToString(b) != s {
			return h, false
		}
		copy(h[:], b)
		return h, true
	}
	f, ok := field(1, "epoch", 1)
	if ok {
		e.Number, ok = parseSize(f[0])
	}
	if !ok || e.Number < 1 {
		return bad("malformed epoch line")
	}
	if f, ok = field(2, "restored", 1); ok {
		e.Restored, ok = parseSize(f[0])
	}
	if !ok {
		return bad("malformed restored line")
	}
	if f, ok = field(3, "hash", 1); ok {
		e.Hash, ok = hash(f[0])
	}
	if !ok {
		return bad("malformed hash line")
	}
	var from int64
	if f, ok = field(4, "discarded", 2); ok {
		from, ok = parseSize(f[0])
		if ok {
			e.Discarded, ok = parseSize(f[1])
		}
	}
	if !ok || from != e.Restored || e.Discarded < e.Restored {
		return bad("malformed discarded line (want the restored size and a size not below it)")
	}
	if f, ok = field(5, "kept", 2); ok {
		e.Kept, ok = parseSize(f[0])
		if ok {
			e.KeptHash, ok = hash(f[1])
		}
	}
	if !ok || e.Kept > e.Restored {
		return bad("malformed kept line (want a size not above the restored size, and its hash)")
	}
	if f, ok = field(6, "time", 1); ok {
		t, err := time.Parse(time.RFC3339, f[0])
		ok = err == nil && t.UTC().Format(time.RFC3339) == f[0]
		e.Time = t.UTC()
	}
	if !ok {
		return bad("malformed time line")
	}
	return e, nil
}

// OpenEpoch checks that msg is a note signed by verifier and parses its body.
func OpenEpoch(msg []byte, verifier note.Verifier) (Epoch, error) {
	if len(msg) > maxCheckpointSize {
		return Epoch{}, errors.New("audit: epoch statement: too large")
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return Epoch{}, fmt.Errorf("audit: epoch statement signature: %w", err)
	}
	return ParseEpoch([]byte(n.Text))
}

// EpochDir is the directory of epoch n inside the audit directory dir: dir itself for epoch 0.
func EpochDir(dir string, n int64) string {
	if n == 0 {
		return dir
	}
	return filepath.Join(dir, EpochsDir, strconv.FormatInt(n, 10))
}

// EpochCheckpointDir is where epoch n keeps its checkpoints.
func EpochCheckpointDir(dir string, n int64) string {
	return filepath.Join(EpochDir(dir, n), CheckpointDir)
}

// epochNumbers lists the epochs after the first whose statement exists, ascending.
func epochNumbers(dir string) ([]int64, error) {
	des, err := os.ReadDir(filepath.Join(dir, EpochsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: epochs: %w", err)
	}
	var ns []int64
	for _, de := range des {
		n, ok := parseSize(de.Name())
		if !ok || n == 0 || !de.IsDir() {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(dir, EpochsDir, de.Name(), EpochStatementFile)); err == nil && fi.Mode().IsRegular() {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns) // os.ReadDir sorts by name, not by number
	return ns, nil
}

// readEpoch reads and checks the statement of epoch n (n >= 1).
func readEpoch(dir string, n int64, verifier note.Verifier) (Epoch, error) {
	path := filepath.Join(EpochDir(dir, n), EpochStatementFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return Epoch{}, fmt.Errorf("audit: %w", err)
	}
	var e Epoch
	if verifier != nil {
		e, err = OpenEpoch(b, verifier)
	} else {
		var nt *note.Note
		nt, err = note.Open(b, note.VerifierList())
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			nt, err = unverified.Note, nil
		}
		if err == nil {
			e, err = ParseEpoch([]byte(nt.Text))
		}
	}
	if err != nil {
		return Epoch{}, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("%s: %v", path, err)}
	}
	if e.Number != n {
		return Epoch{}, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("%s states epoch %d", path, e.Number)}
	}
	return e, nil
}

// currentEpoch returns the current epoch's number and, after the first, its statement.
func currentEpoch(dir string, verifier note.Verifier) (int64, *Epoch, error) {
	ns, err := epochNumbers(dir)
	if err != nil || len(ns) == 0 {
		return 0, nil, err
	}
	n := ns[len(ns)-1]
	e, err := readEpoch(dir, n, verifier)
	if err != nil {
		return 0, nil, err
	}
	return n, &e, nil
}

// CurrentEpoch returns the number of the current epoch of the audit directory dir: 0 until a restore
// starts the next.
func CurrentEpoch(dir string) (int64, error) {
	n, _, err := currentEpoch(dir, nil)
	return n, err
}

// StartEpochAfterRestore is run by a restore, on the restored database, before the service starts on it.
// When the audit directory holds signed checkpoints, it opens a new epoch: it extends the stored tree
// over the restored log, checks that the log matches the newest tree head of the current epoch that is not
// larger than it (a backup of another log, or a changed one, is refused with an *IntegrityError and nothing
// is written), and writes the signed statement of the new epoch, signed with the key in dir. Nothing is
// moved or removed: the current epoch's checkpoints stay where they are as evidence, and the new epoch's
// checkpoints go into a directory of their own. It returns nil when there was nothing signed to keep.
func StartEpochAfterRestore(ctx context.Context, db *database.DB, dir string, now time.Time) (*Epoch, error) {
	cur, stmt, err := currentEpoch(dir, nil)
	if err != nil {
		return nil, err
	}
	sizes, err := checkpointSizes(EpochCheckpointDir(dir, cur))
	if err != nil {
		return nil, err
	}
	if cur == 0 && len(sizes) == 0 {
		return nil, nil
	}
	if _, err := os.Stat(filepath.Join(dir, SignerKeyFile)); err != nil {
		return nil, fmt.Errorf("audit: the signing key of the checkpoints in %s is not there (%w): a new epoch must be signed with it", dir, err)
	}
	signer, verifier, err := LoadOrCreateKey(dir)
	if err != nil {
		return nil, err
	}
	if stmt != nil {
		if _, err := readEpoch(dir, cur, verifier); err != nil {
			return nil, err
		}
	}
	c := &Checkpointer{DB: db, Dir: dir, Signer: signer, Verifier: verifier}
	size, err := c.extendAll(ctx)
	if err != nil {
		return nil, err
	}
	reader := dbHashReader(ctx, db.Read())
	root, err := tlog.TreeHash(size, reader)
	if err != nil {
		return nil, fmt.Errorf("audit: tree hash: %w", err)
	}
	e := Epoch{Number: cur + 1, Restored: size, Hash: root, Discarded: size, Time: now.UTC().Truncate(time.Second)}
	e.KeptHash, _ = tlog.TreeHash(0, reader)
	if stmt != nil {
		e.Discarded = max(e.Discarded, stmt.Restored)
		if stmt.Restored <= size {
			e.Kept, e.KeptHash = stmt.Restored, stmt.Hash
		}
	}
	for _, s := range sizes {
		e.Discarded = max(e.Discarded, s)
		if s > size || s <= e.Kept {
			continue
		}
		cp, err := c.readCheckpoint(EpochCheckpointDir(dir, cur), s, cur)
		if err != nil {
			return nil, err
		}
		e.Kept, e.KeptHash = s, cp.Hash
	}
	if e.Kept > 0 {
		h, err := tlog.TreeHash(e.Kept, reader)
		if err != nil {
			return nil, fmt.Errorf("audit: tree hash: %w", err)
		}
		if h != e.KeptHash {
			return nil, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("the restored log does not match the signed tree head of size %d in epoch %d: "+
				"entries before %d differ from the ones that were signed, so the backup is not of this log or was changed; no new epoch was started", e.Kept, cur, e.Kept)}
		}
	}
	msg, err := note.Sign(&note.Note{Text: string(e.Format())}, signer)
	if err != nil {
		return nil, fmt.Errorf("audit: sign epoch statement: %w", err)
	}
	edir := EpochDir(dir, e.Number)
	if err := os.MkdirAll(filepath.Join(edir, CheckpointDir), 0o700); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	for _, d := range []string{filepath.Join(dir, EpochsDir), dir} {
		if err := syncDir(d); err != nil {
			return nil, err
		}
	}
	if err := writeFileAtomic(edir, EpochStatementFile, msg, 0o644); err != nil {
		return nil, err
	}
	return &e, nil
}

// What the audit log can and cannot promise.
//
// The entries form an RFC 6962 Merkle tree (golang.org/x/mod/sumdb/tlog). The Checkpointer signs the tree's
// size and root hash with an Ed25519 key kept in a file outside the database and writes each signed
// checkpoint to a directory outside the database, from where operations export it (WORM store, a partner
// organisation, the DPO). Verify recomputes the tree from the rows themselves and checks it against every
// checkpoint it is given.
//
// It can promise detection: any edit, deletion, insertion or reordering of entries covered by a checkpoint,
// and any truncation below a checkpoint's size, is reported by Verify, even when the person doing it has
// full write access to the database and recomputes every hash stored there, as long as the signing key
// and the checkpoint copies are out of their reach.
//
// It cannot promise prevention: that rests on access control (append-only triggers, no UPDATE/DELETE
// grants to the application role) and on the operators of the database. It cannot protect entries
// written after the most recent exported checkpoint (about a second while the service runs, Run):
// someone with write access can remove or change those silently, and can delete the newest local
// checkpoint files, which is why checkpoints must be copied elsewhere, and a witness (witness.go) asked
// to cosign them. (Every checkpoint names the size of the one signed
// before it, so a deleted checkpoint is noticed while a later one survives, and a file holding another
// size's checkpoint, such as an older one copied over a newer, is noticed by its name.) It cannot show that an event which was never logged is missing.
// Whoever holds the signing key (or the running application) can sign new, forged entries; only entries
// already covered by an exported checkpoint stay protected. On SQLite the database file is protected
// only by file permissions: the same evidence, weaker resistance.

package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Origin is the first line of every checkpoint body of epoch 0: it names the log the checkpoint is about.
// A restore starts a new epoch (epoch.go), whose checkpoints name the origin EpochOrigin(n) instead, so
// that a checkpoint of one epoch is never taken for one of another, even at the same size.
const Origin = "prevent-audit"

// EpochOrigin is the origin line of the checkpoints of epoch n: Origin for epoch 0, Origin+"/epoch-<n>"
// after the n-th restore.
func EpochOrigin(n int64) string {
	if n == 0 {
		return Origin
	}
	return Origin + "/epoch-" + strconv.FormatInt(n, 10)
}

// parseOrigin returns the epoch an origin line names.
func parseOrigin(s string) (int64, bool) {
	if s == Origin {
		return 0, true
	}
	v, ok := strings.CutPrefix(s, Origin+"/epoch-")
	if !ok {
		return 0, false
	}
	n, ok := parseSize(v)
	return n, ok && n > 0
}

// CheckpointDir is the subdirectory of the audit directory that holds the signed checkpoints.
const CheckpointDir = "checkpoints"

// maxCheckpointSize bounds a checkpoint file; a real one is a few hundred bytes.
const maxCheckpointSize = 64 << 10

// Checkpoint is the signed statement "the log had N entries and this tree hash" (the body of a
// checkpoint note, in the C2SP checkpoint layout: origin, size, base64 hash, then extension lines).
type Checkpoint struct {
	// Epoch is the epoch the checkpoint belongs to, named by its origin line (EpochOrigin).
	Epoch int64
	N     int64
	Hash  tlog.Hash
	// Time is when the checkpoint was made (whole seconds, UTC); zero if the body has no time line.
	Time time.Time
	// Prev is the size of the newest checkpoint that was in the directory when this one was signed, 0 when
	// there was none. It chains the checkpoints, so that a deleted checkpoint file is noticed as long as a
	// later one survives. HasPrev says whether the body carries the line: checkpoints signed before the
	// line was introduced do not.
	Prev    int64
	HasPrev bool
}

// Format returns the checkpoint's canonical note body: origin, size, hash, then the optional extension
// lines "time <RFC 3339>" and "prev <size>", in that order.
func (c Checkpoint) Format() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d\n%s\n", EpochOrigin(c.Epoch), c.N, base64.StdEncoding.EncodeToString(c.Hash[:]))
	if !c.Time.IsZero() {
		fmt.Fprintf(&b, "time %s\n", c.Time.UTC().Format(time.RFC3339))
	}
	if c.HasPrev {
		fmt.Fprintf(&b, "prev %d\n", c.Prev)
	}
	return b.Bytes()
}

// ParseCheckpoint parses a checkpoint note body (the text without signatures). Only the canonical
// encoding is accepted, so that ParseCheckpoint(text).Format() equals text.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	var c Checkpoint
	if len(text) > maxCheckpointSize {
		return c, errors.New("audit: checkpoint: too large")
	}
	s := string(text)
	if !strings.HasSuffix(s, "\n") {
		return c, errors.New("audit: checkpoint: body does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) < 3 || len(lines) > 5 {
		return c, errors.New("audit: checkpoint: want origin, size, hash and the optional time and prev lines")
	}
	epoch, ok := parseOrigin(lines[0])
	if !ok {
		return c, fmt.Errorf("audit: checkpoint: origin %q, want %q or %q", lines[0], Origin, Origin+"/epoch-<n>")
	}
	c.Epoch = epoch
	n, ok := parseSize(lines[1])
	if !ok {
		return c, errors.New("audit: checkpoint: malformed size")
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize || base64.StdEncoding.EncodeToString(h) != lines[2] {
		return c, errors.New("audit: checkpoint: malformed hash")
	}
	c.N = n
	copy(c.Hash[:], h)
	ext := lines[3:]
	if len(ext) > 0 {
		if v, ok := strings.CutPrefix(ext[0], "time "); ok {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil || t.IsZero() || t.UTC().Format(time.RFC3339) != v {
				return Checkpoint{}, errors.New("audit: checkpoint: malformed time")
			}
			c.Time = t.UTC()
			ext = ext[1:]
		}
	}
	if len(ext) > 0 {
		if v, ok := strings.CutPrefix(ext[0], "prev "); ok {
			p, ok := parseSize(v)
			if !ok || p >= c.N {
				return Checkpoint{}, errors.New("audit: checkpoint: malformed prev line (want a size below the checkpoint's own)")
			}
			c.Prev, c.HasPrev = p, true
			ext = ext[1:]
		}
	}
	if len(ext) > 0 {
		return Checkpoint{}, errors.New("audit: checkpoint: unknown or misplaced extension line")
	}
	return c, nil
}

// parseSize parses a canonical non-negative decimal.
func parseSize(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

// OpenCheckpoint checks that msg is a note signed by verifier and parses its body. It is the parser the
// verifier uses for checkpoint files.
func OpenCheckpoint(msg []byte, verifier note.Verifier) (Checkpoint, error) {
	if len(msg) > maxCheckpointSize {
		return Checkpoint{}, errors.New("audit: checkpoint: too large")
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoint signature: %w", err)
	}
	return ParseCheckpoint([]byte(n.Text))
}

// IntegrityError reports that the stored log is inconsistent, so the Checkpointer refused to sign it.
type IntegrityError struct {
	Seq     int64 // the entry concerned, or -1
	Problem string
}

func (e *IntegrityError) Error() string {
	if e.Seq >= 0 {
		return fmt.Sprintf("audit: refusing to checkpoint: entry %d: %s", e.Seq, e.Problem)
	}
	return "audit: refusing to checkpoint: " + e.Problem
}

// Checkpointer extends the stored Merkle tree over new entries and writes signed checkpoints to the
// current epoch's checkpoint directory (Dir/checkpoints/<size>.note in epoch 0, epoch.go). Several
// processes may run one against the same database.
type Checkpointer struct {
	DB *database.DB
	// Dir is the audit directory outside the database (for example <data>/audit).
	Dir    string
	Signer note.Signer
	// Verifier, when set, is used to check that the newest existing checkpoint still matches the
	// stored tree before a new one is signed on top of it.
	Verifier note.Verifier
	Now      func() time.Time
	Log      *slog.Logger
	// Batch is how many entries are hashed per transaction (default 4096).
	Batch int
	// Coalesce is, in Run, the shortest time between two checkpoints signed because entries were
	// committed: new entries are signed at most this long after they commit (default one second). A
	// negative value leaves only the periodic checkpoint.
	Coalesce time.Duration
	// Witnesses are asked to cosign each new checkpoint (witness.go); one that fails is asked again the
	// next time a checkpoint is made.
	Witnesses []*WitnessClient

	resumed bool
}

// position is where the current epoch stands: its number, statement and checkpoint directory, and the
// size of its newest tree head (its newest checkpoint, else the size its statement restored, else 0).
type position struct {
	epoch int64
	stmt  *Epoch
	cpdir string
	sizes []int64
	last  int64 // newest checkpoint, 0 when none
}

func (p position) signed() int64 {
	if p.last == 0 && p.stmt != nil {
		return p.stmt.Restored
	}
	return p.last
}

func (c *Checkpointer) position() (position, error) {
	n, stmt, err := currentEpoch(c.Dir, c.Verifier)
	if err != nil {
		return position{}, err
	}
	p := position{epoch: n, stmt: stmt, cpdir: EpochCheckpointDir(c.Dir, n)}
	if p.sizes, err = checkpointSizes(p.cpdir); err != nil {
		return position{}, err
	}
	if len(p.sizes) > 0 {
		p.last = p.sizes[len(p.sizes)-1]
	}
	return p, nil
}

// Checkpoint hashes the entries not yet in the tree, storing their tlog hashes in audit_hashes, and
// writes a signed checkpoint for the new size unless one exists. Every new entry is re-encoded from its
// row: if its stored leaf_hash differs, Checkpoint refuses with an *IntegrityError naming the entry.
// An empty log gets no checkpoint. It returns the size of the tree. When witnesses are configured, the
// newest checkpoint is then sent to each that has not cosigned it yet; their failures are logged.
func (c *Checkpointer) Checkpoint(ctx context.Context) (int64, error) {
	if c.Signer == nil {
		return 0, errors.New("audit: checkpointer without a signer")
	}
	size, err := c.extendAll(ctx)
	if err != nil || size == 0 {
		return 0, err
	}
	p, err := c.position()
	if err != nil {
		return 0, err
	}
	done, err := c.check(ctx, p, size)
	if err != nil {
		return 0, err
	}
	if done >= 0 {
		c.witness(ctx)
		return done, nil
	}
	if err := os.MkdirAll(p.cpdir, 0o700); err != nil {
		return 0, fmt.Errorf("audit: checkpoint directory: %w", err)
	}
	root, err := tlog.TreeHash(size, dbHashReader(ctx, c.DB.Read()))
	if err != nil {
		return 0, fmt.Errorf("audit: tree hash: %w", err)
	}
	cp := Checkpoint{Epoch: p.epoch, N: size, Hash: root, Prev: p.last, HasPrev: true}
	if c.Now != nil {
		cp.Time = c.Now().UTC().Truncate(time.Second)
	}
	msg, err := note.Sign(&note.Note{Text: string(cp.Format())}, c.Signer)
	if err != nil {
		return 0, fmt.Errorf("audit: sign checkpoint: %w", err)
	}
	if err := writeFileAtomic(p.cpdir, checkpointName(size), msg, 0o644); err != nil {
		return 0, err
	}
	c.witness(ctx)
	return size, nil
}

// check decides whether a tree of size entries may be signed on top of the current epoch. It returns
// the size to report and no error when there is nothing to sign (a checkpoint of that size exists, or a
// larger one that another process signed), -1 when a checkpoint should be signed, and an
// *IntegrityError when the log no longer matches what was signed.
func (c *Checkpointer) check(ctx context.Context, p position, size int64) (int64, error) {
	if p.last > size {
		// Another process may have extended the tree and signed it since; otherwise the log shrank.
		if cur, err := hashedSize(ctx, c.DB.Read()); err == nil && cur >= p.last {
			return cur, nil
		}
		return 0, &IntegrityError{Seq: size, Problem: fmt.Sprintf("checkpoint %s covers %d entries but the tree holds %d: the log was truncated", checkpointPath(p.epoch, p.last), p.last, size)}
	}
	if p.last == size {
		return size, nil
	}
	if p.last > 0 {
		return -1, c.checkPrevious(ctx, p, p.last)
	}
	if p.stmt != nil {
		if size < p.stmt.Restored {
			return 0, &IntegrityError{Seq: size, Problem: fmt.Sprintf("epoch %d was started on a log of %d entries but the tree holds %d: the log was truncated", p.epoch, p.stmt.Restored, size)}
		}
		if p.stmt.Restored > 0 {
			h, err := tlog.TreeHash(p.stmt.Restored, dbHashReader(ctx, c.DB.Read()))
			if err != nil {
				return 0, fmt.Errorf("audit: tree hash: %w", err)
			}
			if h != p.stmt.Hash {
				return 0, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("the stored tree no longer matches the statement of epoch %d: entries before %d were changed", p.epoch, p.stmt.Restored)}
			}
		}
	}
	return -1, nil
}

// checkpointPath names a checkpoint file relative to the audit directory, for messages.
func checkpointPath(epoch, size int64) string {
	return filepath.Join(EpochCheckpointDir("", epoch), checkpointName(size))
}

// readCheckpoint reads and checks the checkpoint of the given size in cpdir, of the given epoch.
func (c *Checkpointer) readCheckpoint(cpdir string, size, epoch int64) (Checkpoint, error) {
	name := checkpointName(size)
	b, err := os.ReadFile(filepath.Join(cpdir, name))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: read %s: %w", name, err)
	}
	cp, err := OpenCheckpoint(b, c.Verifier)
	if err != nil {
		return Checkpoint{}, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("%s: %v", checkpointPath(epoch, size), err)}
	}
	if cp.N != size || cp.Epoch != epoch {
		return Checkpoint{}, &IntegrityError{Seq: -1, Problem: fmt.Sprintf("%s holds a checkpoint of size %d in epoch %d", checkpointPath(epoch, size), cp.N, cp.Epoch)}
	}
	return cp, nil
}

// checkPrevious refuses to sign on top of a tree that no longer matches the newest checkpoint.
func (c *Checkpointer) checkPrevious(ctx context.Context, p position, last int64) error {
	if c.Verifier == nil {
		return nil
	}
	prev, err := c.readCheckpoint(p.cpdir, last, p.epoch)
	if err != nil {
		return err
	}
	h, err := tlog.TreeHash(last, dbHashReader(ctx, c.DB.Read()))
	if err != nil {
		return fmt.Errorf("audit: tree hash: %w", err)
	}
	if h != prev.Hash {
		return &IntegrityError{Seq: -1, Problem: fmt.Sprintf("the stored tree no longer matches %s: entries before %d were changed", checkpointPath(p.epoch, last), last)}
	}
	return nil
}

// extendAll extends the stored tree over every committed entry and returns its size.
func (c *Checkpointer) extendAll(ctx context.Context) (int64, error) {
	for {
		n, more, err := c.extend(ctx)
		if err != nil || !more {
			return n, err
		}
	}
}

// RestartRecordKind is the record kind of the entry Resume writes.
const RestartRecordKind = "audit-log"

// Resume is for start-up, before the service writes anything. Entries beyond the current epoch's newest
// signed tree head were committed before this start (by a process that crashed or was killed before it
// signed them): this process did not see them committed, so it does not sign them silently. Resume first
// checks the log against the newest checkpoint as Checkpoint does; then, when there are such entries
// from..to-1, it appends an entry with action SignedAfterRestart recording the range, and signs a
// checkpoint covering both. It returns the range, empty when every entry was signed. Run calls it when it
// has not been called.
func (c *Checkpointer) Resume(ctx context.Context) (from, to int64, err error) {
	if c.Signer == nil {
		return 0, 0, errors.New("audit: checkpointer without a signer")
	}
	size, err := c.extendAll(ctx)
	if err != nil {
		return 0, 0, err
	}
	p, err := c.position()
	if err != nil {
		return 0, 0, err
	}
	from = p.signed()
	if size > 0 {
		if _, err := c.check(ctx, p, size); err != nil {
			return 0, 0, err
		}
	}
	if size > from {
		at := time.Now()
		if c.Now != nil {
			at = c.Now()
		}
		e := Entry{At: at, Action: SignedAfterRestart, RecordKind: RestartRecordKind,
			Detail: fmt.Sprintf("entries [%d, %d) were written before a restart and signed only afterwards (epoch %d)", from, size, p.epoch)}
		if err := c.DB.WithTx(ctx, func(tx *database.Tx) error {
			_, err := Append(ctx, tx, e)
			return err
		}); err != nil {
			return 0, 0, err
		}
		c.logger().Warn("audit entries written before the restart were not signed; signing them now, with an entry recording it",
			"from", from, "to", size, "epoch", p.epoch)
	}
	signed, err := c.Checkpoint(ctx)
	if err != nil {
		return 0, 0, err
	}
	removeStaleTemporaries(p.cpdir, signed, c.logger())
	c.resumed = true
	return from, max(size, from), nil
}

func (c *Checkpointer) logger() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

// extend hashes up to Batch new entries in one transaction. It returns the tree size and whether more
// entries may be waiting.
func (c *Checkpointer) extend(ctx context.Context) (size int64, more bool, err error) {
	batch := c.Batch
	if batch <= 0 {
		batch = 4096
	}
	err = c.DB.WithTx(ctx, func(tx *database.Tx) error {
		if tx.Dialect == database.Postgres {
			// One checkpointer at a time; appends are not blocked.
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7263616475) -- audit checkpointer"); err != nil {
				return fmt.Errorf("audit: checkpoint lock: %w", err)
			}
		}
		k, err := hashedSize(ctx, tx)
		if err != nil {
			return err
		}
		if k > 0 {
			if err := checkLastHashed(ctx, tx, k); err != nil {
				return err
			}
		}
		rows, err := readEntryRows(ctx, tx, k, batch+1)
		if err != nil {
			return err
		}
		more = len(rows) > batch
		if more {
			rows = rows[:batch]
		}
		tree, err := loadTree(ctx, tx, k)
		if err != nil {
			return err
		}
		var hashes []tlog.Hash
		for i, r := range rows {
			seq := k + int64(i)
			if r.problem != "" {
				return &IntegrityError{Seq: seq, Problem: r.problem}
			}
			if r.entry.Seq != seq {
				return &IntegrityError{Seq: seq, Problem: fmt.Sprintf("missing (the next entry is %d)", r.entry.Seq)}
			}
			leaf := r.entry.LeafHash()
			if !bytes.Equal(leaf[:], r.leaf) {
				return &IntegrityError{Seq: seq, Problem: "the stored leaf hash does not match the entry's contents"}
			}
			hs, err := tree.add(leaf)
			if err != nil {
				return err
			}
			hashes = append(hashes, hs...)
		}
		if err := insertHashes(ctx, tx, tlog.StoredHashIndex(0, k), hashes); err != nil {
			return err
		}
		size = tree.n
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return size, more, nil
}

// Run resumes (Resume, unless already called), then signs a checkpoint soon after entries commit and
// every interval until ctx is done, and a final one on the way out. Entries appended in this process
// wake it (Append); entries appended by other processes are noticed by reading the log's size every
// Coalesce. Failures in the loop are logged; Run returns the final checkpoint's error.
func (c *Checkpointer) Run(ctx context.Context, every time.Duration) error {
	log := c.logger()
	var signed int64
	// checkpoint resumes until that succeeds, and then signs.
	checkpoint := func(ctx context.Context) (int64, error) {
		if !c.resumed {
			_, to, err := c.Resume(ctx)
			return to, err
		}
		return c.Checkpoint(ctx)
	}
	sign := func() {
		n, err := checkpoint(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("audit checkpoint failed", "err", err)
		} else if err == nil {
			signed = n
			log.Debug("audit checkpoint", "size", n)
		}
	}
	sign()
	tick := time.NewTicker(every)
	defer tick.Stop()
	coalesce := c.Coalesce
	if coalesce == 0 {
		coalesce = time.Second
	}
	var wake chan struct{}
	var poll <-chan time.Time
	if coalesce > 0 {
		wake = make(chan struct{}, 1)
		unregister := onAppend(wake)
		defer unregister()
		p := time.NewTicker(coalesce)
		defer p.Stop()
		poll = p.C
	}
	last := time.Now()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
			continue
		case <-tick.C:
		case <-wake:
			// Coalesce: at most one checkpoint per interval while entries keep coming.
			if wait := time.Until(last.Add(coalesce)); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
			}
		case <-poll:
			var head int64
			if err := c.DB.Read().QueryRowContext(ctx, "SELECT size FROM audit_head WHERE id = 1").Scan(&head); err != nil || head <= signed {
				continue
			}
		}
		if ctx.Err() != nil {
			break
		}
		sign()
		last = time.Now()
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	n, err := checkpoint(fctx)
	if err != nil {
		return fmt.Errorf("audit: final checkpoint: %w", err)
	}
	log.Info("audit final checkpoint", "size", n)
	return nil
}

// appendWakers are the channels of the running checkpointers, told when a transaction that appended
// entries commits.
var appendWakers struct {
	sync.Mutex
	chans map[chan struct{}]struct{}
}

func onAppend(ch chan struct{}) (unregister func()) {
	appendWakers.Lock()
	defer appendWakers.Unlock()
	if appendWakers.chans == nil {
		appendWakers.chans = map[chan struct{}]struct{}{}
	}
	appendWakers.chans[ch] = struct{}{}
	return func() {
		appendWakers.Lock()
		defer appendWakers.Unlock()
		delete(appendWakers.chans, ch)
	}
}

// appended wakes every running checkpointer without blocking.
func appended() {
	appendWakers.Lock()
	defer appendWakers.Unlock()
	for ch := range appendWakers.chans {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func checkpointName(n int64) string { return strconv.FormatInt(n, 10) + ".note" }

// checkpointSizes lists the sizes of the checkpoint files in dir, ascending. Other files (such as
// temporary files left by a crash) are ignored; a missing directory holds none.
func checkpointSizes(dir string) ([]int64, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	var sizes []int64
	for _, de := range des {
		n, ok := parseCheckpointName(de.Name())
		if ok && de.Type().IsRegular() {
			sizes = append(sizes, n)
		}
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	return sizes, nil
}

func parseCheckpointName(name string) (int64, bool) {
	s, ok := strings.CutSuffix(name, ".note")
	if !ok {
		return 0, false
	}
	return parseSize(s)
}

// staleTemporary matches the temporary names writeFileAtomic gives checkpoints and cosigned copies.
var staleTemporary = regexp.MustCompile(`^\.([0-9]+)\.(?:cosigned-[0-9a-f]{8}\.)?note\..*\.tmp$`)

// removeStaleTemporaries removes the temporary files that a process killed while writing a checkpoint or
// a cosigned copy left in dir, for sizes up to signed: a checkpoint of that size or a larger one is now in
// place, so none of them can still become a file that matters.
func removeStaleTemporaries(dir string, signed int64, log *slog.Logger) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, de := range des {
		m := staleTemporary.FindStringSubmatch(de.Name())
		if m == nil || !de.Type().IsRegular() {
			continue
		}
		if n, err := strconv.ParseInt(m[1], 10, 64); err != nil || n > signed {
			continue
		}
		if err := os.Remove(filepath.Join(dir, de.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.Warn("audit: could not remove a temporary file left by a crash", "file", de.Name(), "err", err)
		}
	}
}

// writeFileAtomic writes name in dir so that readers see the old file or the whole new one, and the new
// one survives a crash once writeFileAtomic returns.
func writeFileAtomic(dir, name string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("audit: write %s: %w", name, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("audit: write %s: %w", name, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("audit: write %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("audit: write %s: %w", name, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("audit: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("audit: sync %s: %w", dir, err)
	}
	return nil
}

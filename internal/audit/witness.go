package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/preventplatform/prevent/internal/witness"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// WitnessClient sends checkpoints to one witness (prevent witness, internal/witness) with the C2SP
// tlog-witness add-checkpoint request, and stores each cosigned checkpoint beside the checkpoint, as
// <size>.cosigned-<witness key hash>.note: the checkpoint note with the witness's signature line added.
type WitnessClient struct {
	// URL is the witness's base URL; requests go to URL/add-checkpoint.
	URL string
	// Key is the witness's cosignature verifier key.
	Key *witness.Verifier
	// HTTP is the client used (default: one with a ten-second timeout).
	HTTP *http.Client

	mu sync.Mutex
	// known is, per origin, the size of the newest checkpoint the witness is known to have cosigned.
	known map[string]int64
}

// NewWitnessClient returns a client for the witness at url whose verifier key text is key.
func NewWitnessClient(url, key string) (*WitnessClient, error) {
	v, err := witness.NewVerifier(key)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil, fmt.Errorf("audit: witness URL %q: want http:// or https://", url)
	}
	return &WitnessClient{URL: strings.TrimSuffix(url, "/"), Key: v}, nil
}

// CosignedName is the file name, in a checkpoint directory, of the checkpoint of the given size as
// cosigned by the witness whose key is v.
func CosignedName(size int64, v note.Verifier) string {
	return fmt.Sprintf("%d.cosigned-%08x.note", size, v.KeyHash())
}

// cosignedSizes lists the sizes of the checkpoints in cpdir cosigned by the witness with key v.
func cosignedSizes(cpdir string, v note.Verifier) ([]int64, error) {
	des, err := os.ReadDir(cpdir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	suffix := fmt.Sprintf(".cosigned-%08x.note", v.KeyHash())
	var sizes []int64
	for _, de := range des {
		if s, ok := strings.CutSuffix(de.Name(), suffix); ok && de.Type().IsRegular() {
			if n, ok := parseSize(s); ok {
				sizes = append(sizes, n)
			}
		}
	}
	return sizes, nil
}

// witness sends the current epoch's newest checkpoint to every witness that has not cosigned it. A
// witness that fails is logged and asked again the next time.
func (c *Checkpointer) witness(ctx context.Context) {
	for _, w := range c.Witnesses {
		if err := c.submit(ctx, w); err != nil && ctx.Err() == nil {
			c.logger().Warn("audit: the witness did not cosign the newest checkpoint; it is asked again with the next", "witness", w.URL, "err", err)
		}
	}
}

// ErrWitnessConflict is returned (wrapped) when a witness refuses a checkpoint as inconsistent with the
// one it cosigned last for the log.
var ErrWitnessConflict = errors.New("the witness refused the checkpoint as a rollback or a fork of what it cosigned")

func (c *Checkpointer) submit(ctx context.Context, w *WitnessClient) error {
	p, err := c.position()
	if err != nil || p.last == 0 {
		return err
	}
	name := CosignedName(p.last, w.Key)
	if _, err := os.Stat(filepath.Join(p.cpdir, name)); err == nil {
		return nil
	}
	msg, err := os.ReadFile(filepath.Join(p.cpdir, checkpointName(p.last)))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	origin := EpochOrigin(p.epoch)
	w.mu.Lock()
	defer w.mu.Unlock()
	old, ok := w.known[origin]
	if !ok {
		sizes, err := cosignedSizes(p.cpdir, w.Key)
		if err != nil {
			return err
		}
		for _, s := range sizes {
			old = max(old, s)
		}
	}
	for attempt := 0; ; attempt++ {
		if old > p.last {
			return fmt.Errorf("%w: it has cosigned %d entries of %s, more than the newest checkpoint here (%d)", ErrWitnessConflict, old, origin, p.last)
		}
		var body bytes.Buffer
		fmt.Fprintf(&body, "old %d\n", old)
		if old > 0 && old < p.last {
			proof, err := tlog.ProveTree(p.last, old, dbHashReader(ctx, c.DB.Read()))
			if err != nil {
				return fmt.Errorf("audit: consistency proof %d..%d: %w", old, p.last, err)
			}
			for _, h := range proof {
				body.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
			}
		}
		body.WriteString("\n")
		body.Write(msg)
		code, resp, err := w.post(ctx, body.Bytes())
		if err != nil {
			return err
		}
		switch code {
		case http.StatusOK:
			cosigned := append(bytes.Clone(msg), resp...)
			n, err := note.Open(cosigned, note.VerifierList(w.Key))
			if err != nil || len(n.Sigs) != 1 {
				return fmt.Errorf("audit: the witness's answer is not a valid cosignature: %v", err)
			}
			if err := writeFileAtomic(p.cpdir, name, cosigned, 0o644); err != nil {
				return err
			}
			if w.known == nil {
				w.known = map[string]int64{}
			}
			w.known[origin] = p.last
			return nil
		case http.StatusConflict:
			size, err := strconv.ParseInt(strings.TrimSpace(string(resp)), 10, 64)
			if err != nil || size < 0 {
				return fmt.Errorf("audit: the witness answered 409 without a size: %q", resp)
			}
			if attempt > 0 || size == old {
				return fmt.Errorf("%w (its newest cosigned size for %s is %d)", ErrWitnessConflict, origin, size)
			}
			old = size
		default:
			return fmt.Errorf("audit: the witness answered %d: %s", code, strings.TrimSpace(string(resp)))
		}
	}
}

func (w *WitnessClient) post(ctx context.Context, body []byte) (int, []byte, error) {
	hc := w.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL+"/add-checkpoint", bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("audit: witness: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("audit: witness: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, nil, fmt.Errorf("audit: witness: %w", err)
	}
	return resp.StatusCode, b, nil
}

// checkCosigned checks the checkpoint files of one directory against the cosignatures of a witness:
// every cosigned file must hold a checkpoint whose own file is there with the same text, signed by the
// log and cosigned by the witness, and the newest checkpoint must be cosigned. It returns the problem,
// empty when there is none, and the time of the newest cosignature.
func checkCosigned(cpdir, rel string, newest int64, verifier note.Verifier, wv *witness.Verifier) (string, time.Time, error) {
	sizes, err := cosignedSizes(cpdir, wv)
	if err != nil {
		return "", time.Time{}, err
	}
	var when time.Time
	for _, s := range append(sizes, newest) {
		cname := CosignedName(s, wv)
		cosigned, err := os.ReadFile(filepath.Join(cpdir, cname))
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Sprintf("the newest checkpoint %s carries no cosignature from the witness %s+%08x (%s is missing): it was not witnessed, "+
				"or newer checkpoints that were were deleted", filepath.Join(rel, checkpointName(s)), wv.Name(), wv.KeyHash(), cname), when, nil
		}
		if err != nil {
			return "", when, fmt.Errorf("audit: %w", err)
		}
		own, err := os.ReadFile(filepath.Join(cpdir, checkpointName(s)))
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Sprintf("the witness %s cosigned the checkpoint %s, which is missing: a checkpoint file was deleted", wv.Name(), filepath.Join(rel, checkpointName(s))), when, nil
		}
		if err != nil {
			return "", when, fmt.Errorf("audit: %w", err)
		}
		n, err := note.Open(cosigned, note.VerifierList(verifier, wv))
		if err != nil || len(n.Sigs) != 2 {
			return fmt.Sprintf("%s is not the checkpoint signed by the log's key and cosigned by the witness %s (%v): "+
				"the checkpoints were re-signed or the file was changed", filepath.Join(rel, cname), wv.Name(), err), when, nil
		}
		ownNote, err := note.Open(own, note.VerifierList(verifier))
		if err != nil || ownNote.Text != n.Text {
			return fmt.Sprintf("%s and the checkpoint the witness cosigned (%s) differ: the checkpoint was replaced",
				filepath.Join(rel, checkpointName(s)), cname), when, nil
		}
		if s == newest {
			for _, sig := range n.Sigs {
				if sig.Hash == wv.KeyHash() {
					if t, ok := wv.Time(sig.Base64); ok {
						when = t
					}
				}
			}
		}
	}
	return "", when, nil
}

// Latest asks the witness for the newest checkpoint it cosigned with the given origin and signed by
// verifier's key. It returns the cosigned note, or nil when the witness has cosigned none.
func (w *WitnessClient) Latest(ctx context.Context, origin string, verifier note.Verifier) ([]byte, error) {
	hc := w.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, w.URL+"/latest/"+witness.StateName(origin, verifier.KeyHash()), nil)
	if err != nil {
		return nil, fmt.Errorf("audit: witness: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("audit: witness: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("audit: witness: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return b, nil
	case http.StatusNotFound:
		return nil, nil
	default:
		return nil, fmt.Errorf("audit: the witness answered %d: %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
}

// WitnessRecord is what a witness holds for one epoch of the log: the size of the newest checkpoint it
// cosigned, when it cosigned one.
type WitnessRecord struct {
	Epoch int64
	Size  int64
	Found bool
}

// CheckWitnessed asks the witness, epoch by epoch, for the newest checkpoint it cosigned, and checks that
// the same checkpoint is in that epoch's directory under dir. Offline checks can only compare the files
// with each other, so deleting the newest checkpoint together with its cosigned copy (or a whole epoch)
// goes unseen by them; the witness's own record shows it. Epochs are asked for from 0 up to the current
// one, and on while the witness knows checkpoints of later ones. It returns the first problem (empty when
// there is none) and the witness's records.
func CheckWitnessed(ctx context.Context, dir string, verifier note.Verifier, w *WitnessClient) (string, []WitnessRecord, error) {
	cur, err := CurrentEpoch(dir)
	if err != nil {
		return "", nil, err
	}
	var records []WitnessRecord
	for e := int64(0); ; e++ {
		msg, err := w.Latest(ctx, EpochOrigin(e), verifier)
		if err != nil {
			return "", records, err
		}
		if msg == nil {
			if e >= cur {
				return "", append(records, WitnessRecord{Epoch: e}), nil
			}
			records = append(records, WitnessRecord{Epoch: e})
			continue
		}
		n, err := note.Open(msg, note.VerifierList(verifier, w.Key))
		if err != nil || len(n.Sigs) != 2 {
			return fmt.Sprintf("the witness %s+%08x returned for epoch %d a checkpoint that is not signed by this log's key and cosigned by the witness (%v)",
				w.Key.Name(), w.Key.KeyHash(), e, err), records, nil
		}
		cp, err := OpenCheckpoint(msg, verifier)
		if err != nil {
			return "", records, err
		}
		records = append(records, WitnessRecord{Epoch: e, Size: cp.N, Found: true})
		rel := filepath.Join(EpochCheckpointDir(dir, e), checkpointName(cp.N))
		own, err := os.ReadFile(rel)
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Sprintf("the witness %s cosigned checkpoint %d of epoch %d, which is not here (%s is missing): checkpoint files were deleted",
				w.Key.Name(), cp.N, e, rel), records, nil
		}
		if err != nil {
			return "", records, fmt.Errorf("audit: %w", err)
		}
		ownNote, err := note.Open(own, note.VerifierList(verifier))
		if err != nil || ownNote.Text != n.Text {
			return fmt.Sprintf("%s differs from the checkpoint the witness %s cosigned at that size: the checkpoint was replaced",
				rel, w.Key.Name()), records, nil
		}
	}
}

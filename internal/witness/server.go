package witness

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The files a witness keeps in its data directory.
const (
	SignerKeyFile   = "witness-signer.key"
	VerifierKeyFile = "witness-verifier.key"
	// StateDir holds, per log, the newest checkpoint the witness cosigned (with its cosignature).
	StateDir = "logs"
)

// maxRequest bounds an add-checkpoint request: a checkpoint note and at most 63 proof lines.
const maxRequest = 128 << 10

// Server is a witness. Logs are the verifier keys of the logs it witnesses: a checkpoint is cosigned only
// when one of them signed it. A log is the pair of its key and the checkpoint's origin line, and the
// witness keeps the newest checkpoint it cosigned for each, in Dir/logs.
type Server struct {
	Dir    string
	Signer *Signer
	Logs   []note.Verifier
	Log    *slog.Logger

	mu sync.Mutex
}

// LoadOrCreateKey returns the witness's signer kept in dir, creating it, named name, on first use. The
// signer key file has mode 0600; its public key is written beside it.
func LoadOrCreateKey(dir, name string) (*Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("witness: %w", err)
	}
	path := filepath.Join(dir, SignerKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, _, gerr := GenerateKey(name)
		if gerr != nil {
			return nil, gerr
		}
		f, cerr := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if cerr != nil {
			return nil, fmt.Errorf("witness: %w", cerr)
		}
		if _, err := f.WriteString(skey + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("witness: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("witness: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("witness: %w", err)
		}
		b, err = []byte(skey), nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness: signer key: %w", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("witness: refusing signer key %s: want mode 0600", path)
	}
	s, err := NewSigner(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	if err := writeFileAtomic(dir, VerifierKeyFile, []byte(s.VerifierKey()+"\n"), 0o644); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler serves POST /add-checkpoint, and GET /latest/{log}: the newest checkpoint the witness cosigned
// for a log (named as StateName names it), with its cosignature, so that a verifier can ask whether that
// checkpoint is still among the log's.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /add-checkpoint", s.addCheckpoint)
	mux.HandleFunc("GET /latest/{log}", s.latest)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
}

// parsed is a checkpoint as the witness reads it: the C2SP checkpoint body's first three lines.
type parsed struct {
	origin string
	size   int64
	hash   tlog.Hash
}

func parseBody(text string) (parsed, error) {
	var c parsed
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return c, errors.New("malformed checkpoint: want origin, size and hash lines")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return c, errors.New("malformed checkpoint size")
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return c, errors.New("malformed checkpoint hash")
	}
	c.origin, c.size = lines[0], n
	copy(c.hash[:], h)
	return c, nil
}

// parseRequest splits an add-checkpoint body: "old <size>", the consistency proof lines, an empty line,
// then the checkpoint note.
func parseRequest(b []byte) (old int64, proof tlog.TreeProof, msg []byte, err error) {
	line, rest, ok := bytes.Cut(b, []byte("\n"))
	v, hasOld := strings.CutPrefix(string(line), "old ")
	if !ok || !hasOld {
		return 0, nil, nil, errors.New("the request must begin with an old size line")
	}
	if old, err = strconv.ParseInt(v, 10, 64); err != nil || old < 0 || strconv.FormatInt(old, 10) != v {
		return 0, nil, nil, errors.New("malformed old size")
	}
	for {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return 0, nil, nil, errors.New("missing the empty line before the checkpoint")
		}
		if len(line) == 0 {
			break
		}
		h, err := base64.StdEncoding.DecodeString(string(line))
		if err != nil || len(h) != tlog.HashSize || len(proof) == 63 {
			return 0, nil, nil, errors.New("malformed consistency proof")
		}
		proof = append(proof, tlog.Hash(h))
	}
	return old, proof, rest, nil
}

func (s *Server) addCheckpoint(w http.ResponseWriter, r *http.Request) {
	fail := func(code int, format string, args ...any) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintf(w, format+"\n", args...)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil || len(body) > maxRequest {
		fail(http.StatusBadRequest, "request too large or unreadable")
		return
	}
	old, proof, msg, err := parseRequest(body)
	if err != nil {
		fail(http.StatusBadRequest, "%v", err)
		return
	}
	n, err := note.Open(msg, note.VerifierList(s.Logs...))
	if err != nil {
		fail(http.StatusForbidden, "the checkpoint is not signed by a log this witness knows: %v", err)
		return
	}
	cp, err := parseBody(n.Text)
	if err != nil {
		fail(http.StatusBadRequest, "%v", err)
		return
	}
	logKey := n.Sigs[0]

	s.mu.Lock()
	defer s.mu.Unlock()
	name := stateName(cp.origin, logKey)
	latest, found, err := s.load(name, cp.origin)
	if err != nil {
		s.logger().Error("witness: read state", "log", cp.origin, "err", err)
		fail(http.StatusInternalServerError, "cannot read the witness's state")
		return
	}
	conflict := func(why string) {
		s.logger().Warn("witness: refused a checkpoint", "log", cp.origin, "size", cp.size, "old", old, "latest", latest.size, "why", why)
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", latest.size)
	}
	switch {
	case old != latest.size:
		conflict("the old size is not the size of the newest checkpoint cosigned for this log")
		return
	case cp.size < latest.size:
		conflict("rollback: the checkpoint is older than the newest cosigned")
		return
	case found && cp.size == latest.size:
		if cp.hash != latest.hash {
			conflict("fork: another tree hash at the size already cosigned")
			return
		}
	case found:
		if err := tlog.CheckTree(proof, cp.size, cp.hash, latest.size, latest.hash); err != nil {
			conflict("fork: the consistency proof from the newest cosigned checkpoint does not verify")
			return
		}
	case len(proof) != 0:
		fail(http.StatusBadRequest, "a consistency proof from size 0 must be empty")
		return
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, s.Signer)
	if err != nil {
		fail(http.StatusInternalServerError, "cannot cosign")
		return
	}
	i := bytes.LastIndex(signed, []byte("\n\n"))
	if i < 0 {
		fail(http.StatusInternalServerError, "cannot cosign")
		return
	}
	line := signed[i+2:]
	// The state is on disk before the cosignature is given out.
	if err := writeFileAtomic(filepath.Join(s.Dir, StateDir), name, append(bytes.Clone(msg), line...), 0o644); err != nil {
		s.logger().Error("witness: write state", "log", cp.origin, "err", err)
		fail(http.StatusInternalServerError, "cannot record the checkpoint")
		return
	}
	s.logger().Info("witness: cosigned", "log", cp.origin, "size", cp.size)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(line)
}

func (s *Server) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// stateName names the state file of a log: the log key's hash and a digest of the origin.
func stateName(origin string, key note.Signature) string { return StateName(origin, key.Hash) }

// StateName names a log at the witness: the hash of the log's key and a digest of the checkpoints'
// origin line. GET /latest/{StateName} returns the newest checkpoint the witness cosigned for it.
func StateName(origin string, keyHash uint32) string {
	d := sha256.Sum256([]byte(origin))
	return fmt.Sprintf("%08x-%s.note", keyHash, hex.EncodeToString(d[:8]))
}

var stateNamePattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{16}\.note$`)

// latest answers GET /latest/{log} with the cosigned checkpoint kept for the log, or 404 when the witness
// has cosigned nothing for it.
func (s *Server) latest(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("log")
	if !stateNamePattern.MatchString(name) {
		http.Error(w, "malformed log name", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	b, err := os.ReadFile(filepath.Join(s.Dir, StateDir, name))
	s.mu.Unlock()
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "this witness has cosigned no checkpoint of that log", http.StatusNotFound)
		return
	}
	if err != nil {
		s.logger().Error("witness: read state", "log", name, "err", err)
		http.Error(w, "cannot read the witness's state", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(b)
}

// load reads the newest checkpoint cosigned for a log; an unknown log is at size 0.
func (s *Server) load(name, origin string) (parsed, bool, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, StateDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return parsed{origin: origin}, false, nil
	}
	if err != nil {
		return parsed{}, false, err
	}
	i := bytes.LastIndex(b, []byte("\n\n"))
	if i < 0 {
		return parsed{}, false, fmt.Errorf("%s: malformed", name)
	}
	p, err := parseBody(string(b[:i+1]))
	if err != nil {
		return parsed{}, false, fmt.Errorf("%s: %w", name, err)
	}
	if p.origin != origin {
		return parsed{}, false, fmt.Errorf("%s holds a checkpoint of %q", name, p.origin)
	}
	return p, true, nil
}

// writeFileAtomic writes name in dir so that readers see the old file or the whole new one, and the new
// one survives a crash once it returns.
func writeFileAtomic(dir, name string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return fmt.Errorf("witness: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("witness: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("witness: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("witness: %w", err)
	}
	return nil
}

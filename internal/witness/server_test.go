package witness_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/witness"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// memTree is an in-memory RFC 6962 tree of random leaves.
type memTree struct {
	n      int64
	hashes []tlog.Hash
}

func (m *memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memTree) grow(t *testing.T, to int64) {
	t.Helper()
	for ; m.n < to; m.n++ {
		leaf := make([]byte, 16)
		rand.Read(leaf)
		hs, err := tlog.StoredHashes(m.n, leaf, m)
		if err != nil {
			t.Fatal(err)
		}
		m.hashes = append(m.hashes, hs...)
	}
}

func (m *memTree) root(t *testing.T, n int64) tlog.Hash {
	t.Helper()
	h, err := tlog.TreeHash(n, m)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type logKey struct {
	signer   note.Signer
	verifier note.Verifier
}

func newLogKey(t *testing.T, name string) logKey {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return logKey{s, v}
}

func (k logKey) checkpoint(t *testing.T, origin string, n int64, h tlog.Hash) []byte {
	t.Helper()
	msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, n, base64.StdEncoding.EncodeToString(h[:]))}, k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func add(t *testing.T, url string, old int64, proof tlog.TreeProof, msg []byte) (int, string) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(msg)
	resp, err := http.Post(url+"/add-checkpoint", "text/plain", &b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func newServer(t *testing.T, dir string, logs ...note.Verifier) (*httptest.Server, *witness.Verifier) {
	t.Helper()
	signer, err := witness.LoadOrCreateKey(dir, "test-witness")
	if err != nil {
		t.Fatal(err)
	}
	v, err := witness.NewVerifier(signer.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&witness.Server{Dir: dir, Signer: signer, Logs: logs}).Handler())
	t.Cleanup(srv.Close)
	return srv, v
}

// TestWitnessCosignsOnlyConsistentCheckpoints: the witness cosigns a first checkpoint, then a larger one
// with a valid consistency proof, and refuses with 409 a stale old size, a rollback and two kinds of fork;
// its state survives a restart; checkpoints of unknown keys are refused with 403.
func TestWitnessCosignsOnlyConsistentCheckpoints(t *testing.T) {
	dir := t.TempDir()
	log := newLogKey(t, "test-log")
	srv, wv := newServer(t, dir, log.verifier)
	tree := &memTree{}
	tree.grow(t, 10)
	origin := "example.org/log"

	cp5 := log.checkpoint(t, origin, 5, tree.root(t, 5))
	code, body := add(t, srv.URL, 0, nil, cp5)
	if code != http.StatusOK {
		t.Fatalf("first checkpoint: %d %s", code, body)
	}
	n, err := note.Open(append(bytes.Clone(cp5), body...), note.VerifierList(log.verifier, wv))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("cosigned note does not verify: %v", err)
	}
	if when, ok := wv.Time(n.Sigs[1].Base64); !ok || time.Since(when) > time.Minute {
		t.Errorf("cosignature time %v %v", when, ok)
	}

	cp10 := log.checkpoint(t, origin, 10, tree.root(t, 10))
	if code, body := add(t, srv.URL, 0, nil, cp10); code != http.StatusConflict || strings.TrimSpace(body) != "5" {
		t.Fatalf("stale old size: %d %q, want 409 and 5", code, body)
	}
	proof, err := tlog.ProveTree(10, 5, tree)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := add(t, srv.URL, 5, proof, cp10); code != http.StatusOK {
		t.Fatalf("consistent checkpoint: %d %s", code, body)
	}
	// Again, the same checkpoint: cosigned again.
	if code, body := add(t, srv.URL, 10, nil, cp10); code != http.StatusOK {
		t.Fatalf("the same checkpoint again: %d %s", code, body)
	}

	// Rollback: the older checkpoint, whatever old size is claimed.
	for _, old := range []int64{5, 10} {
		if code, body := add(t, srv.URL, old, nil, cp5); code != http.StatusConflict {
			t.Errorf("rollback with old %d: %d %s, want 409", old, code, body)
		}
	}
	// Fork at the same size.
	fork := &memTree{}
	fork.grow(t, 12)
	if code, body := add(t, srv.URL, 10, nil, log.checkpoint(t, origin, 10, fork.root(t, 10))); code != http.StatusConflict {
		t.Errorf("fork at the same size: %d %s, want 409", code, body)
	}
	// Fork that grows: a proof from the fork's own tree does not connect to what was cosigned.
	fproof, err := tlog.ProveTree(12, 10, fork)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := add(t, srv.URL, 10, fproof, log.checkpoint(t, origin, 12, fork.root(t, 12))); code != http.StatusConflict {
		t.Errorf("growing fork: %d %s, want 409", code, body)
	}
	// Unknown key.
	other := newLogKey(t, "test-log")
	if code, _ := add(t, srv.URL, 0, nil, other.checkpoint(t, origin, 5, tree.root(t, 5))); code != http.StatusForbidden {
		t.Errorf("unknown log key: %d, want 403", code)
	}
	// Malformed request.
	if code, _ := add(t, srv.URL, 0, tlog.TreeProof{{}}, cp5); code != http.StatusBadRequest && code != http.StatusConflict {
		t.Errorf("proof from size 0: %d", code)
	}

	// A restarted witness remembers: the state is on disk.
	srv.Close()
	srv2, wv2 := newServer(t, dir, log.verifier)
	if wv2.KeyHash() != wv.KeyHash() {
		t.Fatal("the witness key changed across a restart")
	}
	if code, body := add(t, srv2.URL, 5, proof, cp10); code != http.StatusConflict || strings.TrimSpace(body) != "10" {
		t.Fatalf("after a restart: %d %q, want 409 and 10", code, body)
	}

	// GET /latest names the newest checkpoint cosigned for the log, with its cosignature; a log it has
	// not cosigned is 404, and a malformed name 400.
	get := func(name string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(srv2.URL + "/latest/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, latest := get(witness.StateName(origin, log.verifier.KeyHash()))
	if code != http.StatusOK {
		t.Fatalf("latest: %d %s", code, latest)
	}
	ln, err := note.Open(latest, note.VerifierList(log.verifier, wv))
	if err != nil || len(ln.Sigs) != 2 || !strings.HasPrefix(ln.Text, origin+"\n10\n") {
		t.Fatalf("latest is not checkpoint 10 cosigned: %v\n%s", err, latest)
	}
	if code, _ := get(witness.StateName("another/origin", log.verifier.KeyHash())); code != http.StatusNotFound {
		t.Errorf("latest of a log never cosigned: %d, want 404", code)
	}
	if code, _ := get("..%2Fwitness-signer.key"); code != http.StatusBadRequest && code != http.StatusNotFound {
		t.Errorf("latest with a path outside the state: %d", code)
	}
}

func TestCosignatureKeys(t *testing.T) {
	skey, vkey, err := witness.GenerateKey("w")
	if err != nil {
		t.Fatal(err)
	}
	s, err := witness.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if s.VerifierKey() != vkey {
		t.Fatalf("verifier key %q, want %q", s.VerifierKey(), vkey)
	}
	v, err := witness.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := s.Sign([]byte("body\n"))
	if !v.Verify([]byte("body\n"), sig) || v.Verify([]byte("other\n"), sig) {
		t.Fatal("signature check wrong")
	}
	sig[3] ^= 1 // the timestamp is signed
	if v.Verify([]byte("body\n"), sig) {
		t.Fatal("a changed timestamp verified")
	}
	if _, err := witness.NewVerifier(skey); err == nil {
		t.Fatal("a private key was accepted as a verifier key")
	}
	if _, err := witness.NewVerifier(strings.Replace(vkey, "w+", "x+", 1)); err == nil {
		t.Fatal("a key whose hash does not match its name was accepted")
	}
	// A plain Ed25519 note key is not a cosignature key.
	_, plain, _ := note.GenerateKey(rand.Reader, "w")
	if _, err := witness.NewVerifier(plain); err == nil {
		t.Fatal("a plain note key was accepted as a cosignature key")
	}
}

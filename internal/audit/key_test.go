package audit_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/audit"
	"golang.org/x/mod/sumdb/note"
)

func TestGenerateKey(t *testing.T) {
	skey, vkey, err := audit.GenerateKey("prevent-audit-test")
	if err != nil {
		t.Fatal(err)
	}
	s := mustSigner(t, skey)
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("verifier does not accept the signer's note: %v", err)
	}
	if _, _, err := audit.GenerateKey("bad name"); err == nil {
		t.Fatal("a key name with a space was accepted")
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	s1, v1, err := audit.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, audit.SignerKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signer key mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	vb, err := os.ReadFile(filepath.Join(dir, audit.VerifierKeyFile))
	if err != nil || strings.Contains(string(vb), "PRIVATE") {
		t.Fatalf("verifier key file: %q, %v", vb, err)
	}
	s2, v2, err := audit.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s1.KeyHash() != s2.KeyHash() || v1.KeyHash() != v2.KeyHash() || s1.Name() != audit.KeyName {
		t.Fatal("a second load made a new key")
	}
	msg, err := note.Sign(&note.Note{Text: "x\n"}, s2)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := audit.LoadVerifier(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(loaded)); err != nil {
		t.Fatalf("LoadVerifier: %v", err)
	}

	// A lost verifier key is recreated from the signer key.
	if err := os.Remove(filepath.Join(dir, audit.VerifierKeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, v3, err := audit.LoadOrCreateKey(dir); err != nil || v3.KeyHash() != v1.KeyHash() {
		t.Fatalf("recreate verifier: %v", err)
	}
	if vb2, _ := os.ReadFile(filepath.Join(dir, audit.VerifierKeyFile)); string(vb2) != string(vb) {
		t.Fatalf("recreated verifier key %q, want %q", vb2, vb)
	}

	// A verifier key of another key pair is refused.
	_, other, _ := audit.GenerateKey(audit.KeyName)
	if err := os.WriteFile(filepath.Join(dir, audit.VerifierKeyFile), []byte(other+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := audit.LoadOrCreateKey(dir); err == nil {
		t.Fatal("a mismatched verifier key was accepted")
	}
	if err := os.WriteFile(filepath.Join(dir, audit.VerifierKeyFile), vb, 0o644); err != nil {
		t.Fatal(err)
	}

	// A signer key others can read is refused.
	if err := os.Chmod(filepath.Join(dir, audit.SignerKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := audit.LoadOrCreateKey(dir); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Fatalf("a world-readable signer key was accepted: %v", err)
	}
}

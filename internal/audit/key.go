package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// KeyName is the name of the checkpoint signing key that LoadOrCreateKey creates.
const KeyName = "prevent-audit"

// The files LoadOrCreateKey keeps in its directory.
const (
	SignerKeyFile   = "checkpoint-signer.key"
	VerifierKeyFile = "checkpoint-verifier.key"
)

// GenerateKey returns a new Ed25519 signer key (secret) and its verifier key (public) in the
// golang.org/x/mod/sumdb/note encoding, for checkpoints signed under name.
func GenerateKey(name string) (skey, vkey string, err error) {
	if name == "" || !utf8.ValidString(name) || strings.ContainsRune(name, '+') || strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return "", "", fmt.Errorf("audit: key name %q: want non-empty text without spaces or '+'", name)
	}
	skey, vkey, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("audit: generate key %q: %w", name, err)
	}
	return skey, vkey, nil
}

// LoadOrCreateKey returns the checkpoint signer and verifier kept in dir, creating the pair on first use.
// dir must lie outside the database (for example <data>/audit): the signer key file has mode 0600 and the
// database role never sees it, so a DBA who rewrites the audit tables cannot sign a matching checkpoint.
// A signer key file readable by group or others is refused. A missing verifier key file is recreated
// from the signer key.
func LoadOrCreateKey(dir string) (note.Signer, note.Verifier, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("audit: key directory: %w", err)
	}
	spath := filepath.Join(dir, SignerKeyFile)
	skey, err := readSignerKey(spath)
	if errors.Is(err, fs.ErrNotExist) {
		skey, err = createSignerKey(dir, spath)
	}
	if err != nil {
		return nil, nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: %s: %w", spath, err)
	}
	vkey, err := verifierKeyFor(skey)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: %s: %w", spath, err)
	}
	vpath := filepath.Join(dir, VerifierKeyFile)
	stored, err := os.ReadFile(vpath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := writeFileAtomic(dir, VerifierKeyFile, []byte(vkey+"\n"), 0o644); err != nil {
			return nil, nil, err
		}
	case err != nil:
		return nil, nil, fmt.Errorf("audit: verifier key: %w", err)
	case strings.TrimSpace(string(stored)) != vkey:
		return nil, nil, fmt.Errorf("audit: %s does not belong to the signer key in %s", vpath, spath)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, nil, fmt.Errorf("audit: verifier key: %w", err)
	}
	return signer, verifier, nil
}

// LoadVerifier reads the verifier key that LoadOrCreateKey keeps in dir. It reads nothing else and
// writes nothing.
func LoadVerifier(dir string) (note.Verifier, error) {
	return LoadVerifierFile(filepath.Join(dir, VerifierKeyFile))
}

// LoadVerifierFile reads a verifier (public) key from a file holding its text form (see ParseVerifier).
func LoadVerifierFile(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit: verifier key: %w", err)
	}
	v, err := ParseVerifier(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return v, nil
}

// ParseVerifier parses a verifier (public) key in the golang.org/x/mod/sumdb/note text form
// "name+hash+base64", as written to the verifier key file; surrounding white space is ignored. A signer
// (private) key is refused, so that it is never passed around in its place.
func ParseVerifier(text string) (note.Verifier, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "PRIVATE+") {
		return nil, errors.New("audit: verifier key: this is the private signing key; give the public verifier key (" + VerifierKeyFile + ")")
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, fmt.Errorf("audit: verifier key: %w", err)
	}
	return v, nil
}

func readSignerKey(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("audit: refusing signer key %s: mode %v lets others read it, want 0600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// createSignerKey writes a new signer key to path without ever replacing one: when two processes start
// at once, the second link fails and both use the key that won.
func createSignerKey(dir, path string) (string, error) {
	skey, _, err := GenerateKey(KeyName)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".signer-*.tmp")
	if err != nil {
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readSignerKey(path)
		}
		return "", fmt.Errorf("audit: signer key: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return "", err
	}
	return skey, nil
}

// verifierKeyFor derives the verifier key from an Ed25519 signer key in the note encoding
// "PRIVATE+KEY+name+hash+base64(alg || seed)".
func verifierKeyFor(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("malformed signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("malformed signer key")
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	vkey, err := note.NewEd25519VerifierKey(parts[2], priv.Public().(ed25519.PublicKey))
	if err != nil {
		return "", err
	}
	if _, err := note.NewVerifier(vkey); err != nil {
		return "", err
	}
	return vkey, nil
}

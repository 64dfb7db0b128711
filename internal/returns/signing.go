package returns

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

	"golang.org/x/mod/sumdb/note"
)

// The instance's return-signing key: an Ed25519 key pair of its own, kept in files as the audit checkpoint key
// is, in the golang.org/x/mod/sumdb/note text encoding. It is not the checkpoint key: a key that signs bundles
// for other instances to trust should not also vouch for this instance's audit log, and each can be replaced
// without the other. docs/returns.md says why it is kept in a file rather than in the keyring.

// SigningKeyName is the name the return-signing key carries in its text form.
const SigningKeyName = "prevent-returns"

// The files LoadOrCreateSigningKey keeps in its directory.
const (
	SigningKeyFile = "return-signer.key"
	PublicKeyFile  = "return-verifier.key"
)

// SigningKey signs the manifests of bundles.
type SigningKey struct {
	signer note.Signer
	public string
}

// NewSigningKey returns the signing key of a signer key in its note text form ("PRIVATE+KEY+name+hash+…").
func NewSigningKey(skey string) (*SigningKey, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("returns: signing key: %w", err)
	}
	pub, err := publicKeyOf(skey)
	if err != nil {
		return nil, err
	}
	return &SigningKey{signer: signer, public: pub}, nil
}

// GenerateSigningKey returns a new Ed25519 signing key, and its signer key text to keep.
func GenerateSigningKey() (*SigningKey, string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, SigningKeyName)
	if err != nil {
		return nil, "", fmt.Errorf("returns: generate signing key: %w", err)
	}
	k, err := NewSigningKey(skey)
	return k, skey, err
}

// PublicKey is the key's public half as text ("prevent-returns+hash+base64"), for a region or nation to
// register as a trusted sender.
func (k *SigningKey) PublicKey() string { return k.public }

// KeyID names the key as the manifest does: its name and hash ("prevent-returns+1a2b3c4d").
func (k *SigningKey) KeyID() string {
	return fmt.Sprintf("%s+%08x", k.signer.Name(), k.signer.KeyHash())
}

// sign is the Ed25519 signature of msg: the 64 bytes of RFC 8032, over msg itself.
func (k *SigningKey) sign(msg []byte) ([]byte, error) { return k.signer.Sign(msg) }

// publicKeyOf derives the verifier key text of a signer key text.
func publicKeyOf(skey string) (string, error) {
	// PRIVATE+KEY+name+hash+base64(alg || seed): the verifier is name+hash+base64(alg || public key).
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("returns: signing key: malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("returns: signing key: not an Ed25519 key")
	}
	pub, err := note.NewEd25519VerifierKey(parts[2], ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey))
	if err != nil {
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	return pub, nil
}

// ParsePublicKey parses a sender's public key text; a signer (private) key is refused, so that it is never
// handed around in its place.
func ParsePublicKey(text string) (note.Verifier, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "PRIVATE+") {
		return nil, invalidf("This is a private signing key: give the sender's public key (%s) instead, and keep the private one secret", PublicKeyFile)
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, invalidf("The public key is not a key this service can read: it looks like %s+1a2b3c4d+ followed by 44 letters and digits", SigningKeyName)
	}
	return v, nil
}

// LoadOrCreateSigningKey returns the return-signing key kept in dir, creating it on first use, with its public
// key in a file beside it. dir lies outside the database (for example <data>/returns); the signer key file has
// mode 0600 and one readable by group or others is refused.
func LoadOrCreateSigningKey(dir string) (*SigningKey, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("returns: key directory: %w", err)
	}
	path := filepath.Join(dir, SigningKeyFile)
	skey, err := readSigningKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, err = createSigningKey(dir, path)
	}
	if err != nil {
		return nil, err
	}
	k, err := NewSigningKey(skey)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	pub := filepath.Join(dir, PublicKeyFile)
	stored, err := os.ReadFile(pub)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.WriteFile(pub, []byte(k.PublicKey()+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("returns: public key: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("returns: public key: %w", err)
	case strings.TrimSpace(string(stored)) != k.PublicKey():
		return nil, fmt.Errorf("returns: %s does not belong to the signing key in %s", pub, path)
	}
	return k, nil
}

func readSigningKey(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("returns: refusing signing key %s: mode %v lets others read it, want 0600", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// createSigningKey writes a new signer key to path without ever replacing one: when two processes start at
// once, the second link fails and both use the key that won.
func createSigningKey(dir, path string) (string, error) {
	_, skey, err := GenerateSigningKey()
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".return-signer-*.tmp")
	if err != nil {
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readSigningKey(path)
		}
		return "", fmt.Errorf("returns: signing key: %w", err)
	}
	return skey, nil
}

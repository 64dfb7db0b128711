// Package witness is a small transparency-log witness: an HTTP service with its own Ed25519 key that
// cosigns a log's checkpoint only when it is consistent with the last checkpoint of that log it cosigned,
// so that a log cannot roll back or fork without the witness refusing. It follows the C2SP tlog-witness
// protocol (POST /add-checkpoint) and signs cosignature/v1 signatures, with the differences listed in
// docs/audit-evidence.md.
package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// algCosignatureV1 is the signature type byte of cosignature/v1 keys.
const algCosignatureV1 = 0x04

// keyID is the C2SP signed-note key ID of a cosignature/v1 key: the first four bytes of
// SHA-256(name || 0x0A || 0x04 || public key).
func keyID(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', algCosignatureV1})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func validName(name string) bool {
	return name != "" && utf8.ValidString(name) && !strings.ContainsRune(name, '+') && strings.IndexFunc(name, unicode.IsSpace) < 0
}

// GenerateKey returns a new cosignature/v1 signer key (secret) and verifier key (public) named name, in the
// signed-note text forms "PRIVATE+KEY+name+hash+base64(0x04 || seed)" and "name+hash+base64(0x04 || key)".
func GenerateKey(name string) (skey, vkey string, err error) {
	if !validName(name) {
		return "", "", fmt.Errorf("witness: key name %q: want non-empty text without spaces or '+'", name)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", fmt.Errorf("witness: generate key: %w", err)
	}
	id := keyID(name, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, priv.Seed()...)))
	vkey = fmt.Sprintf("%s+%08x+%s", name, id, base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, pub...)))
	return skey, vkey, nil
}

// cosignedMessage is what a cosignature/v1 signature signs: a header naming the signature type and the
// time, then the checkpoint body.
func cosignedMessage(t uint64, body []byte) []byte {
	return append([]byte("cosignature/v1\ntime "+strconv.FormatUint(t, 10)+"\n"), body...)
}

// Signer makes cosignature/v1 signatures. It implements note.Signer: the bytes it returns after the key
// ID are the 8-byte big-endian timestamp (seconds since the epoch) and the Ed25519 signature.
type Signer struct {
	name string
	id   uint32
	priv ed25519.PrivateKey
	// Now gives the cosignature's time (default time.Now).
	Now func() time.Time
}

// NewSigner parses a signer key made by GenerateKey.
func NewSigner(skey string) (*Signer, error) {
	parts := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || !validName(parts[2]) {
		return nil, errors.New("witness: malformed signer key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != algCosignatureV1 {
		return nil, errors.New("witness: malformed signer key (want a cosignature/v1 Ed25519 key)")
	}
	priv := ed25519.NewKeyFromSeed(raw[1:])
	id := keyID(parts[2], priv.Public().(ed25519.PublicKey))
	if fmt.Sprintf("%08x", id) != parts[3] {
		return nil, errors.New("witness: signer key: the key hash does not match the key")
	}
	return &Signer{name: parts[2], id: id, priv: priv}, nil
}

// Name is the key name.
func (s *Signer) Name() string { return s.name }

// KeyHash is the key ID.
func (s *Signer) KeyHash() uint32 { return s.id }

// Sign signs a checkpoint body.
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := uint64(now().Unix())
	sig := make([]byte, 8, 8+ed25519.SignatureSize)
	binary.BigEndian.PutUint64(sig, t)
	return append(sig, ed25519.Sign(s.priv, cosignedMessage(t, msg))...), nil
}

// VerifierKey returns the verifier (public) key text of the signer.
func (s *Signer) VerifierKey() string {
	pub := s.priv.Public().(ed25519.PublicKey)
	return fmt.Sprintf("%s+%08x+%s", s.name, s.id, base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, pub...)))
}

// Verifier checks cosignature/v1 signatures; it implements note.Verifier.
type Verifier struct {
	name string
	id   uint32
	pub  ed25519.PublicKey
}

// NewVerifier parses a verifier key "name+hash+base64(0x04 || key)" as GenerateKey makes it.
func NewVerifier(vkey string) (*Verifier, error) {
	vkey = strings.TrimSpace(vkey)
	if strings.HasPrefix(vkey, "PRIVATE+") {
		return nil, errors.New("witness: verifier key: this is the private key; give the witness's public key")
	}
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || !validName(parts[0]) {
		return nil, errors.New("witness: malformed verifier key (want name+hash+base64)")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != algCosignatureV1 {
		return nil, errors.New("witness: malformed verifier key (want a cosignature/v1 Ed25519 key)")
	}
	pub := ed25519.PublicKey(raw[1:])
	id := keyID(parts[0], pub)
	if fmt.Sprintf("%08x", id) != parts[1] {
		return nil, errors.New("witness: verifier key: the key hash does not match the key")
	}
	return &Verifier{name: parts[0], id: id, pub: pub}, nil
}

// Name is the key name.
func (v *Verifier) Name() string { return v.name }

// KeyHash is the key ID.
func (v *Verifier) KeyHash() uint32 { return v.id }

// Verify checks a cosignature (timestamp and Ed25519 signature) over a checkpoint body.
func (v *Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	return ed25519.Verify(v.pub, cosignedMessage(t, msg), sig[8:])
}

// Time returns the time a cosignature in a signed note was made, for a note signature sig (base64, as
// on the signature line) by this verifier's key.
func (v *Verifier) Time(sig string) (time.Time, bool) {
	b, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(b) != 4+8+ed25519.SignatureSize || binary.BigEndian.Uint32(b) != v.id {
		return time.Time{}, false
	}
	return time.Unix(int64(binary.BigEndian.Uint64(b[4:12])), 0).UTC(), true
}

var (
	_ note.Signer   = (*Signer)(nil)
	_ note.Verifier = (*Verifier)(nil)
)

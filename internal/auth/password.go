package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"golang.org/x/crypto/argon2"
)

// The argon2id parameters for new hashes. They are the floor: a stored hash below any of them is
// replaced at the next successful sign-in. 19 MiB, two passes and one lane is OWASP's first choice.
const (
	ArgonMemory  uint32 = 19456 // KiB
	ArgonTime    uint32 = 2
	ArgonThreads uint8  = 1
	saltLen             = 16
	keyLen              = 32
)

// Bounds the parser accepts, so that a corrupt or hostile stored hash cannot make verification
// allocate without limit or loop for minutes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	maxThreads = 64
	minSalt    = 8
	maxSalt    = 64
	minKey     = 16
	maxKey     = 64
)

// phc is a parsed argon2id PHC string.
type phc struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	key     []byte
}

var b64 = base64.RawStdEncoding.Strict()

// String encodes the hash as `$argon2id$v=19$m=...,t=...,p=...$salt$hash`.
func (h phc) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.memory, h.time, h.threads,
		b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

// belowFloor reports whether the hash is weaker than new hashes would be.
func (h phc) belowFloor() bool {
	return h.memory < ArgonMemory || h.time < ArgonTime || len(h.salt) < saltLen || len(h.key) < keyLen
}

var errPHC = errors.New("auth: not an argon2id PHC string")

// parsePHC reads an argon2id PHC string strictly: the parameters in the order m, t, p as plain decimal
// numbers within bounds, and salt and hash in unpadded standard base64.
func parsePHC(s string) (phc, error) {
	var h phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, errPHC
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return h, errPHC
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(params[i], name)
		if !ok || v == "" || len(v) > 10 || (len(v) > 1 && v[0] == '0') {
			return h, errPHC
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return h, errPHC
		}
		vals[i] = n
	}
	if vals[0] < 8 || vals[0] > maxMemory || vals[1] < 1 || vals[1] > maxTime || vals[2] < 1 || vals[2] > maxThreads {
		return h, errPHC
	}
	// argon2 needs at least 8 KiB per lane.
	if vals[0] < 8*vals[2] {
		return h, errPHC
	}
	h.memory, h.time, h.threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	// The decoder skips line breaks; a hash has one spelling, so refuse anything outside the alphabet.
	if !isBase64(parts[4]) || !isBase64(parts[5]) {
		return phc{}, errPHC
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < minSalt || len(h.salt) > maxSalt {
		return phc{}, errPHC
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < minKey || len(h.key) > maxKey {
		return phc{}, errPHC
	}
	return h, nil
}

func isBase64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// HashPassword returns the argon2id PHC string of pw with a new random salt and the floor parameters.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	h := phc{memory: ArgonMemory, time: ArgonTime, threads: ArgonThreads, salt: salt}
	h.key = argon2.IDKey([]byte(pw), salt, h.time, h.memory, h.threads, keyLen)
	return h.String(), nil
}

// VerifyPassword reports whether pw matches the PHC string encoded, comparing in constant time, and
// whether the stored hash is below the floor parameters and should be replaced now that pw is known.
func VerifyPassword(encoded, pw string) (ok, rehash bool, err error) {
	h, err := parsePHC(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(pw), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	if subtle.ConstantTimeCompare(got, h.key) != 1 {
		return false, false, nil
	}
	return true, h.belowFloor(), nil
}

// dummyVerify does the work of a password check against a hash nobody has, so that an unknown email,
// a locked or a password-less account takes as long to refuse as a wrong password.
func dummyVerify(pw string) {
	h := phc{memory: ArgonMemory, time: ArgonTime, threads: ArgonThreads, salt: make([]byte, saltLen), key: make([]byte, keyLen)}
	_, _, _ = VerifyPassword(h.String(), pw)
}

// SetPassword checks pw against the password policy and stores its hash for the person, clearing any
// lockout. It is audited (admin) as the principal in ctx. Sessions are left alone: callers that reset a
// forgotten or compromised password should also call EndAllSessions.
func (s *Service) SetPassword(ctx context.Context, personID prevent.ID, pw string) error {
	var email, name string
	err := s.db.Read().QueryRowContext(ctx, "SELECT email, name FROM people WHERE id = $1", personID).Scan(&email, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return prevent.Errorf(prevent.NotFound, "Person not found")
	}
	if err != nil {
		return fmt.Errorf("auth: set password %d: %w", personID, err)
	}
	if err := CheckPassword(pw, email, name); err != nil {
		return err
	}
	hash, err := HashPassword(pw)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE people SET password_hash = $1, password_changed_at = $2,
			failed_sign_ins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3`, hash, now, personID)
		if err != nil {
			return fmt.Errorf("auth: set password %d: %w", personID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return prevent.Errorf(prevent.NotFound, "Person not found")
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, personKind, personID, "password set")
	})
}

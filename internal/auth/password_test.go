package auth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"golang.org/x/crypto/argon2"
)

func TestHashPasswordUsesFloorParameters(t *testing.T) {
	h, err := auth.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	if want := fmt.Sprintf("m=%d,t=%d,p=1", auth.ArgonMemory, auth.ArgonTime); parts[3] != want {
		t.Errorf("parameters %q, want %q", parts[3], want)
	}
	if auth.ArgonMemory < 19456 || auth.ArgonTime < 2 {
		t.Errorf("floor m=%d t=%d is below OWASP's m=19456 t=2", auth.ArgonMemory, auth.ArgonTime)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v; want 16", parts[4], len(salt), err)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) != 32 {
		t.Errorf("key %q: %d bytes, %v; want 32", parts[5], len(key), err)
	}
	h2, _ := auth.HashPassword(goodPassword)
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}

	ok, rehash, err := auth.VerifyPassword(h, goodPassword)
	if !ok || rehash || err != nil {
		t.Errorf("verify right password = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	ok, _, err = auth.VerifyPassword(h, goodPassword+"x")
	if ok || err != nil {
		t.Errorf("verify wrong password = %v, %v; want false, nil", ok, err)
	}
}

func weakHash(pw string) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 1, 4096, 1, 32)
	return fmt.Sprintf("$argon2id$v=19$m=4096,t=1,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

func TestVerifyPasswordAsksForRehashBelowFloor(t *testing.T) {
	ok, rehash, err := auth.VerifyPassword(weakHash(goodPassword), goodPassword)
	if !ok || !rehash || err != nil {
		t.Fatalf("verify weak hash = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$a2V5", "plaintext", "$argon2id$v=19$m=99999999999,t=2,p=1$c2FsdHNhbHQ$c2FsdHNhbHRzYWx0c2FsdA"} {
		if ok, _, err := auth.VerifyPassword(bad, goodPassword); ok || err == nil {
			t.Errorf("verify against %q = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestSignInUpgradesWeakHash(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		id := f.person(t, "weak@example.gov.uk")
		f.exec(t, "UPDATE people SET password_hash = $1 WHERE id = $2", weakHash(goodPassword), id)
		f.signIn(t, "weak@example.gov.uk")
		var stored string
		if err := db.Read().QueryRowContext(context.Background(), "SELECT password_hash FROM people WHERE id = $1", id).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stored, fmt.Sprintf("m=%d,t=%d,", auth.ArgonMemory, auth.ArgonTime)) {
			t.Errorf("hash after sign-in %q; want it upgraded to the floor", stored)
		}
		f.signIn(t, "weak@example.gov.uk") // and the new hash works
	})
}

func TestCheckPassword(t *testing.T) {
	const email, name = "jane.smith@northshire.gov.uk", "Jane Smith"
	cases := []struct {
		name, pw, want string // want "" means accepted
	}{
		{"empty", "", "Enter a password"},
		{"short", "xk3!vQ9#pL2", "Password must be 12 characters or more"},
		{"long", strings.Repeat("ab3$", 64) + "z", "Password must be 256 characters or fewer"},
		{"common and long enough", "LeaveMeAlone", "too easy to guess"},
		{"common keyboard walk", "1qaz2wsx3edc", "too easy to guess"},
		{"common with digits", "password1234", "too easy to guess"},
		{"common with look-alikes", "P@ssw0rd2024!", "too easy to guess"},
		{"common repeated", "monkeymonkey", "too easy to guess"},
		{"few characters", "aaaaaaaaaaaaab", "too easy to guess"},
		{"a run", "1234567890123", "too easy to guess"},
		{"contains email", "jane.smith@northshire!", "must not include your email address"},
		{"contains email part", "my-smith-horse-87", "must not include your email address"},
		{"accepted passphrase", "correct horse battery staple", ""},
		{"accepted random", "xk3!vQ9#pL2m", ""},
		{"exactly 256", strings.Repeat("q", 250) + "x7#Lm2", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := auth.CheckPassword(c.pw, email, name)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			msg := wantKind(t, err, prevent.Invalid)
			if !strings.Contains(msg, c.want) {
				t.Errorf("message %q, want it to contain %q", msg, c.want)
			}
			if f := prevent.FieldErrors(err); len(f) != 1 || f[0].Field != "password" {
				t.Errorf("field errors %v, want one on password", f)
			}
		})
	}
	// The name is refused on its own too.
	err := auth.CheckPassword("okafor-lighthouse-9", "sam@northshire.gov.uk", "Sam Okafor")
	if msg := wantKind(t, err, prevent.Invalid); !strings.Contains(msg, "your name") {
		t.Errorf("message %q, want it about the name", msg)
	}
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		id := f.person(t, "sam@northshire.gov.uk")
		ctx := context.Background()
		wantKind(t, f.svc.SetPassword(ctx, id, "short"), prevent.Invalid)
		before := f.audits(t)
		if err := f.svc.SetPassword(ctx, id, "amber-lantern-meadow-42"); err != nil {
			t.Fatal(err)
		}
		if got := f.audits(t); got != before+1 {
			t.Errorf("audit entries %d, want %d", got, before+1)
		}
		if _, _, err := f.svc.SignIn(ctx, "sam@northshire.gov.uk", "amber-lantern-meadow-42", auth.SignInMeta{}); err != nil {
			t.Errorf("sign in with the new password: %v", err)
		}
		wantKind(t, f.svc.SetPassword(ctx, 9999, "amber-lantern-meadow-42"), prevent.NotFound)
	})
}

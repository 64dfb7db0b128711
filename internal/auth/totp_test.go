package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol sets up an authenticator app for the person and returns its secret.
func (f *fixture) enrol(t *testing.T, id prevent.ID) string {
	t.Helper()
	ctx := context.Background()
	e, err := f.svc.BeginTOTP(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.URL, "otpauth://totp/") || !strings.Contains(e.URL, "secret="+e.Secret) {
		t.Errorf("otpauth URL %q does not carry the secret", e.URL)
	}
	if err := f.svc.ConfirmTOTP(ctx, id, code(t, e.Secret, f.clock.Now())); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return e.Secret
}

func TestTOTP(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		const email = "sam@northshire.gov.uk"
		id := f.person(t, email, prevent.Coordinator)

		tok, res := f.signIn(t, email)
		if !res.NeedsSecondFactor || res.HasTOTP || res.HasPasskey || res.Principal.MFA {
			t.Errorf("coordinator without a factor: %+v; want NeedsSecondFactor and no factors", res)
		}
		p, err := f.svc.Authenticate(ctx, tok)
		if err != nil || p.MFA || !auth.NeedsStepUp(p) {
			t.Fatalf("before the second factor: %+v, %v; want a step-up pending", p, err)
		}
		wantKind(t, f.svc.VerifyTOTP(ctx, tok, "123456"), prevent.Conflict) // nothing set up yet

		secret := f.enrol(t, id)
		// Confirming used this time step: the same code cannot sign in.
		msg := wantKind(t, f.svc.VerifyTOTP(ctx, tok, code(t, secret, f.clock.Now())), prevent.Invalid)
		if !strings.Contains(msg, "already been used") {
			t.Errorf("replay message %q", msg)
		}
		f.clock.Advance(30 * time.Second)
		c := code(t, secret, f.clock.Now())
		before := f.audits(t)
		if err := f.svc.VerifyTOTP(ctx, tok, c[:3]+" "+c[3:]); err != nil {
			t.Fatalf("code with a space refused: %v", err)
		}
		if f.audits(t) != before+1 {
			t.Error("second factor not audited")
		}
		p, err = f.svc.Authenticate(ctx, tok)
		if err != nil || !p.MFA || auth.NeedsStepUp(p) {
			t.Fatalf("after the second factor: %+v, %v; want MFA", p, err)
		}

		// The same code in a new session is a replay.
		tok2, res := f.signIn(t, email)
		if !res.HasTOTP || !res.NeedsSecondFactor {
			t.Errorf("second sign-in %+v; want HasTOTP and a step-up", res)
		}
		wantKind(t, f.svc.VerifyTOTP(ctx, tok2, c), prevent.Invalid)
		// A code from the previous step (within the skew) is also refused: its step is older.
		wantKind(t, f.svc.VerifyTOTP(ctx, tok2, code(t, secret, f.clock.Now().Add(-30*time.Second))), prevent.Invalid)
		// The next step's code is accepted once, with the skew allowing a clock one step ahead.
		next := code(t, secret, f.clock.Now().Add(30*time.Second))
		if err := f.svc.VerifyTOTP(ctx, tok2, next); err != nil {
			t.Fatalf("next code refused: %v", err)
		}
		wantKind(t, f.svc.VerifyTOTP(ctx, tok2, "12345"), prevent.Invalid)
		wantKind(t, f.svc.VerifyTOTP(ctx, "no-such-session", next), prevent.Unauthenticated)

		// A confirmed app cannot be replaced without a reset.
		_, err = f.svc.BeginTOTP(ctx, id)
		wantKind(t, err, prevent.Conflict)
	})
}

func TestTOTPWrongCodesEndSession(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		const email = "sam@northshire.gov.uk"
		id := f.person(t, email, prevent.PanelMember)
		secret := f.enrol(t, id)
		f.clock.Advance(time.Minute)
		tok, _ := f.signIn(t, email)
		other, _ := f.signIn(t, email) // a second session opened before the failures
		right := code(t, secret, f.clock.Now())
		wrong := "000000"
		if wrong == right {
			wrong = "111111"
		}
		for i := 1; i < auth.MaxSecondFactorFailures; i++ {
			wantKind(t, f.svc.VerifyTOTP(ctx, tok, wrong), prevent.Invalid)
		}
		before := f.audits(t)
		wantKind(t, f.svc.VerifyTOTP(ctx, tok, wrong), prevent.Unauthenticated)
		if f.audits(t) != before+1 {
			t.Error("the failure that ended the session was not audited")
		}
		// The session is gone: even the right code does not help now.
		wantKind(t, f.svc.VerifyTOTP(ctx, tok, right), prevent.Unauthenticated)
		_, err := f.svc.Authenticate(ctx, tok)
		wantKind(t, err, prevent.Unauthenticated)
		// Five wrong codes also lock the account, so signing in again does not give fresh guesses.
		_, _, err = f.svc.SignIn(ctx, email, goodPassword, auth.SignInMeta{})
		wantKind(t, err, prevent.Unauthenticated)
		// Nor does a session opened earlier: while the account is locked no code is checked.
		msg := wantKind(t, f.svc.VerifyTOTP(ctx, other, right), prevent.Invalid)
		if !strings.Contains(msg, "Wait") {
			t.Errorf("locked message %q", msg)
		}
		f.clock.Advance(61 * time.Second)
		tok, _ = f.signIn(t, email)
		if err := f.svc.VerifyTOTP(ctx, tok, code(t, secret, f.clock.Now())); err != nil {
			t.Fatalf("right code after the lock: %v", err)
		}
		if n := f.count(t, "SELECT failed_sign_ins FROM people WHERE id = $1", id); n != 0 {
			t.Errorf("failed_sign_ins = %d after a complete sign-in, want 0", n)
		}
	})
}

func TestDemoExemption(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		const email = "demo.coordinator@northshire.gov.uk"
		id := f.person(t, email, prevent.Coordinator)
		f.exec(t, "UPDATE people SET demo_mfa_exempt = TRUE WHERE id = $1", id)

		for _, demo := range []bool{false, true} {
			svc := auth.New(auth.Deps{DB: db, Now: f.clock.Now, DemoMode: demo})
			tok, res, err := svc.SignIn(ctx, email, goodPassword, auth.SignInMeta{})
			if err != nil {
				t.Fatal(err)
			}
			if res.NeedsSecondFactor == demo || res.Principal.MFA != demo {
				t.Errorf("DemoMode %v: sign-in result %+v", demo, res)
			}
			p, err := svc.Authenticate(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if p.MFA != demo || auth.NeedsStepUp(p) == demo {
				t.Errorf("DemoMode %v: MFA %v, step-up %v; want the exemption only in demo mode", demo, p.MFA, auth.NeedsStepUp(p))
			}
			_, _, err = svc.CreateToken(ctx, id, "demo token", time.Time{})
			if demo && err != nil {
				t.Errorf("demo mode: create token: %v", err)
			}
			if !demo {
				wantKind(t, err, prevent.Forbidden)
			}
		}
	})
}

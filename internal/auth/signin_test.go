package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		id := f.person(t, "sam@northshire.gov.uk", prevent.Analyst)
		disabled := f.person(t, "gone@northshire.gov.uk", prevent.Analyst)
		f.exec(t, "UPDATE people SET disabled_at = $1 WHERE id = $2", f.clock.Now(), disabled)

		cases := []struct {
			name, email, password string
			ok                    bool
			wantRecord            prevent.ID
		}{
			{"success", "sam@northshire.gov.uk", goodPassword, true, id},
			{"email in another case and spaces", "  Sam@Northshire.GOV.uk ", goodPassword, true, id},
			{"wrong password", "sam@northshire.gov.uk", "not-the-password-1", false, id},
			{"unknown email", "nobody@northshire.gov.uk", goodPassword, false, 0},
			{"disabled account", "gone@northshire.gov.uk", goodPassword, false, disabled},
			{"empty", "", "", false, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := f.audits(t)
				tok, res, err := f.svc.SignIn(ctx, c.email, c.password, auth.SignInMeta{})
				if got := f.audits(t); got != before+1 {
					t.Errorf("audit entries %d, want %d", got, before+1)
				}
				var action string
				var record prevent.ID
				if err := db.Read().QueryRowContext(ctx, "SELECT action, record_id FROM audit_entries ORDER BY seq DESC LIMIT 1").Scan(&action, &record); err != nil {
					t.Fatal(err)
				}
				if action != "sign-in" || record != c.wantRecord {
					t.Errorf("audit entry %s about %d, want sign-in about %d", action, record, c.wantRecord)
				}
				if !c.ok {
					if msg := wantKind(t, err, prevent.Unauthenticated); msg != auth.MsgSignInFailed {
						t.Errorf("message %q, want %q", msg, auth.MsgSignInFailed)
					}
					if tok != "" {
						t.Error("a refused sign-in returned a token")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if res.Principal.PersonID != id || res.Principal.OrganisationID != f.org || res.Principal.SessionID == 0 {
					t.Errorf("principal %+v, want person %d of organisation %d with a session", res.Principal, id, f.org)
				}
				if res.NeedsSecondFactor {
					t.Error("an analyst was asked for a second factor")
				}
				p, err := f.svc.Authenticate(ctx, tok)
				if err != nil || p.PersonID != id || p.SessionID != res.Principal.SessionID {
					t.Errorf("Authenticate(new token) = %+v, %v", p, err)
				}
			})
		}
		// Nothing typed at sign-in is in the log.
		rows, err := db.Read().QueryContext(ctx, "SELECT detail, purpose, request_id FROM audit_entries")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, b, c string
			if err := rows.Scan(&a, &b, &c); err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"@", goodPassword, "not-the-password"} {
				if strings.Contains(a+b+c, secret) {
					t.Errorf("audit entry %q %q %q contains %q", a, b, c, secret)
				}
			}
		}
	})
}

func TestSignInRotatesSession(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		f.person(t, "sam@northshire.gov.uk", prevent.Analyst)
		old, _ := f.signIn(t, "sam@northshire.gov.uk")
		tok, _, err := f.svc.SignIn(ctx, "sam@northshire.gov.uk", goodPassword, auth.SignInMeta{PreviousToken: old})
		if err != nil {
			t.Fatal(err)
		}
		if tok == old {
			t.Fatal("sign-in kept the previous token")
		}
		_, err = f.svc.Authenticate(ctx, old)
		wantKind(t, err, prevent.Unauthenticated)
		if _, err := f.svc.Authenticate(ctx, tok); err != nil {
			t.Errorf("new session: %v", err)
		}
		// Only a hash of the token is stored.
		if n := f.count(t, "SELECT count(*) FROM sessions WHERE token_hash = $1", []byte(tok)); n != 0 {
			t.Error("the plaintext token is stored")
		}
	})
}

func TestLockout(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		const email = "sam@northshire.gov.uk"
		id := f.person(t, email, prevent.Analyst)
		wrong := func() {
			t.Helper()
			_, _, err := f.svc.SignIn(ctx, email, "wrong-password-123", auth.SignInMeta{})
			wantKind(t, err, prevent.Unauthenticated)
		}
		right := func() error {
			_, _, err := f.svc.SignIn(ctx, email, goodPassword, auth.SignInMeta{})
			return err
		}
		for range 4 {
			wrong()
		}
		if err := right(); err != nil {
			t.Fatalf("refused after 4 failures: %v", err)
		}
		// Success cleared the count: 5 more failures are needed to lock.
		for range 5 {
			wrong()
		}
		if msg := wantKind(t, right(), prevent.Unauthenticated); msg != auth.MsgSignInFailed {
			t.Errorf("locked account message %q, want the usual one", msg)
		}
		f.clock.Advance(59 * time.Second)
		wantKind(t, right(), prevent.Unauthenticated)
		f.clock.Advance(2 * time.Second)
		// A further failure after the first lock doubles it to two minutes.
		wrong()
		f.clock.Advance(61 * time.Second)
		wantKind(t, right(), prevent.Unauthenticated)
		f.clock.Advance(60 * time.Second)
		if err := right(); err != nil {
			t.Fatalf("refused after the two-minute lock: %v", err)
		}

		// The back-off stops at an hour.
		f.exec(t, "UPDATE people SET failed_sign_ins = 30 WHERE id = $1", id)
		wrong()
		f.clock.Advance(59 * time.Minute)
		wantKind(t, right(), prevent.Unauthenticated)
		f.clock.Advance(2 * time.Minute)
		if err := right(); err != nil {
			t.Fatalf("refused after an hour: %v", err)
		}

		// The hundredth failure in a row stops sign-in until an administrator unlocks.
		f.exec(t, "UPDATE people SET failed_sign_ins = 99 WHERE id = $1", id)
		wrong()
		f.clock.Advance(48 * time.Hour)
		wantKind(t, right(), prevent.Unauthenticated)
		if err := f.svc.Unlock(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := right(); err != nil {
			t.Fatalf("refused after unlock: %v", err)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		const email = "sam@northshire.gov.uk"
		f.person(t, email, prevent.Analyst)

		t.Run("idle", func(t *testing.T) {
			tok, _ := f.signIn(t, email)
			f.clock.Advance(29 * time.Minute)
			if _, err := f.svc.Authenticate(ctx, tok); err != nil {
				t.Fatalf("after 29 idle minutes: %v", err)
			}
			// That request counted as activity.
			f.clock.Advance(29 * time.Minute)
			if _, err := f.svc.Authenticate(ctx, tok); err != nil {
				t.Fatalf("29 minutes after the last request: %v", err)
			}
			f.clock.Advance(31 * time.Minute)
			msg := wantKind(t, func() error { _, err := f.svc.Authenticate(ctx, tok); return err }(), prevent.Unauthenticated)
			if !strings.Contains(msg, "30 minutes") {
				t.Errorf("message %q, want it to explain the idle time-out", msg)
			}
			// Once refused, always refused.
			f.clock.Advance(-31 * time.Minute)
			_, err := f.svc.Authenticate(ctx, tok)
			wantKind(t, err, prevent.Unauthenticated)
			f.clock.Advance(31 * time.Minute)
		})

		t.Run("absolute", func(t *testing.T) {
			tok, _ := f.signIn(t, email)
			for elapsed := time.Duration(0); elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
				if _, err := f.svc.Authenticate(ctx, tok); err != nil {
					t.Fatalf("after %s of activity: %v", elapsed, err)
				}
				f.clock.Advance(20 * time.Minute)
			}
			f.clock.Advance(time.Minute)
			_, err := f.svc.Authenticate(ctx, tok)
			if msg := wantKind(t, err, prevent.Unauthenticated); !strings.Contains(msg, "12 hours") {
				t.Errorf("message %q, want it to explain the 12-hour limit", msg)
			}
		})

		t.Run("sign out", func(t *testing.T) {
			tok, _ := f.signIn(t, email)
			if err := f.svc.SignOut(ctx, tok); err != nil {
				t.Fatal(err)
			}
			_, err := f.svc.Authenticate(ctx, tok)
			wantKind(t, err, prevent.Unauthenticated)
			if err := f.svc.SignOut(ctx, tok); err != nil {
				t.Errorf("signing out twice: %v", err)
			}
		})

		t.Run("garbage", func(t *testing.T) {
			for _, tok := range []string{"", "nonsense", strings.Repeat("A", 43)} {
				_, err := f.svc.Authenticate(ctx, tok)
				wantKind(t, err, prevent.Unauthenticated)
			}
		})
	})
}

func TestDisablingEndsSessions(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db, false)
		ctx := context.Background()
		id := f.person(t, "sam@northshire.gov.uk", prevent.Analyst)
		a, _ := f.signIn(t, "sam@northshire.gov.uk")
		b, _ := f.signIn(t, "sam@northshire.gov.uk")
		if _, err := f.svc.Authenticate(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.exec(t, "UPDATE people SET disabled_at = $1 WHERE id = $2", f.clock.Now(), id)
		for _, tok := range []string{a, b} {
			_, err := f.svc.Authenticate(ctx, tok)
			wantKind(t, err, prevent.Unauthenticated)
		}
		if n := f.count(t, "SELECT count(*) FROM sessions WHERE person_id = $1 AND ended_at IS NULL", id); n != 0 {
			t.Errorf("%d sessions still open after refusal", n)
		}
		// Re-enabling does not bring the sessions back.
		f.exec(t, "UPDATE people SET disabled_at = NULL WHERE id = $1", id)
		_, err := f.svc.Authenticate(ctx, a)
		wantKind(t, err, prevent.Unauthenticated)

		// EndAllSessions ends every session at once and is audited.
		c, _ := f.signIn(t, "sam@northshire.gov.uk")
		before := f.audits(t)
		if err := f.svc.EndAllSessions(ctx, id); err != nil {
			t.Fatal(err)
		}
		if f.audits(t) != before+1 {
			t.Error("EndAllSessions was not audited")
		}
		_, err = f.svc.Authenticate(ctx, c)
		wantKind(t, err, prevent.Unauthenticated)
	})
}

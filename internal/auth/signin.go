package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// MsgSignInFailed is the one message for every refused sign-in, so that nobody can learn from it whether
// an email address has an account, or whether that account is locked or disabled.
const MsgSignInFailed = "Enter a correct email address and password"

// Account lockout: after LockoutThreshold consecutive failures the account is locked for a minute, the
// lock doubling with each further failure up to an hour; after HardStop failures it stays locked until
// an administrator calls Unlock. Attempts while locked are refused without counting.
const (
	LockoutThreshold = 5
	HardStop         = 100
	firstLockout     = time.Minute
	maxLockout       = time.Hour
)

// lockoutFor is how long an account is locked after n consecutive failures.
func lockoutFor(n int) time.Duration {
	if n < LockoutThreshold {
		return 0
	}
	shift := n - LockoutThreshold
	if shift >= 6 { // 64 minutes already exceeds the cap
		return maxLockout
	}
	return min(firstLockout<<shift, maxLockout)
}

// locked reports whether an account with these counters refuses sign-in at now.
func locked(failures int, until sql.NullTime, now time.Time) bool {
	return failures >= HardStop || (until.Valid && now.Before(until.Time))
}

// SignInMeta describes the request a sign-in comes from.
type SignInMeta struct {
	// PreviousToken is the session token the browser already holds, if any. It is ended, so that a
	// session token fixed before sign-in is never the one that is signed in.
	PreviousToken string
}

// SignInResult says who signed in and what they must do next.
type SignInResult struct {
	// Principal is the signed-in person with the new session; MFA is true only when the person may skip
	// the second factor (demo mode).
	Principal prevent.Principal
	// NeedsSecondFactor is true when the person's roles see personal data and the session has not yet
	// passed a second factor: ask for one (or, with neither HasTOTP nor HasPasskey, set one up).
	NeedsSecondFactor bool
	// HasTOTP and HasPasskey say which second factors the person has set up.
	HasTOTP    bool
	HasPasskey bool
}

// SignIn checks an email address and password and, when they are right, starts a new session and returns
// its token. Every refusal is Unauthenticated with MsgSignInFailed and costs a password hash, whether the
// email is unknown, the account locked or disabled, or the password wrong. A wrong password counts towards
// the lockout. Success and failure are each audited (sign-in) in the same transaction as their effect,
// naming the person (0 when unknown) and never the email or password typed. A hash below the floor
// parameters is replaced.
func (s *Service) SignIn(ctx context.Context, email, password string, meta SignInMeta) (string, SignInResult, error) {
	now := s.clock()
	email = strings.TrimSpace(email)
	var (
		id, org         prevent.ID
		hash            string
		disabled, until sql.NullTime
		failures        int
	)
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, organisation_id, password_hash, disabled_at, failed_sign_ins, locked_until
		FROM people WHERE lower(email) = lower($1)`, email).Scan(&id, &org, &hash, &disabled, &failures, &until)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		dummyVerify(password)
		return "", SignInResult{}, s.signInRefused(ctx, now, 0, "unknown account")
	case err != nil:
		return "", SignInResult{}, fmt.Errorf("auth: sign in: %w", err)
	case hash == "":
		dummyVerify(password)
		return "", SignInResult{}, s.signInRefused(ctx, now, id, "no password set")
	case locked(failures, until, now):
		dummyVerify(password)
		return "", SignInResult{}, s.signInRefused(ctx, now, id, "account locked")
	}
	ok, rehash, err := VerifyPassword(hash, password)
	switch {
	case err != nil:
		return "", SignInResult{}, s.signInRefused(ctx, now, id, "stored password hash unreadable")
	case disabled.Valid:
		return "", SignInResult{}, s.signInRefused(ctx, now, id, "account disabled")
	case !ok:
		return "", SignInResult{}, s.wrongPassword(ctx, now, id)
	}
	var newHash string
	if rehash {
		if newHash, err = HashPassword(password); err != nil {
			return "", SignInResult{}, err
		}
	}

	var (
		token   string
		res     SignInResult
		refused error
	)
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		// Read again under the write lock: a concurrent attempt may have locked the account since, or an
		// administrator disabled it.
		var exempt bool
		err := tx.QueryRowContext(ctx, "SELECT disabled_at, failed_sign_ins, locked_until, demo_mfa_exempt FROM people WHERE id = $1", id).
			Scan(&disabled, &failures, &until, &exempt)
		if err != nil {
			return fmt.Errorf("auth: sign in: %w", err)
		}
		if disabled.Valid || locked(failures, until, now) {
			refused = prevent.Errorf(prevent.Unauthenticated, MsgSignInFailed)
			return s.auditSignIn(ctx, tx, now, 0, 0, id, "account locked or disabled")
		}
		detail := "signed in with password"
		if newHash != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE people SET password_hash = $1, updated_at = $2 WHERE id = $3", newHash, now, id); err != nil {
				return fmt.Errorf("auth: sign in: rehash: %w", err)
			}
			detail += "; password hash upgraded"
		}
		if meta.PreviousToken != "" {
			if _, err := tx.ExecContext(ctx, "UPDATE sessions SET ended_at = $1, challenge = '' WHERE token_hash = $2 AND ended_at IS NULL",
				now, hashSecret(meta.PreviousToken)); err != nil {
				return fmt.Errorf("auth: sign in: end previous session: %w", err)
			}
		}
		var sid prevent.ID
		if token, sid, err = createSession(ctx, tx, id, now); err != nil {
			return err
		}
		if err := s.auditSignIn(ctx, tx, now, id, org, id, detail); err != nil {
			return err
		}
		p, err := LoadPrincipal(ctx, tx, id, now)
		if err != nil {
			return err
		}
		p.SessionID = sid
		p.MFA = s.demo && exempt
		res.Principal = p
		res.NeedsSecondFactor = NeedsStepUp(p)
		// The failure count is cleared once sign-in is complete: here when no second factor is owed,
		// otherwise when it is passed, so that wrong codes cannot be retried without limit by signing
		// in again with the password.
		if !res.NeedsSecondFactor && (failures != 0 || until.Valid) {
			if _, err := tx.ExecContext(ctx, "UPDATE people SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1", id); err != nil {
				return fmt.Errorf("auth: sign in: %w", err)
			}
		}
		res.HasTOTP, res.HasPasskey, err = secondFactors(ctx, tx, id)
		return err
	})
	if err != nil {
		return "", SignInResult{}, err
	}
	if refused != nil {
		return "", SignInResult{}, refused
	}
	return token, res, nil
}

// auditSignIn appends a sign-in entry about person, by actor (0 when the actor is not known to be them).
func (s *Service) auditSignIn(ctx context.Context, tx *database.Tx, now time.Time, actor, actorOrg, person prevent.ID, detail string) error {
	e := audit.New(ctx, now, audit.SignIn, personKind, person)
	e.ActorID, e.ActorOrg = actor, actorOrg
	e.Detail = detail
	_, err := audit.Append(ctx, tx, e)
	return err
}

// signInRefused audits a refused sign-in that changes nothing and returns the refusal.
func (s *Service) signInRefused(ctx context.Context, now time.Time, person prevent.ID, detail string) error {
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		return s.auditSignIn(ctx, tx, now, 0, 0, person, detail)
	})
	if err != nil {
		return err
	}
	return prevent.Errorf(prevent.Unauthenticated, MsgSignInFailed)
}

// wrongPassword counts a failure, locks the account when the count calls for it, and audits both.
func (s *Service) wrongPassword(ctx context.Context, now time.Time, person prevent.ID) error {
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		n, err := countFailure(ctx, tx, person, now)
		if err != nil {
			return err
		}
		return s.auditSignIn(ctx, tx, now, 0, 0, person, fmt.Sprintf("wrong password; %d failures in a row%s", n, lockDetail(n)))
	})
	if err != nil {
		return err
	}
	return prevent.Errorf(prevent.Unauthenticated, MsgSignInFailed)
}

// countFailure adds one to the person's consecutive failures and sets the lock it calls for.
func countFailure(ctx context.Context, tx *database.Tx, person prevent.ID, now time.Time) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "UPDATE people SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 RETURNING failed_sign_ins", person).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: count failure: %w", err)
	}
	if d := lockoutFor(n); d > 0 && n < HardStop {
		if _, err := tx.ExecContext(ctx, "UPDATE people SET locked_until = $1 WHERE id = $2", now.Add(d), person); err != nil {
			return 0, fmt.Errorf("auth: lock account: %w", err)
		}
	}
	return n, nil
}

func lockDetail(n int) string {
	if n >= HardStop {
		return "; locked until an administrator unlocks it"
	}
	if d := lockoutFor(n); d > 0 {
		return fmt.Sprintf("; locked for %s", d)
	}
	return ""
}

// secondFactors reports whether the person has a confirmed authenticator app and any passkey.
func secondFactors(ctx context.Context, q database.Querier, person prevent.ID) (totp, passkey bool, err error) {
	var nt, np int
	err = q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NOT NULL),
		(SELECT count(*) FROM webauthn_credentials WHERE person_id = $1)`, person).Scan(&nt, &np)
	if err != nil {
		return false, false, fmt.Errorf("auth: second factors of %d: %w", person, err)
	}
	return nt > 0, np > 0, nil
}

// Unlock clears the person's failed sign-ins and any lock, including the hard stop. It is audited (admin)
// as the principal in ctx.
func (s *Service) Unlock(ctx context.Context, personID prevent.ID) error {
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE people SET failed_sign_ins = 0, locked_until = NULL, updated_at = $1 WHERE id = $2", now, personID)
		if err != nil {
			return fmt.Errorf("auth: unlock %d: %w", personID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return prevent.Errorf(prevent.NotFound, "Person not found")
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, personKind, personID, "account unlocked")
	})
}

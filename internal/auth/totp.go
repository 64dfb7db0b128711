package auth

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The TOTP parameters every authenticator app supports (RFC 6238 defaults).
const (
	totpPeriod = 30
	totpSkew   = 1
	// MaxSecondFactorFailures wrong codes (or failed passkey checks) end the session they were tried in.
	MaxSecondFactorFailures = 5
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: totpSkew, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Messages about codes.
const (
	msgCodeFormat    = "Enter the 6-digit code shown in your authenticator app"
	msgCodeWrong     = "The code is not correct or has already been used. Enter the latest code shown in your authenticator app"
	msgTooManyCodes  = "You entered a wrong code too many times. Sign in again"
	msgCodesLocked   = "You entered a wrong code too many times. Wait a few minutes, then try again"
	msgNoTOTP        = "Set up an authenticator app first"
	msgTOTPSetUp     = "An authenticator app is already set up for this account"
	msgFactorPresent = "Confirm it is you with your second factor before adding another"
)

// TOTPEnrolment is what a person needs to add the account to an authenticator app.
type TOTPEnrolment struct {
	// Secret is the base32 key for typing in by hand.
	Secret string
	// URL is the otpauth:// URL to show as a QR code.
	URL string
}

// BeginTOTP creates a new, unconfirmed authenticator-app secret for the person, replacing any unconfirmed
// one, and returns it. A person whose app is already confirmed is refused (Conflict): an administrator
// must reset second factors first. Audited (admin).
func (s *Service) BeginTOTP(ctx context.Context, personID prevent.ID) (TOTPEnrolment, error) {
	now := s.clock()
	var email string
	err := s.db.Read().QueryRowContext(ctx, "SELECT email FROM people WHERE id = $1", personID).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return TOTPEnrolment{}, prevent.Errorf(prevent.NotFound, "Person not found")
	}
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: begin totp %d: %w", personID, err)
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: s.name, AccountName: email, Period: totpPeriod, SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("auth: begin totp %d: %w", personID, err)
	}
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		var confirmed sql.NullTime
		err := tx.QueryRowContext(ctx, "SELECT confirmed_at FROM totp_secrets WHERE person_id = $1", personID).Scan(&confirmed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("auth: begin totp %d: %w", personID, err)
		}
		if confirmed.Valid {
			return prevent.Errorf(prevent.Conflict, msgTOTPSetUp)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO totp_secrets (person_id, secret, confirmed_at, last_step, failures, created_at)
			VALUES ($1, $2, NULL, 0, 0, $3)
			ON CONFLICT (person_id) DO UPDATE SET secret = excluded.secret, confirmed_at = NULL, last_step = 0,
				failures = 0, created_at = excluded.created_at`, personID, key.Secret(), now)
		if err != nil {
			return fmt.Errorf("auth: begin totp %d: %w", personID, err)
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, personKind, personID, "authenticator app set-up started")
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// normaliseCode removes the spaces that pasting or autofill may add and checks for six digits.
func normaliseCode(code string) (string, error) {
	code = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, code)
	if len(code) != 6 || strings.IndexFunc(code, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return "", prevent.Errorf(prevent.Invalid, msgCodeFormat)
	}
	return code, nil
}

// matchStep returns the earliest time step within the allowed skew, after lastStep, whose code is code.
// Every candidate is computed and compared in constant time.
func matchStep(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	current := now.Unix() / totpPeriod
	var found int64
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		step := current + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totpOpts)
		if err != nil {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep && found == 0 {
			found = step
		}
	}
	return found, found != 0
}

// ConfirmTOTP completes authenticator-app set-up with a code from the app. The code's time step is
// recorded, so it cannot be used again to sign in. It does not mark any session as having passed a
// second factor; ConfirmTOTPSession does. Audited (admin).
func (s *Service) ConfirmTOTP(ctx context.Context, personID prevent.ID, code string) error {
	code, err := normaliseCode(code)
	if err != nil {
		return err
	}
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error { return s.confirmTOTP(ctx, tx, personID, code, now) })
}

func (s *Service) confirmTOTP(ctx context.Context, tx *database.Tx, personID prevent.ID, code string, now time.Time) error {
	var secret string
	var confirmed sql.NullTime
	err := tx.QueryRowContext(ctx, "SELECT secret, confirmed_at FROM totp_secrets WHERE person_id = $1", personID).Scan(&secret, &confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return prevent.Errorf(prevent.Conflict, msgNoTOTP)
	}
	if err != nil {
		return fmt.Errorf("auth: confirm totp %d: %w", personID, err)
	}
	if confirmed.Valid {
		return prevent.Errorf(prevent.Conflict, msgTOTPSetUp)
	}
	step, ok := matchStep(secret, code, now, 0)
	if !ok {
		return prevent.Errorf(prevent.Invalid, msgCodeWrong)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE totp_secrets SET confirmed_at = $1, last_step = $2, failures = 0 WHERE person_id = $3",
		now, step, personID); err != nil {
		return fmt.Errorf("auth: confirm totp %d: %w", personID, err)
	}
	return s.appendAudit(ctx, tx, now, audit.Admin, personKind, personID, "authenticator app set up")
}

// ConfirmTOTPSession completes authenticator-app set-up for the person signed in with token, and marks the
// session as having passed its second factor. It is refused (Forbidden) when the person already has a
// passkey and the session has not passed a second factor, so that a password alone cannot add a factor.
func (s *Service) ConfirmTOTPSession(ctx context.Context, token, code string) error {
	code, err := normaliseCode(code)
	if err != nil {
		return err
	}
	now := s.clock()
	var refused error
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := s.liveSession(ctx, tx, token, now)
		if err != nil {
			refused = err
			return nil
		}
		if err := s.mayAddFactor(ctx, tx, r); err != nil {
			return err
		}
		if err := s.confirmTOTP(ctx, tx, r.personID, code, now); err != nil {
			return err
		}
		return markSecondFactor(ctx, tx, r, now)
	})
	if err != nil {
		return err
	}
	return refused
}

// mayAddFactor allows a session to add a second factor when it has passed one, or the person has none.
func (s *Service) mayAddFactor(ctx context.Context, tx *database.Tx, r session) error {
	if r.mfaAt.Valid {
		return nil
	}
	hasTOTP, hasPasskey, err := secondFactors(ctx, tx, r.personID)
	if err != nil {
		return err
	}
	if hasTOTP || hasPasskey {
		return prevent.Errorf(prevent.Forbidden, msgFactorPresent)
	}
	return nil
}

// markSecondFactor records that the session passed its second factor. Sign-in is now complete, so the
// person's consecutive failures are cleared (SignIn leaves them while a second factor is still owed).
func markSecondFactor(ctx context.Context, tx *database.Tx, r session, now time.Time) error {
	_, err := tx.ExecContext(ctx, "UPDATE sessions SET mfa_at = $1, mfa_failures = 0, last_seen_at = $1, challenge = '' WHERE id = $2", now, r.id)
	if err != nil {
		return fmt.Errorf("auth: mark second factor: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE people SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1", r.personID); err != nil {
		return fmt.Errorf("auth: mark second factor: %w", err)
	}
	return nil
}

// VerifyTOTP checks a code from the person's authenticator app for the session token and, when it is
// right, marks the session as having passed its second factor. Spaces in the code are ignored. Each code
// is accepted once: a time step at or before the last one accepted is refused. A wrong code counts
// against the session, which is ended at the MaxSecondFactorFailures-th (Unauthenticated), and against the
// person, whose account is locked like after wrong passwords when they keep failing. Success and failure
// are audited (sign-in).
func (s *Service) VerifyTOTP(ctx context.Context, token, code string) error {
	now := s.clock()
	var outcome error
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := s.liveSession(ctx, tx, token, now)
		if err != nil {
			outcome = err
			return nil
		}
		var failures int
		var until sql.NullTime
		if err := tx.QueryRowContext(ctx, "SELECT failed_sign_ins, locked_until FROM people WHERE id = $1", r.personID).Scan(&failures, &until); err != nil {
			return fmt.Errorf("auth: verify totp: %w", err)
		}
		if locked(failures, until, now) {
			// Failures here or in another session locked the account: no code is checked until the
			// lock ends, so parallel sessions give no extra guesses.
			outcome = prevent.Errorf(prevent.Invalid, msgCodesLocked)
			return s.auditSignIn(ctx, tx, now, 0, 0, r.personID, "second factor refused: account locked")
		}
		c, err := normaliseCode(code)
		if err != nil {
			outcome = err
			return nil
		}
		var secret string
		var lastStep int64
		err = tx.QueryRowContext(ctx, "SELECT secret, last_step FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NOT NULL", r.personID).
			Scan(&secret, &lastStep)
		if errors.Is(err, sql.ErrNoRows) {
			outcome = prevent.Errorf(prevent.Conflict, msgNoTOTP)
			return nil
		}
		if err != nil {
			return fmt.Errorf("auth: verify totp: %w", err)
		}
		if step, ok := matchStep(secret, c, now, lastStep); ok {
			if _, err := tx.ExecContext(ctx, "UPDATE totp_secrets SET last_step = $1, failures = 0 WHERE person_id = $2", step, r.personID); err != nil {
				return fmt.Errorf("auth: verify totp: %w", err)
			}
			if err := markSecondFactor(ctx, tx, r, now); err != nil {
				return err
			}
			return s.auditSignIn(ctx, tx, now, r.personID, 0, r.personID, "second factor passed: authenticator app")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE totp_secrets SET failures = failures + 1 WHERE person_id = $1", r.personID); err != nil {
			return fmt.Errorf("auth: verify totp: %w", err)
		}
		refusal, err := s.secondFactorFailed(ctx, tx, r, now, "authenticator app code wrong or reused")
		if refusal != nil {
			outcome = refusal
		}
		return err
	})
	if err != nil {
		return err
	}
	return outcome
}

// secondFactorFailed counts a failed second factor against the session and the person, ends the session
// at the limit, audits, and returns the refusal to show.
func (s *Service) secondFactorFailed(ctx context.Context, tx *database.Tx, r session, now time.Time, what string) (*prevent.Error, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "UPDATE sessions SET mfa_failures = mfa_failures + 1 WHERE id = $1 RETURNING mfa_failures", r.id).Scan(&n); err != nil {
		return nil, fmt.Errorf("auth: second factor failure: %w", err)
	}
	// Wrong second factors also count towards the account lockout, so that signing in again and again
	// with a stolen password does not give unlimited guesses at codes.
	total, err := countFailure(ctx, tx, r.personID, now)
	if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("second factor failed: %s; %d in this session%s", what, n, lockDetail(total))
	refusal := prevent.Errorf(prevent.Invalid, msgCodeWrong)
	if n >= MaxSecondFactorFailures {
		if err := endSession(ctx, tx, r.id, now); err != nil {
			return nil, err
		}
		detail += "; session ended"
		refusal = prevent.Errorf(prevent.Unauthenticated, msgTooManyCodes)
	}
	return refusal, s.auditSignIn(ctx, tx, now, 0, 0, r.personID, detail)
}

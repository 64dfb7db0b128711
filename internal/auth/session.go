package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Messages for refused sessions. They are safe to show and say what to do.
const (
	msgSignIn         = "Sign in to continue"
	msgIdle           = "For your security, you were signed out after 30 minutes without activity. Sign in again"
	msgSessionExpired = "For your security, you were signed out 12 hours after you signed in. Sign in again"
)

// session is a sessions row joined with what Authenticate needs of the person.
type session struct {
	id          prevent.ID
	personID    prevent.ID
	createdAt   time.Time
	lastSeenAt  time.Time
	mfaAt       sql.NullTime
	endedAt     sql.NullTime
	challenge   string
	mfaFailures int
	disabledAt  sql.NullTime
	exempt      bool
}

const sessionQuery = `SELECT s.id, s.person_id, s.created_at, s.last_seen_at, s.mfa_at, s.ended_at, s.challenge,
	s.mfa_failures, p.disabled_at, p.demo_mfa_exempt
	FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.token_hash = $1`

// loadSession finds the session for token, Unauthenticated when there is none.
func loadSession(ctx context.Context, q database.Querier, token string) (session, error) {
	var r session
	if token == "" {
		return r, prevent.Errorf(prevent.Unauthenticated, msgSignIn)
	}
	err := q.QueryRowContext(ctx, sessionQuery, hashSecret(token)).Scan(&r.id, &r.personID, &r.createdAt, &r.lastSeenAt,
		&r.mfaAt, &r.endedAt, &r.challenge, &r.mfaFailures, &r.disabledAt, &r.exempt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, prevent.Errorf(prevent.Unauthenticated, msgSignIn)
	}
	if err != nil {
		return r, fmt.Errorf("auth: load session: %w", err)
	}
	return r, nil
}

// refusal says why the session cannot be used at now, nil when it can.
func (r session) refusal(now time.Time) error {
	switch {
	case r.endedAt.Valid, r.disabledAt.Valid:
		return prevent.Errorf(prevent.Unauthenticated, msgSignIn)
	case now.Sub(r.createdAt) > AbsoluteTimeout:
		return prevent.Errorf(prevent.Unauthenticated, msgSessionExpired)
	case now.Sub(r.lastSeenAt) > IdleTimeout:
		return prevent.Errorf(prevent.Unauthenticated, msgIdle)
	}
	return nil
}

// mfa reports whether the session has passed a second factor, or may skip it in demo mode.
func (s *Service) mfa(r session) bool { return r.mfaAt.Valid || (s.demo && r.exempt) }

// liveSession loads the session for token inside tx and checks it can be used, ending it when it has
// expired or its person is disabled. It returns the refusal as the error; the caller must still commit.
func (s *Service) liveSession(ctx context.Context, tx *database.Tx, token string, now time.Time) (session, error) {
	r, err := loadSession(ctx, tx, token)
	if err != nil {
		return r, err
	}
	if refusal := r.refusal(now); refusal != nil {
		if !r.endedAt.Valid {
			if err := endSession(ctx, tx, r.id, now); err != nil {
				return r, err
			}
		}
		return r, refusal
	}
	return r, nil
}

func endSession(ctx context.Context, q database.Querier, id prevent.ID, now time.Time) error {
	if _, err := q.ExecContext(ctx, "UPDATE sessions SET ended_at = $1, challenge = '' WHERE id = $2 AND ended_at IS NULL", now, id); err != nil {
		return fmt.Errorf("auth: end session %d: %w", id, err)
	}
	return nil
}

// createSession starts a session for the person and returns its token, which is stored only as a hash.
func createSession(ctx context.Context, tx *database.Tx, personID prevent.ID, now time.Time) (string, prevent.ID, error) {
	token, hash, err := newSecret("")
	if err != nil {
		return "", 0, err
	}
	var id prevent.ID
	err = tx.QueryRowContext(ctx, `INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at)
		VALUES ($1, $2, $3, $3) RETURNING id`, hash, personID, now).Scan(&id)
	if err != nil {
		return "", 0, fmt.Errorf("auth: create session: %w", err)
	}
	return token, id, nil
}

// Authenticate resolves a session token (the cookie value) to its principal. It refuses, as
// Unauthenticated, a session that is unknown or ended, unused for more than IdleTimeout, older than
// AbsoluteTimeout, or whose person is disabled; this is checked on every request, so disabling a person
// ends their sessions at once. It writes last_seen_at at most once a minute. The principal's MFA says
// whether the session has passed a second factor; see NeedsStepUp.
func (s *Service) Authenticate(ctx context.Context, token string) (prevent.Principal, error) {
	now := s.clock()
	r, err := loadSession(ctx, s.db.Read(), token)
	if err != nil {
		return prevent.Principal{}, err
	}
	if refusal := r.refusal(now); refusal != nil {
		if !r.endedAt.Valid {
			if err := s.db.WithTx(ctx, func(tx *database.Tx) error { return endSession(ctx, tx, r.id, now) }); err != nil {
				return prevent.Principal{}, err
			}
		}
		return prevent.Principal{}, refusal
	}
	if now.Sub(r.lastSeenAt) >= touchInterval {
		err := s.db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND ended_at IS NULL", now, r.id)
			return err
		})
		if err != nil {
			return prevent.Principal{}, fmt.Errorf("auth: touch session: %w", err)
		}
	}
	p, err := LoadPrincipal(ctx, s.db.Read(), r.personID, now)
	if err != nil {
		return prevent.Principal{}, err
	}
	p.SessionID = r.id
	p.MFA = s.mfa(r)
	return p, nil
}

// SignOut ends the session for token. Signing out of a session that has already ended, or of no
// session, is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := loadSession(ctx, tx, token)
		if prevent.ErrorKind(err) == prevent.Unauthenticated {
			return nil
		}
		if err != nil {
			return err
		}
		if r.endedAt.Valid {
			return nil
		}
		if err := endSession(ctx, tx, r.id, now); err != nil {
			return err
		}
		e := audit.New(ctx, now, audit.SignIn, personKind, r.personID)
		e.ActorID = r.personID
		e.Detail = "signed out"
		_, err = audit.Append(ctx, tx, e)
		return err
	})
}

// EndAllSessions ends every session of the person, for example when their account is disabled or their
// password reset. It is audited (admin) as the principal in ctx.
func (s *Service) EndAllSessions(ctx context.Context, personID prevent.ID) error {
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE sessions SET ended_at = $1, challenge = '' WHERE person_id = $2 AND ended_at IS NULL", now, personID)
		if err != nil {
			return fmt.Errorf("auth: end sessions of %d: %w", personID, err)
		}
		n, _ := res.RowsAffected()
		return s.appendAudit(ctx, tx, now, audit.Admin, personKind, personID, fmt.Sprintf("ended %d sessions", n))
	})
}

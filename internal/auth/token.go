package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TokenPrefix starts every API token, so that a leaked one is easy to recognise (and to scan for).
const TokenPrefix = "prv_"

// API token lifetimes.
const (
	// DefaultTokenLifetime applies when CreateToken is given no expiry.
	DefaultTokenLifetime = 90 * 24 * time.Hour
	// MaxTokenLifetime is the longest a token may last.
	MaxTokenLifetime = 366 * 24 * time.Hour
)

const (
	tokenKind         = "api_token"
	msgTokenName      = "Enter a name for the token"
	msgTokenNameLong  = "Token name must be 100 characters or fewer"
	msgTokenPast      = "The expiry date must be in the future"
	msgTokenTooLong   = "The expiry date must be within a year"
	msgTokenNeeds2FA  = "Set up a second factor before you create an API token"
	msgTokenInvalid   = "The API token is not valid: it may have expired or been revoked"
	msgPersonDisabled = "This account is disabled"
)

// Token describes an API token; the secret itself is shown once, when it is created, and never stored.
type Token struct {
	ID         prevent.ID
	Name       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt time.Time // zero when never used
	RevokedAt  time.Time // zero unless revoked
}

// Active reports whether the token can still be used at now.
func (t Token) Active(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

func tokenFieldError(field, msg string) error {
	return &prevent.Error{Kind: prevent.Invalid, Message: msg, Fields: []prevent.FieldError{{Field: field, Message: msg}}}
}

// CreateToken issues an API bearer token for the person and returns it (shown once) with its id. The
// token is "prv_" and 32 random bytes in base64url; only its SHA-256 is stored. A zero expires means
// DefaultTokenLifetime; it must be in the future and within MaxTokenLifetime. A person whose roles see
// personal data must have a confirmed second factor (Forbidden otherwise), since a token skips it.
// Audited (admin) as the principal in ctx.
func (s *Service) CreateToken(ctx context.Context, personID prevent.ID, name string, expires time.Time) (string, prevent.ID, error) {
	now := s.clock()
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", 0, tokenFieldError("name", msgTokenName)
	case utf8.RuneCountInString(name) > 100:
		return "", 0, tokenFieldError("name", msgTokenNameLong)
	}
	if expires.IsZero() {
		expires = now.Add(DefaultTokenLifetime)
	}
	expires = expires.UTC().Truncate(time.Microsecond)
	switch {
	case !expires.After(now):
		return "", 0, tokenFieldError("expires", msgTokenPast)
	case expires.Sub(now) > MaxTokenLifetime:
		return "", 0, tokenFieldError("expires", msgTokenTooLong)
	}
	token, hash, err := newSecret(TokenPrefix)
	if err != nil {
		return "", 0, err
	}
	var id prevent.ID
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		var disabled sql.NullTime
		var exempt bool
		err := tx.QueryRowContext(ctx, "SELECT disabled_at, demo_mfa_exempt FROM people WHERE id = $1", personID).Scan(&disabled, &exempt)
		if errors.Is(err, sql.ErrNoRows) {
			return prevent.Errorf(prevent.NotFound, "Person not found")
		}
		if err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		if disabled.Valid {
			return prevent.Errorf(prevent.Forbidden, msgPersonDisabled)
		}
		p, err := LoadPrincipal(ctx, tx, personID, now)
		if err != nil {
			return err
		}
		if p.NeedsSecondFactor() && !(s.demo && exempt) {
			hasTOTP, hasPasskey, err := secondFactors(ctx, tx, personID)
			if err != nil {
				return err
			}
			if !hasTOTP && !hasPasskey {
				return prevent.Errorf(prevent.Forbidden, msgTokenNeeds2FA)
			}
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO api_tokens (person_id, name, token_hash, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, personID, name, hash, now, expires).Scan(&id)
		if err != nil {
			return fmt.Errorf("auth: create token: %w", err)
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, tokenKind, id, fmt.Sprintf("API token created for person %d", personID))
	})
	if err != nil {
		return "", 0, err
	}
	return token, id, nil
}

// ListTokens returns the person's tokens, newest first, including revoked and expired ones.
func (s *Service) ListTokens(ctx context.Context, personID prevent.ID) ([]Token, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, name, created_at, expires_at, last_used_at, revoked_at
		FROM api_tokens WHERE person_id = $1 ORDER BY id DESC`, personID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens of %d: %w", personID, err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var expires, used, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &expires, &used, &revoked); err != nil {
			return nil, fmt.Errorf("auth: list tokens of %d: %w", personID, err)
		}
		t.CreatedAt = t.CreatedAt.UTC()
		t.ExpiresAt, t.LastUsedAt, t.RevokedAt = utcOrZero(expires), utcOrZero(used), utcOrZero(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

func utcOrZero(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// RevokeToken revokes one of the person's tokens at once. A token that is not theirs is NotFound;
// revoking a revoked token is not an error. Audited (admin) as the principal in ctx.
func (s *Service) RevokeToken(ctx context.Context, personID, tokenID prevent.ID) error {
	now := s.clock()
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		var revoked sql.NullTime
		err := tx.QueryRowContext(ctx, "SELECT revoked_at FROM api_tokens WHERE id = $1 AND person_id = $2", tokenID, personID).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return prevent.Errorf(prevent.NotFound, "Token not found")
		}
		if err != nil {
			return fmt.Errorf("auth: revoke token %d: %w", tokenID, err)
		}
		if revoked.Valid {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2", now, tokenID); err != nil {
			return fmt.Errorf("auth: revoke token %d: %w", tokenID, err)
		}
		return s.appendAudit(ctx, tx, now, audit.Admin, tokenKind, tokenID, fmt.Sprintf("API token of person %d revoked", personID))
	})
}

// AuthenticateToken resolves an API bearer token (with or without a leading "Bearer ") to its owner. A
// token that is unknown, revoked or expired, or whose owner is disabled, is Unauthenticated. The principal
// has MFA set, since tokens are issued only to people with a second factor, and TokenID. It writes
// last_used_at at most once a minute.
func (s *Service) AuthenticateToken(ctx context.Context, bearer string) (prevent.Principal, error) {
	now := s.clock()
	bearer = strings.TrimSpace(bearer)
	if len(bearer) > 7 && strings.EqualFold(bearer[:7], "bearer ") {
		bearer = strings.TrimSpace(bearer[7:])
	}
	refused := prevent.Errorf(prevent.Unauthenticated, msgTokenInvalid)
	if !strings.HasPrefix(bearer, TokenPrefix) {
		return prevent.Principal{}, refused
	}
	var (
		id, personID           prevent.ID
		expires, used, revoked sql.NullTime
		disabled               sql.NullTime
	)
	err := s.db.Read().QueryRowContext(ctx, `SELECT t.id, t.person_id, t.expires_at, t.last_used_at, t.revoked_at, p.disabled_at
		FROM api_tokens t JOIN people p ON p.id = t.person_id WHERE t.token_hash = $1`, hashSecret(bearer)).
		Scan(&id, &personID, &expires, &used, &revoked, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return prevent.Principal{}, refused
	}
	if err != nil {
		return prevent.Principal{}, fmt.Errorf("auth: authenticate token: %w", err)
	}
	if revoked.Valid || disabled.Valid || (expires.Valid && !now.Before(expires.Time)) {
		return prevent.Principal{}, refused
	}
	if !used.Valid || now.Sub(used.Time) >= touchInterval {
		err := s.db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", now, id)
			return err
		})
		if err != nil {
			return prevent.Principal{}, fmt.Errorf("auth: authenticate token: %w", err)
		}
	}
	p, err := LoadPrincipal(ctx, s.db.Read(), personID, now)
	if err != nil {
		return prevent.Principal{}, err
	}
	p.TokenID = id
	p.MFA = true
	return p, nil
}

package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// totpOptions are the parameters authenticator apps assume and internal/auth checks: 6 digits, 30 seconds, SHA-1.
var totpOptions = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Code returns the current second-factor code of a demo account, for `prevent demo code`. It refuses any
// account that is not in the demo partnership, so it cannot be used to pass the second factor of a real one.
func Code(ctx context.Context, db *database.DB, email string, now time.Time) (string, error) {
	notDemo := prevent.Errorf(prevent.NotFound, "%s is not a demo account with an authenticator app set up", strings.TrimSpace(email))
	pid, err := partnershipID(ctx, db.Read())
	if prevent.ErrorKind(err) == prevent.NotFound {
		return "", notDemo
	}
	if err != nil {
		return "", err
	}
	var secret string
	err = db.Read().QueryRowContext(ctx, `SELECT t.secret FROM people p JOIN totp_secrets t ON t.person_id = p.id
		WHERE lower(p.email) = lower($1) AND t.confirmed_at IS NOT NULL
		AND EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.partnership_id = $2)
		AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.partnership_id <> $2)`,
		strings.TrimSpace(email), pid).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notDemo
	}
	if err != nil {
		return "", fmt.Errorf("demo: code: %w", err)
	}
	code, err := totp.GenerateCodeCustom(secret, now, totpOptions)
	if err != nil {
		return "", fmt.Errorf("demo: code: %w", err)
	}
	return code, nil
}

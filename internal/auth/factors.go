package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/preventplatform/prevent/internal/prevent"
)

// HasTOTP reports whether the person has a confirmed authenticator app.
func (s *Service) HasTOTP(ctx context.Context, personID prevent.ID) (bool, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM totp_secrets WHERE person_id = $1 AND confirmed_at IS NOT NULL", personID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("auth: has totp: %w", err)
	}
	return n > 0, nil
}

// PersonByEmail returns the id of the person with that email address (for the command line).
func (s *Service) PersonByEmail(ctx context.Context, email string) (prevent.ID, error) {
	var id prevent.ID
	err := s.db.Read().QueryRowContext(ctx, "SELECT id FROM people WHERE lower(email) = lower($1)", email).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, prevent.Errorf(prevent.NotFound, "No account has the email address %s", email)
	}
	if err != nil {
		return 0, fmt.Errorf("auth: person by email: %w", err)
	}
	return id, nil
}

package partnership

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Contact returns a person's email address and whether their account is active (not disabled), for the service
// itself to email them about their own tasks (notify.Directory). It is not an action of any principal and is
// never shown to anyone; the caller audits its use of the address. A person who does not exist is inactive.
func (s *Service) Contact(ctx context.Context, personID prevent.ID) (email string, active bool, err error) {
	var disabled sql.NullTime
	err = s.db.Read().QueryRowContext(ctx, `SELECT email, disabled_at FROM people WHERE id = $1`, personID).Scan(&email, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("partnership: contact: %w", err)
	}
	return email, !disabled.Valid, nil
}

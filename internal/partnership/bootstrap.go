package partnership

import (
	"context"
	"fmt"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// BootstrapAdministrator creates the first administrator of a partnership, with an organisation that joins it,
// outside any principal's authority: for `prevent users create-admin` and the demo. Everything after the first
// administrator is done through the ordinary, access-checked methods. It returns the person's id and an account
// set-up token.
func (s *Service) BootstrapAdministrator(ctx context.Context, partnershipID prevent.ID, org OrganisationInput, name, email string) (prevent.ID, string, error) {
	if err := org.Validate(); err != nil {
		return 0, "", err
	}
	if err := (PersonInput{Name: name, Email: email, OrganisationID: 1}).Validate(); err != nil {
		return 0, "", err
	}
	token, hash := newSetupToken()
	var personID prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		var orgID prevent.ID
		err := tx.QueryRowContext(ctx, `SELECT id FROM organisations WHERE lower(name) = lower($1)`, org.Name).Scan(&orgID)
		if err != nil {
			if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (name, sector, public_body, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4) RETURNING id`, org.Name, org.Sector, org.PublicBody == "yes", now).Scan(&orgID); err != nil {
				return fmt.Errorf("partnership: bootstrap organisation: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO partnership_organisations (partnership_id, organisation_id, joined_at)
			VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, partnershipID, orgID, now); err != nil {
			return fmt.Errorf("partnership: bootstrap membership: %w", err)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO people (organisation_id, name, email, setup_token_hash, setup_expires_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, orgID, name, email, hash, now.Add(SetupValidFor), now).Scan(&personID)
		if database.IsUniqueViolation(err) {
			return prevent.Errorf(prevent.Conflict, "Someone with the email address %s already has an account", email)
		}
		if err != nil {
			return fmt.Errorf("partnership: bootstrap administrator: %w", err)
		}
		if err := s.setRoles(ctx, tx, partnershipID, personID, []string{string(prevent.Administrator)}); err != nil {
			return err
		}
		return s.record(ctx, tx, prevent.Principal{}, audit.Admin, "person", personID, partnershipID, "set up the partnership", "created first administrator")
	})
	return personID, token, err
}

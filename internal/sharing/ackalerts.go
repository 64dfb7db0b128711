package sharing

import (
	"context"
	"fmt"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing/ackalert"
)

// AcknowledgementAlert tells the data protection officer that an organisation party to agreements of the
// partnership is no longer marked as a public body: until its acknowledgement of its own data protection
// duties is recorded, nothing is disclosed to it under them. It is raised when the organisation is re-marked
// (internal/partnership) and closed when the acknowledgement is recorded or it is a public body again.
type AcknowledgementAlert = ackalert.Alert

// AcknowledgementAlerts lists the partnership's open acknowledgement alerts, oldest first, for its data
// protection officers (and auditors). The read is audited.
func (s *Service) AcknowledgementAlerts(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]AcknowledgementAlert, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return nil, err
	}
	var out []AcknowledgementAlert
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var err error
		if out, err = ackalert.Open(ctx, tx, partnership); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "acknowledgement_alert", 0, partnership, "data protection oversight",
			fmt.Sprintf("open acknowledgement alerts read (%d)", len(out)))
	})
	if err != nil {
		return nil, fmt.Errorf("sharing: acknowledgement alerts: %w", err)
	}
	return out, nil
}

package rights

import (
	"context"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// ProcessingRecord is the partnership's record of processing activities (UK GDPR Art 30(1)): sharing's
// record, drawn from the member organisations, the agreements active or suspended today and the gateways
// they rely on, with the retention rules in force, which are rights'.
type ProcessingRecord struct {
	sharing.ProcessingRecord
	// Retention are the rules in force, one per class and outcome, in the order RetentionRules lists them.
	Retention []RetentionRule
}

// RecordOfProcessing generates the partnership's UK GDPR Art 30 record from its configuration: sharing
// gives the controllers, purposes, data subjects and categories of data, recipients, gateways and security
// measures (sharing.Service.RecordOfProcessing), and rights adds the retention rules in force. Like sharing's
// part it is for whoever may see the data protection dashboard, and is not audited: it holds no personal
// data of the people referred.
func (s *Service) RecordOfProcessing(ctx context.Context, p prevent.Principal, partnership prevent.ID) (ProcessingRecord, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return ProcessingRecord{}, err
	}
	rec, err := s.sharing.RecordOfProcessing(ctx, p, partnership)
	out := ProcessingRecord{ProcessingRecord: rec}
	if err != nil {
		return out, err
	}
	if out.Retention, err = rulesInForce(ctx, s.db.Read(), partnership); err != nil {
		return out, err
	}
	return out, nil
}

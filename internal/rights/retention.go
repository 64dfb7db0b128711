package rights

import (
	"context"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Retention rules keep records of a class and outcome for a number of months after their closure; the
// defaults, with their sources, are for the controllers to review and set (docs/retention.md). The rules
// are stored by internal/sharing (retention_rules), which the erasure run and the record of processing read.

// RetentionRule is the retention of a class and outcome, in one version.
type RetentionRule = sharing.RetentionRule

// RetentionInput sets the retention of a class and outcome for a partnership.
type RetentionInput = sharing.RetentionInput

// RecordClass is a class of record that a retention rule applies to.
type RecordClass = sharing.RecordClass

// The record classes.
const (
	CaseRecords          = sharing.CaseRecords
	DisclosureRecords    = sharing.DisclosureRecords
	ConsentRecords       = sharing.ConsentRecords
	SubjectAccessRecords = sharing.SubjectAccessRecords
)

// Outcome is how a case closed, for retention.
type Outcome = sharing.Outcome

// The outcomes. AnyOutcome is for classes whose retention does not depend on an outcome.
const (
	NoFurtherAction = sharing.NoFurtherAction
	SignpostedOut   = sharing.SignpostedOut
	NotAdopted      = sharing.NotAdopted
	PoliceLed       = sharing.PoliceLed
	ChannelExited   = sharing.ChannelExited
	ConsentDeclined = sharing.ConsentDeclined
	AnyOutcome      = sharing.AnyOutcome
)

// caseOutcomes maps the outcome casework says a case closed with to the outcome its retention rule is kept
// by. The values are the same strings: both are stored, in case_statistics and in retention_rules.
var caseOutcomes = map[casework.ClosingOutcome]Outcome{
	casework.OutcomeNoFurtherAction: NoFurtherAction,
	casework.OutcomeSignposted:      SignpostedOut,
	casework.OutcomeNotAdopted:      NotAdopted,
	casework.OutcomePoliceLed:       PoliceLed,
	casework.OutcomeChannelExited:   ChannelExited,
	casework.OutcomeConsentDeclined: ConsentDeclined,
}

// RetentionRules lists the rules in force for the partnership, one per class and outcome.
func (s *Service) RetentionRules(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]RetentionRule, error) {
	return s.sharing.RetentionRules(ctx, p, partnership)
}

// SetRetention records a new version of the partnership's rule for a class and outcome and returns the
// version.
func (s *Service) SetRetention(ctx context.Context, p prevent.Principal, partnership prevent.ID, in RetentionInput) (int, error) {
	return s.sharing.SetRetention(ctx, p, partnership, in)
}

// RetentionSummary counts what the retention job did for a partnership and what legal holds keep: case
// records erased in the window and in all, and holds in force. Counts only.
type RetentionSummary struct {
	WindowDays     int
	ErasedInWindow int
	ErasedTotal    int
	HoldsInForce   int
}

// RetentionSummary counts the partnership's case records erased at the end of retention, in the windowDays
// days up to now and in all (casework says), and the legal holds in force, for the data protection officer.
func (s *Service) RetentionSummary(ctx context.Context, p prevent.Principal, partnership prevent.ID, now time.Time, windowDays int) (RetentionSummary, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return RetentionSummary{}, err
	}
	out := RetentionSummary{WindowDays: windowDays}
	var err error
	if out.ErasedInWindow, out.ErasedTotal, err = s.casework.ErasedCounts(ctx, partnership, now.UTC().AddDate(0, 0, -windowDays), now.UTC()); err != nil {
		return out, fmt.Errorf("rights: retention summary: %w", err)
	}
	if out.HoldsInForce, err = holdsInForce(ctx, s.db.Read(), partnership); err != nil {
		return out, fmt.Errorf("rights: retention summary: %w", err)
	}
	return out, nil
}

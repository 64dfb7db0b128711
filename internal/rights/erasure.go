package rights

import (
	"context"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Erasure at the end of retention (UK GDPR Art 5(1)(e), DPA 2018 s.39 and s.50): the daily
// "retention-erasure" task erases every closed case past its retention rule that no legal hold keeps, and
// appends an erasure certificate to the audit log for each class, outcome and rule (docs/retention.md). The
// run is casework.EraseDue, next to the case records it blanks and the data keys it shreds; it reads the
// rules and the holds from sharing.

// ErasureCertificate is what one erasure certificate in the audit log states.
type ErasureCertificate = casework.ErasureCertificate

// ErasureResult reports a run of EraseDue.
type ErasureResult = casework.ErasureResult

// EraseDue erases every closed case past its retention at now that no legal hold keeps, and reports what it
// did. Running it again erases nothing more until more cases fall due.
func (s *Service) EraseDue(ctx context.Context, now time.Time) (ErasureResult, error) {
	return s.casework.EraseDue(ctx, now)
}

// ErasureDue counts a partnership's closed cases past retention at now: those the next erasure run will
// erase, and those a legal hold keeps. It is for the data protection officer's view and returns counts only.
func (s *Service) ErasureDue(ctx context.Context, p prevent.Principal, partnership prevent.ID, now time.Time) (due, held int, err error) {
	return s.casework.ErasureDue(ctx, p, partnership, now)
}

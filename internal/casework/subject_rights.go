package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// What internal/rights asks of casework. Rights sits above casework and holds the rules of subject access,
// rectification, retention and legal holds; the referrals, the people referred and everything recorded on
// a case stay casework's tables, read and written only here. The methods that take a transaction are for a
// caller that runs its own (rights commits a change with its notices and audit entries), and those that do
// not decide access say so: the caller has decided.

// CasePartnership returns the partnership a referral belongs to, read through q, without deciding access: for
// a caller that has decided (a legal hold, placed by the data protection officer). A referral that does not
// exist is NotFound.
func (s *Service) CasePartnership(ctx context.Context, q database.Querier, id prevent.ID) (prevent.ID, error) {
	var pid prevent.ID
	err := q.QueryRowContext(ctx, `SELECT partnership_id FROM referrals WHERE id = $1`, id).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, access.NotFound("Referral")
	}
	if err != nil {
		return 0, fmt.Errorf("casework: case partnership: %w", err)
	}
	return pid, nil
}

// ErasedCounts counts the partnership's referrals erased at the end of retention from since to until (both
// included) and in all. Counts only, for the data protection officer's view; the caller has decided.
func (s *Service) ErasedCounts(ctx context.Context, partnershipID prevent.ID, since, until time.Time) (inWindow, total int, err error) {
	err = s.db.Read().QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM referrals WHERE partnership_id = $1 AND erased_at IS NOT NULL AND erased_at >= $2 AND erased_at <= $3),
			(SELECT COUNT(*) FROM referrals WHERE partnership_id = $1 AND erased_at IS NOT NULL)`,
		partnershipID, since, until).Scan(&inWindow, &total)
	if err != nil {
		return 0, 0, fmt.Errorf("casework: erased counts: %w", err)
	}
	return inWindow, total, nil
}

// CaseRef is what a domain above casework needs to know of a case it acts on inside its own transaction
// (internal/rights): its partnership, state, the person referred and its reference ("" for a draft).
type CaseRef struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	State         State
	SubjectID     prevent.ID
	Reference     string
}

// AuthoriseCase loads a case through q and decides whether p may take action on it, as every casework method
// does (a draft is its author's alone; anything refused is NotFound), for a domain above casework acting on
// the case inside its own transaction.
func (s *Service) AuthoriseCase(ctx context.Context, q database.Querier, p prevent.Principal, action access.Action, referralID prevent.ID) (CaseRef, error) {
	c, err := s.authorise(ctx, q, p, action, referralID)
	if err != nil {
		return CaseRef{}, err
	}
	var ref sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT reference FROM referrals WHERE id = $1`, c.ID).Scan(&ref); err != nil {
		return CaseRef{}, fmt.Errorf("casework: case reference: %w", err)
	}
	return CaseRef{ID: c.ID, PartnershipID: c.PartnershipID, State: c.State, SubjectID: c.SubjectID, Reference: ref.String}, nil
}

// AuditCase appends, inside tx, the audit entry casework writes for an action on a referral (its purpose is
// "Prevent casework"), for a domain above casework that reads or changes the case in its own transaction: a
// subject access bundle's consultation of each record, a rectification's change.
func (s *Service) AuditCase(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, referralID, partnershipID prevent.ID, detail string) error {
	return s.record(ctx, tx, p, action, "referral", referralID, partnershipID, detail)
}

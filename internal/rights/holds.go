package rights

import (
	"context"
	"fmt"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// Legal holds: while a hold is in force the retention job does not erase the record, whatever its retention
// rule says (litigation, an inquiry, a complaint to the Information Commissioner, a request from the police
// to preserve evidence). The data protection officer places and releases holds; both are audited. The
// holds are stored by internal/sharing (sharing_legal_holds), which the erasure run reads.

// Hold is a legal hold.
type Hold = sharing.Hold

// HoldInput places a hold.
type HoldInput = sharing.HoldInput

// HoldCase is the record kind of a legal hold on a case (a referral and everything recorded on it).
const HoldCase = sharing.HoldCase

// PlaceHold puts a case of the partnership under a legal hold and returns the hold's id. A record may carry
// more than one hold; each is released on its own. Casework says which partnership the case belongs to.
func (s *Service) PlaceHold(ctx context.Context, p prevent.Principal, partnership prevent.ID, in HoldInput) (prevent.ID, error) {
	if err := s.authorise(p, access.LegalHoldManage, "legal_hold", partnership, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	if in.RecordKind != HoldCase {
		f.Add("record-kind", "Select the kind of record to hold")
	}
	if in.RecordID <= 0 {
		f.Add("record", "Enter the record to hold")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		f.Add("reason", "Enter why the record must be kept")
	} else if len(in.Reason) > 2000 {
		f.Add("reason", "The reason must be 2,000 characters or fewer")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		owner, err := s.casework.CasePartnership(ctx, tx, in.RecordID)
		if prevent.ErrorKind(err) == prevent.NotFound || (err == nil && owner != partnership) {
			return prevent.Validation([]prevent.FieldError{{Field: "record", Message: "There is no such case in this partnership"}})
		}
		if err != nil {
			return err
		}
		id, err = s.sharing.PlaceHold(ctx, tx, p, partnership, in)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rights: place hold: %w", err)
	}
	return id, nil
}

// ReleaseHold releases a hold in force, with the reason; the record is then erased when its retention has
// passed.
func (s *Service) ReleaseHold(ctx context.Context, p prevent.Principal, partnership, holdID prevent.ID, reason string) error {
	return s.sharing.ReleaseHold(ctx, p, partnership, holdID, reason)
}

// Holds lists the partnership's legal holds, those in force first, newest first. The read is audited.
func (s *Service) Holds(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]Hold, error) {
	return s.sharing.Holds(ctx, p, partnership)
}

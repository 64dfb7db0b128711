package rights

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Legal holds: while a hold is in force the retention job does not erase the record, whatever its retention
// rule says (litigation, an inquiry, a complaint to the Information Commissioner, a request from the police
// to preserve evidence). The data protection officer places and releases holds; both are audited. The holds
// (sharing_legal_holds, a name kept from when sharing stored them) are read and written only here.

// HoldCase is the record kind of a legal hold on a case (a referral and everything recorded on it).
const HoldCase = "case"

// Hold is a legal hold on a record.
type Hold struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	RecordKind    string
	RecordID      prevent.ID
	Reason        string
	PlacedBy      prevent.ID
	PlacedAt      time.Time
	ReleasedBy    prevent.ID // 0 while in force
	ReleasedAt    time.Time
	ReleaseReason string
}

// InForce reports whether the hold still stops erasure.
func (h Hold) InForce() bool { return h.ReleasedAt.IsZero() }

// HoldInput places a hold.
type HoldInput struct {
	RecordKind string // HoldCase
	RecordID   prevent.ID
	Reason     string
}

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
		if err := tx.QueryRowContext(ctx, `INSERT INTO sharing_legal_holds (partnership_id, record_kind, record_id, reason, placed_by, placed_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, partnership, in.RecordKind, in.RecordID, in.Reason, p.PersonID, s.now()).Scan(&id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "legal_hold", id, partnership, "data protection governance",
			fmt.Sprintf("legal hold placed on %s %d", in.RecordKind, in.RecordID))
	})
	if err != nil {
		return 0, fmt.Errorf("rights: place hold: %w", err)
	}
	return id, nil
}

// ReleaseHold releases a hold in force, with the reason; the record is then erased when its retention has
// passed.
func (s *Service) ReleaseHold(ctx context.Context, p prevent.Principal, partnership, holdID prevent.ID, reason string) error {
	if err := s.authorise(p, access.LegalHoldManage, "legal_hold", partnership, "Partnership"); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return prevent.Validation([]prevent.FieldError{{Field: "reason", Message: "Enter why the hold is no longer needed"}})
	}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var kind string
		var record prevent.ID
		var released sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT record_kind, record_id, released_at FROM sharing_legal_holds WHERE id = $1 AND partnership_id = $2`,
			holdID, partnership).Scan(&kind, &record, &released)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Legal hold")
		}
		if err != nil {
			return err
		}
		if released.Valid {
			return prevent.Errorf(prevent.Conflict, "This hold has already been released")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sharing_legal_holds SET released_by = $1, released_at = $2, release_reason = $3 WHERE id = $4`,
			p.PersonID, s.now(), reason, holdID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "legal_hold", holdID, partnership, "data protection governance",
			fmt.Sprintf("legal hold released on %s %d", kind, record))
	})
	if err != nil {
		return fmt.Errorf("rights: release hold: %w", err)
	}
	return nil
}

// Holds lists the partnership's legal holds, those in force first, newest first. The read is audited.
func (s *Service) Holds(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]Hold, error) {
	if err := s.authorise(p, access.LegalHoldView, "legal_hold", partnership, "Partnership"); err != nil {
		return nil, err
	}
	var out []Hold
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, record_kind, record_id, reason, placed_by, placed_at, released_by, released_at, release_reason
			FROM sharing_legal_holds WHERE partnership_id = $1 ORDER BY (released_at IS NULL) DESC, placed_at DESC, id DESC`, partnership)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h := Hold{PartnershipID: partnership}
			var by sql.NullInt64
			var at sql.NullTime
			if err := rows.Scan(&h.ID, &h.RecordKind, &h.RecordID, &h.Reason, &h.PlacedBy, &h.PlacedAt, &by, &at, &h.ReleaseReason); err != nil {
				return err
			}
			h.ReleasedBy, h.ReleasedAt = by.Int64, at.Time
			out = append(out, h)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "legal_hold", 0, partnership, "data protection governance",
			fmt.Sprintf("listed %d legal holds", len(out)))
	})
	if err != nil {
		return nil, fmt.Errorf("rights: holds: %w", err)
	}
	return out, nil
}

// holdsInForce counts the partnership's legal holds in force, through q. Counts only.
func holdsInForce(ctx context.Context, q database.Querier, partnership prevent.ID) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sharing_legal_holds WHERE partnership_id = $1 AND released_at IS NULL`,
		partnership).Scan(&n); err != nil {
		return 0, fmt.Errorf("rights: holds in force: %w", err)
	}
	return n, nil
}

// held reports whether a record is under a legal hold in force, read through q (the erasure run's
// transaction when it erases).
func held(ctx context.Context, q database.Querier, kind string, id prevent.ID) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sharing_legal_holds WHERE record_kind = $1 AND record_id = $2 AND released_at IS NULL`,
		kind, id).Scan(&n); err != nil {
		return false, fmt.Errorf("rights: held: %w", err)
	}
	return n > 0, nil
}

package returns

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// AnnualState is where an annual return is in its approval: drafted, checked by a second person, approved by a
// third, or superseded by a later approval for the same partnership and year.
type AnnualState string

// The states of an annual return.
const (
	AnnualDraft      AnnualState = "draft"
	AnnualChecked    AnnualState = "checked"
	AnnualApproved   AnnualState = "approved"
	AnnualSuperseded AnnualState = "superseded"
)

// Annual is an annual return on its way to approval, or approved. Return is the snapshot taken when it was
// drafted: the tables as they will be published and their provenance. Casework changing afterwards does not
// change it; drafting it again takes a new snapshot and needs a new check.
type Annual struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	Year          FinancialYear
	Policy        Policy
	State         AnnualState
	Revision      int // counts the drafts; a check or an approval names the revision it read
	Return        *Return
	DraftedBy     prevent.ID
	DraftedAt     time.Time
	CheckedBy     prevent.ID // 0 until checked
	CheckedAt     time.Time
	ApprovedBy    prevent.ID // 0 until approved
	ApprovedAt    time.Time
	BundleID      string // the identity of its signed bundle, given at approval
	SupersededBy  prevent.ID
	SupersededAt  time.Time
}

// The actions on annual returns. Drafting is computing the return, so it is the statistics action of the
// coordinators and analysts who prepare returns; checking is theirs too, as a second pair of eyes on the
// figures. Approving is the coordinator's, as a quarterly return's or a delivery plan's approval is. Who drafted
// and who checked a return cannot approve it (separation of duties, recorded in the audit log).
var (
	annualRead    = []access.Action{access.StatisticsView}
	annualDraft   = []access.Action{access.StatisticsView}
	annualCheck   = []access.Action{access.StatisticsView}
	annualApprove = []access.Action{access.StatisticsView, access.PlanApprove}
)

// DraftAnnual computes the return of req (as Compute does, with its refusals and its audit entry) and keeps it
// as the partnership's draft return for the year: a new draft, or the open one (draft or checked) drafted again
// with new figures, which then needs checking again. An approved return is never changed; drafting after an
// approval starts a new return, whose approval will supersede it.
func (s *Service) DraftAnnual(ctx context.Context, p prevent.Principal, req Request) (*Annual, error) {
	if !s.allow(p, req.PartnershipID, annualDraft...) {
		return nil, access.NotFound("Partnership")
	}
	r, err := s.Compute(ctx, p, req)
	if err != nil {
		return nil, err
	}
	snap, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("returns: annual snapshot: %w", err)
	}
	now := s.now()
	pid, y := req.PartnershipID, req.Year
	var id prevent.ID
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		var revision int
		err := tx.QueryRowContext(ctx, `SELECT id, revision FROM annual_returns WHERE partnership_id = $1 AND year = $2 AND state IN ($3, $4)`,
			pid, int(y), string(AnnualDraft), string(AnnualChecked)).Scan(&id, &revision)
		detail := fmt.Sprintf("annual return for %s under %s: drafted, input digest %s", y, r.Provenance.Policy, r.Provenance.InputDigest)
		action := audit.Collect
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err := tx.QueryRowContext(ctx, `INSERT INTO annual_returns (partnership_id, year, policy_name, policy_version, state, snapshot,
				drafted_by, drafted_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
				pid, int(y), r.Provenance.Policy.Name, r.Provenance.Policy.Version, string(AnnualDraft), string(snap), p.PersonID, now).Scan(&id)
			if database.IsUniqueViolation(err) {
				return prevent.Errorf(prevent.Conflict, "Someone else drafted the return for %s at the same time; read it and draft again if needed", y)
			}
			if err != nil {
				return fmt.Errorf("returns: annual return: %w", err)
			}
		case err != nil:
			return fmt.Errorf("returns: annual return: %w", err)
		default:
			res, err := tx.ExecContext(ctx, `UPDATE annual_returns SET policy_name = $1, policy_version = $2, state = $3, snapshot = $4,
				drafted_by = $5, drafted_at = $6, checked_by = NULL, checked_at = NULL, revision = revision + 1, updated_at = $6
				WHERE id = $7 AND revision = $8 AND state IN ($3, $9)`,
				r.Provenance.Policy.Name, r.Provenance.Policy.Version, string(AnnualDraft), string(snap), p.PersonID, now, id, revision, string(AnnualChecked))
			if err != nil {
				return fmt.Errorf("returns: annual return: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return prevent.Errorf(prevent.Conflict, "The return for %s changed while you were drafting it; try again", y)
			}
			action = audit.Alter
			detail = fmt.Sprintf("annual return for %s under %s: drafted again (revision %d), input digest %s; any check is cleared",
				y, r.Provenance.Policy, revision+1, r.Provenance.InputDigest)
		}
		return s.annualAudit(ctx, tx, p, action, id, pid, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.AnnualReturn(ctx, p, pid, id)
}

// CheckAnnual records that a second person has checked the figures of revision of a draft return. The person
// who drafted it cannot check it.
func (s *Service) CheckAnnual(ctx context.Context, p prevent.Principal, pid, id prevent.ID, revision int) error {
	if !s.allow(p, pid, annualCheck...) {
		return access.NotFound("Annual return")
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadAnnual(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		switch {
		case a.State == AnnualChecked:
			return prevent.Errorf(prevent.Conflict, "The return for %s is already checked", a.Year)
		case a.State != AnnualDraft:
			return prevent.Errorf(prevent.Conflict, "The return for %s is approved and cannot be changed", a.Year)
		case a.Revision != revision:
			return prevent.Errorf(prevent.Conflict, "The return for %s has been drafted again since you read it; read it again", a.Year)
		case a.DraftedBy == p.PersonID:
			return prevent.Errorf(prevent.Conflict, "You drafted the return for %s, so someone else must check it", a.Year)
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE annual_returns SET state = $1, checked_by = $2, checked_at = $3, updated_at = $3
			WHERE id = $4 AND state = $5 AND revision = $6`, string(AnnualChecked), p.PersonID, now, id, string(AnnualDraft), revision)
		if err != nil {
			return fmt.Errorf("returns: check annual return: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return prevent.Errorf(prevent.Conflict, "The return for %s changed while you were checking it; read it again", a.Year)
		}
		return s.annualAudit(ctx, tx, p, audit.Alter, id, pid, fmt.Sprintf("annual return for %s under %s: revision %d checked (drafted by person %d)",
			a.Year, a.Policy, revision, a.DraftedBy))
	})
}

// ApproveAnnual approves revision of a checked return in the approver's name, who must be neither the person who
// drafted it nor the one who checked it. The approval gives the return the random identity of its bundle and
// supersedes the partnership's earlier approved return for the year, which is kept.
func (s *Service) ApproveAnnual(ctx context.Context, p prevent.Principal, pid, id prevent.ID, revision int) error {
	if !s.allow(p, pid, annualApprove...) {
		return access.NotFound("Annual return")
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return fmt.Errorf("returns: bundle id: %w", err)
	}
	bundleID := hex.EncodeToString(raw[:])
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadAnnual(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		switch {
		case a.State == AnnualDraft:
			return prevent.Errorf(prevent.Conflict, "The return for %s must be checked before it is approved", a.Year)
		case a.State != AnnualChecked:
			return prevent.Errorf(prevent.Conflict, "The return for %s is already approved", a.Year)
		case a.Revision != revision:
			return prevent.Errorf(prevent.Conflict, "The return for %s has been drafted again since you read it; read it again", a.Year)
		case a.DraftedBy == p.PersonID:
			return prevent.Errorf(prevent.Conflict, "You drafted the return for %s, so someone else must approve it", a.Year)
		case a.CheckedBy == p.PersonID:
			return prevent.Errorf(prevent.Conflict, "You checked the return for %s, so someone else must approve it", a.Year)
		}
		now := s.now()
		rows, err := tx.QueryContext(ctx, `SELECT id FROM annual_returns WHERE partnership_id = $1 AND year = $2 AND state = $3`,
			pid, int(a.Year), string(AnnualApproved))
		if err != nil {
			return fmt.Errorf("returns: approved returns: %w", err)
		}
		var older []prevent.ID
		for rows.Next() {
			var o prevent.ID
			if err := rows.Scan(&o); err != nil {
				rows.Close()
				return err
			}
			older = append(older, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, o := range older {
			if _, err := tx.ExecContext(ctx, `UPDATE annual_returns SET state = $1, superseded_by = $2, superseded_at = $3, updated_at = $3
				WHERE id = $4 AND state = $5`, string(AnnualSuperseded), id, now, o, string(AnnualApproved)); err != nil {
				return fmt.Errorf("returns: supersede annual return: %w", err)
			}
			if err := s.annualAudit(ctx, tx, p, audit.Alter, o, pid, fmt.Sprintf("annual return for %s: superseded by return %d", a.Year, id)); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE annual_returns SET state = $1, approved_by = $2, approved_at = $3, bundle_id = $4, updated_at = $3
			WHERE id = $5 AND state = $6 AND revision = $7`, string(AnnualApproved), p.PersonID, now, bundleID, id, string(AnnualChecked), revision)
		if err != nil {
			return fmt.Errorf("returns: approve annual return: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return prevent.Errorf(prevent.Conflict, "The return for %s changed while you were approving it; read it again", a.Year)
		}
		return s.annualAudit(ctx, tx, p, audit.Alter, id, pid, fmt.Sprintf("annual return for %s under %s: revision %d approved (drafted by person %d, checked by person %d), bundle %s, input digest %s",
			a.Year, a.Policy, revision, a.DraftedBy, a.CheckedBy, bundleID, a.Return.Provenance.InputDigest))
	})
}

func (s *Service) annualAudit(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, id, pid prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), action, "annual_return", id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = pid
	e.Purpose = "statistical return"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("returns: audit: %w", err)
	}
	return nil
}

// AnnualReturn reads an annual return of the partnership, with its snapshot.
func (s *Service) AnnualReturn(ctx context.Context, p prevent.Principal, pid, id prevent.ID) (*Annual, error) {
	if !s.allow(p, pid, annualRead...) {
		return nil, access.NotFound("Annual return")
	}
	return loadAnnual(ctx, s.db.Read(), pid, id)
}

// AnnualReturns lists the partnership's annual returns for a year, newest first, with their snapshots.
func (s *Service) AnnualReturns(ctx context.Context, p prevent.Principal, pid prevent.ID, y FinancialYear) ([]*Annual, error) {
	if !s.allow(p, pid, annualRead...) {
		return nil, access.NotFound("Partnership")
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id FROM annual_returns WHERE partnership_id = $1 AND year = $2 ORDER BY id DESC`, pid, int(y))
	if err != nil {
		return nil, fmt.Errorf("returns: annual returns: %w", err)
	}
	var ids []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*Annual, 0, len(ids))
	for _, id := range ids {
		a, err := loadAnnual(ctx, s.db.Read(), pid, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func loadAnnual(ctx context.Context, q database.Querier, pid, id prevent.ID) (*Annual, error) {
	a := &Annual{ID: id, PartnershipID: pid}
	var year, version int
	var name, state, snap string
	var checkedBy, approvedBy, supersededBy sql.NullInt64
	var checkedAt, approvedAt, supersededAt sql.NullTime
	var bundleID sql.NullString
	err := q.QueryRowContext(ctx, `SELECT year, policy_name, policy_version, state, revision, snapshot, drafted_by, drafted_at, checked_by, checked_at,
		approved_by, approved_at, bundle_id, superseded_by, superseded_at FROM annual_returns WHERE id = $1 AND partnership_id = $2`, id, pid).Scan(
		&year, &name, &version, &state, &a.Revision, &snap, &a.DraftedBy, &a.DraftedAt, &checkedBy, &checkedAt,
		&approvedBy, &approvedAt, &bundleID, &supersededBy, &supersededAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, access.NotFound("Annual return")
	}
	if err != nil {
		return nil, fmt.Errorf("returns: annual return: %w", err)
	}
	a.Year, a.State = FinancialYear(year), AnnualState(state)
	a.CheckedBy, a.CheckedAt = checkedBy.Int64, checkedAt.Time
	a.ApprovedBy, a.ApprovedAt = approvedBy.Int64, approvedAt.Time
	a.SupersededBy, a.SupersededAt = supersededBy.Int64, supersededAt.Time
	a.BundleID = bundleID.String
	a.Return = &Return{}
	if err := json.Unmarshal([]byte(snap), a.Return); err != nil {
		return nil, fmt.Errorf("returns: annual snapshot: %w", err)
	}
	// The policy is the one the snapshot was made under, as it was then: a policy is never changed, and the
	// snapshot keeps its words.
	a.Policy = a.Return.Provenance.Policy
	if a.Policy.Name != name || a.Policy.Version != version {
		return nil, fmt.Errorf("returns: annual return %d: snapshot under %s, row under %s version %d", id, a.Policy, name, version)
	}
	return a, nil
}

package assurance

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

// EvidenceKind says what kind of record a piece of evidence is.
type EvidenceKind string

// The kinds of evidence: the partnership's own records, linked by id.
const (
	EvidenceDocument EvidenceKind = "library-document"
	EvidenceProject  EvidenceKind = "project"
)

// Evidence is a link from a section to a record of the partnership's programme.
type Evidence struct {
	ID       prevent.ID
	Kind     EvidenceKind
	RecordID prevent.ID
	// Title is the document's or project's title; empty when Withheld.
	Title string
	// Withheld is true for a library document marked above what the reader's clearance covers.
	Withheld bool
	AddedAt  time.Time
}

// EvidenceInput names a record to link as evidence.
type EvidenceInput struct {
	Kind     EvidenceKind // "kind"
	RecordID prevent.ID   // "evidence"
}

// AddEvidence links a library document or a project of the partnership to a section of a draft. A record of
// another partnership, or a document the editor may not read, is refused with a field error, as is a record
// already linked to the section.
func (s *Service) AddEvidence(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, code string, in EvidenceInput) (prevent.ID, error) {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Assessment"); err != nil {
		return 0, err
	}
	if in.Kind != EvidenceDocument && in.Kind != EvidenceProject {
		return 0, prevent.Validation([]prevent.FieldError{{Field: "kind", Message: "Select whether the evidence is a library document or a project"}})
	}
	var eid prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		_, sec, err := draftSection(ctx, tx, partnershipID, id, code)
		if err != nil {
			return err
		}
		column, msg := "document_id", "Select a document from the partnership’s library"
		var ok bool
		if in.Kind == EvidenceDocument {
			ok, err = mayLinkDocument(ctx, tx, p, partnershipID, in.RecordID, s.now())
		} else {
			column, msg = "project_id", "Select a project of the partnership’s programme"
			ok, err = mayLinkProject(ctx, tx, p, partnershipID, in.RecordID, s.now())
		}
		if err != nil {
			return err
		}
		if !ok {
			return prevent.Validation([]prevent.FieldError{{Field: "evidence", Message: msg}})
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM assurance_evidence WHERE assessment_id = $1 AND section_code = $2 AND `+column+` = $3`,
			id, sec.Code, in.RecordID).Scan(&n); err != nil {
			return fmt.Errorf("assurance: evidence: %w", err)
		}
		if n > 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "evidence", Message: "That is already evidence for this section"}})
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO assurance_evidence (assessment_id, section_code, `+column+`, added_by, added_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, id, sec.Code, in.RecordID, p.PersonID, s.now()).Scan(&eid); err != nil {
			return fmt.Errorf("assurance: add evidence: %w", err)
		}
		if err := s.touch(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "self_assessment", id, partnershipID,
			fmt.Sprintf("section %s: %s %d linked as evidence", sec.Code, in.Kind, in.RecordID))
	})
	return eid, err
}

// RemoveEvidence unlinks a piece of evidence from a draft.
func (s *Service) RemoveEvidence(ctx context.Context, p prevent.Principal, partnershipID, id, evidenceID prevent.ID) error {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Assessment"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadHeader(ctx, tx, partnershipID, id)
		if err != nil {
			return err
		}
		if err := editable(a); err != nil {
			return err
		}
		var code string
		err = tx.QueryRowContext(ctx, `DELETE FROM assurance_evidence WHERE id = $1 AND assessment_id = $2 RETURNING section_code`,
			evidenceID, id).Scan(&code)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Evidence")
		}
		if err != nil {
			return fmt.Errorf("assurance: remove evidence: %w", err)
		}
		if err := s.touch(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "self_assessment", id, partnershipID, fmt.Sprintf("section %s: evidence %d removed", code, evidenceID))
	})
}

// Action is an improvement action for a section: what will be done, by which organisation, by when.
type Action struct {
	ID          prevent.ID
	Description string
	OwnerOrgID  prevent.ID
	OwnerOrg    string // the organisation's name
	DueOn       string // YYYY-MM-DD
	// CarriedFrom is the action of an earlier year's assessment this one was carried forward from, 0 for none.
	CarriedFrom prevent.ID
}

// ActionInput is an improvement action as written.
type ActionInput struct {
	Description       string     // "description"
	OwnerOrganisation prevent.ID // "owner": a member organisation of the partnership
	DueOn             string     // "due-on": YYYY-MM-DD
}

func (in ActionInput) check() prevent.Fields {
	var f prevent.Fields
	checkText(&f, "description", in.Description, "Enter what will be done", MaxAction)
	if in.OwnerOrganisation == 0 {
		f.Add("owner", "Select the organisation that owns the action")
	}
	if !validDate(in.DueOn) {
		f.Add("due-on", "Enter the date the action is due as a real date")
	}
	return f
}

// checkOwner adds a field error unless the action's owner is a member organisation of the partnership.
func checkOwner(ctx context.Context, q database.Querier, partnershipID prevent.ID, in ActionInput) error {
	if in.OwnerOrganisation == 0 {
		return nil
	}
	ok, err := memberOrg(ctx, q, partnershipID, in.OwnerOrganisation)
	if err != nil || ok {
		return err
	}
	return prevent.Validation([]prevent.FieldError{{Field: "owner", Message: "Select an organisation of the partnership"}})
}

// AddAction adds an improvement action to a section of a draft.
func (s *Service) AddAction(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, code string, in ActionInput) (prevent.ID, error) {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Assessment"); err != nil {
		return 0, err
	}
	if err := in.check().Err(); err != nil {
		return 0, err
	}
	var aid prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		_, sec, err := draftSection(ctx, tx, partnershipID, id, code)
		if err != nil {
			return err
		}
		if err := checkOwner(ctx, tx, partnershipID, in); err != nil {
			return err
		}
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO assurance_actions (assessment_id, section_code, description, owner_org_id, due_on,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			id, sec.Code, strings.TrimSpace(in.Description), in.OwnerOrganisation, in.DueOn, now).Scan(&aid); err != nil {
			return fmt.Errorf("assurance: add action: %w", err)
		}
		if err := s.touch(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "self_assessment", id, partnershipID, fmt.Sprintf("section %s: action %d added", sec.Code, aid))
	})
	return aid, err
}

// UpdateAction changes an improvement action of a draft.
func (s *Service) UpdateAction(ctx context.Context, p prevent.Principal, partnershipID, id, actionID prevent.ID, in ActionInput) error {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Assessment"); err != nil {
		return err
	}
	if err := in.check().Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadHeader(ctx, tx, partnershipID, id)
		if err != nil {
			return err
		}
		if err := editable(a); err != nil {
			return err
		}
		if err := checkOwner(ctx, tx, partnershipID, in); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE assurance_actions SET description = $1, owner_org_id = $2, due_on = $3, updated_at = $4
			WHERE id = $5 AND assessment_id = $6`, strings.TrimSpace(in.Description), in.OwnerOrganisation, in.DueOn, s.now(), actionID, id)
		if err != nil {
			return fmt.Errorf("assurance: update action: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return access.NotFound("Action")
		}
		if err := s.touch(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "self_assessment", id, partnershipID, fmt.Sprintf("action %d changed", actionID))
	})
}

// RemoveAction removes an improvement action from a draft.
func (s *Service) RemoveAction(ctx context.Context, p prevent.Principal, partnershipID, id, actionID prevent.ID) error {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Assessment"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadHeader(ctx, tx, partnershipID, id)
		if err != nil {
			return err
		}
		if err := editable(a); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM assurance_actions WHERE id = $1 AND assessment_id = $2`, actionID, id)
		if err != nil {
			return fmt.Errorf("assurance: remove action: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return access.NotFound("Action")
		}
		if err := s.touch(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "self_assessment", id, partnershipID, fmt.Sprintf("action %d removed", actionID))
	})
}

// loadActions reads an assessment's actions by section code, in the order they were added.
func loadActions(ctx context.Context, q database.Querier, id prevent.ID) (map[string][]Action, error) {
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.section_code, a.description, a.owner_org_id, o.name, a.due_on, COALESCE(a.carried_from, 0)
		FROM assurance_actions a JOIN organisations o ON o.id = a.owner_org_id WHERE a.assessment_id = $1 ORDER BY a.id`, id)
	if err != nil {
		return nil, fmt.Errorf("assurance: actions: %w", err)
	}
	defer rows.Close()
	out := map[string][]Action{}
	for rows.Next() {
		var a Action
		var code string
		if err := rows.Scan(&a.ID, &code, &a.Description, &a.OwnerOrgID, &a.OwnerOrg, &a.DueOn, &a.CarriedFrom); err != nil {
			return nil, err
		}
		out[code] = append(out[code], a)
	}
	return out, rows.Err()
}

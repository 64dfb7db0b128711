package assurance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Status is where an assessment is in its life: draft → submitted → approved, and a submitted assessment may be
// returned to draft with a reason. An approved assessment is the record of its year and never changes.
type Status string

// The assessment statuses.
const (
	Draft     Status = "draft"
	Submitted Status = "submitted"
	Approved  Status = "approved"
)

// String is the status as people read it.
func (s Status) String() string {
	switch s {
	case Submitted:
		return "Submitted for approval"
	case Approved:
		return "Approved"
	}
	return "Draft"
}

// Assessment is a partnership's assessment of one financial year against one framework version.
type Assessment struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	Framework     Framework // the version assessed against, with its sections and scale
	Year          int       // the financial year, by the year it starts in
	Status        Status
	CopiedFrom    prevent.ID // the earlier assessment it was started from, 0 for none

	SubmittedBy     prevent.ID
	SubmittedByName string
	SubmittedAt     time.Time // zero unless submitted
	ApprovedBy      prevent.ID
	ApprovedByName  string
	ApprovedAt      time.Time // zero unless approved
	ReturnedBy      prevent.ID
	ReturnedByName  string
	ReturnedAt      time.Time // zero unless it was ever returned
	ReturnReason    string

	CreatedBy prevent.ID
	CreatedAt time.Time
	UpdatedAt time.Time
	Sections  []SectionAssessment // in the framework's order; empty in lists
}

// YearName is the financial year as people write it, "2026 to 2027".
func (a Assessment) YearName() string { return yearName(a.Year) }

func yearName(y int) string { return strconv.Itoa(y) + " to " + strconv.Itoa(y+1) }

// Rated counts the sections with a rating.
func (a Assessment) Rated() int {
	n := 0
	for _, s := range a.Sections {
		if s.Level != 0 {
			n++
		}
	}
	return n
}

// SectionAssessment is the assessment of one section: its rating, narrative, evidence and improvement actions.
type SectionAssessment struct {
	Section
	Level     int // 0 until rated
	Narrative string
	UpdatedAt time.Time
	Evidence  []Evidence
	Actions   []Action
}

// StartInput says which year to assess, against which framework version, and optionally which earlier
// assessment to start from.
type StartInput struct {
	FrameworkID prevent.ID // "framework"
	Year        int        // "year"
	CopyFrom    prevent.ID // "copy-from": an earlier year's assessment against the same framework, or 0
}

// Started is a new assessment, and what could not be carried forward from the earlier one, one line each.
type Started struct {
	ID         prevent.ID
	NotCarried []string
}

// StartAssessment starts a draft assessment of a year against a framework version, every section unrated.
// Started from an earlier year's assessment of the same framework, it carries forward each section's rating
// and improvement actions where the section (by code) is in the new version, and ratings only where the scale
// has as many levels; narratives and evidence are the year's own and start empty. What could not be carried is
// listed, never mapped onto something else.
func (s *Service) StartAssessment(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in StartInput) (Started, error) {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Partnership"); err != nil {
		return Started{}, err
	}
	var f prevent.Fields
	checkYear(&f, "year", in.Year, "Enter the financial year the assessment is for, for example 2026")
	if err := f.Err(); err != nil {
		return Started{}, err
	}
	var out Started
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		fw, err := loadFramework(ctx, tx, partnershipID, in.FrameworkID)
		if prevent.ErrorKind(err) == prevent.NotFound {
			return prevent.Validation([]prevent.FieldError{{Field: "framework", Message: "Select a framework to assess against"}})
		}
		if err != nil {
			return err
		}
		if in.Year < fw.AppliesFrom {
			return prevent.Validation([]prevent.FieldError{{Field: "year", Message: fmt.Sprintf(
				"Version %d of %s applies from %s: choose a later year or another version", fw.Version, fw.Name, yearName(fw.AppliesFrom))}})
		}
		var from Assessment
		if in.CopyFrom != 0 {
			from, err = loadAssessment(ctx, tx, p, partnershipID, in.CopyFrom, s.now())
			var msg string
			switch {
			case prevent.ErrorKind(err) == prevent.NotFound:
				msg = "Select one of the partnership’s assessments to start from"
			case err != nil:
				return err
			case from.Framework.Code != fw.Code:
				msg = "Select an assessment against " + fw.Name + " to start from"
			case from.Year >= in.Year:
				msg = "Select an earlier year’s assessment to start from"
			}
			if msg != "" {
				return prevent.Validation([]prevent.FieldError{{Field: "copy-from", Message: msg}})
			}
		}
		now := s.now()
		var copied any
		if in.CopyFrom != 0 {
			copied = in.CopyFrom
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO assurance_assessments (partnership_id, framework_id, framework_code, year, status,
			copied_from, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			partnershipID, fw.ID, fw.Code, in.Year, string(Draft), copied, p.PersonID, now).Scan(&out.ID)
		if database.IsUniqueViolation(err) {
			return prevent.Validation([]prevent.FieldError{{Field: "year", Message: fmt.Sprintf(
				"There is already an assessment against %s for %s", fw.Name, yearName(in.Year))}})
		}
		if err != nil {
			return fmt.Errorf("assurance: start assessment: %w", err)
		}
		for _, sec := range fw.Sections {
			if _, err := tx.ExecContext(ctx, `INSERT INTO assurance_ratings (assessment_id, framework_id, section_code, level, narrative, updated_at)
				VALUES ($1, $2, $3, NULL, '', $4)`, out.ID, fw.ID, sec.Code, now); err != nil {
				return fmt.Errorf("assurance: start assessment: %w", err)
			}
		}
		detail := fmt.Sprintf("started %s against %s version %d", yearName(in.Year), fw.Code, fw.Version)
		if in.CopyFrom != 0 {
			ratings, actions, notCarried, err := s.carryForward(ctx, tx, out.ID, from, fw, now)
			if err != nil {
				return err
			}
			out.NotCarried = notCarried
			detail += fmt.Sprintf(" from assessment %d (%d ratings and %d actions carried forward, %d not)", from.ID, ratings, actions, len(notCarried))
		}
		return s.record(ctx, tx, p, audit.Collect, "self_assessment", out.ID, partnershipID, detail)
	})
	return out, err
}

// carryForward copies from's ratings and actions into the new assessment id against fw, returning how many of
// each were copied and a line for each thing that could not be.
func (s *Service) carryForward(ctx context.Context, tx *database.Tx, id prevent.ID, from Assessment, fw Framework, now time.Time) (int, int, []string, error) {
	var ratings, actions int
	var notCarried []string
	scale := sameScale(from.Framework, fw)
	for _, sec := range from.Sections {
		if _, ok := fw.Section(sec.Code); !ok {
			if sec.Level != 0 || len(sec.Actions) > 0 {
				notCarried = append(notCarried, fmt.Sprintf("%s: the section is not in version %d, so its rating and %d %s were not carried forward",
					sec.Title, fw.Version, len(sec.Actions), plural(len(sec.Actions), "action", "actions")))
			}
			continue
		}
		if sec.Level != 0 {
			if scale {
				if _, err := tx.ExecContext(ctx, `UPDATE assurance_ratings SET level = $1 WHERE assessment_id = $2 AND section_code = $3`,
					sec.Level, id, sec.Code); err != nil {
					return 0, 0, nil, fmt.Errorf("assurance: carry forward: %w", err)
				}
				ratings++
			} else {
				notCarried = append(notCarried, fmt.Sprintf("%s: version %d has a scale of %d levels, not %d, so the rating was not carried forward",
					sec.Title, fw.Version, len(fw.Scale), len(from.Framework.Scale)))
			}
		}
		for _, a := range sec.Actions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO assurance_actions (assessment_id, section_code, description, owner_org_id, due_on,
				carried_from, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
				id, sec.Code, a.Description, a.OwnerOrgID, a.DueOn, a.ID, now); err != nil {
				return 0, 0, nil, fmt.Errorf("assurance: carry forward: %w", err)
			}
			actions++
		}
	}
	return ratings, actions, notCarried, nil
}

const assessmentColumns = `a.id, a.partnership_id, a.framework_id, a.year, a.status, COALESCE(a.copied_from, 0),
	COALESCE(a.submitted_by, 0), COALESCE(ps.name, ''), a.submitted_at,
	COALESCE(a.approved_by, 0), COALESCE(pa.name, ''), a.approved_at,
	COALESCE(a.returned_by, 0), COALESCE(pr.name, ''), a.returned_at, a.return_reason,
	a.created_by, a.created_at, a.updated_at`

const assessmentFrom = ` FROM assurance_assessments a
	LEFT JOIN people ps ON ps.id = a.submitted_by
	LEFT JOIN people pa ON pa.id = a.approved_by
	LEFT JOIN people pr ON pr.id = a.returned_by`

func scanAssessment(sc interface{ Scan(...any) error }) (Assessment, error) {
	var a Assessment
	var submitted, approved, returned sql.NullTime
	err := sc.Scan(&a.ID, &a.PartnershipID, &a.Framework.ID, &a.Year, &a.Status, &a.CopiedFrom,
		&a.SubmittedBy, &a.SubmittedByName, &submitted, &a.ApprovedBy, &a.ApprovedByName, &approved,
		&a.ReturnedBy, &a.ReturnedByName, &returned, &a.ReturnReason, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	a.SubmittedAt, a.ApprovedAt, a.ReturnedAt = submitted.Time, approved.Time, returned.Time
	return a, err
}

// Assessments lists the partnership's assessments, newest year first, without their sections. Each carries its
// framework version with sections and scale.
func (s *Service) Assessments(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Assessment, error) {
	if err := s.decide(p, access.SelfAssessmentView, partnershipID, "Partnership"); err != nil {
		return nil, err
	}
	return listAssessments(ctx, s.db.Read(), partnershipID, "")
}

// listAssessments reads the partnership's assessments of one framework code, or ("") of all, newest year first.
func listAssessments(ctx context.Context, q database.Querier, partnershipID prevent.ID, code string) ([]Assessment, error) {
	fws, err := frameworks(ctx, q, partnershipID, code)
	if err != nil {
		return nil, err
	}
	byID := map[prevent.ID]Framework{}
	for _, f := range fws {
		byID[f.ID] = f
	}
	rows, err := q.QueryContext(ctx, `SELECT `+assessmentColumns+assessmentFrom+`
		WHERE a.partnership_id = $1 AND ($2 = '' OR a.framework_code = $2) ORDER BY a.year DESC, a.framework_code`, partnershipID, code)
	if err != nil {
		return nil, fmt.Errorf("assurance: assessments: %w", err)
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, err
		}
		a.Framework = byID[a.Framework.ID]
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assessment returns one assessment with its sections, evidence and actions. Evidence the reader may not see
// (a library document marked above their clearance) is listed as withheld, without its title.
func (s *Service) Assessment(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) (Assessment, error) {
	if err := s.decide(p, access.SelfAssessmentView, partnershipID, "Assessment"); err != nil {
		return Assessment{}, err
	}
	return loadAssessment(ctx, s.db.Read(), p, partnershipID, id, s.now())
}

// loadHeader reads an assessment of the partnership without its sections, and its framework version.
func loadHeader(ctx context.Context, q database.Querier, partnershipID, id prevent.ID) (Assessment, error) {
	a, err := scanAssessment(q.QueryRowContext(ctx, `SELECT `+assessmentColumns+assessmentFrom+`
		WHERE a.partnership_id = $1 AND a.id = $2`, partnershipID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, access.NotFound("Assessment")
	}
	if err != nil {
		return a, fmt.Errorf("assurance: assessment %d: %w", id, err)
	}
	a.Framework, err = loadFramework(ctx, q, partnershipID, a.Framework.ID)
	return a, err
}

// loadAssessment reads an assessment whole, as p may see it at now.
func loadAssessment(ctx context.Context, q database.Querier, p prevent.Principal, partnershipID, id prevent.ID, now time.Time) (Assessment, error) {
	a, err := loadHeader(ctx, q, partnershipID, id)
	if err != nil {
		return a, err
	}
	rows, err := q.QueryContext(ctx, `SELECT section_code, COALESCE(level, 0), narrative, updated_at FROM assurance_ratings
		WHERE assessment_id = $1`, id)
	if err != nil {
		return a, fmt.Errorf("assurance: ratings: %w", err)
	}
	got := map[string]SectionAssessment{}
	for rows.Next() {
		var sa SectionAssessment
		if err := rows.Scan(&sa.Code, &sa.Level, &sa.Narrative, &sa.UpdatedAt); err != nil {
			rows.Close()
			return a, err
		}
		got[sa.Code] = sa
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	evidence, err := loadEvidence(ctx, q, p, partnershipID, id, now)
	if err != nil {
		return a, err
	}
	actions, err := loadActions(ctx, q, id)
	if err != nil {
		return a, err
	}
	for _, sec := range a.Framework.Sections {
		sa := got[sec.Code]
		sa.Section = sec
		sa.Evidence = evidence[sec.Code]
		sa.Actions = actions[sec.Code]
		a.Sections = append(a.Sections, sa)
	}
	return a, nil
}

// editable explains why an assessment cannot be changed, or returns nil for a draft.
func editable(a Assessment) error {
	switch a.Status {
	case Draft:
		return nil
	case Submitted:
		return prevent.Errorf(prevent.Conflict, "The assessment has been submitted for approval, so it cannot be changed: an approver can return it to draft")
	}
	return prevent.Errorf(prevent.Conflict, "The assessment is approved, so it cannot be changed: it is kept as the record of %s", a.YearName())
}

// draftSection loads a draft assessment for a change to one of its sections, in tx.
func draftSection(ctx context.Context, tx *database.Tx, partnershipID, id prevent.ID, code string) (Assessment, Section, error) {
	a, err := loadHeader(ctx, tx, partnershipID, id)
	if err != nil {
		return a, Section{}, err
	}
	sec, ok := a.Framework.Section(code)
	if !ok {
		return a, sec, access.NotFound("Section")
	}
	return a, sec, editable(a)
}

// touch marks the assessment changed.
func (s *Service) touch(ctx context.Context, tx *database.Tx, id prevent.ID) error {
	if _, err := tx.ExecContext(ctx, `UPDATE assurance_assessments SET updated_at = $1 WHERE id = $2`, s.now(), id); err != nil {
		return fmt.Errorf("assurance: assessment: %w", err)
	}
	return nil
}

// RatingInput is a section's rating and narrative.
type RatingInput struct {
	Level     int    // "level": a level of the version's scale, or 0 for not rated yet
	Narrative string // "narrative"
}

// RateSection saves a section's rating and narrative. Only a draft changes.
func (s *Service) RateSection(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, code string, in RatingInput) error {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Assessment"); err != nil {
		return err
	}
	var f prevent.Fields
	checkText(&f, "narrative", in.Narrative, "", MaxNarrative)
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, sec, err := draftSection(ctx, tx, partnershipID, id, code)
		if err != nil {
			return err
		}
		var level any
		if in.Level != 0 {
			if _, ok := a.Framework.LevelOf(in.Level); !ok {
				return prevent.Validation([]prevent.FieldError{{Field: "level", Message: "Select a rating from the scale"}})
			}
			level = in.Level
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assurance_ratings SET level = $1, narrative = $2, updated_at = $3
			WHERE assessment_id = $4 AND section_code = $5`, level, strings.TrimSpace(in.Narrative), s.now(), id, sec.Code); err != nil {
			return fmt.Errorf("assurance: rate section: %w", err)
		}
		if err := s.touch(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "self_assessment", id, partnershipID, fmt.Sprintf("section %s rated %d", sec.Code, in.Level))
	})
}

// Submit sends a draft for approval. Every section needs a rating and a narrative first.
func (s *Service) Submit(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) error {
	if err := s.decide(p, access.SelfAssessmentEdit, partnershipID, "Assessment"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadAssessment(ctx, tx, p, partnershipID, id, s.now())
		if err != nil {
			return err
		}
		if err := editable(a); err != nil {
			return err
		}
		var missing []string
		for _, sec := range a.Sections {
			if sec.Level == 0 || strings.TrimSpace(sec.Narrative) == "" {
				missing = append(missing, sec.Title)
			}
		}
		if len(missing) > 0 {
			return prevent.Errorf(prevent.Conflict, "Rate every section and say why before submitting. Not done: %s", strings.Join(missing, "; "))
		}
		return s.move(ctx, tx, p, a, Submitted, `submitted_by = $5, submitted_at = $1`, "submitted for approval", p.PersonID)
	})
}

// Approve approves a submitted assessment, recording who approved it and when. The person who submitted it may
// approve it, as with the delivery plan: the partnership decides who its approvers are by the roles it gives.
func (s *Service) Approve(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) error {
	if err := s.decide(p, access.SelfAssessmentApprove, partnershipID, "Assessment"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadHeader(ctx, tx, partnershipID, id)
		if err != nil {
			return err
		}
		switch a.Status {
		case Draft:
			return prevent.Errorf(prevent.Conflict, "Only a submitted assessment can be approved: submit it first")
		case Approved:
			return prevent.Errorf(prevent.Conflict, "The assessment is already approved")
		}
		return s.move(ctx, tx, p, a, Approved, `approved_by = $5, approved_at = $1`, "approved", p.PersonID)
	})
}

// Return sends a submitted assessment back to draft, with the reason the approver gives.
func (s *Service) Return(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, reason string) error {
	if err := s.decide(p, access.SelfAssessmentApprove, partnershipID, "Assessment"); err != nil {
		return err
	}
	var f prevent.Fields
	checkText(&f, "reason", reason, "Enter why the assessment is being returned", MaxReason)
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadHeader(ctx, tx, partnershipID, id)
		if err != nil {
			return err
		}
		switch a.Status {
		case Draft:
			return prevent.Errorf(prevent.Conflict, "The assessment is already a draft")
		case Approved:
			return prevent.Errorf(prevent.Conflict, "An approved assessment cannot be returned: it is kept as the record of %s", a.YearName())
		}
		return s.move(ctx, tx, p, a, Draft, `returned_by = $5, returned_at = $1, return_reason = $6, submitted_by = NULL, submitted_at = NULL`,
			"returned to draft", p.PersonID, strings.TrimSpace(reason))
	})
}

// move changes a's status with a compare-and-set on the old one (a concurrent change is a Conflict), setting the
// columns in set ($1 is now; $5 on are extra), and records it.
func (s *Service) move(ctx context.Context, tx *database.Tx, p prevent.Principal, a Assessment, to Status, set, detail string, extra ...any) error {
	args := append([]any{s.now(), string(to), a.ID, string(a.Status)}, extra...)
	res, err := tx.ExecContext(ctx, `UPDATE assurance_assessments SET status = $2, updated_at = $1, `+set+`
		WHERE id = $3 AND status = $4`, args...)
	if err != nil {
		return fmt.Errorf("assurance: %s: %w", detail, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return prevent.Errorf(prevent.Conflict, "Someone else changed the assessment: reload it and try again")
	}
	return s.record(ctx, tx, p, audit.Alter, "self_assessment", a.ID, a.PartnershipID, detail)
}

package returns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// QuarterlyState is where a quarterly return is: a draft a coordinator edits, or approved and read-only.
type QuarterlyState string

// The states of a quarterly return.
const (
	QuarterlyDraft    QuarterlyState = "draft"
	QuarterlyApproved QuarterlyState = "approved"
)

// Quarterly is a quarterly return for funded areas: the figures as generated for each funded project and the
// quarter's casework counts, with the coordinator's text on each project's achievements and issues.
type Quarterly struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	Partnership   string // its name
	Period        Period
	State         QuarterlyState
	Figures       QuarterlyFigures
	Text          map[prevent.ID]ProjectText // by project
	CreatedBy     prevent.ID
	UpdatedAt     time.Time
	ApprovedBy    prevent.ID // 0 until approved
	ApprovedAt    time.Time
}

// ProjectText is what a coordinator writes for one project in a quarterly return.
type ProjectText struct {
	Achievements string
	Issues       string
}

// QuarterlyFigures are the generated figures, stored as JSON with the return.
type QuarterlyFigures struct {
	QueryVersion string           `json:"query_version"`
	Policy       string           `json:"policy"`
	GeneratedAt  time.Time        `json:"generated_at"`
	Referrals    Cell             `json:"referrals"` // referrals submitted in the quarter, under disclosure control
	Adopted      Cell             `json:"adopted"`   // cases adopted by a panel in the quarter, under disclosure control
	Projects     []ProjectFigures `json:"projects"`
}

// ProjectFigures are one project's outputs and money for the quarter.
type ProjectFigures struct {
	ProjectID        prevent.ID         `json:"project_id"`
	Title            string             `json:"title"`
	RAG              string             `json:"rag"`
	RAGReason        string             `json:"rag_reason"`
	StartsOn         string             `json:"starts_on"`
	EndsOn           string             `json:"ends_on"`
	Milestones       []MilestoneFigures `json:"milestones"`
	Impacts          []ImpactFigures    `json:"impacts"`
	AllocatedPence   int64              `json:"allocated_pence"`
	SpentPence       int64              `json:"spent_pence"`         // in the quarter
	SpentToDatePence int64              `json:"spent_to_date_pence"` // up to the end of the quarter
}

// MilestoneFigures is a milestone that is the quarter's business: done in it, due in it, or overdue at its end.
type MilestoneFigures struct {
	Title  string `json:"title"`
	DueOn  string `json:"due_on"`
	DoneOn string `json:"done_on,omitempty"`
	Status string `json:"status"`
}

// ImpactFigures is a measure with its actual for the quarter, if one is recorded.
type ImpactFigures struct {
	Indicator string  `json:"indicator"`
	Unit      string  `json:"unit"`
	Baseline  float64 `json:"baseline"`
	Target    float64 `json:"target"`
	Actual    float64 `json:"actual"`
	Recorded  bool    `json:"recorded"`
}

// maxProjectText bounds each free-text field of a project.
const maxProjectText = 10000

// quarterDates are the first and last days of a quarter as ISO dates.
func quarterDates(y FinancialYear, q int) (string, string) {
	start := time.Date(int(y), time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 3, -1)
	return start.Format(time.DateOnly), end.Format(time.DateOnly)
}

// allow asks access for every one of the actions on the partnership's returns.
func (s *Service) allow(p prevent.Principal, pid prevent.ID, actions ...access.Action) bool {
	res := access.Resource{Kind: "return", PartnershipID: pid, Marking: prevent.Official}
	now := s.now()
	for _, a := range actions {
		if !access.Decide(p, a, res, now).Allow {
			return false
		}
	}
	return true
}

// The actions on quarterly returns: reading is statistics; preparing one is the programme's funding work, and
// approving it is the coordinator's, as a delivery plan's approval is.
var (
	quarterlyRead    = []access.Action{access.StatisticsView}
	quarterlyEdit    = []access.Action{access.StatisticsView, access.FundingEdit}
	quarterlyApprove = []access.Action{access.StatisticsView, access.PlanApprove}
)

// GenerateQuarterly drafts the quarterly return of a partnership for a quarter that has ended, or generates the
// figures of its draft again (keeping the text written). An approved return is not changed.
func (s *Service) GenerateQuarterly(ctx context.Context, p prevent.Principal, pid prevent.ID, y FinancialYear, quarter int) (*Quarterly, error) {
	if !s.allow(p, pid, quarterlyEdit...) {
		return nil, access.NotFound("Partnership")
	}
	per := Period{Year: y, Quarter: quarter}
	if quarter < 1 || !per.valid() {
		return nil, invalidf("Choose a quarter of a financial year from 2015/16")
	}
	now := s.now()
	if now.Before(per.End()) {
		return nil, invalidf("Quarterly returns are for quarters that are over: %s is not over yet", per)
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, _, err := readPartnership(ctx, tx, pid); err != nil {
			return err
		}
		figures, err := generateQuarterly(ctx, tx, pid, per, now)
		if err != nil {
			return err
		}
		js, err := json.Marshal(figures)
		if err != nil {
			return fmt.Errorf("returns: quarterly figures: %w", err)
		}
		var state string
		err = tx.QueryRowContext(ctx, `SELECT id, state FROM quarterly_returns WHERE partnership_id = $1 AND year = $2 AND quarter = $3`,
			pid, int(y), quarter).Scan(&id, &state)
		action, detail := audit.Alter, "quarterly return for "+per.String()+": figures generated again"
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, `INSERT INTO quarterly_returns (partnership_id, year, quarter, state, figures, created_by,
				created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, pid, int(y), quarter, string(QuarterlyDraft),
				string(js), p.PersonID, now).Scan(&id); err != nil {
				return fmt.Errorf("returns: quarterly return: %w", err)
			}
			action, detail = audit.Collect, "quarterly return for "+per.String()+": drafted"
		case err != nil:
			return fmt.Errorf("returns: quarterly return: %w", err)
		case state != string(QuarterlyDraft):
			return prevent.Errorf(prevent.Conflict, "The quarterly return for %s is approved and cannot be changed", per)
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE quarterly_returns SET figures = $1, updated_at = $2 WHERE id = $3 AND state = $4`,
				string(js), now, id, string(QuarterlyDraft)); err != nil {
				return fmt.Errorf("returns: quarterly return: %w", err)
			}
		}
		return s.quarterlyAudit(ctx, tx, p, action, id, pid, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.Quarterly(ctx, p, pid, id)
}

// generateQuarterly reads the figures of a quarter. The casework counts are of people, so they are controlled
// under suppress-below-5 on their own: a count from 1 to 4 is withheld.
func generateQuarterly(ctx context.Context, tx *database.Tx, pid prevent.ID, per Period, now time.Time) (QuarterlyFigures, error) {
	from, to := quarterDates(per.Year, per.Quarter)
	projects, err := readProjects(ctx, tx, pid, per.Year, per.Quarter, from, to)
	if err != nil {
		return QuarterlyFigures{}, err
	}
	referrals, adopted, err := readQuarterCases(ctx, tx, pid, per.Start(), per.End())
	if err != nil {
		return QuarterlyFigures{}, err
	}
	pol := SuppressBelow5
	var sys counts
	ri, ai := sys.add(referrals), sys.add(adopted)
	if err := sys.protect(pol); err != nil {
		return QuarterlyFigures{}, err
	}
	cell := func(i int) Cell {
		if v, ok := sys.published(i, pol); ok {
			return Cell{Text: fmt.Sprint(v), Value: v, Number: true}
		}
		return Cell{Text: Confidential}
	}
	return QuarterlyFigures{QueryVersion: quarterlyQueryVersion, Policy: pol.String(), GeneratedAt: now,
		Referrals: cell(ri), Adopted: cell(ai), Projects: projects}, nil
}

func (s *Service) quarterlyAudit(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, id, pid prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), action, "quarterly_return", id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = pid
	e.Purpose = "quarterly return for funded areas"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("returns: audit: %w", err)
	}
	return nil
}

// EditQuarterlyProject saves a coordinator's text on one project's achievements and issues in a draft return.
func (s *Service) EditQuarterlyProject(ctx context.Context, p prevent.Principal, pid, id, projectID prevent.ID, text ProjectText) error {
	if !s.allow(p, pid, quarterlyEdit...) {
		return access.NotFound("Quarterly return")
	}
	var f prevent.Fields
	if len(text.Achievements) > maxProjectText {
		f.Add("achievements", "Achievements must be 10,000 characters or fewer")
	}
	if len(text.Issues) > maxProjectText {
		f.Add("issues", "Issues must be 10,000 characters or fewer")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		q, err := loadQuarterly(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		if q.State != QuarterlyDraft {
			return prevent.Errorf(prevent.Conflict, "The quarterly return for %s is approved and cannot be changed", q.Period)
		}
		found := false
		for _, pr := range q.Figures.Projects {
			found = found || pr.ProjectID == projectID
		}
		if !found {
			return prevent.Validation([]prevent.FieldError{{Field: "project", Message: "Select a project of this return"}})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO quarterly_return_projects (return_id, project_id, achievements, issues) VALUES ($1, $2, $3, $4)
			ON CONFLICT (return_id, project_id) DO UPDATE SET achievements = excluded.achievements, issues = excluded.issues`,
			id, projectID, strings.TrimSpace(text.Achievements), strings.TrimSpace(text.Issues)); err != nil {
			return fmt.Errorf("returns: quarterly text: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE quarterly_returns SET updated_at = $1 WHERE id = $2`, s.now(), id); err != nil {
			return fmt.Errorf("returns: quarterly text: %w", err)
		}
		return s.quarterlyAudit(ctx, tx, p, audit.Alter, id, pid, fmt.Sprintf("quarterly return for %s: text of project %d edited", q.Period, projectID))
	})
}

// ApproveQuarterly approves a draft return in the approver's name; from then on it is read-only.
func (s *Service) ApproveQuarterly(ctx context.Context, p prevent.Principal, pid, id prevent.ID) error {
	if !s.allow(p, pid, quarterlyApprove...) {
		return access.NotFound("Quarterly return")
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		q, err := loadQuarterly(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		if q.State != QuarterlyDraft {
			return prevent.Errorf(prevent.Conflict, "The quarterly return for %s is already approved", q.Period)
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE quarterly_returns SET state = $1, approved_by = $2, approved_at = $3, updated_at = $3
			WHERE id = $4 AND state = $5`, string(QuarterlyApproved), p.PersonID, now, id, string(QuarterlyDraft))
		if err != nil {
			return fmt.Errorf("returns: approve quarterly return: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return prevent.Errorf(prevent.Conflict, "The quarterly return changed while you were approving it; try again")
		}
		return s.quarterlyAudit(ctx, tx, p, audit.Alter, id, pid, fmt.Sprintf("quarterly return for %s: approved", q.Period))
	})
}

// Quarterly reads a quarterly return of the partnership.
func (s *Service) Quarterly(ctx context.Context, p prevent.Principal, pid, id prevent.ID) (*Quarterly, error) {
	if !s.allow(p, pid, quarterlyRead...) {
		return nil, access.NotFound("Quarterly return")
	}
	return loadQuarterly(ctx, s.db.Read(), pid, id)
}

func loadQuarterly(ctx context.Context, q database.Querier, pid, id prevent.ID) (*Quarterly, error) {
	out := &Quarterly{ID: id, PartnershipID: pid, Text: map[prevent.ID]ProjectText{}}
	var year int
	var state, figures string
	var approvedBy sql.NullInt64
	var approvedAt sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT year, quarter, state, figures, created_by, updated_at, approved_by, approved_at
		FROM quarterly_returns WHERE id = $1 AND partnership_id = $2`, id, pid).Scan(&year, &out.Period.Quarter, &state, &figures,
		&out.CreatedBy, &out.UpdatedAt, &approvedBy, &approvedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, access.NotFound("Quarterly return")
	}
	if err != nil {
		return nil, fmt.Errorf("returns: quarterly return: %w", err)
	}
	out.Period.Year, out.State = FinancialYear(year), QuarterlyState(state)
	if out.Partnership, _, err = readPartnership(ctx, q, pid); err != nil {
		return nil, err
	}
	out.ApprovedBy, out.ApprovedAt = approvedBy.Int64, approvedAt.Time
	if err := json.Unmarshal([]byte(figures), &out.Figures); err != nil {
		return nil, fmt.Errorf("returns: quarterly figures: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT project_id, achievements, issues FROM quarterly_return_projects WHERE return_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("returns: quarterly text: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pr prevent.ID
		var t ProjectText
		if err := rows.Scan(&pr, &t.Achievements, &t.Issues); err != nil {
			return nil, err
		}
		out.Text[pr] = t
	}
	return out, rows.Err()
}

package programme

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// PlanStatus is where a delivery plan is in its life: draft → approved → active → closed.
type PlanStatus string

// The plan statuses.
const (
	PlanDraft    PlanStatus = "draft"
	PlanApproved PlanStatus = "approved"
	PlanActive   PlanStatus = "active"
	PlanClosed   PlanStatus = "closed"
)

// planTransitions are the legal moves. Withdrawing approval (approved → draft) lets a plan be changed again.
var planTransitions = map[PlanStatus][]PlanStatus{
	PlanDraft:    {PlanApproved},
	PlanApproved: {PlanActive, PlanDraft},
	PlanActive:   {PlanClosed},
}

// SectionStatus is a task-list status.
type SectionStatus string

// The task-list statuses (GOV.UK task list: "Not yet started", "In progress", "Completed").
const (
	NotStarted SectionStatus = "not-started"
	InProgress SectionStatus = "in-progress"
	Completed  SectionStatus = "completed"
)

// String is the status as the task list shows it.
func (s SectionStatus) String() string {
	switch s {
	case InProgress:
		return "In progress"
	case Completed:
		return "Completed"
	}
	return "Not yet started"
}

// SectionDef describes one section of a delivery plan.
type SectionDef struct {
	Key   string
	Group string // the task-list group heading
	Title string
	Hint  string
}

// PlanSections are the delivery plan's sections in task-list order: the five elements of an effective
// partnership, the three considerations of a communications plan, and monitoring and evaluation.
var PlanSections = []SectionDef{
	{"aims", "Aims and delivery", "Aims, objectives and collective delivery plan", "What the partnership means to achieve, against which objectives, and which partner leads each activity."},
	{"oversight", "Aims and delivery", "Oversight, monitoring and accountability", "Who oversees delivery, how progress is reported and to whom the partnership is accountable."},
	{"commissioning", "Aims and delivery", "Decision-making and commissioning", "How the partnership decides what to fund, who decides, and on what evidence."},
	{"coverage", "Aims and delivery", "Coverage of areas, institutions and communities", "Which geographical areas, institutions and communities the plan reaches, and any gaps."},
	{"shared-learning", "Aims and delivery", "Shared learning", "How partners share what works and what does not."},
	{"comms-explaining", "Communications", "Explaining Prevent locally", "How Prevent is explained and presented in the area."},
	{"comms-news", "Communications", "Handling local news stories", "How local news stories that bear on Prevent are handled."},
	{"comms-refuting", "Communications", "Refuting extremist arguments", "How the arguments used to justify terrorism are challenged."},
	{"monitoring", "Monitoring and evaluation", "Monitoring and evaluation", "Measurable impacts, how they are monitored, and how projects are evaluated."},
}

func sectionDef(key string) (SectionDef, bool) {
	for _, d := range PlanSections {
		if d.Key == key {
			return d, true
		}
	}
	return SectionDef{}, false
}

// Section is one section of a plan with its text and task-list status.
type Section struct {
	SectionDef
	Body      string
	Status    SectionStatus
	UpdatedAt time.Time
}

// Plan is a partnership's delivery plan for a year.
type Plan struct {
	ID             prevent.ID
	PartnershipID  prevent.ID
	Year           int
	Title          string
	Status         PlanStatus
	Version        int
	ApprovedBy     prevent.ID
	ApprovedByName string
	ApprovedAt     time.Time // zero until approved
	ActivatedAt    time.Time
	ClosedAt       time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Sections       []Section // in PlanSections order; empty in lists
}

// Completed counts the sections marked completed.
func (p Plan) Completed() int {
	n := 0
	for _, s := range p.Sections {
		if s.Status == Completed {
			n++
		}
	}
	return n
}

// CreatePlan starts a draft plan for a year, with every section not yet started.
func (s *Service) CreatePlan(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, year int, title string) (prevent.ID, error) {
	if err := s.decide(p, access.PlanEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	if year < 2000 || year > 2100 {
		f.Add("year", "Enter the year the plan covers, for example 2026")
	}
	checkText(&f, "title", title, "Enter a title for the plan", 200)
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO delivery_plans (partnership_id, year, title, status, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING id`, partnershipID, year, strings.TrimSpace(title), string(PlanDraft), now).Scan(&id)
		if database.IsUniqueViolation(err) {
			return prevent.Validation([]prevent.FieldError{{Field: "year", Message: fmt.Sprintf("There is already a delivery plan for %d", year)}})
		}
		if err != nil {
			return fmt.Errorf("programme: create plan: %w", err)
		}
		for _, d := range PlanSections {
			if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_plan_sections (plan_id, section, body, status, updated_at)
				VALUES ($1, $2, '', $3, $4)`, id, d.Key, string(NotStarted), now); err != nil {
				return fmt.Errorf("programme: create plan section: %w", err)
			}
		}
		if err := s.snapshot(ctx, tx, p, partnershipID, id, "created"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "delivery_plan", id, partnershipID, "created draft plan")
	})
	return id, err
}

const planColumns = `d.id, d.partnership_id, d.year, d.title, d.status, d.version, COALESCE(d.approved_by, 0), COALESCE(pe.name, ''),
	d.approved_at, d.activated_at, d.closed_at, d.created_at, d.updated_at`

func scanPlan(sc interface{ Scan(...any) error }) (Plan, error) {
	var pl Plan
	var approved, activated, closed sql.NullTime
	err := sc.Scan(&pl.ID, &pl.PartnershipID, &pl.Year, &pl.Title, &pl.Status, &pl.Version, &pl.ApprovedBy, &pl.ApprovedByName,
		&approved, &activated, &closed, &pl.CreatedAt, &pl.UpdatedAt)
	pl.ApprovedAt, pl.ActivatedAt, pl.ClosedAt = approved.Time, activated.Time, closed.Time
	return pl, err
}

// Plans lists the partnership's plans, newest year first, without their sections.
func (s *Service) Plans(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Plan, error) {
	if err := s.decide(p, access.PlanView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+planColumns+` FROM delivery_plans d LEFT JOIN people pe ON pe.id = d.approved_by
		WHERE d.partnership_id = $1 ORDER BY d.year DESC`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: plans: %w", err)
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		pl, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, pl)
	}
	return out, rows.Err()
}

// Plan returns one plan with its sections.
func (s *Service) Plan(ctx context.Context, p prevent.Principal, partnershipID, planID prevent.ID) (Plan, error) {
	if err := s.decide(p, access.PlanView, partnershipID, 0, "Delivery plan"); err != nil {
		return Plan{}, err
	}
	return loadPlan(ctx, s.db.Read(), partnershipID, planID)
}

func loadPlan(ctx context.Context, q database.Querier, partnershipID, planID prevent.ID) (Plan, error) {
	pl, err := scanPlan(q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM delivery_plans d LEFT JOIN people pe ON pe.id = d.approved_by
		WHERE d.partnership_id = $1 AND d.id = $2`, partnershipID, planID))
	if errors.Is(err, sql.ErrNoRows) {
		return pl, access.NotFound("Delivery plan")
	}
	if err != nil {
		return pl, fmt.Errorf("programme: plan %d: %w", planID, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT section, body, status, updated_at FROM delivery_plan_sections WHERE plan_id = $1`, planID)
	if err != nil {
		return pl, fmt.Errorf("programme: plan sections: %w", err)
	}
	defer rows.Close()
	got := map[string]Section{}
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.Key, &sec.Body, &sec.Status, &sec.UpdatedAt); err != nil {
			return pl, err
		}
		got[sec.Key] = sec
	}
	if err := rows.Err(); err != nil {
		return pl, err
	}
	for _, d := range PlanSections {
		sec := got[d.Key]
		sec.SectionDef = d
		if sec.Status == "" {
			sec.Status = NotStarted
		}
		pl.Sections = append(pl.Sections, sec)
	}
	return pl, nil
}

// SaveSection saves a section's text; completed marks it done in the task list. Only a draft plan changes.
func (s *Service) SaveSection(ctx context.Context, p prevent.Principal, partnershipID, planID prevent.ID, key, body string, completed bool) error {
	if err := s.decide(p, access.PlanEdit, partnershipID, 0, "Delivery plan"); err != nil {
		return err
	}
	d, ok := sectionDef(key)
	if !ok {
		return access.NotFound("Plan section")
	}
	body = strings.TrimSpace(body)
	var f prevent.Fields
	checkText(&f, "body", body, "", 20000)
	if completed && body == "" {
		f.Add("body", "Enter the "+strings.ToLower(d.Title)+" before marking the section as completed")
	}
	if err := f.Err(); err != nil {
		return err
	}
	status := NotStarted
	switch {
	case completed:
		status = Completed
	case body != "":
		status = InProgress
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		pl, err := loadPlan(ctx, tx, partnershipID, planID)
		if err != nil {
			return err
		}
		if pl.Status != PlanDraft {
			return prevent.Errorf(prevent.Conflict, "The plan is %s, so it cannot be changed: %s", pl.Status, changeAdvice(pl.Status))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delivery_plan_sections SET body = $1, status = $2, updated_at = $3
			WHERE plan_id = $4 AND section = $5`, body, string(status), s.now(), planID, key); err != nil {
			return fmt.Errorf("programme: save section: %w", err)
		}
		if err := s.snapshot(ctx, tx, p, partnershipID, planID, "saved "+d.Title); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "delivery_plan", planID, partnershipID, "saved section "+key)
	})
}

func changeAdvice(st PlanStatus) string {
	switch st {
	case PlanApproved:
		return "withdraw the approval first"
	case PlanActive:
		return "an active plan is changed by starting next year’s plan"
	}
	return "a closed plan is kept as a record"
}

// TransitionPlan moves a plan to another status: approve (all sections completed; records who and when),
// activate (no other plan active), withdraw approval, or close. An illegal move is a Conflict saying why.
func (s *Service) TransitionPlan(ctx context.Context, p prevent.Principal, partnershipID, planID prevent.ID, to PlanStatus) error {
	if err := s.decide(p, access.PlanApprove, partnershipID, 0, "Delivery plan"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		pl, err := loadPlan(ctx, tx, partnershipID, planID)
		if err != nil {
			return err
		}
		if err := checkTransition(pl, to); err != nil {
			return err
		}
		now := s.now()
		var q string
		args := []any{string(to), now, planID, string(pl.Status)}
		switch to {
		case PlanApproved:
			q = `UPDATE delivery_plans SET status = $1, updated_at = $2, approved_by = $5, approved_at = $2 WHERE id = $3 AND status = $4`
			args = append(args, p.PersonID)
		case PlanDraft:
			q = `UPDATE delivery_plans SET status = $1, updated_at = $2, approved_by = NULL, approved_at = NULL WHERE id = $3 AND status = $4`
		case PlanActive:
			var other int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(year), 0) FROM delivery_plans WHERE partnership_id = $1 AND status = $2 AND id <> $3`,
				partnershipID, string(PlanActive), planID).Scan(&other); err != nil {
				return fmt.Errorf("programme: active plans: %w", err)
			}
			if other != 0 {
				return prevent.Errorf(prevent.Conflict, "The %d plan is still active: close it before making this plan active", other)
			}
			q = `UPDATE delivery_plans SET status = $1, updated_at = $2, activated_at = $2 WHERE id = $3 AND status = $4`
		case PlanClosed:
			q = `UPDATE delivery_plans SET status = $1, updated_at = $2, closed_at = $2 WHERE id = $3 AND status = $4`
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("programme: plan transition: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return prevent.Errorf(prevent.Conflict, "Someone else changed the plan: reload it and try again")
		}
		if err := s.snapshot(ctx, tx, p, partnershipID, planID, string(pl.Status)+" to "+string(to)); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "delivery_plan", planID, partnershipID, "status "+string(pl.Status)+" to "+string(to))
	})
}

// checkTransition explains why a plan cannot move to a status, or returns nil.
func checkTransition(pl Plan, to PlanStatus) error {
	conflict := func(msg string) error { return prevent.Errorf(prevent.Conflict, "%s", msg) }
	if pl.Status == to {
		return conflict("The plan is already " + string(to))
	}
	if pl.Status == PlanClosed {
		return conflict("A closed plan cannot be changed: it is kept as a record")
	}
	if !slices.Contains(planTransitions[pl.Status], to) {
		switch {
		case to == PlanActive:
			return conflict("A draft plan must be approved before it becomes active")
		case to == PlanClosed:
			return conflict("Only an active plan can be closed")
		case to == PlanDraft:
			return conflict("An active plan cannot return to draft: close it and start a new plan")
		case to == PlanApproved:
			return conflict("The plan is already past approval")
		}
		return conflict("The plan cannot move from " + string(pl.Status) + " to " + string(to))
	}
	if to == PlanApproved {
		var missing []string
		for _, sec := range pl.Sections {
			if sec.Status != Completed {
				missing = append(missing, sec.Title)
			}
		}
		if len(missing) > 0 {
			return conflict("Complete every section before the plan is approved. Not completed: " + strings.Join(missing, "; "))
		}
	}
	return nil
}

// snapshot writes the plan's current state as the next version.
func (s *Service) snapshot(ctx context.Context, tx *database.Tx, p prevent.Principal, partnershipID, planID prevent.ID, note string) error {
	pl, err := loadPlan(ctx, tx, partnershipID, planID)
	if err != nil {
		return err
	}
	data, err := json.Marshal(planFields(pl))
	if err != nil {
		return fmt.Errorf("programme: snapshot: %w", err)
	}
	v := pl.Version + 1
	if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_plan_versions (plan_id, version, saved_by, saved_at, note, snapshot)
		VALUES ($1, $2, $3, $4, $5, $6)`, planID, v, p.PersonID, s.now(), note, string(data)); err != nil {
		return fmt.Errorf("programme: snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE delivery_plans SET version = $1 WHERE id = $2`, v, planID); err != nil {
		return fmt.Errorf("programme: snapshot: %w", err)
	}
	return nil
}

// planFields flattens a plan into named fields for versions and comparison. Empty values are left out, so a
// section first written shows as added and a section emptied as removed.
func planFields(pl Plan) map[string]string {
	m := map[string]string{"Title": pl.Title, "Status": string(pl.Status)}
	if pl.ApprovedBy != 0 {
		m["Approved by"] = pl.ApprovedByName
		m["Approved at"] = pl.ApprovedAt.UTC().Format(time.RFC3339)
	}
	for _, sec := range pl.Sections {
		if sec.Body != "" {
			m[sec.Title] = sec.Body
		}
		m[sec.Title+" (status)"] = sec.Status.String()
	}
	return m
}

// Version is one saved version of a plan.
type Version struct {
	Version int
	SavedBy prevent.ID
	SavedAt time.Time
	Note    string
	Fields  map[string]string
}

// Versions lists a plan's versions, newest first, without their fields.
func (s *Service) Versions(ctx context.Context, p prevent.Principal, partnershipID, planID prevent.ID) ([]Version, error) {
	if _, err := s.Plan(ctx, p, partnershipID, planID); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT version, saved_by, saved_at, note FROM delivery_plan_versions
		WHERE plan_id = $1 ORDER BY version DESC`, planID)
	if err != nil {
		return nil, fmt.Errorf("programme: versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.Version, &v.SavedBy, &v.SavedAt, &v.Note); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Service) version(ctx context.Context, planID prevent.ID, n int) (Version, error) {
	v := Version{Version: n}
	var data string
	err := s.db.Read().QueryRowContext(ctx, `SELECT saved_by, saved_at, note, snapshot FROM delivery_plan_versions WHERE plan_id = $1 AND version = $2`,
		planID, n).Scan(&v.SavedBy, &v.SavedAt, &v.Note, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return v, access.NotFound("Version " + strconv.Itoa(n))
	}
	if err != nil {
		return v, fmt.Errorf("programme: version: %w", err)
	}
	if err := json.Unmarshal([]byte(data), &v.Fields); err != nil {
		return v, fmt.Errorf("programme: version %d: %w", n, err)
	}
	return v, nil
}

// ChangeKind says how a field differs between two versions.
type ChangeKind string

// The kinds of change.
const (
	Changed ChangeKind = "changed"
	Added   ChangeKind = "added"
	Removed ChangeKind = "removed"
)

// Change is one field that differs between two versions, for a side-by-side comparison.
type Change struct {
	Field string
	Kind  ChangeKind
	Old   string
	New   string
}

// Diff compares two sets of fields, in field-name order; unchanged fields are left out.
func Diff(older, newer map[string]string) []Change {
	var out []Change
	for k, o := range older {
		n, ok := newer[k]
		switch {
		case !ok:
			out = append(out, Change{Field: k, Kind: Removed, Old: o})
		case n != o:
			out = append(out, Change{Field: k, Kind: Changed, Old: o, New: n})
		}
	}
	for k, n := range newer {
		if _, ok := older[k]; !ok {
			out = append(out, Change{Field: k, Kind: Added, New: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// Compare returns the changes from version a to version b of a plan.
func (s *Service) Compare(ctx context.Context, p prevent.Principal, partnershipID, planID prevent.ID, a, b int) ([]Change, error) {
	if _, err := s.Plan(ctx, p, partnershipID, planID); err != nil {
		return nil, err
	}
	va, err := s.version(ctx, planID, a)
	if err != nil {
		return nil, err
	}
	vb, err := s.version(ctx, planID, b)
	if err != nil {
		return nil, err
	}
	return Diff(va.Fields, vb.Fields), nil
}

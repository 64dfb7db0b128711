package programme

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Scope says whom a project serves: identified individuals ("selective") or the resilience of a
// community ("non-selective").
type Scope string

// The scopes.
const (
	Individuals Scope = "individuals"
	Community   Scope = "community"
)

// RAG is a red, amber or green delivery status.
type RAG string

// The RAG statuses.
const (
	Red   RAG = "red"
	Amber RAG = "amber"
	Green RAG = "green"
)

// OrgRef names an organisation.
type OrgRef struct {
	ID   prevent.ID
	Name string
}

// ProjectInput is what a coordinator enters for a project; field names in errors follow the form.
type ProjectInput struct {
	PlanID           prevent.ID   // "plan", optional
	PublicTitle      string       // "public-title": the name used locally
	InternalTitle    string       // "internal-title": the name that keeps the objectives visible
	LeadOrganisation prevent.ID   // "lead-organisation"
	Partners         []prevent.ID // "partners": other member organisations
	Objectives       []string     // "objectives": tags such as "contest-2023:A"
	Scope            string       // "scope"
	Areas            string       // "areas"
	Institutions     string       // "institutions"
	StartsOn         string       // "starts-on"
	EndsOn           string       // "ends-on"
	RAG              string       // "rag"
	RAGReason        string       // "rag-reason"
	Risks            string       // "risks"
}

// Project is an activity of the plan.
type Project struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	PlanID        prevent.ID
	PublicTitle   string
	InternalTitle string
	Lead          OrgRef
	Partners      []OrgRef
	Objectives    []Objective
	Scope         Scope
	Areas         string
	Institutions  string
	StartsOn      string
	EndsOn        string
	RAG           RAG
	RAGReason     string
	Risks         string
	Evaluation    Evaluation
	Milestones    []Milestone
	Impacts       []Impact
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Evaluation is a project's evaluation plan, after the evaluation questions of the 2009 guide, and its findings.
type Evaluation struct {
	Why       string
	What      string
	Questions string
	Success   string
	Data      string
	Analysis  string
	Use       string
	Resources string
	Findings  string
}

// EvaluationQuestions are the CLG questions in order, with the form field for each answer.
var EvaluationQuestions = []struct{ Field, Question string }{
	{"why", "Why evaluate?"},
	{"what", "What are we evaluating?"},
	{"questions", "What evaluation questions will we ask?"},
	{"success", "How will we assess success?"},
	{"data", "How will we collect data?"},
	{"analysis", "How will we analyse it?"},
	{"use", "What will we do with the results?"},
	{"resources", "What resources are available?"},
}

// Milestone is a dated step of a project.
type Milestone struct {
	ID     prevent.ID
	Title  string
	DueOn  string
	DoneOn string // empty until done
}

// Impact is a measurable impact: an indicator with its baseline, target and actuals by quarter.
type Impact struct {
	ID        prevent.ID
	Indicator string
	Unit      string
	Baseline  float64
	Target    float64
	Evidence  string
	Actuals   []Actual
}

// Actual is an impact's measured value for a quarter.
type Actual struct {
	Quarter  string // "2026-Q1": the first quarter (April to June) of financial year 2026-27
	Value    float64
	Evidence string
}

var quarterRE = regexp.MustCompile(`^(20[0-9]{2})-Q([1-4])$`)

func (s *Service) validateProject(ctx context.Context, q database.Querier, partnershipID prevent.ID, in ProjectInput) error {
	var f prevent.Fields
	checkText(&f, "public-title", in.PublicTitle, "Enter the project’s public title", 200)
	checkText(&f, "internal-title", in.InternalTitle, "Enter the project’s internal title", 200)
	if ok, err := memberOrg(ctx, q, partnershipID, in.LeadOrganisation); err != nil {
		return err
	} else if !ok {
		f.Add("lead-organisation", "Select the lead organisation from the partnership’s members")
	}
	for _, o := range in.Partners {
		if ok, err := memberOrg(ctx, q, partnershipID, o); err != nil {
			return err
		} else if !ok || o == in.LeadOrganisation {
			f.Add("partners", "Select partner organisations from the partnership’s members, other than the lead")
			break
		}
	}
	objs, err := objectives(ctx, q)
	if err != nil {
		return err
	}
	if len(in.Objectives) == 0 {
		f.Add("objectives", "Select at least one objective the project addresses")
	}
	for _, tag := range in.Objectives {
		if !slices.ContainsFunc(objs, func(o Objective) bool { return o.Tag() == tag }) {
			f.Add("objectives", "Select objectives from the list")
			break
		}
	}
	if Scope(in.Scope) != Individuals && Scope(in.Scope) != Community {
		f.Add("scope", "Select whether the project supports individuals or builds community resilience")
	}
	checkText(&f, "areas", in.Areas, "Enter the areas the project covers", 2000)
	checkText(&f, "institutions", in.Institutions, "", 2000)
	if !validDate(in.StartsOn) {
		f.Add("starts-on", "Enter the start date as a real date")
	}
	if !validDate(in.EndsOn) {
		f.Add("ends-on", "Enter the end date as a real date")
	} else if validDate(in.StartsOn) && in.EndsOn < in.StartsOn {
		f.Add("ends-on", "The end date must be on or after the start date")
	}
	switch RAG(in.RAG) {
	case Red, Amber:
		checkText(&f, "rag-reason", in.RAGReason, "Enter the reason for the red or amber status", 2000)
	case Green:
		checkText(&f, "rag-reason", in.RAGReason, "", 2000)
	default:
		f.Add("rag", "Select a red, amber or green status")
	}
	checkText(&f, "risks", in.Risks, "", 5000)
	if in.PlanID != 0 {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM delivery_plans WHERE id = $1 AND partnership_id = $2`, in.PlanID, partnershipID).Scan(&n); err != nil {
			return fmt.Errorf("programme: project plan: %w", err)
		}
		if n == 0 {
			f.Add("plan", "Select one of the partnership’s delivery plans")
		}
	}
	return f.Err()
}

// CreateProject adds a project to the partnership's programme.
func (s *Service) CreateProject(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, in ProjectInput) (prevent.ID, error) {
	if err := s.decide(p, access.ProjectEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := s.validateProject(ctx, tx, partnershipID, in); err != nil {
			return err
		}
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO projects (partnership_id, plan_id, public_title, internal_title, lead_org_id, scope,
			areas, institutions, starts_on, ends_on, rag, rag_reason, risks, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
			partnershipID, nullID(in.PlanID), strings.TrimSpace(in.PublicTitle), strings.TrimSpace(in.InternalTitle), in.LeadOrganisation, in.Scope,
			strings.TrimSpace(in.Areas), strings.TrimSpace(in.Institutions), in.StartsOn, in.EndsOn, in.RAG, strings.TrimSpace(in.RAGReason),
			strings.TrimSpace(in.Risks), now).Scan(&id); err != nil {
			return fmt.Errorf("programme: create project: %w", err)
		}
		if err := setProjectLinks(ctx, tx, id, in); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "project", id, partnershipID, "created project")
	})
	return id, err
}

// UpdateProject changes a project's details.
func (s *Service) UpdateProject(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, in ProjectInput) error {
	if err := s.decide(p, access.ProjectEdit, partnershipID, 0, "Project"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := s.validateProject(ctx, tx, partnershipID, in); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE projects SET plan_id = $1, public_title = $2, internal_title = $3, lead_org_id = $4, scope = $5,
			areas = $6, institutions = $7, starts_on = $8, ends_on = $9, rag = $10, rag_reason = $11, risks = $12, updated_at = $13
			WHERE id = $14 AND partnership_id = $15`,
			nullID(in.PlanID), strings.TrimSpace(in.PublicTitle), strings.TrimSpace(in.InternalTitle), in.LeadOrganisation, in.Scope,
			strings.TrimSpace(in.Areas), strings.TrimSpace(in.Institutions), in.StartsOn, in.EndsOn, in.RAG, strings.TrimSpace(in.RAGReason),
			strings.TrimSpace(in.Risks), s.now(), id, partnershipID)
		if err != nil {
			return fmt.Errorf("programme: update project: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.NotFound("Project")
		}
		for _, q := range []string{`DELETE FROM project_partners WHERE project_id = $1`, `DELETE FROM project_objectives WHERE project_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("programme: update project: %w", err)
			}
		}
		if err := setProjectLinks(ctx, tx, id, in); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "project", id, partnershipID, "updated project")
	})
}

func nullID(id prevent.ID) any {
	if id == 0 {
		return nil
	}
	return id
}

func setProjectLinks(ctx context.Context, tx *database.Tx, id prevent.ID, in ProjectInput) error {
	seen := map[prevent.ID]bool{}
	for _, o := range in.Partners {
		if seen[o] {
			continue
		}
		seen[o] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_partners (project_id, organisation_id) VALUES ($1, $2)`, id, o); err != nil {
			return fmt.Errorf("programme: project partner: %w", err)
		}
	}
	tags := map[string]bool{}
	for _, tag := range in.Objectives {
		fw, code, _ := parseTag(tag)
		if tags[tag] {
			continue
		}
		tags[tag] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO project_objectives (project_id, framework, code) VALUES ($1, $2, $3)`, id, string(fw), code); err != nil {
			return fmt.Errorf("programme: project objective: %w", err)
		}
	}
	return nil
}

const projectColumns = `pr.id, pr.partnership_id, COALESCE(pr.plan_id, 0), pr.public_title, pr.internal_title, pr.lead_org_id, o.name, pr.scope,
	pr.areas, pr.institutions, pr.starts_on, pr.ends_on, pr.rag, pr.rag_reason, pr.risks, pr.eval_why, pr.eval_what, pr.eval_questions,
	pr.eval_success, pr.eval_data, pr.eval_analysis, pr.eval_use, pr.eval_resources, pr.findings, pr.created_at, pr.updated_at`

func scanProject(sc interface{ Scan(...any) error }) (Project, error) {
	var pr Project
	e := &pr.Evaluation
	err := sc.Scan(&pr.ID, &pr.PartnershipID, &pr.PlanID, &pr.PublicTitle, &pr.InternalTitle, &pr.Lead.ID, &pr.Lead.Name, &pr.Scope,
		&pr.Areas, &pr.Institutions, &pr.StartsOn, &pr.EndsOn, &pr.RAG, &pr.RAGReason, &pr.Risks, &e.Why, &e.What, &e.Questions,
		&e.Success, &e.Data, &e.Analysis, &e.Use, &e.Resources, &e.Findings, &pr.CreatedAt, &pr.UpdatedAt)
	return pr, err
}

// Projects lists the partnership's projects with their partners and objectives, by public title.
func (s *Service) Projects(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Project, error) {
	if err := s.decide(p, access.PlanView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	return listProjects(ctx, s.db.Read(), partnershipID)
}

func listProjects(ctx context.Context, q database.Querier, partnershipID prevent.ID) ([]Project, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+projectColumns+` FROM projects pr JOIN organisations o ON o.id = pr.lead_org_id
		WHERE pr.partnership_id = $1 ORDER BY lower(pr.public_title), pr.id`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: projects: %w", err)
	}
	var out []Project
	for rows.Next() {
		pr, err := scanProject(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, pr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := loadLinks(ctx, q, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadLinks(ctx context.Context, q database.Querier, pr *Project) error {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name FROM project_partners pp JOIN organisations o ON o.id = pp.organisation_id
		WHERE pp.project_id = $1 ORDER BY lower(o.name)`, pr.ID)
	if err != nil {
		return fmt.Errorf("programme: project partners: %w", err)
	}
	for rows.Next() {
		var o OrgRef
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			rows.Close()
			return err
		}
		pr.Partners = append(pr.Partners, o)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT ob.framework, ob.code, ob.kind, ob.title, ob.valid_from, COALESCE(ob.valid_to, '')
		FROM project_objectives po JOIN programme_objectives ob ON ob.framework = po.framework AND ob.code = po.code
		WHERE po.project_id = $1 ORDER BY ob.framework DESC, ob.sort`, pr.ID)
	if err != nil {
		return fmt.Errorf("programme: project objectives: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var o Objective
		if err := rows.Scan(&o.Framework, &o.Code, &o.Kind, &o.Title, &o.ValidFrom, &o.ValidTo); err != nil {
			return err
		}
		pr.Objectives = append(pr.Objectives, o)
	}
	return rows.Err()
}

// Project returns a project with its partners, objectives, milestones, impacts and evaluation.
func (s *Service) Project(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) (Project, error) {
	if err := s.decide(p, access.PlanView, partnershipID, 0, "Project"); err != nil {
		return Project{}, err
	}
	q := s.db.Read()
	pr, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects pr JOIN organisations o ON o.id = pr.lead_org_id
		WHERE pr.partnership_id = $1 AND pr.id = $2`, partnershipID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return pr, access.NotFound("Project")
	}
	if err != nil {
		return pr, fmt.Errorf("programme: project %d: %w", id, err)
	}
	if err := loadLinks(ctx, q, &pr); err != nil {
		return pr, err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, title, due_on, COALESCE(done_on, '') FROM project_milestones WHERE project_id = $1 ORDER BY due_on, id`, id)
	if err != nil {
		return pr, fmt.Errorf("programme: milestones: %w", err)
	}
	for rows.Next() {
		var m Milestone
		if err := rows.Scan(&m.ID, &m.Title, &m.DueOn, &m.DoneOn); err != nil {
			rows.Close()
			return pr, err
		}
		pr.Milestones = append(pr.Milestones, m)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, indicator, unit, baseline, target, evidence FROM project_impacts WHERE project_id = $1 ORDER BY id`, id)
	if err != nil {
		return pr, fmt.Errorf("programme: impacts: %w", err)
	}
	for rows.Next() {
		var im Impact
		if err := rows.Scan(&im.ID, &im.Indicator, &im.Unit, &im.Baseline, &im.Target, &im.Evidence); err != nil {
			rows.Close()
			return pr, err
		}
		pr.Impacts = append(pr.Impacts, im)
	}
	rows.Close()
	for i := range pr.Impacts {
		rows, err := q.QueryContext(ctx, `SELECT quarter, value, evidence FROM impact_actuals WHERE impact_id = $1 ORDER BY quarter`, pr.Impacts[i].ID)
		if err != nil {
			return pr, fmt.Errorf("programme: actuals: %w", err)
		}
		for rows.Next() {
			var a Actual
			if err := rows.Scan(&a.Quarter, &a.Value, &a.Evidence); err != nil {
				rows.Close()
				return pr, err
			}
			pr.Impacts[i].Actuals = append(pr.Impacts[i].Actuals, a)
		}
		rows.Close()
	}
	return pr, nil
}

// projectExists checks the project belongs to the partnership.
func projectExists(ctx context.Context, q database.Querier, partnershipID, id prevent.ID) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM projects WHERE id = $1 AND partnership_id = $2`, id, partnershipID).Scan(&n); err != nil {
		return fmt.Errorf("programme: project: %w", err)
	}
	if n == 0 {
		return access.NotFound("Project")
	}
	return nil
}

// AddMilestone adds a milestone to a project.
func (s *Service) AddMilestone(ctx context.Context, p prevent.Principal, partnershipID, projectID prevent.ID, title, dueOn string) (prevent.ID, error) {
	if err := s.decide(p, access.ProjectEdit, partnershipID, 0, "Project"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	checkText(&f, "title", title, "Enter the milestone", 200)
	if !validDate(dueOn) {
		f.Add("due-on", "Enter the date the milestone is due as a real date")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := projectExists(ctx, tx, partnershipID, projectID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO project_milestones (project_id, title, due_on) VALUES ($1, $2, $3) RETURNING id`,
			projectID, strings.TrimSpace(title), dueOn).Scan(&id); err != nil {
			return fmt.Errorf("programme: add milestone: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "project", projectID, partnershipID, "added milestone "+strconv.FormatInt(id, 10))
	})
	return id, err
}

// SetMilestoneDone marks a milestone done on a date, or not done when doneOn is empty.
func (s *Service) SetMilestoneDone(ctx context.Context, p prevent.Principal, partnershipID, milestoneID prevent.ID, doneOn string) error {
	if err := s.decide(p, access.ProjectEdit, partnershipID, 0, "Milestone"); err != nil {
		return err
	}
	if doneOn != "" && !validDate(doneOn) {
		return prevent.Validation([]prevent.FieldError{{Field: "done-on", Message: "Enter the date the milestone was done as a real date"}})
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		var projectID prevent.ID
		err := tx.QueryRowContext(ctx, `UPDATE project_milestones SET done_on = $1 WHERE id = $2
			AND project_id IN (SELECT id FROM projects WHERE partnership_id = $3) RETURNING project_id`,
			nullText(doneOn), milestoneID, partnershipID).Scan(&projectID)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Milestone")
		}
		if err != nil {
			return fmt.Errorf("programme: milestone done: %w", err)
		}
		return s.record(ctx, tx, p, audit.Alter, "project", projectID, partnershipID, "milestone "+strconv.FormatInt(milestoneID, 10)+" done "+doneOn)
	})
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ImpactInput is a measurable impact as entered.
type ImpactInput struct {
	Indicator string // "indicator"
	Unit      string // "unit"
	Baseline  string // "baseline"
	Target    string // "target"
	Evidence  string // "evidence": where the figures will come from
}

func parseNumber(f *prevent.Fields, field, s, what string) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(s, ",", "")), 64)
	if err != nil {
		f.Add(field, "Enter the "+what+" as a number")
	}
	return v
}

// AddImpact adds a measurable impact to a project.
func (s *Service) AddImpact(ctx context.Context, p prevent.Principal, partnershipID, projectID prevent.ID, in ImpactInput) (prevent.ID, error) {
	if err := s.decide(p, access.ProjectEdit, partnershipID, 0, "Project"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	checkText(&f, "indicator", in.Indicator, "Enter the indicator", 300)
	checkText(&f, "unit", in.Unit, "", 50)
	baseline := parseNumber(&f, "baseline", in.Baseline, "baseline")
	target := parseNumber(&f, "target", in.Target, "target")
	checkText(&f, "evidence", in.Evidence, "Enter where the evidence will come from", 2000)
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := projectExists(ctx, tx, partnershipID, projectID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO project_impacts (project_id, indicator, unit, baseline, target, evidence)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, projectID, strings.TrimSpace(in.Indicator), strings.TrimSpace(in.Unit),
			baseline, target, strings.TrimSpace(in.Evidence)).Scan(&id); err != nil {
			return fmt.Errorf("programme: add impact: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "project", projectID, partnershipID, "added impact "+strconv.FormatInt(id, 10))
	})
	return id, err
}

// RecordActual records (or replaces) an impact's actual value for a quarter such as "2026-Q1".
func (s *Service) RecordActual(ctx context.Context, p prevent.Principal, partnershipID, impactID prevent.ID, quarter, value, evidence string) error {
	if err := s.decide(p, access.ProjectEdit, partnershipID, 0, "Impact"); err != nil {
		return err
	}
	var f prevent.Fields
	if !quarterRE.MatchString(quarter) {
		f.Add("quarter", "Enter the quarter as a year and quarter, for example 2026-Q1")
	}
	v := parseNumber(&f, "value", value, "actual value")
	checkText(&f, "evidence", evidence, "", 2000)
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		var projectID prevent.ID
		err := tx.QueryRowContext(ctx, `SELECT i.project_id FROM project_impacts i JOIN projects pr ON pr.id = i.project_id
			WHERE i.id = $1 AND pr.partnership_id = $2`, impactID, partnershipID).Scan(&projectID)
		if errors.Is(err, sql.ErrNoRows) {
			return access.NotFound("Impact")
		}
		if err != nil {
			return fmt.Errorf("programme: impact: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO impact_actuals (impact_id, quarter, value, evidence) VALUES ($1, $2, $3, $4)
			ON CONFLICT (impact_id, quarter) DO UPDATE SET value = excluded.value, evidence = excluded.evidence`,
			impactID, quarter, v, strings.TrimSpace(evidence)); err != nil {
			return fmt.Errorf("programme: record actual: %w", err)
		}
		return s.record(ctx, tx, p, audit.Alter, "project", projectID, partnershipID, "impact "+strconv.FormatInt(impactID, 10)+" actual "+quarter)
	})
}

// SaveEvaluation saves a project's evaluation plan and findings.
func (s *Service) SaveEvaluation(ctx context.Context, p prevent.Principal, partnershipID, projectID prevent.ID, e Evaluation) error {
	if err := s.decide(p, access.ProjectEdit, partnershipID, 0, "Project"); err != nil {
		return err
	}
	var f prevent.Fields
	for _, x := range []struct {
		field, v string
	}{{"why", e.Why}, {"what", e.What}, {"questions", e.Questions}, {"success", e.Success}, {"data", e.Data},
		{"analysis", e.Analysis}, {"use", e.Use}, {"resources", e.Resources}, {"findings", e.Findings}} {
		checkText(&f, x.field, x.v, "", 10000)
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE projects SET eval_why = $1, eval_what = $2, eval_questions = $3, eval_success = $4, eval_data = $5,
			eval_analysis = $6, eval_use = $7, eval_resources = $8, findings = $9, updated_at = $10 WHERE id = $11 AND partnership_id = $12`,
			strings.TrimSpace(e.Why), strings.TrimSpace(e.What), strings.TrimSpace(e.Questions), strings.TrimSpace(e.Success),
			strings.TrimSpace(e.Data), strings.TrimSpace(e.Analysis), strings.TrimSpace(e.Use), strings.TrimSpace(e.Resources),
			strings.TrimSpace(e.Findings), s.now(), projectID, partnershipID)
		if err != nil {
			return fmt.Errorf("programme: save evaluation: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return access.NotFound("Project")
		}
		return s.record(ctx, tx, p, audit.Alter, "project", projectID, partnershipID, "saved evaluation plan")
	})
}

// Lesson is a lesson learned, shared across the partnership.
type Lesson struct {
	ID         prevent.ID
	ProjectID  prevent.ID // 0 when not about one project
	Title      string
	Body       string
	AuthorID   prevent.ID
	AuthorName string
	CreatedAt  time.Time
}

// ShareLesson shares a lesson learned with the whole partnership; projectID may be 0.
func (s *Service) ShareLesson(ctx context.Context, p prevent.Principal, partnershipID, projectID prevent.ID, title, body string) (prevent.ID, error) {
	if err := s.decide(p, access.PlanEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	checkText(&f, "title", title, "Enter a title for the lesson", 200)
	checkText(&f, "body", body, "Enter what was learned", 10000)
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if projectID != 0 {
			if err := projectExists(ctx, tx, partnershipID, projectID); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO lessons (partnership_id, project_id, title, body, author_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, partnershipID, nullID(projectID), strings.TrimSpace(title), strings.TrimSpace(body),
			p.PersonID, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: share lesson: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "lesson", id, partnershipID, "shared lesson")
	})
	return id, err
}

// Lessons lists the partnership's lessons learned, newest first.
func (s *Service) Lessons(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Lesson, error) {
	if err := s.decide(p, access.PlanView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT l.id, COALESCE(l.project_id, 0), l.title, l.body, l.author_id, COALESCE(pe.name, ''), l.created_at
		FROM lessons l LEFT JOIN people pe ON pe.id = l.author_id WHERE l.partnership_id = $1 ORDER BY l.created_at DESC, l.id DESC`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: lessons: %w", err)
	}
	defer rows.Close()
	var out []Lesson
	for rows.Next() {
		var l Lesson
		if err := rows.Scan(&l.ID, &l.ProjectID, &l.Title, &l.Body, &l.AuthorID, &l.AuthorName, &l.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

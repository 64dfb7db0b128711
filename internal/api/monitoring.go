package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// InterventionsMonitoring is the monitoring of a partnership's interventions for a financial year or one of
// its quarters that has ended: interventions by type, provider and local authority, the people supported,
// sessions, exits and post-exit reviews, as counts under a disclosure control policy.
type InterventionsMonitoring struct {
	PartnershipID prevent.ID       `json:"partnership_id"`
	Partnership   string           `json:"partnership"`
	Region        string           `json:"region"`
	FinancialYear string           `json:"financial_year"`
	Quarter       int              `json:"quarter"`
	Period        string           `json:"period"`
	Tables        []ReturnTable    `json:"tables"`
	Provenance    ReturnProvenance `json:"provenance"`
}

// QuarterlyReturnInput generates the quarterly return of a quarter that has ended.
type QuarterlyReturnInput struct {
	FinancialYear string `json:"financial_year"`
	Quarter       int    `json:"quarter"`
}

// QuarterlyProjectInput is a project's achievements and issues in a draft quarterly return.
type QuarterlyProjectInput struct {
	Achievements string `json:"achievements"`
	Issues       string `json:"issues"`
}

// QuarterlyMilestone is a milestone that is the quarter's business: done in it, due in it, or overdue.
type QuarterlyMilestone struct {
	Title  string  `json:"title"`
	DueOn  string  `json:"due_on"`
	DoneOn *string `json:"done_on"`
	Status string  `json:"status"`
}

// QuarterlyImpact is one of a project's measures with its actual for the quarter (null when not recorded); the
// figures are decimal strings, as the programme's are.
type QuarterlyImpact struct {
	Indicator string  `json:"indicator"`
	Unit      string  `json:"unit"`
	Baseline  string  `json:"baseline"`
	Target    string  `json:"target"`
	Actual    *string `json:"actual"`
}

// QuarterlyProject is one funded project in a quarterly return: its outputs, impacts and money as generated,
// and the text written on its achievements and issues.
type QuarterlyProject struct {
	ProjectID        prevent.ID           `json:"project_id"`
	Title            string               `json:"title"`
	RAG              string               `json:"rag"`
	RAGReason        string               `json:"rag_reason"`
	StartsOn         string               `json:"starts_on"`
	EndsOn           string               `json:"ends_on"`
	Milestones       []QuarterlyMilestone `json:"milestones"`
	Impacts          []QuarterlyImpact    `json:"impacts"`
	AllocatedPence   int64                `json:"allocated_pence"`
	SpentPence       int64                `json:"spent_pence"`
	SpentToDatePence int64                `json:"spent_to_date_pence"`
	Achievements     string               `json:"achievements"`
	Issues           string               `json:"issues"`
}

// QuarterlyReturn is a quarterly return for funded areas: a draft, or approved and read-only. In a list its
// figures are left out (projects, the counts, the policy and the generation are null); read one return for them.
type QuarterlyReturn struct {
	ID            prevent.ID         `json:"id"`
	FinancialYear string             `json:"financial_year"`
	Quarter       int                `json:"quarter"`
	Period        string             `json:"period"`
	State         string             `json:"state"`
	CreatedBy     prevent.ID         `json:"created_by"`
	UpdatedAt     time.Time          `json:"updated_at"`
	ApprovedBy    *prevent.ID        `json:"approved_by"`
	ApprovedAt    *time.Time         `json:"approved_at"`
	QueryVersion  *string            `json:"query_version"`
	Policy        *string            `json:"policy"`
	GeneratedAt   *time.Time         `json:"generated_at"`
	Referrals     *ReturnCell        `json:"referrals"`
	Adopted       *ReturnCell        `json:"adopted"`
	Projects      []QuarterlyProject `json:"projects" openapi:"nullable"`
}

// QuarterlyReturnList is the partnership's quarterly returns, the latest quarter first.
type QuarterlyReturnList struct {
	Items []QuarterlyReturn `json:"items"`
}

var quarterQuery = param{name: "quarter", description: "1 to 4, or 0 or absent for the whole year",
	schema: map[string]any{"type": "integer", "minimum": 0, "maximum": 4}}

func (s *Server) registerMonitoring() {
	s.handle(http.MethodGet, "/partnerships/{pid}/statistics/interventions", access.StatisticsView, operation{id: "getInterventionsMonitoring",
		summary: "The monitoring of the partnership's interventions for a financial year or one of its quarters that has ended: " +
			"interventions by type, provider and local authority, people supported, sessions, exits and post-exit reviews, under a " +
			"disclosure control policy (default suppress-below-5:1). A period with fewer than five people supported is refused; computing it is audited",
		response: InterventionsMonitoring{}, query: []param{
			{name: "year", description: "The financial year, such as 2025-26", schema: map[string]any{"type": "string"}},
			quarterQuery,
			{name: "policy", description: "The disclosure control policy, name:version, one of " + releasePolicyNames(), schema: map[string]any{"type": "string"}},
		}}, s.getMonitoring)
	s.handle(http.MethodGet, "/partnerships/{pid}/quarterly-returns", access.StatisticsView, operation{id: "listQuarterlyReturns",
		summary: "The partnership's quarterly returns for funded areas, the latest quarter first, without their projects", response: QuarterlyReturnList{}},
		s.listQuarterlies)
	s.handle(http.MethodPost, "/partnerships/{pid}/quarterly-returns", access.StatisticsView, operation{id: "generateQuarterlyReturn",
		summary: "Draft the quarterly return of a quarter that has ended (financial_year written 2025-26, quarter 1 to 4), or generate the figures " +
			"of its draft again, keeping the text written (coordinators); an approved return is refused with 409",
		request: QuarterlyReturnInput{}, response: QuarterlyReturn{}, status: http.StatusCreated}, s.generateQuarterly)
	s.handle(http.MethodGet, "/partnerships/{pid}/quarterly-returns/{id}", access.StatisticsView, operation{id: "getQuarterlyReturn",
		summary:  "A quarterly return: each funded project's milestones, impacts, allocation and spend with its text, and the quarter's referrals and adoptions",
		response: QuarterlyReturn{}}, s.getQuarterly)
	s.handle(http.MethodPut, "/partnerships/{pid}/quarterly-returns/{id}/projects/{project}", access.StatisticsView, operation{id: "editQuarterlyReturnProject",
		summary: "Save a project's achievements and issues (up to 10,000 characters each) in a draft quarterly return (coordinators); an approved return is refused with 409",
		request: QuarterlyProjectInput{}, response: QuarterlyReturn{}}, s.editQuarterlyProject)
	s.handle(http.MethodPost, "/partnerships/{pid}/quarterly-returns/{id}/approve", access.StatisticsView, operation{id: "approveQuarterlyReturn",
		summary:  "Approve a draft quarterly return (coordinators); from then on it is read-only. One already approved is refused with 409",
		response: QuarterlyReturn{}}, s.approveQuarterly)
}

func (s *Server) getMonitoring(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	y, err := readYear("year", q.Get("year"))
	if err != nil {
		return err
	}
	quarter := 0
	if v := q.Get("quarter"); v != "" {
		if quarter, err = strconv.Atoi(v); err != nil || quarter < 0 || quarter > 4 {
			return prevent.Validation([]prevent.FieldError{{Field: "quarter", Message: "quarter must be 0 to 4"}})
		}
	}
	pol, err := readPolicy(q.Get("policy"))
	if err != nil {
		return err
	}
	m, err := s.deps.Returns.ComputeMonitoring(r.Context(), prevent.PrincipalFrom(r.Context()),
		returns.MonitoringRequest{PartnershipID: pid, Period: returns.Period{Year: y, Quarter: quarter}, Policy: pol})
	if err != nil {
		return err
	}
	ret := returnOut(&returns.Return{Tables: m.Tables, Provenance: m.Provenance})
	return encode(w, http.StatusOK, InterventionsMonitoring{PartnershipID: pid, Partnership: m.Partnership, Region: m.Region,
		FinancialYear: m.Period.Year.String(), Quarter: m.Period.Quarter, Period: m.Period.String(), Tables: ret.Tables, Provenance: ret.Provenance})
}

// quarterlyOut is a quarterly return as the API gives it; with figures false, its projects and counts are left out.
func quarterlyOut(q *returns.Quarterly, figures bool) QuarterlyReturn {
	out := QuarterlyReturn{ID: q.ID, FinancialYear: q.Period.Year.String(), Quarter: q.Period.Quarter, Period: q.Period.String(),
		State: string(q.State), CreatedBy: q.CreatedBy, UpdatedAt: q.UpdatedAt}
	if q.ApprovedBy != 0 {
		out.ApprovedBy, out.ApprovedAt = &q.ApprovedBy, &q.ApprovedAt
	}
	if !figures {
		return out
	}
	f := q.Figures
	out.QueryVersion, out.Policy, out.GeneratedAt = &f.QueryVersion, &f.Policy, &f.GeneratedAt
	out.Referrals = &ReturnCell{Text: f.Referrals.Text, Number: f.Referrals.Number, Value: f.Referrals.Value}
	out.Adopted = &ReturnCell{Text: f.Adopted.Text, Number: f.Adopted.Number, Value: f.Adopted.Value}
	out.Projects = []QuarterlyProject{}
	for _, p := range f.Projects {
		t := q.Text[p.ProjectID]
		pp := QuarterlyProject{ProjectID: p.ProjectID, Title: p.Title, RAG: p.RAG, RAGReason: p.RAGReason, StartsOn: p.StartsOn, EndsOn: p.EndsOn,
			Milestones: []QuarterlyMilestone{}, Impacts: []QuarterlyImpact{}, AllocatedPence: p.AllocatedPence, SpentPence: p.SpentPence,
			SpentToDatePence: p.SpentToDatePence, Achievements: t.Achievements, Issues: t.Issues}
		for _, m := range p.Milestones {
			qm := QuarterlyMilestone{Title: m.Title, DueOn: m.DueOn, Status: m.Status}
			if m.DoneOn != "" {
				qm.DoneOn = &m.DoneOn
			}
			pp.Milestones = append(pp.Milestones, qm)
		}
		for _, m := range p.Impacts {
			qi := QuarterlyImpact{Indicator: m.Indicator, Unit: m.Unit, Baseline: progNum(m.Baseline), Target: progNum(m.Target)}
			if m.Recorded {
				a := progNum(m.Actual)
				qi.Actual = &a
			}
			pp.Impacts = append(pp.Impacts, qi)
		}
		out.Projects = append(out.Projects, pp)
	}
	return out
}

func (s *Server) listQuarterlies(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	qs, err := s.deps.Returns.QuarterlyReturns(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return err
	}
	out := QuarterlyReturnList{Items: []QuarterlyReturn{}}
	for _, q := range qs {
		out.Items = append(out.Items, quarterlyOut(q, false))
	}
	return encode(w, http.StatusOK, out)
}

func (s *Server) generateQuarterly(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	in, err := decode[QuarterlyReturnInput](r)
	if err != nil {
		return err
	}
	y, err := readYear("financial_year", in.FinancialYear)
	if err != nil {
		return err
	}
	if in.Quarter < 1 || in.Quarter > 4 {
		return prevent.Validation([]prevent.FieldError{{Field: "quarter", Message: "quarter must be 1 to 4"}})
	}
	q, err := s.deps.Returns.GenerateQuarterly(r.Context(), prevent.PrincipalFrom(r.Context()), pid, y, in.Quarter)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/partnerships/%d/quarterly-returns/%d", pid, q.ID))
	return encode(w, http.StatusCreated, quarterlyOut(q, true))
}

func (s *Server) getQuarterly(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	q, err := s.deps.Returns.Quarterly(r.Context(), prevent.PrincipalFrom(r.Context()), pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, quarterlyOut(q, true))
}

func (s *Server) editQuarterlyProject(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	project, err := pathID(r, "project")
	if err != nil {
		return err
	}
	in, err := decode[QuarterlyProjectInput](r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	if err := s.deps.Returns.EditQuarterlyProject(r.Context(), p, pid, id, project,
		returns.ProjectText{Achievements: in.Achievements, Issues: in.Issues}); err != nil {
		return err
	}
	q, err := s.deps.Returns.Quarterly(r.Context(), p, pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, quarterlyOut(q, true))
}

func (s *Server) approveQuarterly(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pidAndID(r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	if err := s.deps.Returns.ApproveQuarterly(r.Context(), p, pid, id); err != nil {
		return err
	}
	q, err := s.deps.Returns.Quarterly(r.Context(), p, pid, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, quarterlyOut(q, true))
}

package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// StatisticalReturn is a partnership's return for a financial year: counts under a named disclosure control
// policy, never a record about a person.
type StatisticalReturn struct {
	PartnershipID prevent.ID       `json:"partnership_id"`
	Partnership   string           `json:"partnership"`
	Region        string           `json:"region"`
	FinancialYear string           `json:"financial_year"`
	Tables        []ReturnTable    `json:"tables"`
	Provenance    ReturnProvenance `json:"provenance"`
}

// ReturnTable is one table of a return.
type ReturnTable struct {
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Headings []string    `json:"headings"`
	Rows     []ReturnRow `json:"rows"`
	Notes    []string    `json:"notes"`
}

// ReturnRow is one row of a table; total marks the row of totals.
type ReturnRow struct {
	Label string       `json:"label"`
	Total bool         `json:"total"`
	Cells []ReturnCell `json:"cells"`
}

// ReturnCell is a figure as printed: text is the number, or a shorthand ([c] withheld, [z] not applicable,
// [x] not available); value is the number when number is true, else 0.
type ReturnCell struct {
	Text   string `json:"text"`
	Number bool   `json:"number"`
	Value  int    `json:"value"`
}

// ReturnProvenance says how the return was made.
type ReturnProvenance struct {
	QueryVersion  string    `json:"query_version"`
	Lists         []string  `json:"lists"`
	Policy        string    `json:"policy"`
	PolicySummary string    `json:"policy_summary"`
	GeneratedAt   time.Time `json:"generated_at"`
	InputDigest   string    `json:"input_digest"`
	Notes         []string  `json:"notes"`
}

func (s *Server) registerReturns() {
	s.handle(http.MethodGet, "/partnerships/{pid}/returns/{year}", access.StatisticsView, operation{id: "getReturn",
		summary: "The partnership's statistical return for a financial year that has ended ({year} written 2025-26): referrals, " +
			"discussions at a Channel panel and adoptions, by type of concern, sector, age group, gender and quarter, under a " +
			"disclosure control policy (default suppress-below-5:1). Counts only; computing it is audited",
		response: StatisticalReturn{}, pathSchemas: yearPath, query: []param{{name: "policy", description: "The disclosure control policy, name:version, " +
			"one of " + releasePolicyNames(), schema: map[string]any{"type": "string"}}}},
		s.getReturn)
	s.registerReturnApproval()
	s.registerPopulations()
	s.registerDashboard()
	s.registerMonitoring()
}

func releasePolicyNames() string {
	var names []string
	for _, p := range returns.ReleasePolicies() {
		names = append(names, p.Key())
	}
	return strings.Join(names, ", ")
}

func (s *Server) getReturn(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	year, err := returns.ParseFinancialYear(r.PathValue("year"))
	if err != nil {
		return prevent.Validation([]prevent.FieldError{{Field: "year", Message: "Write the financial year as 2025-26"}})
	}
	policy, err := readPolicy(r.URL.Query().Get("policy"))
	if err != nil {
		return err
	}
	ret, err := s.deps.Returns.Compute(r.Context(), prevent.PrincipalFrom(r.Context()),
		returns.Request{PartnershipID: pid, Year: year, Policy: policy})
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, returnOut(ret))
}

func returnOut(r *returns.Return) StatisticalReturn {
	out := StatisticalReturn{PartnershipID: r.PartnershipID, Partnership: r.Partnership, Region: r.Region,
		FinancialYear: r.Year.String(), Tables: []ReturnTable{}, Provenance: ReturnProvenance{
			QueryVersion: r.Provenance.QueryVersion, Lists: append([]string{}, r.Provenance.Lists...),
			Policy: r.Provenance.Policy.String(), PolicySummary: r.Provenance.Policy.Summary,
			GeneratedAt: r.Provenance.GeneratedAt, InputDigest: r.Provenance.InputDigest, Notes: append([]string{}, r.Provenance.Notes...)}}
	for _, t := range r.Tables {
		tt := ReturnTable{ID: t.ID, Title: t.Title, Headings: t.Headings, Rows: []ReturnRow{}, Notes: append([]string{}, t.Notes...)}
		for _, row := range t.Rows {
			rr := ReturnRow{Label: row.Label, Total: row.Total, Cells: []ReturnCell{}}
			for _, c := range row.Cells {
				rr.Cells = append(rr.Cells, ReturnCell{Text: c.Text, Number: c.Number, Value: c.Value})
			}
			tt.Rows = append(tt.Rows, rr)
		}
		out.Tables = append(out.Tables, tt)
	}
	return out
}

// Dashboard is a partnership's caseload figures for a financial year or a quarter, as tables: referrals by
// month, how far they went, how long each step took, and the open cases by stage now.
type Dashboard struct {
	PartnershipID prevent.ID `json:"partnership_id"`
	Partnership   string     `json:"partnership"`
	Period        string     `json:"period"`
	Exact         bool       `json:"exact"`
	Policy        *string    `json:"policy"`
	// Area is the local authority area the figures keep to, null for the whole partnership; Areas are the
	// areas that can be asked for (exact readers only).
	Area   *string         `json:"area"`
	Areas  []DashboardArea `json:"areas"`
	Tables []ReturnTable   `json:"tables"`
	Notes  []string        `json:"notes"`
}

// DashboardArea is a local authority area the dashboard can keep to: the key to ask for it by, and its name.
type DashboardArea struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

func (s *Server) registerDashboard() {
	s.handle(http.MethodGet, "/partnerships/{pid}/statistics/dashboard", access.StatisticsView, operation{id: "getDashboard",
		summary: "The caseload dashboard for a financial year or one of its quarters: exact for a coordinator (any period begun), " +
			"under suppress-below-5 for an analyst (periods ended only). Computing it is audited",
		response: Dashboard{}, query: []param{
			{name: "year", description: "The financial year, such as 2025-26", schema: map[string]any{"type": "string"}},
			{name: "quarter", description: "1 to 4, or 0 or absent for the whole year", schema: map[string]any{"type": "integer", "minimum": 0, "maximum": 4}},
			{name: "area", description: "A local authority area's key from areas (" + returns.AreaNotRecorded + " for people with none recorded), " +
				"to keep to the referrals of people living there; for exact readers only", schema: map[string]any{"type": "string"}},
		}}, s.getDashboard)
}

func (s *Server) getDashboard(w http.ResponseWriter, r *http.Request) error {
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
	d, err := s.deps.Returns.ComputeDashboard(r.Context(), prevent.PrincipalFrom(r.Context()),
		returns.DashboardRequest{PartnershipID: pid, Period: returns.Period{Year: y, Quarter: quarter}, Area: q.Get("area")})
	if err != nil {
		return err
	}
	out := Dashboard{PartnershipID: pid, Partnership: d.Partnership, Period: d.Period.String(), Exact: d.Exact, Areas: []DashboardArea{},
		Tables: returnOut(&returns.Return{Tables: d.Tables()}).Tables, Notes: append([]string{}, d.Notes...)}
	if d.Area != "" {
		a := d.Area
		out.Area = &a
	}
	for _, a := range d.Areas {
		out.Areas = append(out.Areas, DashboardArea{Key: a.Key, Label: a.Label})
	}
	if !d.Exact {
		p := d.Policy.String()
		out.Policy = &p
	}
	return encode(w, http.StatusOK, out)
}

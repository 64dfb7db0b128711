package statistics

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/chart"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The interventions monitoring: the partnership's interventions, sessions, exits and post-exit reviews for a
// financial year or a quarter that has ended, under a policy for figures leaving the partnership.
var (
	// MonitoringPath is the monitoring for the period and policy chosen with the year, quarter and policy
	// query parameters.
	MonitoringPath = core.NewPath1("/partnerships/{pid}/statistics/interventions")
	// MonitoringDownloadPath serves one of its tables as CSV.
	MonitoringDownloadPath = core.NewPath1("/partnerships/{pid}/statistics/interventions/download")
)

func (p *pages) registerMonitoring(site core.Site) {
	site.Handle("GET", MonitoringPath.Pattern(), access.StatisticsView, p.handleMonitoring)
	site.Handle("GET", MonitoringDownloadPath.Pattern(), access.StatisticsView, p.handleMonitoringDownload)
	p.registerQuarterly(site)
}

type monitoringView struct {
	PID        prevent.ID
	Form       core.Form
	Years      []returns.FinancialYear
	Policies   []returns.Policy
	Monitoring *returns.Monitoring
}

// monitoringChoice is the period and policy read from the query.
type monitoringChoice struct {
	period returns.Period
	policy returns.Policy
	form   core.Form
}

// readMonitoringChoice reads the period and policy asked for; by default the last financial year that has
// ended, as a whole, under the first policy for release.
func (p *pages) readMonitoringChoice(q url.Values) monitoringChoice {
	c := monitoringChoice{form: core.Form{Values: url.Values{}}}
	current := returns.YearOf(p.d.Now())
	yearText, quarterText, policyText := strings.TrimSpace(q.Get("year")), strings.TrimSpace(q.Get("quarter")), strings.TrimSpace(q.Get("policy"))
	if yearText == "" {
		yearText = (current - 1).String()
	}
	if quarterText == "" {
		quarterText = "0"
	}
	if policyText == "" {
		policyText = returns.ReleasePolicies()[0].Key()
	}
	c.form.Values.Set("year", yearText)
	c.form.Values.Set("quarter", quarterText)
	c.form.Values.Set("policy", policyText)
	y, err := returns.ParseFinancialYear(yearText)
	if err != nil || y > current {
		c.form.Errors = append(c.form.Errors, prevent.FieldError{Field: "year", Message: "Choose a financial year from the list"})
	}
	qn, err := strconv.Atoi(quarterText)
	if err != nil || qn < 0 || qn > 4 {
		c.form.Errors = append(c.form.Errors, prevent.FieldError{Field: "quarter", Message: "Choose the whole year or one of its quarters"})
	}
	c.period = returns.Period{Year: y, Quarter: qn}
	pol, err := returns.ReleasePolicy(policyText)
	if err != nil {
		c.form.Errors = append(c.form.Errors, prevent.FieldError{Field: "policy", Message: "Choose a disclosure control policy"})
	} else {
		c.policy = pol
	}
	return c
}

// handleMonitoring shows the monitoring of the period asked for. A period not over, or with too few people
// supported for the policy, is an error on the year, never a small number.
func (p *pages) handleMonitoring(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	c := p.readMonitoringChoice(r.URL.Query())
	current := returns.YearOf(p.d.Now())
	v := monitoringView{PID: pid, Form: c.form, Policies: returns.ReleasePolicies()}
	for y := current; y > current-yearsShown; y-- {
		v.Years = append(v.Years, y)
	}
	if len(c.form.Errors) == 0 {
		m, err := p.d.Returns.ComputeMonitoring(r.Context(), prevent.PrincipalFrom(r.Context()),
			returns.MonitoringRequest{PartnershipID: pid, Period: c.period, Policy: c.policy})
		switch {
		case prevent.ErrorKind(err) == prevent.Invalid:
			v.Form.Errors = []prevent.FieldError{{Field: "year", Message: prevent.PublicMessage(err)}}
		case err != nil:
			return err
		default:
			v.Monitoring = m
		}
	}
	l := p.Layout(r, "Interventions")
	if v.Monitoring != nil {
		l.Title = "Interventions, " + v.Monitoring.Period.String()
	}
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, monitoringPage(l, v))
}

// handleMonitoringDownload serves one table of the monitoring as CSV.
func (p *pages) handleMonitoringDownload(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	c := p.readMonitoringChoice(r.URL.Query())
	if len(c.form.Errors) > 0 {
		return prevent.Errorf(prevent.Invalid, "%s", c.form.Errors[0].Message)
	}
	m, err := p.d.Returns.ComputeMonitoring(r.Context(), prevent.PrincipalFrom(r.Context()),
		returns.MonitoringRequest{PartnershipID: pid, Period: c.period, Policy: c.policy})
	if err != nil {
		return err
	}
	period := strings.ReplaceAll(m.Period.Year.String(), "/", "-")
	if m.Period.Quarter > 0 {
		period += "-q" + strconv.Itoa(m.Period.Quarter)
	}
	name := fmt.Sprintf("prevent-interventions-%d-%s", pid, period)
	switch format := r.URL.Query().Get("format"); format {
	case "xlsx", "ods":
		body, err := m.XLSX()
		if format == "ods" {
			body, err = m.ODS()
		}
		if err != nil {
			return err
		}
		return attach(w, downloadTypes[format], name+"."+format, body)
	case "", "csv":
	default:
		return prevent.Errorf(prevent.Invalid, "Choose a download: XLSX, ODS or CSV")
	}
	id := r.URL.Query().Get("table")
	for _, t := range m.Tables {
		if t.ID != id {
			continue
		}
		body, err := m.CSV(t)
		if err != nil {
			return err
		}
		return attach(w, downloadTypes["csv"], name+"-"+t.ID+".csv", body)
	}
	return prevent.Errorf(prevent.NotFound, "There is no table %q in the interventions monitoring", id)
}

// bookLink is the address of the whole monitoring as a workbook (format xlsx or ods).
func (v monitoringView) bookLink(format string) string {
	q := url.Values{"year": {v.Form.Get("year")}, "quarter": {v.Form.Get("quarter")}, "policy": {v.Form.Get("policy")}, "format": {format}}
	return MonitoringDownloadPath.Link(v.PID) + "?" + q.Encode()
}

func (v monitoringView) csvLink(table string) string {
	q := url.Values{"year": {v.Form.Get("year")}, "quarter": {v.Form.Get("quarter")}, "policy": {v.Form.Get("policy")}, "table": {table}}
	return MonitoringDownloadPath.Link(v.PID) + "?" + q.Encode()
}

// people is the count of people supported, from its one-row table.
func (v monitoringView) people() string {
	for _, t := range v.Monitoring.Tables {
		if t.ID == "people-supported" && len(t.Rows) > 0 && len(t.Rows[0].Cells) > 0 {
			return t.Rows[0].Cells[0].Text
		}
	}
	return returns.Confidential
}

// monitoringChart is the chart beside a table of the monitoring, nil where a chart would not help (the one
// count of people supported). The throughput tables compare the interventions started and completed in each
// row with any; the others draw their total row, or their rows, as bars.
func monitoringChart(t returns.Table) templ.Component {
	body := func() []returns.Row {
		var out []returns.Row
		for _, r := range t.Rows {
			if !r.Total {
				out = append(out, r)
			}
		}
		return out
	}
	total := func() *returns.Row {
		if n := len(t.Rows); n > 0 && t.Rows[n-1].Total {
			return &t.Rows[n-1]
		}
		return nil
	}
	zero := func(c returns.Cell) bool { return c.Number && c.Value == 0 }
	id := "chart-" + t.ID
	switch {
	case strings.HasPrefix(t.ID, "interventions-by-"):
		g := chart.Groups{ID: id, Caption: "Interventions started and completed by " + strings.ToLower(t.Headings[0]),
			Unit: "interventions", UnitOne: "intervention"}
		started, completed := chart.Series{Name: "Started"}, chart.Series{Name: "Completed"}
		for _, r := range body() {
			if len(r.Cells) < 3 || zero(r.Cells[1]) && zero(r.Cells[2]) {
				continue // the table beside lists every row; the chart leaves out those with nothing to draw
			}
			g.Labels = append(g.Labels, r.Label)
			started.Points = append(started.Points, point(r.Label, r.Cells[1]))
			completed.Points = append(completed.Points, point(r.Label, r.Cells[2]))
		}
		if len(g.Labels) == 0 {
			return nil
		}
		g.Series = []chart.Series{started, completed}
		return chart.GroupedBars(g)
	case t.ID == "sessions" || t.ID == "post-exit-reviews":
		tot := total()
		if tot == nil {
			return nil
		}
		c := chart.Chart{ID: id, Caption: "Sessions by attendance", Unit: "sessions", UnitOne: "session"}
		if t.ID == "post-exit-reviews" {
			c.Caption, c.Unit, c.UnitOne = "Post-exit reviews by what they found", "reviews", "review"
		}
		// The headings are the row heading, the columns, then the total.
		for i, cell := range tot.Cells[:len(tot.Cells)-1] {
			c.Points = append(c.Points, point(t.Headings[i+1], cell))
		}
		return chart.Bars(c)
	case t.ID == "exit-outcomes":
		c := chart.Chart{ID: id, Caption: "Exits from Channel by outcome", Unit: "exits", UnitOne: "exit"}
		for _, r := range body() {
			if len(r.Cells) > 0 {
				c.Points = append(c.Points, point(r.Label, r.Cells[0]))
			}
		}
		if len(c.Points) == 0 {
			return nil
		}
		return chart.Bars(c)
	}
	return nil
}

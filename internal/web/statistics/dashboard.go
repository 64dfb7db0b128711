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
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// The caseload dashboard: referrals month by month, how far they went, how long each step took, and where the
// open cases stand.
var (
	// DashboardPath is the dashboard for the period chosen with the year and quarter query parameters.
	DashboardPath = core.NewPath1("/partnerships/{pid}/statistics")
	// DashboardDownloadPath serves one of its tables as CSV.
	DashboardDownloadPath = core.NewPath1("/partnerships/{pid}/statistics/download")
)

func (p *pages) registerDashboard(site core.Site) {
	site.Handle("GET", DashboardPath.Pattern(), access.StatisticsView, p.handleDashboard)
	site.Handle("GET", DashboardDownloadPath.Pattern(), access.StatisticsView, p.handleDashboardDownload)
}

type dashboardView struct {
	PID       prevent.ID
	Form      core.Form
	Years     []returns.FinancialYear
	Dashboard *returns.Dashboard
}

// readPeriod reads the year and quarter asked for; by default the year in progress.
func (p *pages) readPeriod(q url.Values) (returns.Period, core.Form) {
	f := core.Form{Values: url.Values{}}
	current := returns.YearOf(p.d.Now())
	yearText, quarterText := strings.TrimSpace(q.Get("year")), strings.TrimSpace(q.Get("quarter"))
	if yearText == "" {
		yearText = current.String()
	}
	if quarterText == "" {
		quarterText = "0"
	}
	f.Values.Set("year", yearText)
	f.Values.Set("quarter", quarterText)
	f.Values.Set("area", strings.TrimSpace(q.Get("area")))
	var per returns.Period
	y, err := returns.ParseFinancialYear(yearText)
	if err != nil || y > current {
		f.Errors = append(f.Errors, prevent.FieldError{Field: "year", Message: "Choose a financial year from the list"})
	}
	qn, err := strconv.Atoi(quarterText)
	if err != nil || qn < 0 || qn > 4 {
		f.Errors = append(f.Errors, prevent.FieldError{Field: "quarter", Message: "Choose the whole year or one of its quarters"})
	}
	per.Year, per.Quarter = y, qn
	return per, f
}

func (p *pages) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	per, f := p.readPeriod(r.URL.Query())
	current := returns.YearOf(p.d.Now())
	v := dashboardView{PID: pid, Form: f}
	for y := current; y > current-yearsShown; y-- {
		v.Years = append(v.Years, y)
	}
	if len(f.Errors) == 0 {
		d, err := p.d.Returns.ComputeDashboard(r.Context(), prevent.PrincipalFrom(r.Context()),
			returns.DashboardRequest{PartnershipID: pid, Period: per, Area: f.Get("area")})
		switch {
		case prevent.ErrorKind(err) == prevent.Invalid && len(prevent.FieldErrors(err)) > 0:
			v.Form.Errors = prevent.FieldErrors(err)
			if f.Get("area") != "" {
				// The area could not be kept to: show the whole partnership's figures under the error, with
				// the areas that can be chosen.
				if d, err := p.d.Returns.ComputeDashboard(r.Context(), prevent.PrincipalFrom(r.Context()),
					returns.DashboardRequest{PartnershipID: pid, Period: per}); err == nil && d.Exact {
					v.Dashboard = d
				}
			}
		case prevent.ErrorKind(err) == prevent.Invalid:
			v.Form.Errors = []prevent.FieldError{{Field: "year", Message: prevent.PublicMessage(err)}}
		case err != nil:
			return err
		default:
			v.Dashboard = d
		}
	}
	l := p.Layout(r, "Caseload")
	if v.Dashboard != nil {
		l.Title = "Caseload, " + v.Dashboard.Period.String()
	}
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, dashboardPage(l, v))
}

func (p *pages) handleDashboardDownload(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	per, f := p.readPeriod(r.URL.Query())
	if len(f.Errors) > 0 {
		return prevent.Errorf(prevent.Invalid, "%s", f.Errors[0].Message)
	}
	d, err := p.d.Returns.ComputeDashboard(r.Context(), prevent.PrincipalFrom(r.Context()),
		returns.DashboardRequest{PartnershipID: pid, Period: per, Area: f.Get("area")})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("prevent-caseload-%d-%d-q%d", pid, int(per.Year), per.Quarter)
	if per.Quarter == 0 {
		name = fmt.Sprintf("prevent-caseload-%d-%d", pid, int(per.Year))
	}
	switch format := r.URL.Query().Get("format"); format {
	case "xlsx", "ods":
		body, err := d.XLSX()
		if format == "ods" {
			body, err = d.ODS()
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
	for _, t := range d.Tables() {
		if t.ID != id {
			continue
		}
		body, err := d.CSV(t)
		if err != nil {
			return err
		}
		return attach(w, downloadTypes["csv"], name+"-"+t.ID+".csv", body)
	}
	return prevent.Errorf(prevent.NotFound, "There is no table %q on the dashboard", id)
}

func (v dashboardView) csvLink(table string) string {
	q := v.query()
	q.Set("table", table)
	return DashboardDownloadPath.Link(v.PID) + "?" + q.Encode()
}

// bookLink is the address of the whole dashboard as a workbook (format xlsx or ods).
func (v dashboardView) bookLink(format string) string {
	q := v.query()
	q.Set("format", format)
	return DashboardDownloadPath.Link(v.PID) + "?" + q.Encode()
}

// query is the period and area shown, as a query.
func (v dashboardView) query() url.Values {
	q := url.Values{"year": {v.Form.Get("year")}, "quarter": {v.Form.Get("quarter")}}
	if a := v.Form.Get("area"); a != "" {
		q.Set("area", a)
	}
	return q
}

// monitoringLink is the interventions monitoring of the same period.
func (v dashboardView) monitoringLink() string {
	q := url.Values{"year": {v.Form.Get("year")}, "quarter": {v.Form.Get("quarter")}}
	return MonitoringPath.Link(v.PID) + "?" + q.Encode()
}

// areaItems are the choices of local authority area: the whole partnership, then each area recorded.
func (v dashboardView) areaItems() []govuk.SelectItem {
	out := []govuk.SelectItem{{Value: "", Text: "The whole partnership"}}
	for _, a := range v.Dashboard.Areas {
		out = append(out, govuk.SelectItem{Value: a.Key, Text: a.Label})
	}
	return out
}

// table is the dashboard's table with that id.
func table(ts []returns.Table, id string) returns.Table {
	for _, t := range ts {
		if t.ID == id {
			return t
		}
	}
	return returns.Table{ID: id}
}

func (v dashboardView) breakdownChart(b returns.Breakdown) templ.Component {
	return chart.Bars(chart.Chart{ID: "chart-" + b.ID, Caption: b.Title, Unit: "referrals", UnitOne: "referral", Points: figurePoints(b.Rows, nil)})
}

// The dashboard's charts.

func figurePoints(fs []returns.Figure, short func(string) string) []chart.Point {
	var out []chart.Point
	for _, f := range fs {
		pt := point(f.Label, f.Cell)
		if short != nil {
			pt.LongLabel, pt.Label = f.Label, short(f.Label)
		}
		out = append(out, pt)
	}
	return out
}

func (v dashboardView) monthsChart() templ.Component {
	return chart.Columns(chart.Chart{ID: "chart-months", Caption: "Referrals by month", Unit: "referrals", UnitOne: "referral",
		Points: figurePoints(v.Dashboard.Months, func(s string) string { return s[:3] })})
}

func (v dashboardView) pathwayChart() templ.Component {
	d := v.Dashboard
	// The main line of the pathway, each step within the one before.
	steps := []returns.Figure{d.Pathway[0], d.Pathway[4], d.Pathway[5], d.Pathway[6], d.Pathway[7]}
	return chart.Funnel(chart.Chart{ID: "chart-pathway", Caption: "From referral to leaving Channel", Unit: "people", UnitOne: "person",
		Points: figurePoints(steps, nil)})
}

func (v dashboardView) durationChart(id string, dist returns.Distribution, unit, unitOne string) templ.Component {
	h := chart.Durations{ID: id, Caption: dist.Title, Unit: unit, UnitOne: unitOne, Median: dist.Median}
	for _, b := range dist.Bins {
		// The chart labels each range by its days (the table beside it has the words).
		h.Bins = append(h.Bins, chart.Bin{From: b.From, To: b.To, Value: b.Cell.Value, Shown: b.Cell.Number, Text: b.Cell.Text})
	}
	return chart.Histogram(h)
}

func (v dashboardView) stagesChart() templ.Component {
	fs := v.Dashboard.OpenByStage
	return chart.Bars(chart.Chart{ID: "chart-open", Caption: "Open cases by stage", Unit: "cases", UnitOne: "case",
		Points: figurePoints(fs[:len(fs)-1], nil)})
}

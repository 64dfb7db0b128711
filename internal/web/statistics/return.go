package statistics

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/core"
)

// yearsShown is how many ended financial years the year list offers.
const yearsShown = 10

// returnView is the return page: the choice of year and policy, and the return once computed.
type returnView struct {
	PID      prevent.ID
	Form     core.Form
	Years    []returns.FinancialYear
	Policies []returns.Policy
	Return   *returns.Return
	// Annuals are the year's returns drafted for approval, newest first.
	Annuals []*returns.Annual
}

// open is the year's return on its way to approval (drafted or checked), if there is one.
func (v returnView) open() *returns.Annual {
	for _, a := range v.Annuals {
		if a.State == returns.AnnualDraft || a.State == returns.AnnualChecked {
			return a
		}
	}
	return nil
}

// choice is a year and policy read from the query, with the errors found in them.
type choice struct {
	year   returns.FinancialYear
	policy returns.Policy
	form   core.Form
}

// endedYears lists the financial years that have ended, newest first.
func endedYears(now returns.FinancialYear) []returns.FinancialYear {
	out := make([]returns.FinancialYear, 0, yearsShown)
	for y := now - 1; y > now-1-yearsShown; y-- {
		out = append(out, y)
	}
	return out
}

// readChoice reads the year and policy asked for; with neither given, it is the last ended year under the
// first policy for release.
func (p *pages) readChoice(q url.Values) choice {
	c := choice{form: core.Form{Values: url.Values{}}}
	last := returns.YearOf(p.d.Now()) - 1
	yearText, policyText := strings.TrimSpace(q.Get("year")), strings.TrimSpace(q.Get("policy"))
	if yearText == "" {
		yearText = last.String()
	}
	if policyText == "" {
		policyText = returns.ReleasePolicies()[0].Key()
	}
	c.form.Values.Set("year", yearText)
	c.form.Values.Set("policy", policyText)
	y, err := returns.ParseFinancialYear(yearText)
	switch {
	case err != nil:
		c.form.Errors = append(c.form.Errors, prevent.FieldError{Field: "year", Message: "Choose a financial year from the list"})
	case y > last:
		c.form.Errors = append(c.form.Errors, prevent.FieldError{Field: "year",
			Message: fmt.Sprintf("Choose a financial year that has ended: %s is not over until 31 March %d", y, int(y)+1)})
	default:
		c.year = y
	}
	pol, err := returns.ReleasePolicy(policyText)
	if err != nil {
		c.form.Errors = append(c.form.Errors, prevent.FieldError{Field: "policy", Message: "Choose a disclosure control policy"})
	} else {
		c.policy = pol
	}
	return c
}

// handleReturn shows the return for the year and policy asked for (by default the last ended year).
func (p *pages) handleReturn(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	c := p.readChoice(r.URL.Query())
	v := returnView{PID: pid, Form: c.form, Years: endedYears(returns.YearOf(p.d.Now())), Policies: returns.ReleasePolicies()}
	if len(c.form.Errors) == 0 {
		ret, err := p.d.Returns.Compute(r.Context(), prevent.PrincipalFrom(r.Context()),
			returns.Request{PartnershipID: pid, Year: c.year, Policy: c.policy})
		switch {
		case prevent.ErrorKind(err) == prevent.Invalid:
			// Too few referrals for the policy, or a year without a category list: the year is what to change.
			v.Form.Errors = []prevent.FieldError{{Field: "year", Message: prevent.PublicMessage(err)}}
		case err != nil:
			return err
		default:
			v.Return = ret
			if v.Annuals, err = p.d.Returns.AnnualReturns(r.Context(), prevent.PrincipalFrom(r.Context()), pid, c.year); err != nil {
				return err
			}
		}
	}
	l := p.Layout(r, "Statistics")
	if v.Return != nil {
		l.Title = "Statistics for " + v.Return.Year.String()
	}
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, returnPage(l, v))
}

// The download formats.
var downloadTypes = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"ods":  "application/vnd.oasis.opendocument.spreadsheet",
	"csv":  "text/csv; charset=utf-8",
}

// handleDownload serves the return as a workbook (format xlsx or ods) or one table, or its provenance, as CSV.
func (p *pages) handleDownload(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	format := q.Get("format")
	if _, ok := downloadTypes[format]; !ok {
		return prevent.Errorf(prevent.Invalid, "Choose a download: XLSX, ODS or CSV")
	}
	c := p.readChoice(q)
	if len(c.form.Errors) > 0 {
		return prevent.Errorf(prevent.Invalid, "%s", c.form.Errors[0].Message)
	}
	ret, err := p.d.Returns.Compute(r.Context(), prevent.PrincipalFrom(r.Context()),
		returns.Request{PartnershipID: pid, Year: c.year, Policy: c.policy})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("prevent-return-%d-%s", pid, strings.ReplaceAll(ret.Year.String(), "/", "-"))
	var body []byte
	switch format {
	case "xlsx":
		body, err = ret.XLSX()
	case "ods":
		body, err = ret.ODS()
	default:
		table := q.Get("table")
		if table == "provenance" {
			body, err = ret.ProvenanceCSV()
			name += "-provenance"
			break
		}
		t, ok := tableNamed(ret, table)
		if !ok {
			return prevent.Errorf(prevent.NotFound, "There is no table %q in the return", table)
		}
		body, err = ret.CSV(t)
		name += "-" + t.ID
	}
	if err != nil {
		return err
	}
	return attach(w, downloadTypes[format], name+"."+format, body)
}

// attach sends body as a file to save, named name.
func attach(w http.ResponseWriter, contentType, name string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, err := w.Write(body)
	return err
}

func tableNamed(ret *returns.Return, id string) (returns.Table, bool) {
	for _, t := range ret.Tables {
		if t.ID == id {
			return t, true
		}
	}
	return returns.Table{}, false
}

// downloadLink is the address of a download of the return on the page.
func downloadLink(v returnView, format, table string) string {
	q := url.Values{"year": {v.Return.Year.String()}, "policy": {v.Return.Provenance.Policy.Key()}, "format": {format}}
	if table != "" {
		q.Set("table", table)
	}
	return DownloadPath.Link(v.PID) + "?" + q.Encode()
}

package programme

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// fundingView is the funding page: due-diligence flags, streams, allocations with spend, the budget report
// and commissioning decisions.
type fundingView struct {
	PID           prevent.ID
	Flags         []programme.Standing
	Streams       []programme.Stream
	Allocations   []programme.Allocation
	Report        programme.Report
	Commissioning []programme.CommissioningDecision
	CanEdit       bool
}

// reportFramework reads the framework the report groups objectives by (the current one by default).
func reportFramework(r *http.Request) programme.Framework {
	if programme.Framework(r.URL.Query().Get("framework")) == programme.Prevent2009 {
		return programme.Prevent2009
	}
	return programme.Contest2023
}

func (pg *pages) handleFunding(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := fundingView{PID: pid, CanEdit: pg.May(r, pid, access.FundingEdit)}
	standings, err := pg.d.Programme.Standings(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, st := range standings {
		if st.Blocks() && st.State != programme.NoneYet {
			v.Flags = append(v.Flags, st)
		}
	}
	if v.Streams, err = pg.d.Programme.Streams(ctx, p, pid); err != nil {
		return err
	}
	if v.Allocations, err = pg.d.Programme.Allocations(ctx, p, pid); err != nil {
		return err
	}
	if v.Report, err = pg.d.Programme.BudgetReport(ctx, p, pid, reportFramework(r)); err != nil {
		return err
	}
	if v.Commissioning, err = pg.d.Programme.CommissioningDecisions(ctx, p, pid); err != nil {
		return err
	}
	l := pg.Layout(r, "Funding and commissioning")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, fundingPage(l, v))
}

func (pg *pages) handleStreamNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"year": {strconv.Itoa(financialYear(pg.d.Now()))}}}
	return pg.formPage(w, r, "Add a funding stream", FundingPath.Link(pid), f, func(l core.Layout) templ.Component { return streamFormPage(l, pid, f) })
}

func (pg *pages) handleStreamNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.d.Programme.CreateStream(r.Context(), principalOf(r), pid, programme.StreamInput{Funder: f.Get("funder"), Name: f.Get("name"),
		Year: f.Get("year"), Amount: f.Get("amount"), Conditions: f.Get("conditions")})
	if core.Invalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Add a funding stream", FundingPath.Link(pid), f, func(l core.Layout) templ.Component { return streamFormPage(l, pid, f) })
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, FundingPath.Link(pid), f.Get("name")+" added")
}

// handleFundingExport downloads the budget report as CSV or as a spreadsheet.
func (pg *pages) handleFundingExport(format string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, err := core.PathID(r, "pid")
		if err != nil {
			return err
		}
		fw := reportFramework(r)
		rep, err := pg.d.Programme.BudgetReport(r.Context(), principalOf(r), pid, fw)
		if err != nil {
			return err
		}
		return sendExport(w, format, "funding-report-"+string(fw), reportSheets(rep))
	}
}

// allocationForm is the allocation form with its choices and the due-diligence flags.
type allocationForm struct {
	PID      prevent.ID
	Form     core.Form
	Streams  []govuk.SelectItem
	Projects []govuk.SelectItem
	Flags    []programme.Standing
	// Refusal is the domain's reason for refusing the allocation, shown as a warning.
	Refusal string
}

func (pg *pages) renderAllocationForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, v allocationForm) error {
	ctx, p := r.Context(), principalOf(r)
	v.PID = pid
	streams, err := pg.d.Programme.Streams(ctx, p, pid)
	if err != nil {
		return err
	}
	v.Streams = []govuk.SelectItem{{Value: "", Text: "Select a stream"}}
	for _, st := range streams {
		v.Streams = append(v.Streams, govuk.SelectItem{Value: strconv.FormatInt(st.ID, 10), Text: st.Name + " (" + strconv.Itoa(st.Year) + ")"})
	}
	projects, err := pg.d.Programme.Projects(ctx, p, pid)
	if err != nil {
		return err
	}
	v.Projects = []govuk.SelectItem{{Value: "", Text: "Select a project"}}
	for _, pr := range projects {
		v.Projects = append(v.Projects, govuk.SelectItem{Value: strconv.FormatInt(pr.ID, 10), Text: pr.PublicTitle + " (led by " + pr.Lead.Name + ")"})
	}
	standings, err := pg.d.Programme.Standings(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, st := range standings {
		if st.Blocks() && st.State != programme.NoneYet {
			v.Flags = append(v.Flags, st)
		}
	}
	return pg.formPage(w, r, "Allocate funding", FundingPath.Link(pid), v.Form, func(l core.Layout) templ.Component { return allocationFormPage(l, v) })
}

func (pg *pages) handleAllocationNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"project": {r.URL.Query().Get("project")}}}
	return pg.renderAllocationForm(w, r, pid, allocationForm{Form: f})
}

func (pg *pages) handleAllocationNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.d.Programme.Allocate(r.Context(), principalOf(r), pid, programme.AllocationInput{StreamID: core.FormID(f.Get("stream")),
		ProjectID: core.FormID(f.Get("project")), Amount: f.Get("amount"), Note: f.Get("note")})
	switch {
	case core.Invalid(err):
		return pg.renderAllocationForm(w, r, pid, allocationForm{Form: f.WithErr(err)})
	case core.Refused(err):
		// Due diligence blocks the allocation: the page refuses, saying why, and keeps what was typed.
		return pg.renderAllocationForm(w, r, pid, allocationForm{Form: f.WithErr(err), Refusal: prevent.PublicMessage(err)})
	case err != nil:
		return err
	}
	return pg.Flash(w, r, FundingPath.Link(pid), "Funding allocated")
}

func (pg *pages) spendForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	allocs, err := pg.d.Programme.Allocations(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select an allocation"}}
	for _, a := range allocs {
		items = append(items, govuk.SelectItem{Value: strconv.FormatInt(a.ID, 10), Text: a.ProjectTitle + " from " + a.StreamName + " (" + a.Amount.String() + ")"})
	}
	return pg.formPage(w, r, "Record spend", FundingPath.Link(pid), f, func(l core.Layout) templ.Component { return spendFormPage(l, pid, f, items) })
}

func (pg *pages) handleSpendNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"allocation": {r.URL.Query().Get("allocation")}, "year": {strconv.Itoa(financialYear(pg.d.Now()))}}}
	return pg.spendForm(w, r, pid, f)
}

func (pg *pages) handleSpendNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	year, yerr := strconv.Atoi(f.Get("year"))
	if yerr != nil {
		year = 0
	}
	allocation := core.FormID(f.Get("allocation"))
	if allocation == 0 {
		err = prevent.Validation([]prevent.FieldError{{Field: "allocation", Message: "Select the allocation the money was spent from"}})
	} else {
		_, err = pg.d.Programme.RecordSpend(r.Context(), principalOf(r), pid, allocation, year, atoi(f.Get("quarter"), 0), f.Get("amount"))
	}
	if core.Invalid(err) {
		return pg.spendForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, FundingPath.Link(pid), "Spend recorded")
}

func (pg *pages) commissioningForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	people, _, err := pg.peopleItems(r, pid, "Select who decided")
	if err != nil {
		return err
	}
	projects, err := pg.d.Programme.Projects(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	pitems := []govuk.SelectItem{{Value: "", Text: "Not about one project"}}
	for _, pr := range projects {
		pitems = append(pitems, govuk.SelectItem{Value: strconv.FormatInt(pr.ID, 10), Text: pr.PublicTitle})
	}
	return pg.formPage(w, r, "Record a commissioning decision", FundingPath.Link(pid), f, func(l core.Layout) templ.Component {
		return commissioningFormPage(l, pid, f, people, pitems)
	})
}

func (pg *pages) handleCommissioningNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.commissioningForm(w, r, pid, emptyForm())
}

func (pg *pages) handleCommissioningNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	_, err = pg.d.Programme.RecordCommissioning(r.Context(), principalOf(r), pid, programme.CommissioningInput{ProjectID: core.FormID(f.Get("project")),
		Decision: f.Get("decision"), DecidedBy: core.FormID(f.Get("decided-by")), DecidedOn: d.day("decided-on", "Date decided"), Evidence: f.Get("evidence")})
	if core.Invalid(err) {
		return pg.commissioningForm(w, r, pid, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, FundingPath.Link(pid)+"#commissioning", "Commissioning decision recorded")
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
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
func progReportFramework(r *http.Request) programme.Framework {
	if programme.Framework(r.URL.Query().Get("framework")) == programme.Prevent2009 {
		return programme.Prevent2009
	}
	return programme.Contest2023
}

func (pg *programmePages) handleFunding(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), progPrincipal(r)
	v := fundingView{PID: pid, CanEdit: pg.may(r, pid, access.FundingEdit)}
	standings, err := pg.svc.Standings(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, st := range standings {
		if st.Blocks() && st.State != programme.NoneYet {
			v.Flags = append(v.Flags, st)
		}
	}
	if v.Streams, err = pg.svc.Streams(ctx, p, pid); err != nil {
		return err
	}
	if v.Allocations, err = pg.svc.Allocations(ctx, p, pid); err != nil {
		return err
	}
	if v.Report, err = pg.svc.BudgetReport(ctx, p, pid, progReportFramework(r)); err != nil {
		return err
	}
	if v.Commissioning, err = pg.svc.CommissioningDecisions(ctx, p, pid); err != nil {
		return err
	}
	l := pg.layout(r, "Funding and commissioning")
	l.Back = progPath(pid)
	return pg.page(w, r, l, fundingPage(l, v))
}

func (pg *programmePages) handleStreamNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"year": {strconv.Itoa(progFinancialYear(pg.deps.Now()))}}}
	return pg.formPage(w, r, "Add a funding stream", progPath(pid, "funding"), f, func(l layout) templ.Component { return streamFormPage(l, pid, f) })
}

func (pg *programmePages) handleStreamNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.svc.CreateStream(r.Context(), progPrincipal(r), pid, programme.StreamInput{Funder: f.Get("funder"), Name: f.Get("name"),
		Year: f.Get("year"), Amount: f.Get("amount"), Conditions: f.Get("conditions")})
	if isInvalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Add a funding stream", progPath(pid, "funding"), f, func(l layout) templ.Component { return streamFormPage(l, pid, f) })
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "funding"), f.Get("name")+" added")
}

// allocationForm is the allocation form with its choices and the due-diligence flags.
type allocationForm struct {
	PID      prevent.ID
	Form     form
	Streams  []govuk.SelectItem
	Projects []govuk.SelectItem
	Flags    []programme.Standing
	// Refusal is the domain's reason for refusing the allocation, shown as a warning.
	Refusal string
}

func (pg *programmePages) renderAllocationForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, v allocationForm) error {
	ctx, p := r.Context(), progPrincipal(r)
	v.PID = pid
	streams, err := pg.svc.Streams(ctx, p, pid)
	if err != nil {
		return err
	}
	v.Streams = []govuk.SelectItem{{Value: "", Text: "Select a stream"}}
	for _, st := range streams {
		v.Streams = append(v.Streams, govuk.SelectItem{Value: itoa64(st.ID), Text: st.Name + " (" + strconv.Itoa(st.Year) + ")"})
	}
	projects, err := pg.svc.Projects(ctx, p, pid)
	if err != nil {
		return err
	}
	v.Projects = []govuk.SelectItem{{Value: "", Text: "Select a project"}}
	for _, pr := range projects {
		v.Projects = append(v.Projects, govuk.SelectItem{Value: itoa64(pr.ID), Text: pr.PublicTitle + " (led by " + pr.Lead.Name + ")"})
	}
	standings, err := pg.svc.Standings(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, st := range standings {
		if st.Blocks() && st.State != programme.NoneYet {
			v.Flags = append(v.Flags, st)
		}
	}
	return pg.formPage(w, r, "Allocate funding", progPath(pid, "funding"), v.Form, func(l layout) templ.Component { return allocationFormPage(l, v) })
}

func (pg *programmePages) handleAllocationNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"project": {r.URL.Query().Get("project")}}}
	return pg.renderAllocationForm(w, r, pid, allocationForm{Form: f})
}

func (pg *programmePages) handleAllocationNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.svc.Allocate(r.Context(), progPrincipal(r), pid, programme.AllocationInput{StreamID: formID(f.Get("stream")),
		ProjectID: formID(f.Get("project")), Amount: f.Get("amount"), Note: f.Get("note")})
	switch {
	case isInvalid(err):
		return pg.renderAllocationForm(w, r, pid, allocationForm{Form: f.WithErr(err)})
	case isRefusal(err):
		// Due diligence blocks the allocation: the page refuses, saying why, and keeps what was typed.
		return pg.renderAllocationForm(w, r, pid, allocationForm{Form: f.WithErr(err), Refusal: prevent.PublicMessage(err)})
	case err != nil:
		return err
	}
	return pg.flash(w, r, progPath(pid, "funding"), "Funding allocated")
}

func (pg *programmePages) spendForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	allocs, err := pg.svc.Allocations(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select an allocation"}}
	for _, a := range allocs {
		items = append(items, govuk.SelectItem{Value: itoa64(a.ID), Text: a.ProjectTitle + " from " + a.StreamName + " (" + a.Amount.String() + ")"})
	}
	return pg.formPage(w, r, "Record spend", progPath(pid, "funding"), f, func(l layout) templ.Component { return spendFormPage(l, pid, f, items) })
}

func (pg *programmePages) handleSpendNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"allocation": {r.URL.Query().Get("allocation")}, "year": {strconv.Itoa(progFinancialYear(pg.deps.Now()))}}}
	return pg.spendForm(w, r, pid, f)
}

func (pg *programmePages) handleSpendNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	year, yerr := strconv.Atoi(f.Get("year"))
	if yerr != nil {
		year = 0
	}
	allocation := formID(f.Get("allocation"))
	if allocation == 0 {
		err = prevent.Validation([]prevent.FieldError{{Field: "allocation", Message: "Select the allocation the money was spent from"}})
	} else {
		_, err = pg.svc.RecordSpend(r.Context(), progPrincipal(r), pid, allocation, year, progAtoi(f.Get("quarter"), 0), f.Get("amount"))
	}
	if isInvalid(err) {
		return pg.spendForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "funding"), "Spend recorded")
}

// peopleItems lists the partnership's people for a select, with a blank first item.
func (pg *programmePages) peopleItems(r *http.Request, pid prevent.ID, blank string) ([]govuk.SelectItem, []partnership.Person, error) {
	people, err := pg.deps.Partnership.People(r.Context(), progPrincipal(r), pid, partnership.PeopleFilter{Limit: 500})
	if err != nil {
		return nil, nil, err
	}
	items := []govuk.SelectItem{{Value: "", Text: blank}}
	for _, p := range people {
		items = append(items, govuk.SelectItem{Value: itoa64(p.ID), Text: p.Name + ", " + p.OrganisationName})
	}
	return items, people, nil
}

func (pg *programmePages) commissioningForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	people, _, err := pg.peopleItems(r, pid, "Select who decided")
	if err != nil {
		return err
	}
	projects, err := pg.svc.Projects(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	pitems := []govuk.SelectItem{{Value: "", Text: "Not about one project"}}
	for _, pr := range projects {
		pitems = append(pitems, govuk.SelectItem{Value: itoa64(pr.ID), Text: pr.PublicTitle})
	}
	return pg.formPage(w, r, "Record a commissioning decision", progPath(pid, "funding"), f, func(l layout) templ.Component {
		return commissioningFormPage(l, pid, f, people, pitems)
	})
}

func (pg *programmePages) handleCommissioningNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.commissioningForm(w, r, pid, progEmptyForm())
}

func (pg *programmePages) handleCommissioningNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	_, err = pg.svc.RecordCommissioning(r.Context(), progPrincipal(r), pid, programme.CommissioningInput{ProjectID: formID(f.Get("project")),
		Decision: f.Get("decision"), DecidedBy: formID(f.Get("decided-by")), DecidedOn: d.day("decided-on", "Date decided"), Evidence: f.Get("evidence")})
	if isInvalid(err) {
		return pg.commissioningForm(w, r, pid, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "funding")+"#commissioning", "Commissioning decision recorded")
}

// dueDiligenceView is the due-diligence overview.
type dueDiligenceView struct {
	PID       prevent.ID
	Standings []programme.Standing
	CanEdit   bool
}

func (pg *programmePages) handleDueDiligence(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	st, err := pg.svc.Standings(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Shared-values due diligence")
	l.Back = progPath(pid)
	return pg.page(w, r, l, dueDiligencePage(l, dueDiligenceView{PID: pid, Standings: st, CanEdit: pg.may(r, pid, access.DueDiligenceEdit)}))
}

// reviewsView is one organisation's reviews.
type reviewsView struct {
	PID      prevent.ID
	Standing programme.Standing
	Reviews  []programme.Review
	CanEdit  bool
}

func (pg *programmePages) standingOf(r *http.Request, pid, org prevent.ID) (programme.Standing, error) {
	sts, err := pg.svc.Standings(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return programme.Standing{}, err
	}
	for _, st := range sts {
		if st.Organisation.ID == org {
			return st, nil
		}
	}
	return programme.Standing{}, access.NotFound("Organisation")
}

func (pg *programmePages) handleReviews(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	st, err := pg.standingOf(r, pid, id)
	if err != nil {
		return err
	}
	rs, err := pg.svc.Reviews(r.Context(), progPrincipal(r), pid, id)
	if err != nil {
		return err
	}
	l := pg.layout(r, st.Organisation.Name)
	l.Back = progPath(pid, "due-diligence")
	return pg.page(w, r, l, reviewsPage(l, reviewsView{PID: pid, Standing: st, Reviews: rs, CanEdit: pg.may(r, pid, access.DueDiligenceEdit)}))
}

// reviewForm is the shared-values review form.
type reviewForm struct {
	PID    prevent.ID
	Org    programme.OrgRef
	Form   form
	People []govuk.SelectItem
}

func (pg *programmePages) renderReviewForm(w http.ResponseWriter, r *http.Request, pid, org prevent.ID, f form) error {
	st, err := pg.standingOf(r, pid, org)
	if err != nil {
		return err
	}
	people, _, err := pg.peopleItems(r, pid, "No second reviewer")
	if err != nil {
		return err
	}
	v := reviewForm{PID: pid, Org: st.Organisation, Form: f, People: people}
	return pg.formPage(w, r, "Record a shared-values review", progPath(pid, "due-diligence", "organisations", org), f,
		func(l layout) templ.Component { return reviewFormPage(l, v) })
}

func (pg *programmePages) handleReviewNew(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	return pg.renderReviewForm(w, r, pid, id, progEmptyForm())
}

func (pg *programmePages) handleReviewNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	in := programme.ReviewInput{OrganisationID: id, Basis: f.Get("basis"), Findings: map[string]string{}, Notes: map[string]string{},
		Indicators: f.List("indicators"), Evidence: f.Get("evidence"), Decision: f.Get("decision"),
		SecondReviewer: formID(f.Get("second-reviewer")), DecidedOn: d.day("decided-on", "Date decided"),
		ReviewDue: d.day("review-due", "Date the next review is due")}
	for _, it := range programme.DueDiligenceItems {
		in.Findings[it.Key] = f.Get("item-" + it.Key)
		in.Notes[it.Key] = f.Get("note-" + it.Key)
	}
	_, err = pg.svc.RecordReview(r.Context(), progPrincipal(r), pid, in)
	if isInvalid(err) {
		return pg.renderReviewForm(w, r, pid, id, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "due-diligence", "organisations", id), "Shared-values review recorded")
}

func progStandingTag(st programme.StandingState) (string, string) {
	switch st {
	case programme.Current:
		return "Current", "govuk-tag--green"
	case programme.Exempt:
		return "Public body", "govuk-tag--blue"
	case programme.Overdue:
		return "Review overdue", "govuk-tag--red"
	case programme.Refused:
		return "Does not uphold shared values", "govuk-tag--red"
	}
	return "Not reviewed", "govuk-tag--grey"
}

func reviewResultText(r programme.Result) string {
	switch r {
	case programme.Clear:
		return "No concern"
	case programme.Concern:
		return "Some concern"
	case programme.Adverse:
		return "Adverse"
	}
	return string(r)
}

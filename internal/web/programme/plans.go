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
)

// plansView is the delivery plans list.
type plansView struct {
	PID     prevent.ID
	Plans   []programme.Plan
	CanEdit bool
}

func (pg *pages) handlePlans(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	plans, err := pg.d.Programme.Plans(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Delivery plans")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, plansPage(l, plansView{PID: pid, Plans: plans, CanEdit: pg.May(r, pid, access.PlanEdit)}))
}

func (pg *pages) handlePlanNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"year": {strconv.Itoa(financialYear(pg.d.Now()))}}}
	return pg.formPage(w, r, "Start a delivery plan", PlansPath.Link(pid), f, func(l core.Layout) templ.Component { return planNewPage(l, pid, f) })
}

func (pg *pages) handlePlanNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	year, convErr := strconv.Atoi(f.Get("year"))
	if convErr != nil {
		err = prevent.Validation([]prevent.FieldError{{Field: "year", Message: "Enter the year the plan starts in, for example 2026"}})
	} else {
		var id prevent.ID
		id, err = pg.d.Programme.CreatePlan(r.Context(), principalOf(r), pid, year, f.Get("title"))
		if err == nil {
			return pg.Flash(w, r, PlanPath.Link(pid, id), "Delivery plan started")
		}
	}
	if core.Invalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Start a delivery plan", PlansPath.Link(pid), f, func(l core.Layout) templ.Component { return planNewPage(l, pid, f) })
	}
	return err
}

// planView is one delivery plan's task list and status actions.
type planView struct {
	PID        prevent.ID
	Plan       programme.Plan
	CanEdit    bool
	CanApprove bool
}

func (pg *pages) loadPlan(r *http.Request) (prevent.ID, programme.Plan, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return 0, programme.Plan{}, err
	}
	pl, err := pg.d.Programme.Plan(r.Context(), principalOf(r), pid, id)
	return pid, pl, err
}

func (pg *pages) handlePlan(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	l := pg.Layout(r, pl.Title)
	l.Back = PlansPath.Link(pid)
	v := planView{PID: pid, Plan: pl, CanEdit: pg.May(r, pid, access.PlanEdit) && pl.Status == programme.PlanDraft,
		CanApprove: pg.May(r, pid, access.PlanApprove)}
	return pg.Page(w, r, l, planPage(l, v))
}

func planSection(pl programme.Plan, key string) (programme.Section, bool) {
	for _, s := range pl.Sections {
		if s.Key == key {
			return s, true
		}
	}
	return programme.Section{}, false
}

func (pg *pages) handleSection(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	sec, ok := planSection(pl, r.PathValue("key"))
	if !ok {
		return access.NotFound("Page")
	}
	f := core.Form{Values: url.Values{"body": {sec.Body}}}
	if sec.Status == programme.Completed {
		f.Values.Set("completed", "yes")
	}
	return pg.formPage(w, r, sec.Title, PlanPath.Link(pid, pl.ID), f, func(l core.Layout) templ.Component { return sectionPage(l, pid, pl, sec, f) })
}

func (pg *pages) handleSectionPost(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	sec, ok := planSection(pl, r.PathValue("key"))
	if !ok {
		return access.NotFound("Page")
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = pg.d.Programme.SaveSection(r.Context(), principalOf(r), pid, pl.ID, sec.Key, f.Values.Get("body"), f.Get("completed") == "yes")
	if core.Invalid(err) || core.Refused(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, sec.Title, PlanPath.Link(pid, pl.ID), f, func(l core.Layout) templ.Component { return sectionPage(l, pid, pl, sec, f) })
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, PlanPath.Link(pid, pl.ID), sec.Title+" saved")
}

// planStatusActions are the status changes offered on a plan's page.
func planStatusActions(st programme.PlanStatus) []struct{ To, Text string } {
	switch st {
	case programme.PlanDraft:
		return []struct{ To, Text string }{{string(programme.PlanApproved), "Approve the plan"}}
	case programme.PlanApproved:
		return []struct{ To, Text string }{{string(programme.PlanActive), "Make the plan active"}, {string(programme.PlanDraft), "Withdraw approval"}}
	case programme.PlanActive:
		return []struct{ To, Text string }{{string(programme.PlanClosed), "Close the plan"}}
	}
	return nil
}

var planStatusDone = map[programme.PlanStatus]string{
	programme.PlanApproved: "Plan approved", programme.PlanActive: "Plan is now active",
	programme.PlanDraft: "Approval withdrawn: the plan is a draft again", programme.PlanClosed: "Plan closed",
}

func (pg *pages) handlePlanStatus(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	to := programme.PlanStatus(f.Get("to"))
	err = pg.d.Programme.TransitionPlan(r.Context(), principalOf(r), pid, pl.ID, to)
	if core.Refused(err) || core.Invalid(err) {
		// The refusal is shown on the plan's page, with the reason the service gave.
		l := pg.Layout(r, pl.Title)
		l.Back = PlansPath.Link(pid)
		l.Errors = f.WithErr(err).Errors
		v := planView{PID: pid, Plan: pl, CanEdit: pg.May(r, pid, access.PlanEdit) && pl.Status == programme.PlanDraft,
			CanApprove: pg.May(r, pid, access.PlanApprove)}
		return pg.Page(w, r, l, planPage(l, v))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, PlanPath.Link(pid, pl.ID), planStatusDone[to])
}

func (pg *pages) handleVersions(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	vs, err := pg.d.Programme.Versions(r.Context(), principalOf(r), pid, pl.ID)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Version history")
	l.Back = PlanPath.Link(pid, pl.ID)
	return pg.Page(w, r, l, versionsPage(l, pid, pl, vs))
}

// planCompareRow is one field of the side-by-side comparison.
type planCompareRow struct {
	Field    string
	Kind     programme.ChangeKind
	Old, New string
}

func (pg *pages) handleCompare(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	a, b := atoi(r.URL.Query().Get("a"), 0), atoi(r.URL.Query().Get("b"), 0)
	changes, err := pg.d.Programme.Compare(r.Context(), principalOf(r), pid, pl.ID, a, b)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, d := range programme.PlanSections {
		titles[d.Key] = d.Title
	}
	var rows []planCompareRow
	for _, c := range changes {
		name := c.Field
		if t, ok := titles[c.Field]; ok {
			name = t
		}
		rows = append(rows, planCompareRow{Field: name, Kind: c.Kind, Old: c.Old, New: c.New})
	}
	l := pg.Layout(r, "Compare versions "+strconv.Itoa(a)+" and "+strconv.Itoa(b))
	l.Back = PlanVersionsPath.Link(pid, pl.ID)
	return pg.Page(w, r, l, comparePage(l, a, b, rows))
}

func (pg *pages) handlePlanPrint(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	projects, err := pg.d.Programme.Projects(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, pl.Title)
	l.Back = PlanPath.Link(pid, pl.ID)
	return pg.Page(w, r, l, planPrintPage(l, pl, planProjects(pl, projects)))
}

// handlePlanExport downloads a plan and its projects as CSV or as a spreadsheet.
func (pg *pages) handlePlanExport(format string) core.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		pid, pl, err := pg.loadPlan(r)
		if err != nil {
			return err
		}
		projects, err := pg.d.Programme.Projects(r.Context(), principalOf(r), pid)
		if err != nil {
			return err
		}
		return sendExport(w, format, "delivery-plan-"+strconv.Itoa(pl.Year), planSheets(pl, planProjects(pl, projects)))
	}
}

// planProjects are the projects belonging to a plan.
func planProjects(pl programme.Plan, all []programme.Project) []programme.Project {
	var out []programme.Project
	for _, p := range all {
		if p.PlanID == pl.ID {
			out = append(out, p)
		}
	}
	return out
}

func planStatusTag(st programme.PlanStatus) (string, string) {
	switch st {
	case programme.PlanApproved:
		return "Approved", "govuk-tag--blue"
	case programme.PlanActive:
		return "Active", "govuk-tag--green"
	case programme.PlanClosed:
		return "Closed", "govuk-tag--grey"
	}
	return "Draft", "govuk-tag--yellow"
}

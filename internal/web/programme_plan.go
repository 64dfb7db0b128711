package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// plansView is the delivery plans list.
type plansView struct {
	PID     prevent.ID
	Plans   []programme.Plan
	CanEdit bool
}

func (pg *programmePages) handlePlans(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	plans, err := pg.svc.Plans(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Delivery plans")
	l.Back = progPath(pid)
	return pg.page(w, r, l, plansPage(l, plansView{PID: pid, Plans: plans, CanEdit: pg.may(r, pid, access.PlanEdit)}))
}

func (pg *programmePages) handlePlanNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"year": {strconv.Itoa(progFinancialYear(pg.deps.Now()))}}}
	return pg.formPage(w, r, "Start a delivery plan", progPath(pid, "plans"), f, func(l layout) templ.Component { return planNewPage(l, pid, f) })
}

// financialYear is the year the financial year containing t starts in (April to March).
func progFinancialYear(t time.Time) int {
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

func (pg *programmePages) handlePlanNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	year, convErr := strconv.Atoi(f.Get("year"))
	if convErr != nil {
		err = prevent.Validation([]prevent.FieldError{{Field: "year", Message: "Enter the year the plan starts in, for example 2026"}})
	} else {
		var id prevent.ID
		id, err = pg.svc.CreatePlan(r.Context(), progPrincipal(r), pid, year, f.Get("title"))
		if err == nil {
			return pg.flash(w, r, progPath(pid, "plans", id), "Delivery plan started")
		}
	}
	if isInvalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Start a delivery plan", progPath(pid, "plans"), f, func(l layout) templ.Component { return planNewPage(l, pid, f) })
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

func (pg *programmePages) loadPlan(r *http.Request) (prevent.ID, programme.Plan, error) {
	pid, id, err := pathIDs(r)
	if err != nil {
		return 0, programme.Plan{}, err
	}
	pl, err := pg.svc.Plan(r.Context(), progPrincipal(r), pid, id)
	return pid, pl, err
}

func (pg *programmePages) handlePlan(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	l := pg.layout(r, pl.Title)
	l.Back = progPath(pid, "plans")
	v := planView{PID: pid, Plan: pl, CanEdit: pg.may(r, pid, access.PlanEdit) && pl.Status == programme.PlanDraft,
		CanApprove: pg.may(r, pid, access.PlanApprove)}
	return pg.page(w, r, l, planPage(l, v))
}

func progPlanSection(pl programme.Plan, key string) (programme.Section, bool) {
	for _, s := range pl.Sections {
		if s.Key == key {
			return s, true
		}
	}
	return programme.Section{}, false
}

func (pg *programmePages) handleSection(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	sec, ok := progPlanSection(pl, r.PathValue("key"))
	if !ok {
		return access.NotFound("Page")
	}
	f := form{Values: url.Values{"body": {sec.Body}}}
	if sec.Status == programme.Completed {
		f.Values.Set("completed", "yes")
	}
	return pg.formPage(w, r, sec.Title, progPath(pid, "plans", pl.ID), f, func(l layout) templ.Component { return sectionPage(l, pid, pl, sec, f) })
}

func (pg *programmePages) handleSectionPost(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	sec, ok := progPlanSection(pl, r.PathValue("key"))
	if !ok {
		return access.NotFound("Page")
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = pg.svc.SaveSection(r.Context(), progPrincipal(r), pid, pl.ID, sec.Key, f.Values.Get("body"), f.Get("completed") == "yes")
	if isInvalid(err) || isRefusal(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, sec.Title, progPath(pid, "plans", pl.ID), f, func(l layout) templ.Component { return sectionPage(l, pid, pl, sec, f) })
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "plans", pl.ID), sec.Title+" saved")
}

// statusActions are the status changes offered on a plan's page.
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

func (pg *programmePages) handlePlanStatus(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	to := programme.PlanStatus(f.Get("to"))
	err = pg.svc.TransitionPlan(r.Context(), progPrincipal(r), pid, pl.ID, to)
	if isRefusal(err) || isInvalid(err) {
		// The refusal is shown on the plan's page, with the reason the service gave.
		l := pg.layout(r, pl.Title)
		l.Back = progPath(pid, "plans")
		l.Errors = f.WithErr(err).Errors
		v := planView{PID: pid, Plan: pl, CanEdit: pg.may(r, pid, access.PlanEdit) && pl.Status == programme.PlanDraft,
			CanApprove: pg.may(r, pid, access.PlanApprove)}
		return pg.page(w, r, l, planPage(l, v))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "plans", pl.ID), planStatusDone[to])
}

func (pg *programmePages) handleVersions(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	vs, err := pg.svc.Versions(r.Context(), progPrincipal(r), pid, pl.ID)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Version history")
	l.Back = progPath(pid, "plans", pl.ID)
	return pg.page(w, r, l, versionsPage(l, pid, pl, vs))
}

// planCompareRow is one field of the side-by-side comparison.
type planCompareRow struct {
	Field    string
	Kind     programme.ChangeKind
	Old, New string
}

func (pg *programmePages) handleCompare(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	a, b := progAtoi(r.URL.Query().Get("a"), 0), progAtoi(r.URL.Query().Get("b"), 0)
	changes, err := pg.svc.Compare(r.Context(), progPrincipal(r), pid, pl.ID, a, b)
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
	l := pg.layout(r, "Compare versions "+strconv.Itoa(a)+" and "+strconv.Itoa(b))
	l.Back = progPath(pid, "plans", pl.ID, "versions")
	return pg.page(w, r, l, comparePage(l, a, b, rows))
}

func (pg *programmePages) handlePlanPrint(w http.ResponseWriter, r *http.Request) error {
	pid, pl, err := pg.loadPlan(r)
	if err != nil {
		return err
	}
	projects, err := pg.svc.Projects(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, pl.Title)
	l.Back = progPath(pid, "plans", pl.ID)
	return pg.page(w, r, l, planPrintPage(l, pl, progPlanProjects(pl, projects)))
}

// planProjects are the projects belonging to a plan.
func progPlanProjects(pl programme.Plan, all []programme.Project) []programme.Project {
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

func progTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006 at 15:04")
}

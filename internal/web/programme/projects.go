package programme

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// projectsView is the projects list.
type projectsView struct {
	PID      prevent.ID
	Projects []programme.Project
	CanEdit  bool
}

func (pg *pages) handleProjects(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ps, err := pg.d.Programme.Projects(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Projects and activities")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, projectsPage(l, projectsView{PID: pid, Projects: ps, CanEdit: pg.May(r, pid, access.ProjectEdit)}))
}

// projectForm is the new or edit project form with its choices.
type projectForm struct {
	PID        prevent.ID
	ID         prevent.ID
	Form       core.Form
	Orgs       []partnership.Organisation
	Plans      []programme.Plan
	Objectives []programme.Objective
}

func (v projectForm) action() string {
	if v.ID == 0 {
		return NewProjectPath.Link(v.PID)
	}
	return ProjectEditPath.Link(v.PID, v.ID)
}

func (v projectForm) title() string {
	if v.ID == 0 {
		return "Add a project"
	}
	return "Change project"
}

func (v projectForm) orgItems(blank string) []govuk.SelectItem {
	items := []govuk.SelectItem{{Value: "", Text: blank}}
	for _, o := range v.Orgs {
		items = append(items, govuk.SelectItem{Value: strconv.FormatInt(o.ID, 10), Text: o.Name})
	}
	return items
}

func (v projectForm) planItems() []govuk.SelectItem {
	items := []govuk.SelectItem{{Value: "", Text: "Not part of a plan"}}
	for _, p := range v.Plans {
		items = append(items, govuk.SelectItem{Value: strconv.FormatInt(p.ID, 10), Text: p.Title})
	}
	return items
}

func (v projectForm) partnerItems() []govuk.ChoiceItem {
	var items []govuk.ChoiceItem
	for _, o := range v.Orgs {
		items = append(items, govuk.ChoiceItem{Value: strconv.FormatInt(o.ID, 10), Text: o.Name})
	}
	return items
}

// objectiveItems are the checkboxes of one framework's objectives.
func (v projectForm) objectiveItems(fw programme.Framework) []govuk.ChoiceItem {
	var items []govuk.ChoiceItem
	for _, o := range v.Objectives {
		if o.Framework == fw {
			text := o.Code + ": " + o.Title
			if o.Kind == "enabler" {
				text += " (enabler)"
			}
			items = append(items, govuk.ChoiceItem{Value: o.Tag(), Text: text})
		}
	}
	return items
}

func (pg *pages) projectForm(r *http.Request, pid, id prevent.ID, f core.Form) (projectForm, error) {
	v := projectForm{PID: pid, ID: id, Form: f}
	var err error
	p := principalOf(r)
	if v.Orgs, err = pg.d.Partnership.Organisations(r.Context(), p, pid); err != nil {
		return v, err
	}
	if v.Plans, err = pg.d.Programme.Plans(r.Context(), p, pid); err != nil {
		return v, err
	}
	v.Objectives, err = pg.d.Programme.Objectives(r.Context())
	return v, err
}

func (pg *pages) renderProjectForm(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, f core.Form) error {
	v, err := pg.projectForm(r, pid, id, f)
	if err != nil {
		return err
	}
	back := ProjectsPath.Link(pid)
	if id != 0 {
		back = ProjectPath.Link(pid, id)
	}
	return pg.formPage(w, r, v.title(), back, f, func(l core.Layout) templ.Component { return projectFormPage(l, v) })
}

func projectInput(d *dates) programme.ProjectInput {
	f := d.f
	return programme.ProjectInput{PlanID: core.FormID(f.Get("plan")), PublicTitle: f.Get("public-title"), InternalTitle: f.Get("internal-title"),
		LeadOrganisation: core.FormID(f.Get("lead-organisation")), Partners: core.FormIDs(f.List("partners")), Objectives: f.List("objectives"),
		Scope: f.Get("scope"), Areas: f.Get("areas"), Institutions: f.Get("institutions"), StartsOn: d.day("starts-on", "Start date"),
		EndsOn: d.day("ends-on", "End date"), RAG: f.Get("rag"), RAGReason: f.Get("rag-reason"), Risks: f.Get("risks")}
}

func (pg *pages) handleProjectNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := emptyForm()
	if plan := r.URL.Query().Get("plan"); plan != "" {
		f.Values.Set("plan", plan)
	}
	return pg.renderProjectForm(w, r, pid, 0, f)
}

func (pg *pages) handleProjectNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	id, err := pg.d.Programme.CreateProject(r.Context(), principalOf(r), pid, projectInput(d))
	if core.Invalid(err) {
		return pg.renderProjectForm(w, r, pid, 0, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ProjectPath.Link(pid, id), f.Get("public-title")+" added")
}

func (pg *pages) handleProjectEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	pr, err := pg.d.Programme.Project(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"public-title": {pr.PublicTitle}, "internal-title": {pr.InternalTitle},
		"lead-organisation": {strconv.FormatInt(pr.Lead.ID, 10)}, "scope": {string(pr.Scope)}, "areas": {pr.Areas}, "institutions": {pr.Institutions},
		"rag": {string(pr.RAG)}, "rag-reason": {pr.RAGReason}, "risks": {pr.Risks}}}
	setDay(f.Values, "starts-on", pr.StartsOn)
	setDay(f.Values, "ends-on", pr.EndsOn)
	if pr.PlanID != 0 {
		f.Values.Set("plan", strconv.FormatInt(pr.PlanID, 10))
	}
	for _, o := range pr.Partners {
		f.Values.Add("partners", strconv.FormatInt(o.ID, 10))
	}
	for _, o := range pr.Objectives {
		f.Values.Add("objectives", o.Tag())
	}
	return pg.renderProjectForm(w, r, pid, id, f)
}

func (pg *pages) handleProjectEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	err = pg.d.Programme.UpdateProject(r.Context(), principalOf(r), pid, id, projectInput(d))
	if core.Invalid(err) {
		return pg.renderProjectForm(w, r, pid, id, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ProjectPath.Link(pid, id), "Project updated")
}

// projectView is one project's page.
type projectView struct {
	PID       prevent.ID
	Project   programme.Project
	CanEdit   bool
	Milestone core.Form
}

func (pg *pages) handleProject(w http.ResponseWriter, r *http.Request) error {
	return pg.renderProject(w, r, emptyForm())
}

func (pg *pages) renderProject(w http.ResponseWriter, r *http.Request, mf core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	pr, err := pg.d.Programme.Project(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	l := pg.Layout(r, pr.PublicTitle)
	l.Back, l.Errors = ProjectsPath.Link(pid), mf.Errors
	return pg.Page(w, r, l, projectPage(l, projectView{PID: pid, Project: pr, CanEdit: pg.May(r, pid, access.ProjectEdit), Milestone: mf}))
}

func (pg *pages) handleMilestonePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	_, err = pg.d.Programme.AddMilestone(r.Context(), principalOf(r), pid, id, f.Get("title"), d.day("due-on", "Due date"))
	if core.Invalid(err) {
		return pg.renderProject(w, r, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ProjectPath.Link(pid, id)+"#milestones", "Milestone added")
}

func (pg *pages) handleMilestoneDone(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	done := pg.d.Now().UTC().Format(programme.DateLayout)
	if f.Get("undo") == "yes" {
		done = ""
	}
	err = pg.d.Programme.SetMilestoneDone(r.Context(), principalOf(r), pid, core.FormID(f.Get("milestone")), done)
	if core.Invalid(err) {
		return pg.renderProject(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ProjectPath.Link(pid, id)+"#milestones", "Milestone updated")
}

func (pg *pages) projectTitle(r *http.Request) (prevent.ID, programme.Project, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return 0, programme.Project{}, err
	}
	pr, err := pg.d.Programme.Project(r.Context(), principalOf(r), pid, id)
	return pid, pr, err
}

func (pg *pages) handleImpactNew(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f := emptyForm()
	return pg.formPage(w, r, "Add an impact indicator", ProjectPath.Link(pid, pr.ID), f, func(l core.Layout) templ.Component { return impactFormPage(l, pid, pr, f) })
}

func (pg *pages) handleImpactNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.d.Programme.AddImpact(r.Context(), principalOf(r), pid, pr.ID, programme.ImpactInput{Indicator: f.Get("indicator"), Unit: f.Get("unit"),
		Baseline: f.Get("baseline"), Target: f.Get("target"), Evidence: f.Get("evidence")})
	if core.Invalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Add an impact indicator", ProjectPath.Link(pid, pr.ID), f, func(l core.Layout) templ.Component { return impactFormPage(l, pid, pr, f) })
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ProjectPath.Link(pid, pr.ID)+"#impacts", "Impact indicator added")
}

func (pg *pages) handleActualNew(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"impact": {r.URL.Query().Get("impact")}}}
	return pg.formPage(w, r, "Record an actual", ProjectPath.Link(pid, pr.ID), f, func(l core.Layout) templ.Component { return actualFormPage(l, pid, pr, f) })
}

func (pg *pages) handleActualNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	impact := core.FormID(f.Get("impact"))
	known := false
	for _, im := range pr.Impacts {
		known = known || im.ID == impact
	}
	if !known {
		err = prevent.Validation([]prevent.FieldError{{Field: "impact", Message: "Select the impact indicator"}})
	} else {
		err = pg.d.Programme.RecordActual(r.Context(), principalOf(r), pid, impact, f.Get("quarter"), f.Get("value"), f.Get("evidence"))
	}
	if core.Invalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Record an actual", ProjectPath.Link(pid, pr.ID), f, func(l core.Layout) templ.Component { return actualFormPage(l, pid, pr, f) })
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ProjectPath.Link(pid, pr.ID)+"#impacts", "Actual recorded")
}

func evaluationValues(e programme.Evaluation) url.Values {
	return url.Values{"why": {e.Why}, "what": {e.What}, "questions": {e.Questions}, "success": {e.Success}, "data": {e.Data},
		"analysis": {e.Analysis}, "use": {e.Use}, "resources": {e.Resources}, "findings": {e.Findings}}
}

func (pg *pages) handleEvaluation(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f := core.Form{Values: evaluationValues(pr.Evaluation)}
	return pg.formPage(w, r, "Evaluation plan", ProjectPath.Link(pid, pr.ID), f, func(l core.Layout) templ.Component { return evaluationFormPage(l, pid, pr, f) })
}

func (pg *pages) handleEvaluationPost(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	g := func(k string) string { return strings.TrimSpace(f.Values.Get(k)) }
	err = pg.d.Programme.SaveEvaluation(r.Context(), principalOf(r), pid, pr.ID, programme.Evaluation{Why: g("why"), What: g("what"),
		Questions: g("questions"), Success: g("success"), Data: g("data"), Analysis: g("analysis"), Use: g("use"),
		Resources: g("resources"), Findings: g("findings")})
	if core.Invalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Evaluation plan", ProjectPath.Link(pid, pr.ID), f, func(l core.Layout) templ.Component { return evaluationFormPage(l, pid, pr, f) })
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, ProjectPath.Link(pid, pr.ID)+"#evaluation", "Evaluation plan saved")
}

func ragTag(r programme.RAG) (string, string) {
	switch r {
	case programme.Red:
		return "Red", "govuk-tag--red"
	case programme.Amber:
		return "Amber", "govuk-tag--orange"
	case programme.Green:
		return "Green", "govuk-tag--green"
	}
	return "Not set", "govuk-tag--grey"
}

func scopeText(s programme.Scope) string {
	if s == programme.Individuals {
		return "Supports individuals"
	}
	if s == programme.Community {
		return "Builds community resilience"
	}
	return string(s)
}

func numberText(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

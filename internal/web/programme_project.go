package web

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
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// projectsView is the projects list.
type projectsView struct {
	PID      prevent.ID
	Projects []programme.Project
	CanEdit  bool
}

func (pg *programmePages) handleProjects(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ps, err := pg.svc.Projects(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	l := pg.layout(r, "Projects and activities")
	l.Back = progPath(pid)
	return pg.page(w, r, l, projectsPage(l, projectsView{PID: pid, Projects: ps, CanEdit: pg.may(r, pid, access.ProjectEdit)}))
}

// projectForm is the new or edit project form with its choices.
type projectForm struct {
	PID        prevent.ID
	ID         prevent.ID
	Form       form
	Orgs       []partnership.Organisation
	Plans      []programme.Plan
	Objectives []programme.Objective
}

func (v projectForm) action() string {
	if v.ID == 0 {
		return progPath(v.PID, "projects", "new")
	}
	return progPath(v.PID, "projects", v.ID, "edit")
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
		items = append(items, govuk.SelectItem{Value: itoa64(o.ID), Text: o.Name})
	}
	return items
}

func (v projectForm) planItems() []govuk.SelectItem {
	items := []govuk.SelectItem{{Value: "", Text: "Not part of a plan"}}
	for _, p := range v.Plans {
		items = append(items, govuk.SelectItem{Value: itoa64(p.ID), Text: p.Title})
	}
	return items
}

func (v projectForm) partnerItems() []govuk.ChoiceItem {
	var items []govuk.ChoiceItem
	for _, o := range v.Orgs {
		items = append(items, govuk.ChoiceItem{Value: itoa64(o.ID), Text: o.Name})
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

func (pg *programmePages) projectForm(r *http.Request, pid, id prevent.ID, f form) (projectForm, error) {
	v := projectForm{PID: pid, ID: id, Form: f}
	var err error
	p := progPrincipal(r)
	if v.Orgs, err = pg.deps.Partnership.Organisations(r.Context(), p, pid); err != nil {
		return v, err
	}
	if v.Plans, err = pg.svc.Plans(r.Context(), p, pid); err != nil {
		return v, err
	}
	v.Objectives, err = pg.svc.Objectives(r.Context())
	return v, err
}

func (pg *programmePages) renderProjectForm(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, f form) error {
	v, err := pg.projectForm(r, pid, id, f)
	if err != nil {
		return err
	}
	back := progPath(pid, "projects")
	if id != 0 {
		back = progPath(pid, "projects", id)
	}
	return pg.formPage(w, r, v.title(), back, f, func(l layout) templ.Component { return projectFormPage(l, v) })
}

func progProjectInput(d *progDates) programme.ProjectInput {
	f := d.f
	return programme.ProjectInput{PlanID: formID(f.Get("plan")), PublicTitle: f.Get("public-title"), InternalTitle: f.Get("internal-title"),
		LeadOrganisation: formID(f.Get("lead-organisation")), Partners: formIDs(f.List("partners")), Objectives: f.List("objectives"),
		Scope: f.Get("scope"), Areas: f.Get("areas"), Institutions: f.Get("institutions"), StartsOn: d.day("starts-on", "Start date"),
		EndsOn: d.day("ends-on", "End date"), RAG: f.Get("rag"), RAGReason: f.Get("rag-reason"), Risks: f.Get("risks")}
}

func (pg *programmePages) handleProjectNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f := progEmptyForm()
	if plan := r.URL.Query().Get("plan"); plan != "" {
		f.Values.Set("plan", plan)
	}
	return pg.renderProjectForm(w, r, pid, 0, f)
}

func (pg *programmePages) handleProjectNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	id, err := pg.svc.CreateProject(r.Context(), progPrincipal(r), pid, progProjectInput(d))
	if isInvalid(err) {
		return pg.renderProjectForm(w, r, pid, 0, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "projects", id), f.Get("public-title")+" added")
}

func (pg *programmePages) handleProjectEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	pr, err := pg.svc.Project(r.Context(), progPrincipal(r), pid, id)
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"public-title": {pr.PublicTitle}, "internal-title": {pr.InternalTitle},
		"lead-organisation": {itoa64(pr.Lead.ID)}, "scope": {string(pr.Scope)}, "areas": {pr.Areas}, "institutions": {pr.Institutions},
		"rag": {string(pr.RAG)}, "rag-reason": {pr.RAGReason}, "risks": {pr.Risks}}}
	progSetDay(f.Values, "starts-on", pr.StartsOn)
	progSetDay(f.Values, "ends-on", pr.EndsOn)
	if pr.PlanID != 0 {
		f.Values.Set("plan", itoa64(pr.PlanID))
	}
	for _, o := range pr.Partners {
		f.Values.Add("partners", itoa64(o.ID))
	}
	for _, o := range pr.Objectives {
		f.Values.Add("objectives", o.Tag())
	}
	return pg.renderProjectForm(w, r, pid, id, f)
}

func (pg *programmePages) handleProjectEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	err = pg.svc.UpdateProject(r.Context(), progPrincipal(r), pid, id, progProjectInput(d))
	if isInvalid(err) {
		return pg.renderProjectForm(w, r, pid, id, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "projects", id), "Project updated")
}

// projectView is one project's page.
type projectView struct {
	PID       prevent.ID
	Project   programme.Project
	CanEdit   bool
	Milestone form
}

func (pg *programmePages) handleProject(w http.ResponseWriter, r *http.Request) error {
	return pg.renderProject(w, r, progEmptyForm())
}

func (pg *programmePages) renderProject(w http.ResponseWriter, r *http.Request, mf form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	pr, err := pg.svc.Project(r.Context(), progPrincipal(r), pid, id)
	if err != nil {
		return err
	}
	l := pg.layout(r, pr.PublicTitle)
	l.Back, l.Errors = progPath(pid, "projects"), mf.Errors
	return pg.page(w, r, l, projectPage(l, projectView{PID: pid, Project: pr, CanEdit: pg.may(r, pid, access.ProjectEdit), Milestone: mf}))
}

func (pg *programmePages) handleMilestonePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	d := &progDates{f: f}
	_, err = pg.svc.AddMilestone(r.Context(), progPrincipal(r), pid, id, f.Get("title"), d.day("due-on", "Due date"))
	if isInvalid(err) {
		return pg.renderProject(w, r, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "projects", id)+"#milestones", "Milestone added")
}

func (pg *programmePages) handleMilestoneDone(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	done := pg.deps.Now().UTC().Format(programme.DateLayout)
	if f.Get("undo") == "yes" {
		done = ""
	}
	err = pg.svc.SetMilestoneDone(r.Context(), progPrincipal(r), pid, formID(f.Get("milestone")), done)
	if isInvalid(err) {
		return pg.renderProject(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "projects", id)+"#milestones", "Milestone updated")
}

func (pg *programmePages) projectTitle(r *http.Request) (prevent.ID, programme.Project, error) {
	pid, id, err := pathIDs(r)
	if err != nil {
		return 0, programme.Project{}, err
	}
	pr, err := pg.svc.Project(r.Context(), progPrincipal(r), pid, id)
	return pid, pr, err
}

func (pg *programmePages) handleImpactNew(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f := progEmptyForm()
	return pg.formPage(w, r, "Add an impact indicator", progPath(pid, "projects", pr.ID), f, func(l layout) templ.Component { return impactFormPage(l, pid, pr, f) })
}

func (pg *programmePages) handleImpactNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.svc.AddImpact(r.Context(), progPrincipal(r), pid, pr.ID, programme.ImpactInput{Indicator: f.Get("indicator"), Unit: f.Get("unit"),
		Baseline: f.Get("baseline"), Target: f.Get("target"), Evidence: f.Get("evidence")})
	if isInvalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Add an impact indicator", progPath(pid, "projects", pr.ID), f, func(l layout) templ.Component { return impactFormPage(l, pid, pr, f) })
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "projects", pr.ID)+"#impacts", "Impact indicator added")
}

func (pg *programmePages) handleActualNew(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f := form{Values: url.Values{"impact": {r.URL.Query().Get("impact")}}}
	return pg.formPage(w, r, "Record an actual", progPath(pid, "projects", pr.ID), f, func(l layout) templ.Component { return actualFormPage(l, pid, pr, f) })
}

func (pg *programmePages) handleActualNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	impact := formID(f.Get("impact"))
	known := false
	for _, im := range pr.Impacts {
		known = known || im.ID == impact
	}
	if !known {
		err = prevent.Validation([]prevent.FieldError{{Field: "impact", Message: "Select the impact indicator"}})
	} else {
		err = pg.svc.RecordActual(r.Context(), progPrincipal(r), pid, impact, f.Get("quarter"), f.Get("value"), f.Get("evidence"))
	}
	if isInvalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Record an actual", progPath(pid, "projects", pr.ID), f, func(l layout) templ.Component { return actualFormPage(l, pid, pr, f) })
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "projects", pr.ID)+"#impacts", "Actual recorded")
}

func progEvaluationValues(e programme.Evaluation) url.Values {
	return url.Values{"why": {e.Why}, "what": {e.What}, "questions": {e.Questions}, "success": {e.Success}, "data": {e.Data},
		"analysis": {e.Analysis}, "use": {e.Use}, "resources": {e.Resources}, "findings": {e.Findings}}
}

func (pg *programmePages) handleEvaluation(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f := form{Values: progEvaluationValues(pr.Evaluation)}
	return pg.formPage(w, r, "Evaluation plan", progPath(pid, "projects", pr.ID), f, func(l layout) templ.Component { return evaluationFormPage(l, pid, pr, f) })
}

func (pg *programmePages) handleEvaluationPost(w http.ResponseWriter, r *http.Request) error {
	pid, pr, err := pg.projectTitle(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	g := func(k string) string { return strings.TrimSpace(f.Values.Get(k)) }
	err = pg.svc.SaveEvaluation(r.Context(), progPrincipal(r), pid, pr.ID, programme.Evaluation{Why: g("why"), What: g("what"),
		Questions: g("questions"), Success: g("success"), Data: g("data"), Analysis: g("analysis"), Use: g("use"),
		Resources: g("resources"), Findings: g("findings")})
	if isInvalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Evaluation plan", progPath(pid, "projects", pr.ID), f, func(l layout) templ.Component { return evaluationFormPage(l, pid, pr, f) })
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "projects", pr.ID)+"#evaluation", "Evaluation plan saved")
}

// lessonsView is the shared lessons list.
type lessonsView struct {
	PID      prevent.ID
	Lessons  []programme.Lesson
	Projects map[prevent.ID]string
	CanEdit  bool
}

func (pg *programmePages) handleLessons(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ls, err := pg.svc.Lessons(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	ps, err := pg.svc.Projects(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	names := map[prevent.ID]string{}
	for _, p := range ps {
		names[p.ID] = p.PublicTitle
	}
	l := pg.layout(r, "Lessons learned")
	l.Back = progPath(pid)
	return pg.page(w, r, l, lessonsPage(l, lessonsView{PID: pid, Lessons: ls, Projects: names, CanEdit: pg.may(r, pid, access.PlanEdit)}))
}

func (pg *programmePages) lessonForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	ps, err := pg.svc.Projects(r.Context(), progPrincipal(r), pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Not about one project"}}
	for _, p := range ps {
		items = append(items, govuk.SelectItem{Value: itoa64(p.ID), Text: p.PublicTitle})
	}
	return pg.formPage(w, r, "Share a lesson", progPath(pid, "lessons"), f, func(l layout) templ.Component { return lessonFormPage(l, pid, f, items) })
}

func (pg *programmePages) handleLessonNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.lessonForm(w, r, pid, progEmptyForm())
}

func (pg *programmePages) handleLessonNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.svc.ShareLesson(r.Context(), progPrincipal(r), pid, formID(f.Get("project")), f.Get("title"), f.Values.Get("body"))
	if isInvalid(err) {
		return pg.lessonForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.flash(w, r, progPath(pid, "lessons"), "Lesson shared with the partnership")
}

func progRAGTag(r programme.RAG) (string, string) {
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

func progScopeText(s programme.Scope) string {
	if s == programme.Individuals {
		return "Supports individuals"
	}
	if s == programme.Community {
		return "Builds community resilience"
	}
	return string(s)
}

func progNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

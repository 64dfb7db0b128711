package programme

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// trainingView is the courses list with each course's coverage.
type trainingView struct {
	PID      prevent.ID
	Courses  []programme.Course
	Coverage map[prevent.ID][]programme.Coverage
	CanEdit  bool
}

func (pg *pages) handleTraining(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	cs, err := pg.d.Programme.Courses(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	v := trainingView{PID: pid, Courses: cs, Coverage: map[prevent.ID][]programme.Coverage{}, CanEdit: pg.May(r, pid, access.TrainingEdit)}
	for _, c := range cs {
		if v.Coverage[c.ID], err = pg.d.Programme.CourseCoverage(r.Context(), principalOf(r), pid, c.ID); err != nil {
			return err
		}
	}
	l := pg.Layout(r, "Training and awareness")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, trainingPage(l, v))
}

func courseKindName(kind string) string {
	for _, k := range programme.CourseKinds {
		if k.Kind == kind {
			return k.Name
		}
	}
	return kind
}

func (pg *pages) handleCourseNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := emptyForm()
	return pg.formPage(w, r, "Add a course", TrainingPath.Link(pid), f, func(l core.Layout) templ.Component { return courseFormPage(l, pid, f) })
}

func (pg *pages) handleCourseNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	id, err := pg.d.Programme.CreateCourse(r.Context(), principalOf(r), pid, f.Get("title"), f.Get("kind"))
	if core.Invalid(err) {
		f = f.WithErr(err)
		return pg.formPage(w, r, "Add a course", TrainingPath.Link(pid), f, func(l core.Layout) templ.Component { return courseFormPage(l, pid, f) })
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, CoursePath.Link(pid, id), "Course added")
}

// courseView is one course: coverage, and for editors the completions and forms.
type courseView struct {
	PID         prevent.ID
	Course      programme.Course
	Coverage    []programme.Coverage
	Completions []programme.Completion
	CanEdit     bool
	Form        core.Form
	People      []govuk.SelectItem
	Orgs        []govuk.SelectItem
}

func (pg *pages) renderCourse(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	cs, err := pg.d.Programme.Courses(ctx, p, pid)
	if err != nil {
		return err
	}
	v := courseView{PID: pid, CanEdit: pg.May(r, pid, access.TrainingEdit), Form: f}
	found := false
	for _, c := range cs {
		if c.ID == id {
			v.Course, found = c, true
		}
	}
	if !found {
		return access.NotFound("Course")
	}
	if v.Coverage, err = pg.d.Programme.CourseCoverage(ctx, p, pid, id); err != nil {
		return err
	}
	if v.CanEdit {
		if v.Completions, err = pg.d.Programme.Completions(ctx, p, pid, id); err != nil {
			return err
		}
		if v.People, _, err = pg.peopleItems(r, pid, "Select a person"); err != nil {
			return err
		}
		v.Orgs = []govuk.SelectItem{{Value: "", Text: "Select an organisation"}}
		for _, c := range v.Coverage {
			v.Orgs = append(v.Orgs, govuk.SelectItem{Value: strconv.FormatInt(c.Organisation.ID, 10), Text: c.Organisation.Name})
		}
	}
	l := pg.Layout(r, v.Course.Title)
	l.Back, l.Errors = TrainingPath.Link(pid), f.Errors
	return pg.Page(w, r, l, coursePage(l, v))
}

func (pg *pages) handleCourse(w http.ResponseWriter, r *http.Request) error {
	return pg.renderCourse(w, r, emptyForm())
}

func (pg *pages) handleCompletionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	_, err = pg.d.Programme.RecordCompletion(r.Context(), principalOf(r), pid, id, core.FormID(f.Get("person")), d.day("completed-on", "Date completed"))
	if core.Invalid(err) {
		return pg.renderCourse(w, r, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, CoursePath.Link(pid, id), "Completion recorded")
}

func (pg *pages) handleTargetPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	target, cerr := strconv.Atoi(f.Get("target"))
	if cerr != nil || target < 0 {
		err = prevent.Validation([]prevent.FieldError{{Field: "target", Message: "Enter the target as a whole number of people"}})
	} else {
		err = pg.d.Programme.SetTarget(r.Context(), principalOf(r), pid, id, core.FormID(f.Get("organisation")), target)
	}
	if core.Invalid(err) {
		return pg.renderCourse(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, CoursePath.Link(pid, id), "Target saved")
}

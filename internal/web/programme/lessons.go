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

// lessonsView is the shared lessons list.
type lessonsView struct {
	PID      prevent.ID
	Lessons  []programme.Lesson
	Projects map[prevent.ID]string
	CanEdit  bool
}

func (pg *pages) handleLessons(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ls, err := pg.d.Programme.Lessons(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	ps, err := pg.d.Programme.Projects(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	names := map[prevent.ID]string{}
	for _, p := range ps {
		names[p.ID] = p.PublicTitle
	}
	l := pg.Layout(r, "Lessons learned")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, lessonsPage(l, lessonsView{PID: pid, Lessons: ls, Projects: names, CanEdit: pg.May(r, pid, access.PlanEdit)}))
}

func (pg *pages) lessonForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	ps, err := pg.d.Programme.Projects(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Not about one project"}}
	for _, p := range ps {
		items = append(items, govuk.SelectItem{Value: strconv.FormatInt(p.ID, 10), Text: p.PublicTitle})
	}
	return pg.formPage(w, r, "Share a lesson", LessonsPath.Link(pid), f, func(l core.Layout) templ.Component { return lessonFormPage(l, pid, f, items) })
}

func (pg *pages) handleLessonNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.lessonForm(w, r, pid, emptyForm())
}

func (pg *pages) handleLessonNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.d.Programme.ShareLesson(r.Context(), principalOf(r), pid, core.FormID(f.Get("project")), f.Get("title"), f.Values.Get("body"))
	if core.Invalid(err) {
		return pg.lessonForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, LessonsPath.Link(pid), "Lesson shared with the partnership")
}

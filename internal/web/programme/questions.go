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

func (pg *pages) handlePublicQandA(w http.ResponseWriter, r *http.Request) error {
	pid := core.FormID(r.URL.Query().Get("partnership"))
	if pid == 0 {
		if ps := principalOf(r).Partnerships(); len(ps) > 0 {
			pid = ps[0]
		}
	}
	qs, err := pg.d.Programme.PublicQandA(r.Context(), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Prevent: questions and answers")
	return pg.Page(w, r, l, publicQandAPage(l, qs))
}

func (pg *pages) handleQandAEditor(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	qs, err := pg.d.Programme.PublicQandA(r.Context(), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Questions and answers")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, qandaEditorPage(l, pid, qs))
}

func (pg *pages) handleQandANew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := emptyForm()
	return pg.formPage(w, r, "Add a question", QuestionsPath.Link(pid), f, func(l core.Layout) templ.Component { return qandaFormPage(l, pid, 0, f) })
}

func (pg *pages) handleQandAEdit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	qs, err := pg.d.Programme.PublicQandA(r.Context(), pid)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.ID == id {
			f := core.Form{Values: url.Values{"topic": {q.Topic}, "question": {q.Question}, "answer": {q.Answer}, "sort": {strconv.Itoa(q.Sort)}}}
			return pg.formPage(w, r, "Change a question", QuestionsPath.Link(pid), f, func(l core.Layout) templ.Component { return qandaFormPage(l, pid, id, f) })
		}
	}
	return access.NotFound("Question")
}

func (pg *pages) handleQandASave(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	var id prevent.ID
	if r.PathValue("id") != "" {
		if id, err = core.PathID(r, "id"); err != nil {
			return err
		}
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	_, err = pg.d.Programme.SaveQandA(r.Context(), principalOf(r), pid, id, programme.QandAInput{Topic: f.Get("topic"), Question: f.Get("question"),
		Answer: f.Values.Get("answer"), Sort: f.Get("sort")})
	if core.Invalid(err) {
		f = f.WithErr(err)
		title := "Add a question"
		if id != 0 {
			title = "Change a question"
		}
		return pg.formPage(w, r, title, QuestionsPath.Link(pid), f, func(l core.Layout) templ.Component { return qandaFormPage(l, pid, id, f) })
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, QuestionsPath.Link(pid), "Questions and answers saved")
}

func (pg *pages) handleQandADelete(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if err := pg.d.Programme.DeleteQandA(r.Context(), principalOf(r), pid, id); err != nil {
		return err
	}
	return pg.Flash(w, r, QuestionsPath.Link(pid), "Question removed")
}

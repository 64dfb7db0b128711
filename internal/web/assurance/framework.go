package assurance

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// frameworksView lists the framework versions the partnership may use.
type frameworksView struct {
	PID        prevent.ID
	Frameworks []assurance.Framework
}

func (p *pages) handleFrameworks(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	fws, err := p.d.Assurance.Frameworks(r.Context(), who(r), pid)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Self-assessment frameworks")
	l.Back = ListPath.Link(pid)
	return p.Page(w, r, l, frameworksPage(l, frameworksView{PID: pid, Frameworks: fws}))
}

// frameworkView is one version with its sections and scale, and what the reader may do with it.
type frameworkView struct {
	PID       prevent.ID
	F         assurance.Framework
	MayManage bool
}

// Editable reports whether the version may be reworded in place: the partnership's own, and not in use.
func (v frameworkView) Editable() bool { return !v.F.National() && v.F.InUse == 0 }

func (p *pages) handleFramework(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := p.d.Assurance.Framework(r.Context(), who(r), pid, id)
	if err != nil {
		return err
	}
	l := p.Layout(r, fmt.Sprintf("%s, version %d", f.Name, f.Version))
	l.Back = FrameworksPath.Link(pid)
	return p.Page(w, r, l, frameworkPage(l, frameworkView{PID: pid, F: f, MayManage: p.May(r, pid, access.AssuranceFrameworkManage)}))
}

// frameworkFormView is the form that words a version: a new one revised from F, or F itself.
type frameworkFormView struct {
	PID      prevent.ID
	F        assurance.Framework
	Revise   bool
	Form     core.Form
	Sections int // how many section rows the form has
	Levels   int // how many level rows
}

// Action is where the form posts.
func (v frameworkFormView) Action() string {
	if v.Revise {
		return RevisePath.Link(v.PID, v.F.ID)
	}
	return EditFrameworkPath.Link(v.PID, v.F.ID)
}

// frameworkValues is the version's wording as form values, with one blank section and one blank level to add.
func frameworkValues(f assurance.Framework) url.Values {
	in := f.Input()
	v := url.Values{"name": {in.Name}, "applies-from": {strconv.Itoa(in.AppliesFrom)}, "note": {in.Note}}
	for i, s := range in.Sections {
		n := strconv.Itoa(i + 1)
		v.Set("section-"+n+"-code", s.Code)
		v.Set("section-"+n+"-title", s.Title)
		v.Set("section-"+n+"-description", s.Description)
	}
	for i, l := range in.Scale {
		n := strconv.Itoa(i + 1)
		v.Set("level-"+n+"-label", l.Label)
		v.Set("level-"+n+"-description", l.Description)
	}
	v.Set("sections", strconv.Itoa(len(in.Sections)+1))
	v.Set("levels", strconv.Itoa(len(in.Scale)+1))
	return v
}

// rows reads how many rows of a kind the form had, within the framework's bounds.
func rows(f core.Form, name string, limit int) int {
	n, _ := strconv.Atoi(f.Get(name))
	return min(max(n, 1), limit+1)
}

// readFramework reads the wording from the form. Rows left wholly blank are dropped, so the blank row added to
// the form is only a section or level when it is filled in.
func readFramework(f core.Form) assurance.FrameworkInput {
	year, _ := strconv.Atoi(f.Get("applies-from"))
	in := assurance.FrameworkInput{Name: f.Values.Get("name"), AppliesFrom: year, Note: f.Values.Get("note")}
	for i := 1; i <= rows(f, "sections", assurance.MaxSections); i++ {
		n := "section-" + strconv.Itoa(i) + "-"
		s := assurance.SectionInput{Code: f.Get(n + "code"), Title: f.Values.Get(n + "title"), Description: f.Values.Get(n + "description")}
		if s.Code != "" || f.Get(n+"title") != "" || f.Get(n+"description") != "" {
			in.Sections = append(in.Sections, s)
		}
	}
	for i := 1; i <= rows(f, "levels", assurance.MaxLevels); i++ {
		n := "level-" + strconv.Itoa(i) + "-"
		l := assurance.LevelInput{Label: f.Values.Get(n + "label"), Description: f.Values.Get(n + "description")}
		if f.Get(n+"label") != "" || f.Get(n+"description") != "" {
			in.Scale = append(in.Scale, l)
		}
	}
	return in
}

func (p *pages) frameworkForm(w http.ResponseWriter, r *http.Request, revise bool, form *core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := p.d.Assurance.Framework(r.Context(), who(r), pid, id)
	if err != nil {
		return err
	}
	v := frameworkFormView{PID: pid, F: f, Revise: revise}
	if form != nil {
		v.Form = *form
	} else {
		v.Form = core.Form{Values: frameworkValues(f)}
	}
	v.Sections = rows(v.Form, "sections", assurance.MaxSections)
	v.Levels = rows(v.Form, "levels", assurance.MaxLevels)
	title := fmt.Sprintf("Make a new version of %s", f.Name)
	if !revise {
		title = fmt.Sprintf("Change version %d of %s", f.Version, f.Name)
	}
	l := p.Layout(r, title)
	l.Back = FrameworkPath.Link(pid, id)
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, frameworkFormPage(l, v))
}

func (p *pages) handleRevise(w http.ResponseWriter, r *http.Request) error {
	return p.frameworkForm(w, r, true, nil)
}

func (p *pages) handleEditFramework(w http.ResponseWriter, r *http.Request) error {
	return p.frameworkForm(w, r, false, nil)
}

func (p *pages) handleRevisePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	nid, err := p.d.Assurance.ReviseFramework(r.Context(), who(r), pid, id, readFramework(f))
	if kept(err) {
		f = f.WithErr(err)
		return p.frameworkForm(w, r, true, &f)
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, FrameworkPath.Link(pid, nid), "New version of the framework made")
}

func (p *pages) handleEditFrameworkPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Assurance.EditFrameworkVersion(r.Context(), who(r), pid, id, readFramework(f))
	if kept(err) {
		f = f.WithErr(err)
		return p.frameworkForm(w, r, false, &f)
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, FrameworkPath.Link(pid, id), "Framework version changed")
}

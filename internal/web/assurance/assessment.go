package assurance

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

func who(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// formID reads an id typed or chosen in a form; anything else is 0, which the domain refuses with its own
// field error.
func formID(s string) prevent.ID {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}

// financialYear is the financial year (by the year it starts in) that t falls in.
func financialYear(t time.Time) int {
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

// listView is the list of the partnership's assessments.
type listView struct {
	PID         prevent.ID
	Assessments []assurance.Assessment
	Codes       []frameworkCode // frameworks with at least one assessment, for their history
	MayStart    bool
}

// frameworkCode is a framework as its history names it: its code and its newest name.
type frameworkCode struct{ Code, Name string }

func (p *pages) handleList(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	list, err := p.d.Assurance.Assessments(r.Context(), who(r), pid)
	if err != nil {
		return err
	}
	v := listView{PID: pid, Assessments: list, MayStart: p.May(r, pid, access.SelfAssessmentEdit)}
	seen := map[string]bool{}
	for _, a := range list {
		if !seen[a.Framework.Code] {
			seen[a.Framework.Code] = true
			v.Codes = append(v.Codes, frameworkCode{Code: a.Framework.Code, Name: a.Framework.Name})
		}
	}
	l := p.Layout(r, "Self-assessment")
	return p.Page(w, r, l, listPage(l, v))
}

// startView is the form that starts an assessment.
type startView struct {
	PID         prevent.ID
	Form        core.Form
	Frameworks  []assurance.Framework
	Assessments []assurance.Assessment
}

func (p *pages) startForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	fws, err := p.d.Assurance.Frameworks(r.Context(), who(r), pid)
	if err != nil {
		return err
	}
	list, err := p.d.Assurance.Assessments(r.Context(), who(r), pid)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Start a self-assessment")
	l.Back = ListPath.Link(pid)
	l.Errors = f.Errors
	return p.Page(w, r, l, startPage(l, startView{PID: pid, Form: f, Frameworks: fws, Assessments: list}))
}

func (p *pages) handleStart(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{"year": {strconv.Itoa(financialYear(p.d.Now()))}}}
	return p.startForm(w, r, pid, f)
}

func (p *pages) handleStartPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(f.Get("year"))
	in := assurance.StartInput{FrameworkID: formID(f.Get("framework")), Year: year, CopyFrom: formID(f.Get("copy-from"))}
	started, err := p.d.Assurance.StartAssessment(r.Context(), who(r), pid, in)
	if kind := prevent.ErrorKind(err); kind == prevent.Invalid || kind == prevent.Conflict {
		return p.startForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	msg := "Self-assessment started"
	if len(started.NotCarried) > 0 {
		msg += ". Not carried forward: " + strings.Join(started.NotCarried, "; ")
	}
	return p.Flash(w, r, AssessmentPath.Link(pid, started.ID), msg)
}

// assessmentView is an assessment as a task list, with what the reader may do to it.
type assessmentView struct {
	PID        prevent.ID
	A          assurance.Assessment
	MayEdit    bool
	MayApprove bool
	Return     core.Form // the reason for returning it, with its errors
}

func (p *pages) assessmentPage(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, ret core.Form, errs []prevent.FieldError) error {
	a, err := p.d.Assurance.Assessment(r.Context(), who(r), pid, id)
	if err != nil {
		return err
	}
	v := assessmentView{PID: pid, A: a, Return: ret,
		MayEdit: p.May(r, pid, access.SelfAssessmentEdit), MayApprove: p.May(r, pid, access.SelfAssessmentApprove)}
	l := p.Layout(r, a.Framework.Name+", "+a.YearName())
	l.Back = ListPath.Link(pid)
	l.Errors = errs
	return p.Page(w, r, l, assessmentPage(l, v))
}

func (p *pages) handleAssessment(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	return p.assessmentPage(w, r, pid, id, core.Form{Values: url.Values{}}, nil)
}

// pageError is err as the one error of a page, with no field: a state the assessment is not in, or a refusal
// to submit with the sections still to do.
func pageError(err error) []prevent.FieldError {
	return []prevent.FieldError{{Message: prevent.PublicMessage(err)}}
}

func (p *pages) handleSubmit(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	err = p.d.Assurance.Submit(r.Context(), who(r), pid, id)
	if prevent.ErrorKind(err) == prevent.Conflict {
		return p.assessmentPage(w, r, pid, id, core.Form{Values: url.Values{}}, pageError(err))
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, AssessmentPath.Link(pid, id), "Self-assessment submitted for approval")
}

func (p *pages) handleApprove(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	err = p.d.Assurance.Approve(r.Context(), who(r), pid, id)
	if prevent.ErrorKind(err) == prevent.Conflict {
		return p.assessmentPage(w, r, pid, id, core.Form{Values: url.Values{}}, pageError(err))
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, AssessmentPath.Link(pid, id), "Self-assessment approved")
}

func (p *pages) handleReturn(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Assurance.Return(r.Context(), who(r), pid, id, f.Get("reason"))
	if kind := prevent.ErrorKind(err); kind == prevent.Invalid || kind == prevent.Conflict {
		f = f.WithErr(err)
		return p.assessmentPage(w, r, pid, id, f, f.Errors)
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, AssessmentPath.Link(pid, id), "Self-assessment returned to draft")
}

// historyView is one framework's ratings, section by section and year by year.
type historyView struct {
	PID     prevent.ID
	Name    string
	History assurance.History
}

func (p *pages) handleHistory(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("framework")
	h, err := p.d.Assurance.History(r.Context(), who(r), pid, code)
	if err != nil {
		return err
	}
	fws, err := p.d.Assurance.Frameworks(r.Context(), who(r), pid)
	if err != nil {
		return err
	}
	v := historyView{PID: pid, Name: code, History: h}
	for _, f := range fws {
		if f.Code == code {
			v.Name = f.Name // the newest version's name: versions come in order
		}
	}
	l := p.Layout(r, v.Name+": year on year")
	l.Back = ListPath.Link(pid)
	return p.Page(w, r, l, historyPage(l, v))
}

package sharing

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/web/core"
)

// The subject access register.

type sarListView struct {
	PID      prevent.ID
	Requests []rights.SubjectAccessRequest
	Today    time.Time
}

func (sp *pages) handleRequests(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := sarListView{PID: pid, Today: sp.d.Now()}
	if v.Requests, err = sp.d.Rights.Requests(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	l := sp.Layout(r, "Subject access requests")
	l.Back = HomePath.Link(pid)
	return sp.Page(w, r, l, sarListPage(l, v))
}

func (sp *pages) requestForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	return sp.formPage(w, r, "Register a subject access request", RequestsPath.Link(pid), f,
		func(l core.Layout) templ.Component { return sarFormPage(l, pid, f) })
}

func (sp *pages) handleRequestNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.requestForm(w, r, pid, core.Form{Values: withToday(url.Values{}, "received", sp.d.Now())})
}

func (sp *pages) handleRequestNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var dates formDates
	in := rights.SubjectAccessInput{Received: dates.read(f, "received", "Date received"), Requester: f.Get("requester"),
		Subject: f.Get("subject"), Regime: rights.Regime(f.Get("regime"))}
	id, err := sp.d.Rights.RegisterRequest(r.Context(), principalOf(r), pid, in)
	err = dates.merge(err)
	if core.Invalid(err) {
		return sp.requestForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, RequestPath.Link(pid, id), "Request registered")
}

type sarView struct {
	PID     prevent.ID
	Request rights.SubjectAccessRequest
	Today   time.Time
	Form    core.Form
	// FirstMonthEnds is when an extension can no longer be made.
	FirstMonthEnds time.Time
}

func (sp *pages) renderRequest(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	req, err := sp.d.Rights.Request(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	if req.PartnershipID != pid {
		return access.NotFound("Request")
	}
	v := sarView{PID: pid, Request: req, Today: sp.d.Now(), Form: f, FirstMonthEnds: rights.DueDate(req.Received, false)}
	l := sp.Layout(r, "Subject access request "+core.IDText(id))
	l.Back, l.Errors = RequestsPath.Link(pid), f.Errors
	return sp.Page(w, r, l, sarPage(l, v))
}

func (sp *pages) handleRequest(w http.ResponseWriter, r *http.Request) error {
	return sp.renderRequest(w, r, core.Form{Values: withToday(url.Values{}, "completed-on", sp.d.Now())})
}

// requestOf checks that the request in the path belongs to the partnership before it is changed.
func (sp *pages) requestOf(r *http.Request) (prevent.ID, prevent.ID, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return 0, 0, err
	}
	req, err := sp.d.Rights.Request(r.Context(), principalOf(r), id)
	if err != nil {
		return 0, 0, err
	}
	if req.PartnershipID != pid {
		return 0, 0, access.NotFound("Request")
	}
	return pid, id, nil
}

func (sp *pages) handleRequestExtend(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sp.requestOf(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = sp.d.Rights.ExtendRequest(r.Context(), principalOf(r), id, f.Get("reason"))
	if core.Invalid(err) || core.Refused(err) {
		f = f.WithErr(err)
		for i := range f.Errors {
			f.Errors[i].Field = "reason"
		}
		return sp.renderRequest(w, r, f)
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, RequestPath.Link(pid, id), "Deadline extended")
}

func (sp *pages) handleRequestComplete(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := sp.requestOf(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	var dates formDates
	on := dates.read(f, "completed-on", "Date answered")
	err = dates.merge(sp.d.Rights.CompleteRequest(r.Context(), principalOf(r), id, on))
	if core.Invalid(err) || core.Refused(err) {
		// Every error of the answer is about its date: the error summary links each to the date input.
		f = f.WithErr(err)
		for i, fe := range f.Errors {
			if !strings.HasPrefix(fe.Field, "completed-on-") {
				f.Errors[i].Field = "completed-on-day"
			}
		}
		return sp.renderRequest(w, r, f)
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, RequestPath.Link(pid, id), "Request recorded as answered")
}

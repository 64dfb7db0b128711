package rights

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	subjectrights "github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
)

// principalOf is the signed-in principal of the request.
func principalOf(r *http.Request) prevent.Principal { return prevent.PrincipalFrom(r.Context()) }

// caseTitle is the title of a page of a case: the page's name, then "Case <reference>". It never names the
// person: titles are kept in browser history and shown on screen to others.
func caseTitle(page, reference string) string { return page + ": Case " + reference }

// emptyForm is a form before anything was typed.
func emptyForm() core.Form { return core.Form{Values: url.Values{}} }

// noticesView is the list of notices for the signed-in person's organisation, or all of them for the DPO.
type noticesView struct {
	PartnershipID prevent.ID
	All           bool
	Open          []sharing.Notice
	Done          []sharing.Notice
	Now           time.Time
}

func (p *pages) renderNotices(w http.ResponseWriter, r *http.Request, all bool) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	who := principalOf(r)
	org := who.OrganisationID
	title := "Notices to your organisation"
	if all {
		org, title = 0, "Notices to organisations that received data"
	}
	ns, err := p.d.Sharing.Notices(r.Context(), who, pid, org, false)
	if err != nil {
		return err
	}
	v := noticesView{PartnershipID: pid, All: all, Now: p.d.Now()}
	for _, n := range ns {
		if n.Status == sharing.NoticeOpen {
			v.Open = append(v.Open, n)
		} else {
			v.Done = append(v.Done, n)
		}
	}
	l := p.Layout(r, title)
	return p.Page(w, r, l, noticesPage(l, v))
}

func (p *pages) handleNotices(w http.ResponseWriter, r *http.Request) error {
	return p.renderNotices(w, r, false)
}

func (p *pages) handleAllNotices(w http.ResponseWriter, r *http.Request) error {
	return p.renderNotices(w, r, true)
}

// noticeView is one notice and the form to complete it.
type noticeView struct {
	PartnershipID prevent.ID
	Notice        sharing.Notice
	Form          core.Form
	Now           time.Time
}

func (p *pages) renderNotice(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	n, err := p.d.Sharing.Notice(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	if n.PartnershipID != pid || !access.DecideNotice(principalOf(r), access.NoticeWork, pid, n.ToOrg, p.d.Now()).Allow {
		return access.NotFound("Notice")
	}
	l := p.Layout(r, n.Kind.String())
	l.Errors = f.Errors
	l.Back = NoticesPath.Link(pid)
	return p.Page(w, r, l, noticePage(l, noticeView{PartnershipID: pid, Notice: n, Form: f, Now: p.d.Now()}))
}

func (p *pages) handleNotice(w http.ResponseWriter, r *http.Request) error {
	return p.renderNotice(w, r, emptyForm())
}

func (p *pages) handleNoticePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Sharing.CompleteNotice(r.Context(), principalOf(r), id, f.Get("note"))
	if err == nil {
		return p.Flash(w, r, NoticesPath.Link(pid), "Notice completed")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return p.renderNotice(w, r, f.WithErr(err))
}

// rectifyView is the form to correct a detail of the person a case is about.
type rectifyView struct {
	PartnershipID, ID prevent.ID
	Reference         string
	Name              string
	Form              core.Form
}

func (p *pages) renderRectify(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	ref, err := p.d.Casework.Referral(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	if ref.PartnershipID != pid {
		return access.NotFound("Referral")
	}
	l := p.Layout(r, caseTitle("Correct the person’s details", ref.Reference))
	l.Errors = f.Errors
	l.Marking = ref.Marking
	l.Back = casePath.Link(pid, id)
	return p.Page(w, r, l, rectifyPage(l, rectifyView{PartnershipID: pid, ID: id, Reference: ref.Reference, Name: ref.Details.Person.FullName(), Form: f}))
}

func (p *pages) handleRectify(w http.ResponseWriter, r *http.Request) error {
	return p.renderRectify(w, r, emptyForm())
}

func (p *pages) handleRectifyPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	in := subjectrights.RectifyInput{Field: f.Get("field"), Value: f.Get("value"), Reason: f.Get("reason")}
	if in.Field == "date_of_birth" {
		d, ok, derr := core.CaseDate(f.Values, "dob")
		switch {
		case derr != nil:
			return p.renderRectify(w, r, f.WithErr(prevent.Validation([]prevent.FieldError{{Field: "dob", Message: "Enter the date of birth as a real date"}})))
		case ok:
			in.Value = d.Format("2006-01-02")
		default:
			in.Value = ""
		}
	}
	err = p.d.Rights.Rectify(r.Context(), principalOf(r), id, in)
	if err == nil {
		return p.Flash(w, r, casePath.Link(pid, id), "The person’s details were corrected and the organisations that received them were told")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	f = f.WithErr(err)
	if in.Field == "date_of_birth" {
		for i, e := range f.Errors {
			if e.Field == "value" {
				f.Errors[i].Field = "dob"
			}
		}
	}
	return p.renderRectify(w, r, f)
}

// requestView is a subject access request with its subject, the search for the subject and the bundle's actions.
type requestView struct {
	PartnershipID prevent.ID
	Request       subjectrights.SubjectAccessRequest
	Matches       []subjectrights.SubjectMatch
	Searched      bool
	Form          core.Form
	Now           time.Time
}

func (p *pages) renderRequest(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	ctx, who := r.Context(), principalOf(r)
	req, err := p.d.Rights.Request(ctx, who, id)
	if err != nil {
		return err
	}
	if req.PartnershipID != pid {
		return access.NotFound("Request")
	}
	v := requestView{PartnershipID: pid, Request: req, Form: f, Now: p.d.Now()}
	q := r.URL.Query()
	if name := q.Get("name"); name != "" && len(f.Errors) == 0 {
		v.Form = core.Form{Values: q}
		v.Searched = true
		dob, ok, derr := core.CaseDate(q, "dob")
		if derr != nil {
			v.Form.Errors = []prevent.FieldError{{Field: "dob", Message: "Enter the date of birth as a real date, or leave it empty"}}
		} else {
			if !ok {
				dob = time.Time{}
			}
			if v.Matches, err = p.d.Rights.FindSubjects(ctx, who, pid, name, dob); err != nil {
				if prevent.ErrorKind(err) != prevent.Invalid {
					return err
				}
				v.Form = v.Form.WithErr(err)
			}
		}
	}
	l := p.Layout(r, "Subject access request")
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, requestPage(l, v))
}

func (p *pages) handleRequest(w http.ResponseWriter, r *http.Request) error {
	return p.renderRequest(w, r, emptyForm())
}

func (p *pages) handleRequestSubjectPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	subject := f.ID("subject")
	err = p.d.Rights.LinkRequestSubject(r.Context(), principalOf(r), id, subject)
	if err == nil {
		return p.Flash(w, r, RequestPath.Link(pid, id), "The request is linked to the person")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return p.renderRequest(w, r, f.WithErr(err))
}

// bundleView is the bundle as a page: the redaction step (Draft) or the printable bundle.
type bundleView struct {
	PartnershipID prevent.ID
	Bundle        subjectrights.Bundle
	Form          core.Form
}

func (p *pages) bundle(r *http.Request, draft bool) (prevent.ID, subjectrights.Bundle, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return 0, subjectrights.Bundle{}, err
	}
	b, err := p.d.Rights.SubjectAccessBundle(r.Context(), principalOf(r), id, draft)
	if err != nil {
		return 0, b, err
	}
	if b.PartnershipID != pid {
		return 0, subjectrights.Bundle{}, access.NotFound("Request")
	}
	return pid, b, nil
}

func (p *pages) renderRedactions(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, b, err := p.bundle(r, true)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Withhold items from the bundle")
	l.Errors = f.Errors
	l.Marking = casework.DefaultMarking
	l.Back = RequestPath.Link(pid, b.RequestID)
	return p.Page(w, r, l, redactionsPage(l, bundleView{PartnershipID: pid, Bundle: b, Form: f}))
}

func (p *pages) handleRedactions(w http.ResponseWriter, r *http.Request) error {
	return p.renderRedactions(w, r, emptyForm())
}

func (p *pages) handleRedactionsPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = p.d.Rights.Redact(r.Context(), principalOf(r), id, f.List("item"), subjectrights.Exemption(f.Get("exemption")), f.Get("note"))
	if err == nil {
		return p.Flash(w, r, RedactionsPath.Link(pid, id), fmt.Sprintf("%d items marked to withhold", len(f.List("item"))))
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return p.renderRedactions(w, r, f.WithErr(err))
}

func (p *pages) handleReleasePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	if err := p.d.Rights.Unredact(r.Context(), principalOf(r), id, f.Get("item")); err != nil {
		if k := prevent.ErrorKind(err); k != prevent.Conflict {
			return err
		}
		return p.renderRedactions(w, r, f.WithErr(err))
	}
	return p.Flash(w, r, RedactionsPath.Link(pid, id), "The item will be shown in the bundle")
}

func (p *pages) handleBundle(w http.ResponseWriter, r *http.Request) error {
	pid, b, err := p.bundle(r, false)
	if err != nil {
		return err
	}
	l := p.Layout(r, "Subject access bundle")
	l.Marking = casework.DefaultMarking
	l.Back = RequestPath.Link(pid, b.RequestID)
	return p.Page(w, r, l, bundlePage(l, bundleView{PartnershipID: pid, Bundle: b}))
}

func (p *pages) handleBundleJSON(w http.ResponseWriter, r *http.Request) error {
	_, b, err := p.bundle(r, false)
	if err != nil {
		return err
	}
	js, err := b.JSON()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="subject-access-%d.json"`, b.RequestID))
	_, err = w.Write(js)
	return err
}

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// rightsPages serves subject rights: the notices sent to organisations that received a case's data, the
// rectification of a person's details, and the subject access bundle with its redaction step. The services
// decide access again and audit.
type rightsPages struct {
	*Server
	cw     *casework.Service
	sh     *sharing.Service
	rights *rights.Service
}

func noticesPath(pid prevent.ID, rest ...any) string {
	return partnershipPath(pid, append([]any{"notices"}, rest...)...)
}

func subjectAccessPath(pid, id prevent.ID, rest ...any) string {
	return partnershipPath(pid, append([]any{"subject-access", id}, rest...)...)
}

// noticesView is the list of notices for the signed-in person's organisation, or all of them for the DPO.
type noticesView struct {
	PartnershipID prevent.ID
	All           bool
	Open          []sharing.Notice
	Done          []sharing.Notice
	Now           time.Time
}

func (rp *rightsPages) renderNotices(w http.ResponseWriter, r *http.Request, all bool) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	p := principalOf(r)
	org := p.OrganisationID
	title := "Notices to your organisation"
	if all {
		org, title = 0, "Notices to organisations that received data"
	}
	ns, err := rp.sh.Notices(r.Context(), p, pid, org, false)
	if err != nil {
		return err
	}
	v := noticesView{PartnershipID: pid, All: all, Now: rp.deps.Now()}
	for _, n := range ns {
		if n.Status == sharing.NoticeOpen {
			v.Open = append(v.Open, n)
		} else {
			v.Done = append(v.Done, n)
		}
	}
	l := rp.layout(r, title)
	return rp.page(w, r, l, noticesPage(l, v))
}

func (rp *rightsPages) handleNotices(w http.ResponseWriter, r *http.Request) error {
	return rp.renderNotices(w, r, false)
}

func (rp *rightsPages) handleAllNotices(w http.ResponseWriter, r *http.Request) error {
	return rp.renderNotices(w, r, true)
}

// noticeView is one notice and the form to complete it.
type noticeView struct {
	PartnershipID prevent.ID
	Notice        sharing.Notice
	Form          form
	Now           time.Time
}

func (rp *rightsPages) renderNotice(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	n, err := rp.sh.Notice(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	if n.PartnershipID != pid || !access.DecideNotice(principalOf(r), access.NoticeWork, pid, n.ToOrg, rp.deps.Now()).Allow {
		return access.NotFound("Notice")
	}
	l := rp.layout(r, n.Kind.String())
	l.Errors = f.Errors
	l.Back = noticesPath(pid)
	return rp.page(w, r, l, noticePage(l, noticeView{PartnershipID: pid, Notice: n, Form: f, Now: rp.deps.Now()}))
}

func (rp *rightsPages) handleNotice(w http.ResponseWriter, r *http.Request) error {
	return rp.renderNotice(w, r, form{Values: url.Values{}})
}

func (rp *rightsPages) handleNoticePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = rp.sh.CompleteNotice(r.Context(), principalOf(r), id, f.Get("note"))
	if err == nil {
		return rp.flash(w, r, noticesPath(pid), "Notice completed")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return rp.renderNotice(w, r, f.WithErr(err))
}

// rectifyView is the form to correct a detail of the person a case is about.
type rectifyView struct {
	PartnershipID, ID prevent.ID
	Reference         string
	Name              string
	Form              form
}

func (rp *rightsPages) renderRectify(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	ref, err := rp.cw.Referral(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	if ref.PartnershipID != pid {
		return access.NotFound("Referral")
	}
	l := rp.layout(r, caseTitle("Correct the person’s details", ref.Reference))
	l.Errors = f.Errors
	l.Marking = ref.Marking
	l.Back = casePath(pid, id)
	return rp.page(w, r, l, rectifyPage(l, rectifyView{PartnershipID: pid, ID: id, Reference: ref.Reference, Name: ref.Details.Person.FullName(), Form: f}))
}

func (rp *rightsPages) handleRectify(w http.ResponseWriter, r *http.Request) error {
	return rp.renderRectify(w, r, form{Values: url.Values{}})
}

func (rp *rightsPages) handleRectifyPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in := rights.RectifyInput{Field: f.Get("field"), Value: f.Get("value"), Reason: f.Get("reason")}
	if in.Field == "date_of_birth" {
		d, ok, derr := caseDate(f.Values, "dob")
		switch {
		case derr != nil:
			return rp.renderRectify(w, r, f.WithErr(prevent.Validation([]prevent.FieldError{{Field: "dob", Message: "Enter the date of birth as a real date"}})))
		case ok:
			in.Value = d.Format("2006-01-02")
		default:
			in.Value = ""
		}
	}
	err = rp.rights.Rectify(r.Context(), principalOf(r), id, in)
	if err == nil {
		return rp.flash(w, r, casePath(pid, id), "The person’s details were corrected and the organisations that received them were told")
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
	return rp.renderRectify(w, r, f)
}

// requestView is a subject access request with its subject, the search for the subject and the bundle's actions.
type requestView struct {
	PartnershipID prevent.ID
	Request       rights.SubjectAccessRequest
	Matches       []rights.SubjectMatch
	Searched      bool
	Form          form
	Now           time.Time
}

func (rp *rightsPages) renderRequest(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	req, err := rp.rights.Request(ctx, p, id)
	if err != nil {
		return err
	}
	if req.PartnershipID != pid {
		return access.NotFound("Request")
	}
	v := requestView{PartnershipID: pid, Request: req, Form: f, Now: rp.deps.Now()}
	q := r.URL.Query()
	if name := q.Get("name"); name != "" && len(f.Errors) == 0 {
		v.Form = form{Values: q}
		v.Searched = true
		dob, ok, derr := caseDate(q, "dob")
		if derr != nil {
			v.Form.Errors = []prevent.FieldError{{Field: "dob", Message: "Enter the date of birth as a real date, or leave it empty"}}
		} else {
			if !ok {
				dob = time.Time{}
			}
			if v.Matches, err = rp.rights.FindSubjects(ctx, p, pid, name, dob); err != nil {
				if prevent.ErrorKind(err) != prevent.Invalid {
					return err
				}
				v.Form = v.Form.WithErr(err)
			}
		}
	}
	l := rp.layout(r, "Subject access request")
	l.Errors = v.Form.Errors
	return rp.page(w, r, l, requestPageRights(l, v))
}

func (rp *rightsPages) handleRequest(w http.ResponseWriter, r *http.Request) error {
	return rp.renderRequest(w, r, form{Values: url.Values{}})
}

func (rp *rightsPages) handleRequestSubjectPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	subject, _ := strconv.ParseInt(f.Get("subject"), 10, 64)
	err = rp.rights.LinkRequestSubject(r.Context(), principalOf(r), id, subject)
	if err == nil {
		return rp.flash(w, r, subjectAccessPath(pid, id), "The request is linked to the person")
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return rp.renderRequest(w, r, f.WithErr(err))
}

// bundleView is the bundle as a page: the redaction step (Draft) or the printable bundle.
type bundleView struct {
	PartnershipID prevent.ID
	Bundle        rights.Bundle
	Form          form
}

func (rp *rightsPages) bundle(r *http.Request, draft bool) (prevent.ID, rights.Bundle, error) {
	pid, id, err := pathIDs(r)
	if err != nil {
		return 0, rights.Bundle{}, err
	}
	b, err := rp.rights.SubjectAccessBundle(r.Context(), principalOf(r), id, draft)
	if err != nil {
		return 0, b, err
	}
	if b.PartnershipID != pid {
		return 0, rights.Bundle{}, access.NotFound("Request")
	}
	return pid, b, nil
}

func (rp *rightsPages) renderRedactions(w http.ResponseWriter, r *http.Request, f form) error {
	pid, b, err := rp.bundle(r, true)
	if err != nil {
		return err
	}
	l := rp.layout(r, "Withhold items from the bundle")
	l.Errors = f.Errors
	l.Marking = casework.DefaultMarking
	l.Back = subjectAccessPath(pid, b.RequestID)
	return rp.page(w, r, l, redactionsPage(l, bundleView{PartnershipID: pid, Bundle: b, Form: f}))
}

func (rp *rightsPages) handleRedactions(w http.ResponseWriter, r *http.Request) error {
	return rp.renderRedactions(w, r, form{Values: url.Values{}})
}

func (rp *rightsPages) handleRedactionsPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = rp.rights.Redact(r.Context(), principalOf(r), id, f.List("item"), rights.Exemption(f.Get("exemption")), f.Get("note"))
	if err == nil {
		return rp.flash(w, r, subjectAccessPath(pid, id, "redactions"), fmt.Sprintf("%d items marked to withhold", len(f.List("item"))))
	}
	if k := prevent.ErrorKind(err); k != prevent.Invalid && k != prevent.Conflict {
		return err
	}
	return rp.renderRedactions(w, r, f.WithErr(err))
}

func (rp *rightsPages) handleReleasePost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	if err := rp.rights.Unredact(r.Context(), principalOf(r), id, f.Get("item")); err != nil {
		if k := prevent.ErrorKind(err); k != prevent.Conflict {
			return err
		}
		return rp.renderRedactions(w, r, f.WithErr(err))
	}
	return rp.flash(w, r, subjectAccessPath(pid, id, "redactions"), "The item will be shown in the bundle")
}

func (rp *rightsPages) handleBundle(w http.ResponseWriter, r *http.Request) error {
	pid, b, err := rp.bundle(r, false)
	if err != nil {
		return err
	}
	l := rp.layout(r, "Subject access bundle")
	l.Marking = casework.DefaultMarking
	l.Back = subjectAccessPath(pid, b.RequestID)
	return rp.page(w, r, l, bundlePage(l, bundleView{PartnershipID: pid, Bundle: b}))
}

func (rp *rightsPages) handleBundleJSON(w http.ResponseWriter, r *http.Request) error {
	_, b, err := rp.bundle(r, false)
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

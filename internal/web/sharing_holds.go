package web

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

// Legal holds (internal/rights holds.go): a case under a hold in force is not erased by the retention job.

type holdsView struct {
	PID       prevent.ID
	Holds     []rights.Hold
	CanManage bool
	// Cases are the references of the cases held, by record number (casework.CaseReferences).
	Cases map[prevent.ID]string
	// Form carries a refused release (its hold id in "hold") with its errors.
	Form form
}

func (sp *sharingPages) renderHolds(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	v := holdsView{PID: pid, CanManage: sp.may(r, pid, access.LegalHoldManage), Form: f}
	var err error
	if v.Holds, err = sp.rights.Holds(r.Context(), shareWho(r), pid); err != nil {
		return err
	}
	var ids []prevent.ID
	for _, h := range v.Holds {
		if h.RecordKind == rights.HoldCase {
			ids = append(ids, h.RecordID)
		}
	}
	if len(ids) > 0 {
		cw := sp.deps.Casework
		if v.Cases, err = cw.CaseReferences(r.Context(), shareWho(r), pid, ids); err != nil && prevent.ErrorKind(err) != prevent.NotFound {
			return err
		}
	}
	l := sp.layout(r, "Legal holds")
	l.Back, l.Errors = sharePath(pid), f.Errors
	return sp.page(w, r, l, holdsPage(l, v))
}

// caseName names a held case by its reference ("Case PRV-2026-000123"), or by its record number when its
// reference is not known (a case erased since, or one of another kind).
func (v holdsView) caseName(id prevent.ID) string {
	if ref := v.Cases[id]; ref != "" {
		return "Case " + ref
	}
	return "Case record " + itoa64(id)
}

func (sp *sharingPages) handleHolds(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.renderHolds(w, r, pid, form{Values: url.Values{}})
}

func (sp *sharingPages) holdForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f form) error {
	return sp.shareForm(w, r, "Place a legal hold", sharePath(pid, "holds"), f, func(l layout) templ.Component { return holdFormPage(l, pid, f) })
}

func (sp *sharingPages) handleHoldNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.holdForm(w, r, pid, form{Values: url.Values{"record": {r.URL.Query().Get("case")}}})
}

func (sp *sharingPages) handleHoldNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	record := formID(f.Get("record"))
	_, err = sp.rights.PlaceHold(r.Context(), shareWho(r), pid, rights.HoldInput{RecordKind: rights.HoldCase, RecordID: record, Reason: f.Get("reason")})
	if isInvalid(err) {
		if f.Get("record") != "" && record == 0 {
			fe := prevent.FieldErrors(err)
			for i := range fe {
				if fe[i].Field == "record" {
					fe[i].Message = "Enter the case number, for example 1042"
				}
			}
			err = prevent.Validation(fe)
		}
		return sp.holdForm(w, r, pid, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "holds"), "Legal hold placed on case "+itoa64(record))
}

func (sp *sharingPages) handleHoldRelease(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = sp.rights.ReleaseHold(r.Context(), shareWho(r), pid, id, f.Get("reason"))
	if isInvalid(err) || isRefusal(err) {
		f.Values.Set("hold", itoa64(id))
		f = f.WithErr(err)
		for i := range f.Errors {
			f.Errors[i].Field = "reason-" + itoa64(id)
		}
		return sp.renderHolds(w, r, pid, f)
	}
	if err != nil {
		return err
	}
	return sp.flash(w, r, sharePath(pid, "holds"), "Legal hold released")
}

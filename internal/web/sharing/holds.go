package sharing

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Legal holds (internal/rights holds.go): a case under a hold in force is not erased by the retention job.

type holdsView struct {
	PID       prevent.ID
	Holds     []rights.Hold
	CanManage bool
	// Cases are the references of the cases held, by record number (casework.CaseReferences).
	Cases map[prevent.ID]string
	// Form carries a refused release (its hold id in "hold") with its errors.
	Form core.Form
}

func (sp *pages) renderHolds(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	v := holdsView{PID: pid, CanManage: sp.May(r, pid, access.LegalHoldManage), Form: f}
	var err error
	if v.Holds, err = sp.d.Rights.Holds(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	var ids []prevent.ID
	for _, h := range v.Holds {
		if h.RecordKind == rights.HoldCase {
			ids = append(ids, h.RecordID)
		}
	}
	if len(ids) > 0 {
		cw := sp.d.Casework
		if v.Cases, err = cw.CaseReferences(r.Context(), principalOf(r), pid, ids); err != nil && prevent.ErrorKind(err) != prevent.NotFound {
			return err
		}
	}
	l := sp.Layout(r, "Legal holds")
	l.Back, l.Errors = HomePath.Link(pid), f.Errors
	return sp.Page(w, r, l, holdsPage(l, v))
}

// caseName names a held case by its reference ("Case PRV-2026-000123"), or by its record number when its
// reference is not known (a case erased since, or one of another kind).
func (v holdsView) caseName(id prevent.ID) string {
	if ref := v.Cases[id]; ref != "" {
		return "Case " + ref
	}
	return "Case record " + core.IDText(id)
}

func (sp *pages) handleHolds(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.renderHolds(w, r, pid, core.Form{Values: url.Values{}})
}

func (sp *pages) holdForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	return sp.formPage(w, r, "Place a legal hold", HoldsPath.Link(pid), f, func(l core.Layout) templ.Component { return holdFormPage(l, pid, f) })
}

func (sp *pages) handleHoldNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.holdForm(w, r, pid, core.Form{Values: url.Values{"record": {r.URL.Query().Get("case")}}})
}

func (sp *pages) handleHoldNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	record := core.FormID(f.Get("record"))
	_, err = sp.d.Rights.PlaceHold(r.Context(), principalOf(r), pid, rights.HoldInput{RecordKind: rights.HoldCase, RecordID: record, Reason: f.Get("reason")})
	if core.Invalid(err) {
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
	return sp.Flash(w, r, HoldsPath.Link(pid), "Legal hold placed on case "+core.IDText(record))
}

func (sp *pages) handleHoldRelease(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = sp.d.Rights.ReleaseHold(r.Context(), principalOf(r), pid, id, f.Get("reason"))
	if core.Invalid(err) || core.Refused(err) {
		f.Values.Set("hold", core.IDText(id))
		f = f.WithErr(err)
		for i := range f.Errors {
			f.Errors[i].Field = "reason-" + core.IDText(id)
		}
		return sp.renderHolds(w, r, pid, f)
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, HoldsPath.Link(pid), "Legal hold released")
}

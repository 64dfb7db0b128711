package casework

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// officerForm is the page that chooses a case's officer.
type officerForm struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Officers      []casework.Officer
	Form          core.Form
}

func (cp *casePages) renderOfficer(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := officerForm{PartnershipID: pid, Form: f}
	if v.Referral, err = cp.caseOf(ctx, p, pid, id); err != nil {
		return err
	}
	if v.Officers, err = cp.svc.Officers(ctx, p, pid); err != nil {
		return err
	}
	if len(f.Values) == 0 && v.Referral.CaseOfficerID != 0 {
		v.Form.Values = url.Values{"officer": {core.IDText(v.Referral.CaseOfficerID)}}
	}
	// The page frame starts the title "Error: " when there are errors.
	l := cp.Layout(r, caseTitle("Choose the case officer", v.Referral.Reference))
	l.Errors = f.Errors
	l.Back = CasePath.Link(pid, id)
	return cp.Page(w, r, l, officerPage(l, v))
}

func (cp *casePages) handleOfficer(w http.ResponseWriter, r *http.Request) error {
	return cp.renderOfficer(w, r, core.Form{Values: url.Values{}})
}

func (cp *casePages) handleOfficerPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	officer := f.ID("officer")
	err = cp.svc.AssignOfficer(r.Context(), principalOf(r), id, officer)
	if prevent.ErrorKind(err) == prevent.Invalid {
		return cp.renderOfficer(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return cp.Flash(w, r, CasePath.Link(pid, id), "Case officer chosen")
}

func officerItems(v officerForm) []govuk.ChoiceItem {
	var out []govuk.ChoiceItem
	for _, o := range v.Officers {
		out = append(out, govuk.ChoiceItem{Value: core.IDText(o.ID), Text: o.Name, Hint: &govuk.HintParams{Text: o.Organisation}})
	}
	return out
}

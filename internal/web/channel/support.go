package channel

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

// supportForm is the data of the consent and support pages of a case: the support plan, a consent record,
// the children's services consultation, the choice after refusal, an intervention, a session and a review.
type supportForm struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Plan          casework.SupportPlan
	Types         []casework.Item
	Services      []casework.Item
	Providers     []casework.Provider
	People        []partnership.Person
	Session       casework.Session
	Intervention  casework.Intervention
	Review        casework.PostExitReview
	Form          core.Form
	// Share is the "Share information" fieldset, on the pages that disclose the case (an intervention).
	Share *Fieldset
}

// supportPage renders one of the support pages of a case, after loading the case.
func (pg *pages) supportPage(w http.ResponseWriter, r *http.Request, f core.Form, title string, back core.Path2,
	load func(v *supportForm) error, page func(core.Layout, supportForm) templ.Component) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	v := supportForm{PartnershipID: pid, Form: f}
	if v.Referral, err = pg.d.Case(r.Context(), principalOf(r), pid, id); err != nil {
		return err
	}
	if load != nil {
		if err := load(&v); err != nil {
			return err
		}
	}
	l := pg.Layout(r, core.CaseTitle(title, v.Referral.Reference))
	l.Errors = f.Errors
	l.Marking = v.Referral.Marking
	l.Back = back.Link(pid, id)
	return pg.Page(w, r, l, page(l, v))
}

// supportPost reads the form, runs the change and settles it.
func (pg *pages) supportPost(w http.ResponseWriter, r *http.Request, msg, field string, render func(core.Form) error,
	do func(f core.Form, pid, id prevent.ID) (string, error)) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	extra, err := do(f, pid, id)
	switch {
	case msg == "":
		msg = extra
	case extra != "":
		msg += ": " + extra
	}
	return pg.settle(w, r, err, casepaths.Plan.Link(pid, id), msg, f, field, render)
}

func (pg *pages) renderPlan(w http.ResponseWriter, r *http.Request, f core.Form) error {
	return pg.supportPage(w, r, f, "Support plan", casepaths.Plan, nil, supportPlanPage)
}

func (pg *pages) handlePlanEdit(w http.ResponseWriter, r *http.Request) error {
	_, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f := core.Form{Values: url.Values{}}
	if sp, ok, err := pg.svc.SupportPlan(r.Context(), principalOf(r), id); err != nil {
		return err
	} else if ok {
		f.Values.Set("consent-how", sp.ConsentHow)
		f.Values.Set("consent-by", sp.ConsentBy)
		f.Values.Set("objectives", sp.Objectives)
		f.Values.Set("review-cadence", sp.ReviewCadence)
		if !sp.ConsentWhen.IsZero() {
			core.SetDateInput(f.Values, "consent-when", sp.ConsentWhen)
		}
	}
	return pg.renderPlan(w, r, f)
}

func (pg *pages) handlePlanPost(w http.ResponseWriter, r *http.Request) error {
	return pg.supportPost(w, r, "Support plan saved", "", func(f core.Form) error { return pg.renderPlan(w, r, core.DateErrorsToDay(f, "consent-when")) },
		func(f core.Form, pid, id prevent.ID) (string, error) {
			in := casework.SupportPlanInput{ConsentHow: f.Get("consent-how"), ConsentBy: f.Get("consent-by"), Objectives: f.Get("objectives"),
				ReviewCadence: f.Get("review-cadence")}
			when, fe := core.ReadDate(f, "consent-when", "Date consent will be requested", false)
			if fe.Message != "" {
				return "", prevent.Validation([]prevent.FieldError{fe})
			}
			in.ConsentWhen = when
			_, err := pg.svc.SaveSupportPlan(r.Context(), principalOf(r), id, in)
			return "", err
		})
}

func (pg *pages) handleRequestConsent(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if _, err := core.ReadForm(w, r); err != nil {
		return err
	}
	_, err = pg.svc.RequestConsent(r.Context(), principalOf(r), id)
	if k := prevent.ErrorKind(err); k == prevent.Invalid || k == prevent.Conflict {
		return pg.flashError(w, r, casepaths.Plan.Link(pid, id), err)
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, casepaths.Plan.Link(pid, id), "You asked for consent to support. Record the answer when it is given")
}

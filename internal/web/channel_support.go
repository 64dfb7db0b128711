package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
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
	Form          form
	// Share is the "Share information" fieldset, on the pages that disclose the case (an intervention).
	Share *disclosureView
}

// supportPage renders one of the support pages of a case, after loading the case.
func (cp *casePages) supportPage(w http.ResponseWriter, r *http.Request, f form, title, back string,
	load func(v *supportForm) error, page func(layout, supportForm) templ.Component) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	v := supportForm{PartnershipID: pid, Form: f}
	if v.Referral, err = cp.caseOf(r.Context(), principalOf(r), pid, id); err != nil {
		return err
	}
	if load != nil {
		if err := load(&v); err != nil {
			return err
		}
	}
	l := cp.layout(r, caseTitle(title, v.Referral.Reference))
	l.Errors = f.Errors
	l.Marking = v.Referral.Marking
	l.Back = casePath(pid, id, back)
	return cp.page(w, r, l, page(l, v))
}

// supportPost reads the form, runs the change and settles it.
func (cp *casePages) supportPost(w http.ResponseWriter, r *http.Request, msg, field string, render func(form) error,
	do func(f form, pid, id prevent.ID) (string, error)) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
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
	return cp.settle(w, r, err, casePath(pid, id, "plan"), msg, f, field, render)
}

func (cp *casePages) renderPlan(w http.ResponseWriter, r *http.Request, f form) error {
	return cp.supportPage(w, r, f, "Support plan", "plan", nil, supportPlanPage)
}

func (cp *casePages) handlePlanEdit(w http.ResponseWriter, r *http.Request) error {
	_, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f := form{Values: url.Values{}}
	if sp, ok, err := cp.svc.SupportPlan(r.Context(), principalOf(r), id); err != nil {
		return err
	} else if ok {
		f.Values.Set("consent-how", sp.ConsentHow)
		f.Values.Set("consent-by", sp.ConsentBy)
		f.Values.Set("objectives", sp.Objectives)
		f.Values.Set("review-cadence", sp.ReviewCadence)
		if !sp.ConsentWhen.IsZero() {
			setDateInput(f.Values, "consent-when", sp.ConsentWhen)
		}
	}
	return cp.renderPlan(w, r, f)
}

func (cp *casePages) handlePlanPost(w http.ResponseWriter, r *http.Request) error {
	return cp.supportPost(w, r, "Support plan saved", "", func(f form) error { return cp.renderPlan(w, r, dateErrorsToDay(f, "consent-when")) },
		func(f form, pid, id prevent.ID) (string, error) {
			in := casework.SupportPlanInput{ConsentHow: f.Get("consent-how"), ConsentBy: f.Get("consent-by"), Objectives: f.Get("objectives"),
				ReviewCadence: f.Get("review-cadence")}
			when, fe := readDate(f, "consent-when", "Date consent will be requested", false)
			if fe.Message != "" {
				return "", prevent.Validation([]prevent.FieldError{fe})
			}
			in.ConsentWhen = when
			_, err := cp.svc.SaveSupportPlan(r.Context(), principalOf(r), id, in)
			return "", err
		})
}

func (cp *casePages) handleRequestConsent(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	if _, err := readForm(w, r); err != nil {
		return err
	}
	_, err = cp.svc.RequestConsent(r.Context(), principalOf(r), id)
	if k := prevent.ErrorKind(err); k == prevent.Invalid || k == prevent.Conflict {
		return cp.flashError(w, r, casePath(pid, id, "plan"), err)
	}
	if err != nil {
		return err
	}
	return cp.flash(w, r, casePath(pid, id, "plan"), "You asked for consent to support. Record the answer when it is given")
}

func (cp *casePages) renderConsent(w http.ResponseWriter, r *http.Request, f form) error {
	return cp.supportPage(w, r, f, "Record consent", "plan", nil, consentPage)
}

func (cp *casePages) handleConsentNew(w http.ResponseWriter, r *http.Request) error {
	return cp.renderConsent(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleConsentPost(w http.ResponseWriter, r *http.Request) error {
	return cp.supportPost(w, r, "Consent recorded", "decision", func(f form) error { return cp.renderConsent(w, r, dateErrorsToDay(f, "decided-at")) },
		func(f form, pid, id prevent.ID) (string, error) {
			in := casework.ConsentInput{Scope: casework.ConsentScope(f.Get("scope")), GiverName: f.Get("giver-name"),
				GiverRole: casework.GiverRole(f.Get("giver-role")), CapacityNotes: f.Get("capacity"), Method: f.Get("method"),
				Evidence: f.Get("evidence"), Decision: casework.ConsentDecision(f.Get("decision")), Reason: f.Get("reason")}
			// Left blank, the decision is dated today by the service.
			d, fe := readDate(f, "decided-at", "Date of the decision", false)
			if fe.Message != "" {
				return "", prevent.Validation([]prevent.FieldError{fe})
			}
			in.DecidedAt = d
			next, err := cp.svc.RecordConsent(r.Context(), principalOf(r), id, in)
			return next.String(), err
		})
}

func (cp *casePages) renderConsultation(w http.ResponseWriter, r *http.Request, f form) error {
	return cp.supportPage(w, r, f, "Children’s services consultation", "plan", nil, consultationPage)
}

func (cp *casePages) handleConsultationNew(w http.ResponseWriter, r *http.Request) error {
	return cp.renderConsultation(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleConsultationPost(w http.ResponseWriter, r *http.Request) error {
	return cp.supportPost(w, r, "Children’s services consultation recorded", "", func(f form) error {
		return cp.renderConsultation(w, r, dateErrorsToDay(f, "consulted-at"))
	},
		func(f form, pid, id prevent.ID) (string, error) {
			// A date left blank is the zero time, which the service refuses with its own message.
			at, fe := readDate(f, "consulted-at", "Date of the consultation", false)
			if fe.Message != "" {
				return "", prevent.Validation([]prevent.FieldError{fe})
			}
			return "", cp.svc.RecordChildrensServicesConsultation(r.Context(), principalOf(r), id, at, f.Get("consulted-with"), f.Get("notes"))
		})
}

func (cp *casePages) renderAfterRefusal(w http.ResponseWriter, r *http.Request, f form) error {
	now := cp.deps.Now()
	return cp.supportPage(w, r, f, "After consent was refused", "plan", func(v *supportForm) error {
		var err error
		v.Services, err = cp.svc.Reference(r.Context(), casework.SignpostServices, now)
		return err
	}, afterRefusalPage)
}

func (cp *casePages) handleAfterRefusal(w http.ResponseWriter, r *http.Request) error {
	return cp.renderAfterRefusal(w, r, form{Values: url.Values{}})
}

// afterRefusalBanners say, after consent was refused or withdrawn, what happens to the case next.
var afterRefusalBanners = map[casework.Event]string{
	casework.EvReassess:  "The case is back for reassessment",
	casework.EvPoliceLed: "The case is now managed by the police",
	casework.EvSignpost:  "The person was signposted to another service",
}

func (cp *casePages) handleAfterRefusalPost(w http.ResponseWriter, r *http.Request) error {
	return cp.supportPost(w, r, "", "next", func(f form) error { return cp.renderAfterRefusal(w, r, f) },
		func(f form, pid, id prevent.ID) (string, error) {
			e := casework.Event(f.Get("next"))
			service := ""
			if e == casework.EvSignpost {
				service = f.Get("service")
			}
			if _, err := cp.svc.AfterRefusal(r.Context(), principalOf(r), id, e, service, f.Get("rationale")); err != nil {
				return "", err
			}
			return afterRefusalBanners[e], nil
		})
}

func (cp *casePages) renderIntervention(w http.ResponseWriter, r *http.Request, f form) error {
	return cp.supportPage(w, r, f, "Add an intervention", "plan", func(v *supportForm) error {
		ctx, p := r.Context(), principalOf(r)
		var err error
		if v.Types, err = cp.svc.Reference(ctx, casework.InterventionTypes, cp.deps.Now()); err != nil {
			return err
		}
		if v.Providers, err = cp.svc.Providers(ctx, p, v.PartnershipID); err != nil {
			return err
		}
		if cp.may(r, v.PartnershipID, access.PersonView) {
			if v.People, err = cp.deps.Partnership.People(ctx, p, v.PartnershipID, partnership.PeopleFilter{Limit: 200}); err != nil {
				return err
			}
		}
		intro := "The provider is told about the person to deliver the intervention. When the provider is another organisation than yours, record what you share with it."
		if v.Referral.State != casework.SupportActive {
			intro = "Consent to support has not been given yet, so the intervention is drafted: nothing is shared with the provider, " +
				"and its worker is not assigned, until consent is given. When the provider is another organisation than yours, record now " +
				"what will be shared with it then."
		}
		if v.Share, err = cp.loadDisclosure(r, v.PartnershipID, shareSpec{ReferralID: v.Referral.ID, Purpose: sharing.SupportDelivery,
			Intro: intro}, v.Form); err != nil {
			return err
		}
		v.Form = v.Share.Form
		return nil
	}, interventionPage)
}

func (cp *casePages) handleInterventionNew(w http.ResponseWriter, r *http.Request) error {
	return cp.renderIntervention(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleInterventionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	ref, err := cp.caseOf(r.Context(), principalOf(r), pid, id)
	if err != nil {
		return err
	}
	share, err := readDisclosure(f)
	if err == nil {
		_, err = cp.svc.AddIntervention(r.Context(), principalOf(r), id, casework.InterventionInput{Type: f.Get("type"),
			ProviderID: idOf(f, "provider"), WorkerID: idOf(f, "worker"), Description: f.Get("description"), Share: share})
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return cp.renderIntervention(w, r, withShareErr(f, err, "provider", "worker"))
	case prevent.Conflict:
		f.Errors = []prevent.FieldError{{Field: "type", Message: prevent.PublicMessage(err)}}
		return cp.renderIntervention(w, r, f)
	}
	if err != nil {
		return err
	}
	if ref.State != casework.SupportActive {
		return cp.flash(w, r, casePath(pid, id, "plan"), "Intervention drafted: it is shared with the provider when consent to support is given")
	}
	return cp.flash(w, r, casePath(pid, id, "plan"), "Intervention added")
}

func (cp *casePages) handleSessionPlanPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	iv, err := pathID(r, "iv")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	day, ok, derr := caseDate(f.Values, "planned-"+itoa64(iv))
	if derr != nil || !ok {
		return cp.flashError(w, r, casePath(pid, id, "plan"), prevent.Errorf(prevent.Invalid, "Enter the date of the planned session, for example 27 3 2027"))
	}
	if _, err := cp.svc.PlanSession(r.Context(), principalOf(r), iv, atTen(day)); err != nil {
		if k := prevent.ErrorKind(err); k == prevent.Invalid || k == prevent.Conflict {
			return cp.flashError(w, r, casePath(pid, id, "plan"), err)
		}
		return err
	}
	return cp.flash(w, r, casePath(pid, id, "plan"), "Session planned for "+dayText(day))
}

func (cp *casePages) renderSession(w http.ResponseWriter, r *http.Request, f form) error {
	sid, err := pathID(r, "session")
	if err != nil {
		return err
	}
	return cp.supportPage(w, r, f, "Record a session", "plan", func(v *supportForm) error {
		ivs, err := cp.svc.Interventions(r.Context(), principalOf(r), v.Referral.ID)
		if err != nil {
			return err
		}
		for _, iv := range ivs {
			for _, s := range iv.Sessions {
				if s.ID == sid {
					v.Intervention, v.Session = iv, s
					return nil
				}
			}
		}
		return access.NotFound("Session")
	}, sessionPage)
}

func (cp *casePages) handleSession(w http.ResponseWriter, r *http.Request) error {
	return cp.renderSession(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleSessionPost(w http.ResponseWriter, r *http.Request) error {
	sid, err := pathID(r, "session")
	if err != nil {
		return err
	}
	return cp.supportPost(w, r, "Session recorded", "attendance", func(f form) error { return cp.renderSession(w, r, f) },
		func(f form, pid, id prevent.ID) (string, error) {
			// The session must belong to this case.
			ivs, err := cp.svc.Interventions(r.Context(), principalOf(r), id)
			if err != nil {
				return "", err
			}
			for _, iv := range ivs {
				for _, s := range iv.Sessions {
					if s.ID == sid {
						return "", cp.svc.RecordSession(r.Context(), principalOf(r), sid, casework.Attendance(f.Get("attendance")), f.Get("notes"))
					}
				}
			}
			return "", access.NotFound("Session")
		})
}

func (cp *casePages) renderReview(w http.ResponseWriter, r *http.Request, f form) error {
	rid, err := pathID(r, "review")
	if err != nil {
		return err
	}
	return cp.supportPage(w, r, f, "Post-exit review", "plan", func(v *supportForm) error {
		rs, err := cp.svc.PostExitReviews(r.Context(), principalOf(r), v.Referral.ID)
		if err != nil {
			return err
		}
		for _, rv := range rs {
			if rv.ID == rid {
				v.Review = rv
				return nil
			}
		}
		return access.NotFound("Review")
	}, reviewPage)
}

func (cp *casePages) handleReview(w http.ResponseWriter, r *http.Request) error {
	return cp.renderReview(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleReviewPost(w http.ResponseWriter, r *http.Request) error {
	rid, err := pathID(r, "review")
	if err != nil {
		return err
	}
	return cp.supportPost(w, r, "Review recorded", "outcome", func(f form) error { return cp.renderReview(w, r, f) },
		func(f form, pid, id prevent.ID) (string, error) {
			rs, err := cp.svc.PostExitReviews(r.Context(), principalOf(r), id)
			if err != nil {
				return "", err
			}
			for _, rv := range rs {
				if rv.ID == rid {
					months, _ := strconv.Atoi(f.Get("extend-to"))
					next, err := cp.svc.CompletePostExitReview(r.Context(), principalOf(r), rid,
						casework.ReviewInput{Outcome: casework.ReviewOutcome(f.Get("outcome")), Notes: f.Get("notes"), ExtendToMonths: months})
					return next.String(), err
				}
			}
			return "", access.NotFound("Review")
		})
}

// providersView lists the partnership's intervention providers with the form to register one.
type providersView struct {
	PartnershipID prevent.ID
	Providers     []casework.Provider
	Organisations []govukOption
	Form          form
}

func (cp *casePages) renderProviders(w http.ResponseWriter, r *http.Request, f form) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := providersView{PartnershipID: pid, Form: f}
	if v.Providers, err = cp.svc.Providers(ctx, p, pid); err != nil {
		return err
	}
	orgs, err := cp.deps.Partnership.Organisations(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		v.Organisations = append(v.Organisations, govukOption{itoa64(o.ID), o.Name})
	}
	l := cp.layout(r, "Intervention providers")
	l.Errors = f.Errors
	return cp.page(w, r, l, providersPage(l, v))
}

func (cp *casePages) handleProviders(w http.ResponseWriter, r *http.Request) error {
	return cp.renderProviders(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleProviderPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	_, err = cp.svc.RegisterProvider(r.Context(), principalOf(r), pid, casework.ProviderInput{OrganisationID: idOf(f, "organisation"),
		HomeOfficeApproved: f.Get("approved") == "yes", ApprovalReference: f.Get("approval-reference"), Specialisms: f.Get("specialisms")})
	return cp.settle(w, r, err, partnershipPath(pid, "providers"), "Provider registered", f, "organisation", func(f form) error { return cp.renderProviders(w, r, f) })
}

// sessionDue reports whether a planned session's date has passed at now without a record.
func sessionDue(s casework.Session, now time.Time) bool {
	return s.Attendance == casework.Planned && now.After(s.PlannedAt)
}

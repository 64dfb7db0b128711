package channel

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

func (pg *pages) renderConsent(w http.ResponseWriter, r *http.Request, f core.Form) error {
	return pg.supportPage(w, r, f, "Record consent", casepaths.Plan, nil, consentPage)
}

func (pg *pages) handleConsentNew(w http.ResponseWriter, r *http.Request) error {
	return pg.renderConsent(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handleConsentPost(w http.ResponseWriter, r *http.Request) error {
	return pg.supportPost(w, r, "Consent recorded", "decision", func(f core.Form) error { return pg.renderConsent(w, r, core.DateErrorsToDay(f, "decided-at")) },
		func(f core.Form, pid, id prevent.ID) (string, error) {
			in := casework.ConsentInput{Scope: casework.ConsentScope(f.Get("scope")), GiverName: f.Get("giver-name"),
				GiverRole: casework.GiverRole(f.Get("giver-role")), CapacityNotes: f.Get("capacity"), Method: f.Get("method"),
				Evidence: f.Get("evidence"), Decision: casework.ConsentDecision(f.Get("decision")), Reason: f.Get("reason")}
			// Left blank, the decision is dated today by the service.
			d, fe := core.ReadDate(f, "decided-at", "Date of the decision", false)
			if fe.Message != "" {
				return "", prevent.Validation([]prevent.FieldError{fe})
			}
			in.DecidedAt = d
			next, err := pg.svc.RecordConsent(r.Context(), principalOf(r), id, in)
			return next.String(), err
		})
}

func (pg *pages) renderConsultation(w http.ResponseWriter, r *http.Request, f core.Form) error {
	return pg.supportPage(w, r, f, "Children’s services consultation", casepaths.Plan, nil, consultationPage)
}

func (pg *pages) handleConsultationNew(w http.ResponseWriter, r *http.Request) error {
	return pg.renderConsultation(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handleConsultationPost(w http.ResponseWriter, r *http.Request) error {
	return pg.supportPost(w, r, "Children’s services consultation recorded", "", func(f core.Form) error {
		return pg.renderConsultation(w, r, core.DateErrorsToDay(f, "consulted-at"))
	},
		func(f core.Form, pid, id prevent.ID) (string, error) {
			// A date left blank is the zero time, which the service refuses with its own message.
			at, fe := core.ReadDate(f, "consulted-at", "Date of the consultation", false)
			if fe.Message != "" {
				return "", prevent.Validation([]prevent.FieldError{fe})
			}
			return "", pg.svc.RecordChildrensServicesConsultation(r.Context(), principalOf(r), id, at, f.Get("consulted-with"), f.Get("notes"))
		})
}

func (pg *pages) renderAfterRefusal(w http.ResponseWriter, r *http.Request, f core.Form) error {
	now := pg.d.Now()
	return pg.supportPage(w, r, f, "After consent was refused", casepaths.Plan, func(v *supportForm) error {
		var err error
		v.Services, err = pg.svc.Reference(r.Context(), casework.SignpostServices, now)
		return err
	}, afterRefusalPage)
}

func (pg *pages) handleAfterRefusal(w http.ResponseWriter, r *http.Request) error {
	return pg.renderAfterRefusal(w, r, core.Form{Values: url.Values{}})
}

// afterRefusalBanners say, after consent was refused or withdrawn, what happens to the case next.
var afterRefusalBanners = map[casework.Event]string{
	casework.EvReassess:  "The case is back for reassessment",
	casework.EvPoliceLed: "The case is now managed by the police",
	casework.EvSignpost:  "The person was signposted to another service",
}

func (pg *pages) handleAfterRefusalPost(w http.ResponseWriter, r *http.Request) error {
	return pg.supportPost(w, r, "", "next", func(f core.Form) error { return pg.renderAfterRefusal(w, r, f) },
		func(f core.Form, pid, id prevent.ID) (string, error) {
			e := casework.Event(f.Get("next"))
			service := ""
			if e == casework.EvSignpost {
				service = f.Get("service")
			}
			if _, err := pg.svc.AfterRefusal(r.Context(), principalOf(r), id, e, service, f.Get("rationale")); err != nil {
				return "", err
			}
			return afterRefusalBanners[e], nil
		})
}

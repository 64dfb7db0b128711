package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The case side of the Channel pathway that the pages offer and the other API files do not: the support plan
// and the request for consent, the children's services consultation, the choice after consent was refused,
// intervention providers, post-exit reviews, the deconfliction note and possible repeat referrals of triage,
// and a partner's answer to an information request. Each makes the same domain call, under the same access
// action, as its page; the casework service decides and audits.

// SupportPlanInput is the body of PUT /partnerships/{pid}/cases/{id}/support-plan: a new version of the
// plan (earlier versions are kept). consent_how, consent_on and consent_by say how, when and by whom consent
// to support will be requested; the plan must say all three before consent is requested.
type SupportPlanInput struct {
	ConsentHow    string `json:"consent_how,omitempty"`
	ConsentOn     *Date  `json:"consent_on,omitempty"`
	ConsentBy     string `json:"consent_by,omitempty"`
	Objectives    string `json:"objectives,omitempty"`
	ReviewCadence string `json:"review_cadence,omitempty"`
}

// SupportPlanView is the current version of a case's support plan. withheld names what was not disclosed to
// the caller's organisation (its answers are then empty). consent_planned is true when the plan says how, when
// and by whom consent will be requested.
type SupportPlanView struct {
	CaseID         prevent.ID `json:"case_id"`
	Version        int        `json:"version"`
	ConsentHow     string     `json:"consent_how"`
	ConsentOn      *Date      `json:"consent_on"`
	ConsentBy      string     `json:"consent_by"`
	Objectives     string     `json:"objectives"`
	ReviewCadence  string     `json:"review_cadence"`
	ConsentPlanned bool       `json:"consent_planned"`
	CreatedBy      prevent.ID `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	Withheld       []string   `json:"withheld"`
}

// CaseStage is the stage a case is at after a change of its workflow.
type CaseStage struct {
	CaseID    prevent.ID `json:"case_id"`
	State     string     `json:"state"`
	StateName string     `json:"state_name"`
}

// ConsultationCreate is the body of POST .../childrens-services-consultations: when (today or before) and with
// whom in local authority children's services a person under 18 was discussed.
type ConsultationCreate struct {
	ConsultedOn   Date   `json:"consulted_on"`
	ConsultedWith string `json:"consulted_with"`
	Notes         string `json:"notes,omitempty"`
}

// Consultation is a recorded children's services consultation.
type Consultation struct {
	CaseID        prevent.ID `json:"case_id"`
	ConsultedOn   Date       `json:"consulted_on"`
	ConsultedWith string     `json:"consulted_with"`
}

// AfterRefusalInput is the body of POST .../after-refusal: after consent to support was refused or withdrawn,
// next is reassess (back for reassessment), police_led (police-led management, with a rationale) or signpost
// (to service, a code of the signpost_services list).
type AfterRefusalInput struct {
	Next      string `json:"next"`
	Service   string `json:"service,omitempty"`
	Rationale string `json:"rationale,omitempty"`
}

// ProviderInput is the body of POST /partnerships/{pid}/providers: an organisation of the partnership
// registered (or registered again, replacing its details) as an intervention provider. approval_reference is
// required when home_office_approved.
type ProviderInput struct {
	OrganisationID     prevent.ID `json:"organisation_id"`
	HomeOfficeApproved bool       `json:"home_office_approved,omitempty"`
	ApprovalReference  string     `json:"approval_reference,omitempty"`
	Specialisms        string     `json:"specialisms,omitempty"`
}

// Provider is an intervention provider of the partnership.
type Provider struct {
	ID                 prevent.ID `json:"id"`
	OrganisationID     prevent.ID `json:"organisation_id"`
	Organisation       string     `json:"organisation"`
	HomeOfficeApproved bool       `json:"home_office_approved"`
	ApprovalReference  string     `json:"approval_reference"`
	Specialisms        string     `json:"specialisms"`
}

// ProviderList is the partnership's intervention providers.
type ProviderList struct {
	Items []Provider `json:"items"`
}

// PostExitReview is a review of a case after it left Channel, months after its exit. outcome (no_concerns,
// reopen or extend), notes and completed_at are empty while it is open.
type PostExitReview struct {
	ID          prevent.ID  `json:"id"`
	CaseID      prevent.ID  `json:"case_id"`
	Months      int         `json:"months"`
	DueAt       time.Time   `json:"due_at"`
	Outcome     string      `json:"outcome"`
	Notes       string      `json:"notes"`
	CompletedBy *prevent.ID `json:"completed_by"`
	CompletedAt *time.Time  `json:"completed_at"`
}

// PostExitReviewList is a case's post-exit reviews, oldest first.
type PostExitReviewList struct {
	Items []PostExitReview `json:"items"`
}

// ReviewCompletion is the body of POST .../reviews/{review}: the outcome of a post-exit review (no_concerns
// moves the case to its next review or closes it; extend sets a later review point, extend_to_months, from 13
// to 24 months after exit; reopen returns the case to its panel) and what the review found.
type ReviewCompletion struct {
	Outcome        string `json:"outcome"`
	Notes          string `json:"notes"`
	ExtendToMonths int    `json:"extend_to_months,omitempty"`
}

// ReviewCompleted is a completed post-exit review and the stage the case is at after it.
type ReviewCompleted struct {
	ReviewID  prevent.ID `json:"review_id"`
	CaseID    prevent.ID `json:"case_id"`
	State     string     `json:"state"`
	StateName string     `json:"state_name"`
}

// DeconflictionNoteCreated is a recorded deconfliction result: its note is restricted to police officers
// cleared for its marking.
type DeconflictionNoteCreated struct {
	ID      prevent.ID `json:"id"`
	CaseID  prevent.ID `json:"case_id"`
	Result  string     `json:"result"`
	Marking string     `json:"marking"`
}

// Match is a possible earlier referral of the same person, found when the referral was submitted and not yet
// decided, with that person's earlier referrals.
type Match struct {
	SubjectID   prevent.ID         `json:"subject_id"`
	Name        string             `json:"name"`
	DateOfBirth string             `json:"date_of_birth"`
	Postcode    string             `json:"postcode"`
	Basis       string             `json:"basis"`
	Previous    []PreviousReferral `json:"previous_referrals"`
}

// MatchList is a case's undecided possible repeat referrals.
type MatchList struct {
	Items []Match `json:"items"`
}

// InformationAnswer is the body of POST .../information-requests/{rid}/answer: the partner's answer and what
// it discloses to the organisation that asked (as for a share; ignored when that is the caller's own).
type InformationAnswer struct {
	Answer     string          `json:"answer"`
	Disclosure DisclosureInput `json:"disclosure"`
}

// InformationRequest is a request for information about a case and its answer (empty until answered).
type InformationRequest struct {
	ID             prevent.ID `json:"id"`
	CaseID         prevent.ID `json:"case_id"`
	Reference      string     `json:"reference"`
	OrganisationID prevent.ID `json:"organisation_id"`
	Asked          string     `json:"asked"`
	Why            string     `json:"why"`
	DueAt          time.Time  `json:"due_at"`
	Answer         string     `json:"answer"`
	AnsweredAt     *time.Time `json:"answered_at"`
}

var (
	planFields                  = map[string]string{"consent-how": "consent_how", "consent-when": "consent_on", "consent-by": "consent_by", "review-cadence": "review_cadence"}
	childrensConsultationFields = map[string]string{"consulted-at": "consulted_on", "consulted-with": "consulted_with"}
	providerFields              = map[string]string{"organisation": "organisation_id", "approval-reference": "approval_reference"}
	reviewFields                = map[string]string{"months": "extend_to_months"}
	// answerFields names a refused answer's members: its disclosure's, and the answer. The parties of the
	// disclosure are fixed by the request, so a refusal about them is about the disclosure.
	answerFields = withDisclosureFields(map[string]string{"to": "disclosure", "recipients": "disclosure"})
)

type channelAPI struct{ *caseAPI }

// registerChannelWrites adds the routes.
func (s *Server) registerChannelWrites() {
	a := channelAPI{&caseAPI{s: s, cw: s.deps.Casework}}
	const C = "/partnerships/{pid}/cases/{id}"
	s.handle(http.MethodGet, C+"/support-plan", access.CaseView, operation{id: "getSupportPlan",
		summary: "The current version of a case's support plan (audited); 404 until one is written", response: SupportPlanView{}}, a.getSupportPlan)
	s.handle(http.MethodPut, C+"/support-plan", access.CaseSupport, operation{id: "saveSupportPlan",
		summary: "Write a new version of the case's support plan (earlier versions are kept): how, when and by whom consent to support " +
			"will be requested, the objectives and how often support is reviewed; refused (409) at a stage where the plan cannot change",
		request: SupportPlanInput{}, response: SupportPlanView{}}, a.saveSupportPlan)
	s.handle(http.MethodPost, C+"/consent-requests", access.CaseSupport, operation{id: "requestConsent",
		summary: "Record that consent to support was asked for: an adopted case moves to consent requested; refused (409) unless the " +
			"support plan says how, when and by whom, or at another stage",
		response: CaseStage{}, status: http.StatusCreated}, a.requestConsent)
	s.handle(http.MethodPost, C+"/childrens-services-consultations", access.CaseSupport, operation{id: "recordChildrensServicesConsultation",
		summary: "Record the consultation with local authority children's services about a person under 18, which support needs " +
			"before it starts; the date must be today or before (422)",
		request: ConsultationCreate{}, response: Consultation{}, status: http.StatusCreated}, a.recordConsultation)
	s.handle(http.MethodPost, C+"/after-refusal", access.CaseSupport, operation{id: "afterRefusal",
		summary: "Choose what happens to a case whose consent to support was refused or withdrawn: reassessment, police-led management " +
			"(with a rationale) or signposting to a service; refused (409) for a case at any other stage",
		request: AfterRefusalInput{}, response: CaseStage{}}, a.afterRefusal)
	s.handle(http.MethodGet, "/partnerships/{pid}/providers", access.CaseSupport, operation{id: "listProviders",
		summary: "The partnership's intervention providers", response: ProviderList{}}, listOf[ProviderList](a.cw.Providers, providerOut))
	s.handle(http.MethodPost, "/partnerships/{pid}/providers", access.CaseSupport, operation{id: "registerProvider",
		summary: "Register an organisation of the partnership as an intervention provider (registering it again replaces its details); " +
			"a Home Office approved provider needs its approval reference (422)",
		request: ProviderInput{}, response: Provider{}, status: http.StatusCreated}, a.registerProvider)
	s.handle(http.MethodGet, C+"/reviews", access.CaseView, operation{id: "listPostExitReviews",
		summary: "A case's post-exit reviews, oldest first (audited); the daily job creates each when it falls due", response: PostExitReviewList{}},
		a.listReviews)
	s.handle(http.MethodPost, C+"/reviews/{review}", access.CaseSupport, operation{id: "completePostExitReview",
		summary: "Complete a post-exit review: no concerns moves the case to its 12-month review or closes it, extend sets a later " +
			"review point (13 to 24 months after exit, from the 12-month review only), reopen returns the case to its panel; " +
			"a review already completed, or an outcome the case's stage does not allow, is refused (409)",
		request: ReviewCompletion{}, response: ReviewCompleted{}}, a.completeReview)
	s.handle(http.MethodPost, C+"/deconfliction-notes", access.CaseTriage, operation{id: "recordDeconfliction",
		summary: "Police triage: record the result of deconfliction on a restricted note, marked SECRET or OFFICIAL-SENSITIVE within " +
			"the officer's vetting (422 otherwise); refused (409) once the referral was triaged",
		request: DeconflictionInput{}, response: DeconflictionNoteCreated{}, status: http.StatusCreated}, a.recordDeconfliction)
	s.handle(http.MethodGet, C+"/matches", access.CaseTriage, operation{id: "listMatches",
		summary:  "Police triage: the possible earlier referrals of the same person not yet decided, with their triage outcomes (audited)",
		response: MatchList{}}, a.listMatches)
	s.handle(http.MethodPost, C+"/matches/{subject}/link", access.CaseTriage, operation{id: "linkMatch",
		summary:  "Police triage: link the case to a possible earlier referral of the same person; returns the matches left to decide",
		response: MatchList{}}, a.decideMatch(true))
	s.handle(http.MethodPost, C+"/matches/{subject}/decline", access.CaseTriage, operation{id: "declineMatch",
		summary:  "Police triage: record that a possible earlier referral is not the same person; returns the matches left to decide",
		response: MatchList{}}, a.decideMatch(false))
	s.handle(http.MethodPost, C+"/information-requests/{rid}/answer", access.InformationAnswer, operation{id: "answerInformationRequest",
		summary: "Answer a request for information made to the caller's organisation; the answer is a disclosure to the organisation " +
			"that asked, so it must fall under an agreement in force (422 naming each missing element); refused (409) once answered",
		request: InformationAnswer{}, response: InformationRequest{}}, a.answerRequest)
}

func supportPlanOut(id prevent.ID, sp casework.SupportPlan) SupportPlanView {
	out := SupportPlanView{CaseID: id, Version: sp.Version, ConsentHow: sp.ConsentHow, ConsentBy: sp.ConsentBy, Objectives: sp.Objectives,
		ReviewCadence: sp.ReviewCadence, ConsentPlanned: sp.ConsentPlanned(), CreatedBy: sp.CreatedBy, CreatedAt: sp.CreatedAt.UTC(),
		Withheld: append([]string{}, sp.Withheld...)}
	if !sp.ConsentWhen.IsZero() {
		d := Date(sp.ConsentWhen)
		out.ConsentOn = &d
	}
	return out
}

// plan reads the current support plan of the case in the path.
func (a channelAPI) plan(r *http.Request, id prevent.ID) (SupportPlanView, error) {
	sp, ok, err := a.cw.SupportPlan(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return SupportPlanView{}, err
	}
	if !ok {
		return SupportPlanView{}, access.NotFound("Support plan")
	}
	return supportPlanOut(id, sp), nil
}

func (a channelAPI) getSupportPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	v, err := a.plan(r, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func (a channelAPI) saveSupportPlan(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SupportPlanInput](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	sp := casework.SupportPlanInput{ConsentHow: in.ConsentHow, ConsentBy: in.ConsentBy, Objectives: in.Objectives, ReviewCadence: in.ReviewCadence}
	if in.ConsentOn != nil {
		sp.ConsentWhen = time.Time(*in.ConsentOn).UTC()
	}
	if _, err := a.cw.SaveSupportPlan(r.Context(), prevent.PrincipalFrom(r.Context()), id, sp); err != nil {
		return rename(err, planFields)
	}
	v, err := a.plan(r, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func stageOut(id prevent.ID, st casework.State) CaseStage {
	return CaseStage{CaseID: id, State: string(st), StateName: st.String()}
}

func (a channelAPI) requestConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	next, err := a.cw.RequestConsent(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, stageOut(id, next))
}

func (a channelAPI) recordConsultation(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ConsultationCreate](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	// A date left out is the zero time, which the service refuses with its own message.
	at := time.Time(in.ConsultedOn).UTC()
	if err := a.cw.RecordChildrensServicesConsultation(r.Context(), prevent.PrincipalFrom(r.Context()), id, at, in.ConsultedWith, in.Notes); err != nil {
		return rename(err, childrensConsultationFields)
	}
	return encode(w, http.StatusCreated, Consultation{CaseID: id, ConsultedOn: in.ConsultedOn, ConsultedWith: strings.TrimSpace(in.ConsultedWith)})
}

func (a channelAPI) afterRefusal(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[AfterRefusalInput](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	e := casework.Event(in.Next)
	service := ""
	if e == casework.EvSignpost {
		service = in.Service
	}
	next, err := a.cw.AfterRefusal(r.Context(), prevent.PrincipalFrom(r.Context()), id, e, service, in.Rationale)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, stageOut(id, next))
}

func providerOut(p casework.Provider) Provider {
	return Provider{ID: p.ID, OrganisationID: p.OrganisationID, Organisation: p.Organisation, HomeOfficeApproved: p.HomeOfficeApproved,
		ApprovalReference: p.ApprovalReference, Specialisms: p.Specialisms}
}

func (a channelAPI) registerProvider(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ProviderInput](r)
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	id, err := a.cw.RegisterProvider(ctx, p, pid, casework.ProviderInput{OrganisationID: in.OrganisationID, HomeOfficeApproved: in.HomeOfficeApproved,
		ApprovalReference: in.ApprovalReference, Specialisms: in.Specialisms})
	if err != nil {
		return rename(err, providerFields)
	}
	ps, err := a.cw.Providers(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, pr := range ps {
		if pr.ID == id {
			return encode(w, http.StatusCreated, providerOut(pr))
		}
	}
	return access.NotFound("Provider")
}

func reviewOut(v casework.PostExitReview) PostExitReview {
	out := PostExitReview{ID: v.ID, CaseID: v.ReferralID, Months: v.Months, DueAt: v.Due.UTC(), Outcome: string(v.Outcome), Notes: v.Notes,
		CompletedAt: optTime(v.CompletedAt)}
	if v.CompletedBy != 0 {
		by := v.CompletedBy
		out.CompletedBy = &by
	}
	return out
}

func (a channelAPI) listReviews(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	rs, err := a.cw.PostExitReviews(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := PostExitReviewList{Items: []PostExitReview{}}
	for _, v := range rs {
		out.Items = append(out.Items, reviewOut(v))
	}
	return encode(w, http.StatusOK, out)
}

func (a channelAPI) completeReview(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ReviewCompletion](r)
	if err != nil {
		return err
	}
	rid, err := pathID(r, "review")
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	rs, err := a.cw.PostExitReviews(ctx, p, id)
	if err != nil {
		return err
	}
	for _, v := range rs {
		if v.ID != rid {
			continue
		}
		next, err := a.cw.CompletePostExitReview(ctx, p, rid, casework.ReviewInput{Outcome: casework.ReviewOutcome(in.Outcome), Notes: in.Notes,
			ExtendToMonths: in.ExtendToMonths})
		if err != nil {
			return rename(err, reviewFields)
		}
		return encode(w, http.StatusOK, ReviewCompleted{ReviewID: rid, CaseID: id, State: string(next), StateName: next.String()})
	}
	return access.NotFound("Review")
}

func (a channelAPI) recordDeconfliction(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[DeconflictionInput](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	dc, err := in.domain("")
	if err != nil {
		return err
	}
	nid, err := a.cw.RecordDeconfliction(r.Context(), prevent.PrincipalFrom(r.Context()), id, dc)
	if err != nil {
		return err
	}
	return encode(w, http.StatusCreated, DeconflictionNoteCreated{ID: nid, CaseID: id, Result: in.Result, Marking: dc.Marking.String()})
}

// matches lists the undecided matches of the case.
func (a channelAPI) matches(w http.ResponseWriter, r *http.Request, id prevent.ID) error {
	ms, err := a.cw.Matches(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := MatchList{Items: []Match{}}
	for _, m := range ms {
		o := Match{SubjectID: m.SubjectID, Name: m.Name, DateOfBirth: m.DateOfBirth, Postcode: m.Postcode, Basis: m.Basis, Previous: []PreviousReferral{}}
		for _, p := range m.Previous {
			o.Previous = append(o.Previous, PreviousReferral{ID: p.ID, Reference: p.Reference, SubmittedAt: p.SubmittedAt,
				State: string(p.State), Outcome: string(p.Outcome)})
		}
		out.Items = append(out.Items, o)
	}
	return encode(w, http.StatusOK, out)
}

func (a channelAPI) listMatches(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	return a.matches(w, r, id)
}

func (a channelAPI) decideMatch(link bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		subject, err := pathID(r, "subject")
		if err != nil {
			return err
		}
		id, err := a.caseIn(r)
		if err != nil {
			return err
		}
		ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
		if link {
			err = a.cw.LinkSubject(ctx, p, id, subject)
		} else {
			err = a.cw.DeclineMatch(ctx, p, id, subject)
		}
		if err != nil {
			return err
		}
		return a.matches(w, r, id)
	}
}

func infoRequestOut(q casework.InformationRequest) InformationRequest {
	return InformationRequest{ID: q.ID, CaseID: q.ReferralID, Reference: q.Reference, OrganisationID: q.OrganisationID, Asked: q.Asked,
		Why: q.Why, DueAt: q.Due.UTC(), Answer: q.Answer, AnsweredAt: optTime(q.AnsweredAt)}
}

// answerRequest answers a request of the case in the path. The partner who answers may not see the case
// itself, so the request is found among those of the case the caller may see, as its page does; the casework
// service decides in the case's own partnership, and the path's must be one the caller belongs to.
func (a channelAPI) answerRequest(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[InformationAnswer](r)
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	if !slices.Contains(p.Partnerships(), pid) {
		return access.NotFound("Information request")
	}
	find := func() (casework.InformationRequest, error) {
		reqs, err := a.cw.InformationRequests(ctx, p, id)
		if err != nil {
			return casework.InformationRequest{}, err
		}
		for _, q := range reqs {
			if q.ID == rid {
				return q, nil
			}
		}
		return casework.InformationRequest{}, access.NotFound("Information request")
	}
	if _, err := find(); err != nil {
		return err
	}
	if err := a.cw.AnswerInformationRequest(ctx, p, rid, in.Answer, in.Disclosure.domain()); err != nil {
		return rename(err, answerFields)
	}
	q, err := find()
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, infoRequestOut(q))
}

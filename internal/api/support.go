package api

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The Channel support routes: consent, interventions and their sessions. They make the same domain calls,
// under the same access actions, as the case's support pages; the casework service decides and audits.

// ConsentCreate is the body of POST /partnerships/{pid}/cases/{id}/consents: a decision on consent to
// support or to information sharing. scope is support or information_sharing; giver_role is self, parent,
// guardian or la_parental_responsibility; decision is given, refused, withdrawn or not_sought, with a reason
// unless given; decided_on defaults to today.
type ConsentCreate struct {
	Scope         string `json:"scope"`
	GiverName     string `json:"giver_name"`
	GiverRole     string `json:"giver_role"`
	CapacityNotes string `json:"capacity_notes,omitempty"`
	Method        string `json:"method"`
	Evidence      string `json:"evidence,omitempty"`
	Decision      string `json:"decision"`
	Reason        string `json:"reason,omitempty"`
	DecidedOn     *Date  `json:"decided_on,omitempty"`
}

// ConsentRecorded is a recorded consent decision and the stage the case is at after it.
type ConsentRecorded struct {
	CaseID prevent.ID `json:"case_id"`
	State  string     `json:"state"`
}

// InterventionCreate is the body of POST /partnerships/{pid}/cases/{id}/interventions. worker_id is a person
// of the provider (0 or absent: none yet). disclosure is what the provider's organisation is told, as for a
// share (ignored when the provider is the caller's own organisation). Before consent to support the
// intervention is drafted: the disclosure is checked now (422 as it would be refused) and made, and the
// worker assigned, when consent is given.
type InterventionCreate struct {
	Type        string          `json:"type"`
	ProviderID  prevent.ID      `json:"provider_id"`
	WorkerID    prevent.ID      `json:"worker_id,omitempty"`
	Description string          `json:"description,omitempty"`
	Disclosure  DisclosureInput `json:"disclosure"`
}

// SessionView is a planned session and what happened: attendance is planned, attended, did_not_attend or
// cancelled. progress_notes is empty when withheld from the caller's organisation.
type SessionView struct {
	ID            prevent.ID `json:"id"`
	PlannedAt     time.Time  `json:"planned_at"`
	Attendance    string     `json:"attendance"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	ProgressNotes string     `json:"progress_notes"`
}

// InterventionView is an intervention of a case with its sessions. drafted is true before consent to
// support (its provider has not been told); disclosed_at is when it was disclosed to its provider. withheld
// names what was not disclosed to the caller's organisation.
type InterventionView struct {
	ID          prevent.ID    `json:"id"`
	CaseID      prevent.ID    `json:"case_id"`
	Type        string        `json:"type"`
	ProviderID  prevent.ID    `json:"provider_id"`
	Provider    string        `json:"provider"`
	Approved    bool          `json:"home_office_approved"`
	WorkerID    *prevent.ID   `json:"worker_id"`
	Description string        `json:"description"`
	CreatedAt   time.Time     `json:"created_at"`
	Drafted     bool          `json:"drafted"`
	DisclosedAt *time.Time    `json:"disclosed_at"`
	Sessions    []SessionView `json:"sessions"`
	Withheld    []string      `json:"withheld"`
}

// InterventionList is a case's interventions, oldest first.
type InterventionList struct {
	Items []InterventionView `json:"items"`
}

// SessionPlan is the body of POST .../interventions/{iid}/sessions: the day of the session (10:00 UTC, as
// the page plans it).
type SessionPlan struct {
	PlannedOn Date `json:"planned_on"`
}

// SessionUpdate is the body of PUT .../sessions/{sid}: what happened (attended, did_not_attend or cancelled)
// and the progress notes (required when attended).
type SessionUpdate struct {
	Attendance string `json:"attendance"`
	Notes      string `json:"notes,omitempty"`
}

var consentFields = map[string]string{"giver-name": "giver_name", "giver-role": "giver_role", "decided-at": "decided_on"}

// interventionFields maps the intervention's and its disclosure's field names to JSON members.
var interventionFields = withDisclosureFields(map[string]string{"provider": "provider_id", "worker": "worker_id",
	"to": "provider_id", "recipients": "worker_id"})

type supportAPI struct{ *caseAPI }

// registerSupport adds the consent, intervention and session routes of a case.
func (s *Server) registerSupport() {
	a := supportAPI{&caseAPI{s: s, cw: s.deps.Casework}}
	const C = "/partnerships/{pid}/cases/{id}"
	s.handle(http.MethodPost, C+"/consents", access.CaseSupport, operation{id: "recordConsent",
		summary: "Record a decision on consent to support or to information sharing. Consent to support given by the right person " +
			"starts support (for a case still at adoption, through the consent request its support plan describes; for a person under 18, " +
			"once children's services were consulted) and discloses the interventions drafted before it to their providers; a decision " +
			"that cannot apply at the case's stage, or whose drafted disclosures can no longer be made, is refused (409) and nothing is recorded",
		request: ConsentCreate{}, response: ConsentRecorded{}, status: http.StatusCreated}, a.recordConsent)
	s.handle(http.MethodGet, C+"/interventions", access.CaseView, operation{id: "listInterventions",
		summary: "A case's interventions and their sessions (audited); drafts only for those who manage its support", response: InterventionList{}},
		a.listInterventions)
	s.handle(http.MethodPost, C+"/interventions", access.CaseSupport, operation{id: "addIntervention",
		summary: "Add an intervention: during support it is disclosed to the provider's organisation (the disclosure must fall under an " +
			"agreement in force, else 422 naming each missing element) and its worker assigned; before consent to support it is drafted, " +
			"its disclosure checked now and made when consent is given",
		request: InterventionCreate{}, response: InterventionView{}, status: http.StatusCreated}, a.addIntervention)
	s.handle(http.MethodPost, C+"/interventions/{iid}/sessions", access.SessionRecord, operation{id: "planSession",
		summary: "Plan a session of an intervention, while support is in progress (409 otherwise)",
		request: SessionPlan{}, response: SessionView{}, status: http.StatusCreated}, a.planSession)
	s.handle(http.MethodPut, C+"/sessions/{sid}", access.SessionRecord, operation{id: "recordSession",
		summary: "Record what happened to a planned session, with progress notes; refused (409) for a session planned for after " +
			"consent to support was withdrawn or support ended",
		request: SessionUpdate{}, response: SessionView{}}, a.recordSession)
}

func sessionOut(ss casework.Session) SessionView {
	return SessionView{ID: ss.ID, PlannedAt: ss.PlannedAt.UTC(), Attendance: string(ss.Attendance), DeliveredAt: optTime(ss.DeliveredAt),
		ProgressNotes: ss.ProgressNotes}
}

func interventionOut(iv casework.Intervention) InterventionView {
	out := InterventionView{ID: iv.ID, CaseID: iv.ReferralID, Type: iv.Type, ProviderID: iv.ProviderID, Provider: iv.Provider,
		Approved: iv.Approved, Description: iv.Description, CreatedAt: iv.CreatedAt.UTC(), Drafted: iv.Drafted,
		DisclosedAt: optTime(iv.DisclosedAt), Sessions: []SessionView{}, Withheld: append([]string{}, iv.Withheld...)}
	if iv.WorkerID != 0 {
		w := iv.WorkerID
		out.WorkerID = &w
	}
	for _, ss := range iv.Sessions {
		out.Sessions = append(out.Sessions, sessionOut(ss))
	}
	return out
}

func (a supportAPI) recordConsent(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ConsentCreate](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	c := casework.ConsentInput{Scope: casework.ConsentScope(in.Scope), GiverName: in.GiverName, GiverRole: casework.GiverRole(in.GiverRole),
		CapacityNotes: in.CapacityNotes, Method: in.Method, Evidence: in.Evidence, Decision: casework.ConsentDecision(in.Decision), Reason: in.Reason}
	if in.DecidedOn != nil {
		c.DecidedAt = time.Time(*in.DecidedOn)
	}
	next, err := a.cw.RecordConsent(r.Context(), prevent.PrincipalFrom(r.Context()), id, c)
	if err != nil {
		return rename(err, consentFields)
	}
	return encode(w, http.StatusCreated, ConsentRecorded{CaseID: id, State: string(next)})
}

// interventions lists the case's interventions, with the case checked against the path.
func (a supportAPI) interventions(r *http.Request) (prevent.ID, []casework.Intervention, error) {
	id, err := a.caseIn(r)
	if err != nil {
		return 0, nil, err
	}
	ivs, err := a.cw.Interventions(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	return id, ivs, err
}

func (a supportAPI) listInterventions(w http.ResponseWriter, r *http.Request) error {
	_, ivs, err := a.interventions(r)
	if err != nil {
		return err
	}
	out := InterventionList{Items: []InterventionView{}}
	for _, iv := range ivs {
		out.Items = append(out.Items, interventionOut(iv))
	}
	return encode(w, http.StatusOK, out)
}

func (a supportAPI) addIntervention(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[InterventionCreate](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	iid, err := a.cw.AddIntervention(ctx, p, id, casework.InterventionInput{Type: in.Type, ProviderID: in.ProviderID, WorkerID: in.WorkerID,
		Description: in.Description, Share: in.Disclosure.domain()})
	if err != nil {
		return rename(err, interventionFields)
	}
	ivs, err := a.cw.Interventions(ctx, p, id)
	if err != nil {
		return err
	}
	for _, iv := range ivs {
		if iv.ID == iid {
			return encode(w, http.StatusCreated, interventionOut(iv))
		}
	}
	return access.NotFound("Intervention")
}

func (a supportAPI) planSession(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SessionPlan](r)
	if err != nil {
		return err
	}
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	_, ivs, err := a.interventions(r)
	if err != nil {
		return err
	}
	for _, iv := range ivs {
		if iv.ID != iid {
			continue
		}
		var at time.Time
		if !time.Time(in.PlannedOn).IsZero() {
			at = time.Time(in.PlannedOn).UTC().Add(10 * time.Hour)
		}
		sid, err := a.cw.PlanSession(r.Context(), prevent.PrincipalFrom(r.Context()), iid, at)
		if err != nil {
			return rename(err, map[string]string{"planned-at": "planned_on"})
		}
		return encode(w, http.StatusCreated, SessionView{ID: sid, PlannedAt: at, Attendance: string(casework.Planned)})
	}
	return access.NotFound("Intervention")
}

func (a supportAPI) recordSession(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SessionUpdate](r)
	if err != nil {
		return err
	}
	sid, err := pathID(r, "sid")
	if err != nil {
		return err
	}
	id, ivs, err := a.interventions(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	for _, iv := range ivs {
		for _, ss := range iv.Sessions {
			if ss.ID != sid {
				continue
			}
			if err := a.cw.RecordSession(ctx, p, sid, casework.Attendance(in.Attendance), in.Notes); err != nil {
				return err
			}
			after, err := a.cw.Interventions(ctx, p, id)
			if err != nil {
				return err
			}
			for _, iv := range after {
				for _, ss := range iv.Sessions {
					if ss.ID == sid {
						return encode(w, http.StatusOK, sessionOut(ss))
					}
				}
			}
		}
	}
	return access.NotFound("Session")
}

package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// The Channel panel writes, and the reads that go with them: setting up panels and their members, scheduling
// meetings, attendance, agendas and papers, the panel's decisions, minutes, and listing a case for a panel.
// Each makes the same domain call, under the same access action, as the panel page it stands for, so that
// a refusal is the same: a record the caller may not reach is 404, a step the workflow does not allow is 409,
// and invalid input is 422 naming the JSON members.

// PanelCreate is the body of POST /partnerships/{pid}/panels: a panel for one local authority or, with
// several areas, a combined panel.
type PanelCreate struct {
	Name  string   `json:"name"`
	Areas []string `json:"areas"`
}

// PanelMemberCreate is the body of POST .../panels/{panel}/members: a person of the partnership and their
// role, chair (of a local authority), police (of a police force) or member. areas, for a police
// representative, are the local authorities their force covers (none: all of the panel's).
type PanelMemberCreate struct {
	PersonID prevent.ID `json:"person_id"`
	Role     string     `json:"role"`
	Areas    []string   `json:"areas,omitempty"`
}

// PanelMemberView is a membership of a panel: id is the member_id by which attendance is recorded.
type PanelMemberView struct {
	ID       prevent.ID `json:"id"`
	PanelID  prevent.ID `json:"panel_id"`
	PersonID prevent.ID `json:"person_id"`
	Role     string     `json:"role"`
	Areas    []string   `json:"areas"`
}

// MeetingCreate is the body of POST .../panels/{panel}/meetings: the day of the meeting (held at 10:00 UTC,
// as the page schedules it).
type MeetingCreate struct {
	HeldOn Date `json:"held_on"`
}

// MeetingAttendance is the body of PUT .../meetings/{meeting}/attendance: the member_ids of the panel's
// members present. The others are recorded absent (a member never recorded and not present stays
// unrecorded).
type MeetingAttendance struct {
	Present []prevent.ID `json:"present"`
}

// MeetingAgendaCreate is the body of POST .../meetings/{meeting}/agenda: a case held by the meeting's panel.
type MeetingAgendaCreate struct {
	CaseID prevent.ID `json:"case_id"`
}

// MeetingPaperCreate is the body of POST .../meetings/{meeting}/papers: a paper's title and where it is
// held, for one case on the agenda or (case_id absent) the whole meeting.
type MeetingPaperCreate struct {
	Title    string     `json:"title"`
	Location string     `json:"location,omitempty"`
	CaseID   prevent.ID `json:"case_id,omitempty"`
}

// PanelConsultation is a consultation with local authority children's services about a person under 18,
// recorded with a panel decision (before it) so that a child's case can be adopted in one step.
type PanelConsultation struct {
	ConsultedOn   Date   `json:"consulted_on"`
	ConsultedWith string `json:"consulted_with"`
	Notes         string `json:"notes,omitempty"`
}

// PanelDecisionCreate is the body of POST .../meetings/{meeting}/cases/{case}/decision. decision is adopt,
// not_adopt, continue_support, revise_plan, exit or transfer; reached is unanimous, majority or
// chair_casting. Not adopting needs the health and social care consideration and either a signpost_service
// or a close_reason; exit needs an exit_outcome (an EXIT_ code); transfer needs transfer_to and whether the
// receiving panel accepted. The codes are those of the reference lists.
type PanelDecisionCreate struct {
	Decision                      string             `json:"decision"`
	Reached                       string             `json:"reached"`
	Rationale                     string             `json:"rationale"`
	HealthSocialCareConsideration string             `json:"health_social_care_consideration,omitempty"`
	SignpostService               string             `json:"signpost_service,omitempty"`
	CloseReason                   string             `json:"close_reason,omitempty"`
	ExitOutcome                   string             `json:"exit_outcome,omitempty"`
	TransferTo                    string             `json:"transfer_to,omitempty"`
	ReceivingPanelAccepted        bool               `json:"receiving_panel_accepted,omitempty"`
	ChildrensServicesConsultation *PanelConsultation `json:"childrens_services_consultation,omitempty"`
}

// PanelDecisionRecorded is a recorded panel decision and the state the case is at after it.
type PanelDecisionRecorded struct {
	MeetingID prevent.ID `json:"meeting_id"`
	CaseID    prevent.ID `json:"case_id"`
	Decision  string     `json:"decision"`
	Reached   string     `json:"reached"`
	State     string     `json:"state"`
}

// PanelDecisionView is a panel's decision on a case at a meeting, with the case's state before and after
// it. withheld names what was not disclosed to the caller's organisation (rationale and
// health_social_care_consideration are then empty).
type PanelDecisionView struct {
	MeetingID                     prevent.ID `json:"meeting_id"`
	Panel                         string     `json:"panel"`
	HeldAt                        time.Time  `json:"held_at"`
	CaseID                        prevent.ID `json:"case_id"`
	Reference                     string     `json:"reference"`
	Decision                      string     `json:"decision"`
	Reached                       string     `json:"reached"`
	Rationale                     string     `json:"rationale"`
	HealthSocialCareConsideration string     `json:"health_social_care_consideration"`
	SignpostService               string     `json:"signpost_service"`
	CloseReason                   string     `json:"close_reason"`
	TransferTo                    string     `json:"transfer_to"`
	ExitOutcome                   string     `json:"exit_outcome"`
	FromState                     string     `json:"from_state"`
	ToState                       string     `json:"to_state"`
	RecordedAt                    time.Time  `json:"recorded_at"`
	Withheld                      []string   `json:"withheld"`
}

// PanelDecisionList is a case's panel decisions, oldest first.
type PanelDecisionList struct {
	Items []PanelDecisionView `json:"items"`
}

// AgendaCaseView is a case on a meeting's agenda as the panel sees it: started is true from the meeting's
// day; childrens_services_due that the person is under 18 (or of unknown age) and children's services
// have not been consulted, so the panel cannot adopt the case yet; decision is the panel's decision at this
// meeting, once recorded.
type AgendaCaseView struct {
	MeetingID            prevent.ID         `json:"meeting_id"`
	PanelID              prevent.ID         `json:"panel_id"`
	HeldAt               time.Time          `json:"held_at"`
	Started              bool               `json:"started"`
	CaseID               prevent.ID         `json:"case_id"`
	Reference            string             `json:"reference"`
	State                string             `json:"state"`
	Decided              bool               `json:"decided"`
	ChildrensServicesDue bool               `json:"childrens_services_due"`
	Decision             *PanelDecisionView `json:"decision"`
}

// PanelMinutes are a meeting's minutes, generated from its attendance and decisions: whole, or (with
// organisation_id) for one attendee organisation, holding only the cases it may see.
type PanelMinutes struct {
	MeetingID      prevent.ID          `json:"meeting_id"`
	PanelID        prevent.ID          `json:"panel_id"`
	Panel          string              `json:"panel"`
	HeldAt         time.Time           `json:"held_at"`
	OrganisationID *prevent.ID         `json:"organisation_id"`
	Attendees      []AttendeeView      `json:"attendees"`
	Decisions      []PanelDecisionView `json:"decisions"`
}

// PanelMinutesExport is the body of POST .../meetings/{meeting}/minutes/exports: the attendee organisation
// the minutes are for, and the disclosure that shares each case in them with it.
type PanelMinutesExport struct {
	OrganisationID prevent.ID      `json:"organisation_id"`
	Disclosure     DisclosureInput `json:"disclosure"`
}

// PanelListingCreate is the body of POST /partnerships/{pid}/cases/{id}/panel-listing: the panel, the
// meeting (not yet taken place) whose agenda the case goes on, and the disclosure of the panel pack to the
// organisations with a member on the panel (other than the caller's).
type PanelListingCreate struct {
	PanelID    prevent.ID      `json:"panel_id"`
	MeetingID  prevent.ID      `json:"meeting_id"`
	Disclosure DisclosureInput `json:"disclosure"`
}

// PanelListing is a case listed for a panel, on the agenda of one of its meetings.
type PanelListing struct {
	CaseID    prevent.ID `json:"case_id"`
	PanelID   prevent.ID `json:"panel_id"`
	MeetingID prevent.ID `json:"meeting_id"`
}

var (
	panelMemberFields   = map[string]string{"person": "person_id"}
	panelMeetingFields  = map[string]string{"date": "held_on"}
	panelPaperFields    = map[string]string{"paper-case": "case_id"}
	panelDecisionFields = map[string]string{"health-social-care": "health_social_care_consideration", "service": "signpost_service",
		"transfer-to": "transfer_to", "outcome": "exit_outcome", string(casework.SignpostServices): "signpost_service",
		string(casework.TriageReasons): "close_reason", string(casework.ExitOutcomes): "exit_outcome"}
	panelConsultationFields = map[string]string{"consulted-at": "childrens_services_consultation.consulted_on",
		"consulted-with": "childrens_services_consultation.consulted_with", "notes": "childrens_services_consultation.notes"}
	// A refused disclosure's receiving organisation and recipients are named by the organisation (minutes) or
	// the panel (a listing) the request names.
	panelMinutesFields = withDisclosureFields(map[string]string{"organisation": "organisation_id",
		"to": "organisation_id", "recipients": "organisation_id"})
	panelListingFields = withDisclosureFields(map[string]string{"panel": "panel_id", "meeting": "meeting_id",
		"to": "panel_id", "recipients": "panel_id"})
)

// registerPanelWrites adds the panel writes, and the reads of a panel, a case on an agenda, a case's panel
// decisions and a meeting's minutes.
func (s *Server) registerPanelWrites() {
	a := panelAPI{s: s, cw: s.deps.Casework}
	c := &caseAPI{s: s, cw: s.deps.Casework}
	const P = "/partnerships/{pid}/panels"
	const M = P + "/{panel}/meetings/{meeting}"
	s.handle(http.MethodPost, P, access.PanelManage, operation{id: "createPanel",
		summary: "Set up a Channel panel for one local authority or, with several areas, a combined panel (audited); " +
			"422 naming name or areas when either is missing",
		request: PanelCreate{}, response: PanelView{}, status: http.StatusCreated}, a.createPanel)
	s.handle(http.MethodGet, P+"/{panel}", access.PanelView, operation{id: "getPanel",
		summary: "One Channel panel of the partnership, with whether the caller sits on it", response: PanelView{}}, a.getPanel)
	s.handle(http.MethodPost, P+"/{panel}/members", access.PanelManage, operation{id: "addPanelMember",
		summary: "Add a person of the partnership to a panel as its chair (who must be of a local authority), a police representative " +
			"(of a police force) or a member; adding them again in the same role replaces the areas they cover (audited). " +
			"The answer's id is the member_id by which attendance is recorded",
		request: PanelMemberCreate{}, response: PanelMemberView{}, status: http.StatusCreated}, a.addMember)
	s.handle(http.MethodPost, P+"/{panel}/meetings", access.PanelManage, operation{id: "scheduleMeeting",
		summary: "Schedule a meeting of a panel on a day (at 10:00 UTC); returns the meeting as getMeeting shows it (audited)",
		request: MeetingCreate{}, response: MeetingView{}, status: http.StatusCreated}, a.scheduleMeeting)
	s.handle(http.MethodPut, M+"/attendance", access.PanelManage, operation{id: "recordAttendance",
		summary: "Record which of the panel's members (by member_id) are present at a meeting, the others absent; from the meeting's " +
			"day only (409 before it), and 422 naming present for an id that is not a member of this panel. Returns the meeting, " +
			"with whether it is quorate (the chair and a police representative present)",
		request: MeetingAttendance{}, response: MeetingView{}}, a.recordAttendance)
	s.handle(http.MethodPost, M+"/agenda", access.PanelManage, operation{id: "addToAgenda",
		summary: "Put a case held by the meeting's panel on the meeting's agenda, for a decision on it or a review of its support; " +
			"409 when the case is not listed for this panel or is at a stage that cannot come before a panel",
		request: MeetingAgendaCreate{}, response: AgendaItemView{}, status: http.StatusCreated}, a.addToAgenda)
	s.handle(http.MethodPost, M+"/papers", access.PanelManage, operation{id: "addMeetingPaper",
		summary: "Record a paper for a meeting, its title and where it is held, for the whole meeting or one case on its agenda " +
			"(409 when the case is not on it)",
		request: MeetingPaperCreate{}, response: PaperView{}, status: http.StatusCreated}, a.addPaper)
	s.handle(http.MethodGet, M+"/cases/{case}", access.PanelView, operation{id: "getAgendaCase",
		summary: "A case on a meeting's agenda, for a member of the panel who may read the case (audited): whether the meeting has started, " +
			"whether children's services must still be consulted before the case can be adopted, and the panel's decision at this " +
			"meeting once recorded; read the case itself with getReferral",
		response: AgendaCaseView{}}, a.agendaCase)
	s.handle(http.MethodPost, M+"/cases/{case}/decision", access.PanelDecide, operation{id: "recordPanelDecision",
		summary: "Record the panel's decision on a case on the meeting's agenda, and move the case on (audited). The meeting's day must " +
			"have come and the chair and a police representative for the person's area be recorded present, else 409; adopting the " +
			"case of a person under 18 needs children's services consulted first (409), which childrens_services_consultation " +
			"records before the decision, as the panel's page does",
		request: PanelDecisionCreate{}, response: PanelDecisionRecorded{}, status: http.StatusCreated}, a.recordDecision)
	s.handle(http.MethodGet, M+"/minutes", access.PanelView, operation{id: "getMinutes",
		summary: "A meeting's minutes (audited): whole, for those who run the panel; or, with organisation_id the caller's own " +
			"organisation, the cases it may see, which a member of the panel may read too. Minutes for another organisation " +
			"disclose its cases to it: export them with exportMinutes",
		response: PanelMinutes{},
		query: []param{{name: "organisation_id", description: "The caller's own organisation, to read its minutes",
			schema: map[string]any{"type": "integer", "format": "int64"}}}}, a.minutes)
	s.handle(http.MethodPost, M+"/minutes/exports", access.PanelManage, operation{id: "exportMinutes",
		summary: "Export a meeting's minutes for an attendee organisation: they hold the cases it may see (those it referred, those " +
			"already shared with it, every case if it attends in a coordinating role), and each is disclosed to it, so the " +
			"disclosure must fall under an agreement in force, else 422 naming each missing element; audited as a disclosure",
		request: PanelMinutesExport{}, response: PanelMinutes{}}, a.exportMinutes)
	s.handle(http.MethodPost, "/partnerships/{pid}/cases/{id}/panel-listing", access.CaseScreen, operation{id: "listForPanel",
		summary: "List a case in screening (or due reassessment) for a panel, on the agenda of one of its meetings not yet taken place: " +
			"the panel pack is disclosed to each organisation with a member on the panel (the disclosure must fall under an agreement in " +
			"force, else 422 naming each missing element) and the panel's members are assigned to the case. 409 while an information " +
			"request is open or before an assessment is recorded",
		request: PanelListingCreate{}, response: PanelListing{}, status: http.StatusCreated}, c.listForPanel)
	s.handle(http.MethodGet, "/partnerships/{pid}/cases/{id}/panel-decisions", access.CaseView, operation{id: "listPanelDecisions",
		summary: "The panel decisions on a case, oldest first (audited); the rationale withheld from an organisation the case's panel " +
			"decisions were not disclosed to",
		response: PanelDecisionList{}}, c.listPanelDecisions)
}

// panelOf is the panel in the path, NotFound unless it is of the partnership in the path.
func (a panelAPI) panelOf(r *http.Request) (prevent.ID, casework.Panel, error) {
	pid, panelID, err := panelIn(r)
	if err != nil {
		return 0, casework.Panel{}, err
	}
	panels, err := a.cw.Panels(r.Context(), prevent.PrincipalFrom(r.Context()), pid)
	if err != nil {
		return 0, casework.Panel{}, err
	}
	for _, pn := range panels {
		if pn.ID == panelID {
			return pid, pn, nil
		}
	}
	return 0, casework.Panel{}, access.NotFound("Panel")
}

// meetingOf is the meeting in the path (its date and panel), NotFound unless it is of the panel and the
// partnership in the path.
func (a panelAPI) meetingOf(r *http.Request) (casework.Meeting, error) {
	pid, panelID, err := panelIn(r)
	if err != nil {
		return casework.Meeting{}, err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return casework.Meeting{}, err
	}
	ms, err := a.cw.Meetings(r.Context(), prevent.PrincipalFrom(r.Context()), panelID)
	if err != nil {
		return casework.Meeting{}, err
	}
	for _, m := range ms {
		if m.Panel.PartnershipID != pid {
			return casework.Meeting{}, access.NotFound("Panel")
		}
		if m.ID == meetingID {
			return m, nil
		}
	}
	return casework.Meeting{}, access.NotFound("Panel meeting")
}

func (a panelAPI) createPanel(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PanelCreate](r)
	if err != nil {
		return err
	}
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	id, err := a.cw.CreatePanel(ctx, p, pid, in.Name, in.Areas)
	if err != nil {
		return err
	}
	panels, err := a.cw.Panels(ctx, p, pid)
	if err != nil {
		return err
	}
	for _, pn := range panels {
		if pn.ID == id {
			w.Header().Set("Location", fmt.Sprintf("%s/partnerships/%d/panels/%d", Prefix, pid, id))
			return encode(w, http.StatusCreated, panelOut(pn))
		}
	}
	return access.NotFound("Panel")
}

func (a panelAPI) getPanel(w http.ResponseWriter, r *http.Request) error {
	_, pn, err := a.panelOf(r)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, panelOut(pn))
}

// panelAreas is areas as the panel keeps them: trimmed, without blanks or repeats.
func panelAreas(areas []string) []string {
	out := []string{}
	for _, x := range areas {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func (a panelAPI) addMember(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PanelMemberCreate](r)
	if err != nil {
		return err
	}
	_, pn, err := a.panelOf(r)
	if err != nil {
		return err
	}
	id, err := a.cw.AddPanelMember(r.Context(), prevent.PrincipalFrom(r.Context()), pn.ID,
		casework.PanelMemberInput{PersonID: in.PersonID, Role: casework.PanelRole(in.Role), Areas: in.Areas})
	if err != nil {
		return rename(err, panelMemberFields)
	}
	return encode(w, http.StatusCreated, PanelMemberView{ID: id, PanelID: pn.ID, PersonID: in.PersonID, Role: in.Role, Areas: panelAreas(in.Areas)})
}

// meetingView reads the meeting again, as getMeeting shows it.
func (a panelAPI) meetingView(r *http.Request, meetingID prevent.ID) (MeetingView, error) {
	m, err := a.cw.Meeting(r.Context(), prevent.PrincipalFrom(r.Context()), meetingID)
	if err != nil {
		return MeetingView{}, err
	}
	return meetingOut(m, a.s.deps.Now()), nil
}

func (a panelAPI) scheduleMeeting(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MeetingCreate](r)
	if err != nil {
		return err
	}
	pid, pn, err := a.panelOf(r)
	if err != nil {
		return err
	}
	var at time.Time
	if day := time.Time(in.HeldOn); !day.IsZero() {
		at = day.UTC().Add(10 * time.Hour)
	}
	id, err := a.cw.ScheduleMeeting(r.Context(), prevent.PrincipalFrom(r.Context()), pn.ID, at)
	if err != nil {
		return rename(err, panelMeetingFields)
	}
	out, err := a.meetingView(r, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/partnerships/%d/panels/%d/meetings/%d", Prefix, pid, pn.ID, id))
	return encode(w, http.StatusCreated, out)
}

func (a panelAPI) recordAttendance(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MeetingAttendance](r)
	if err != nil {
		return err
	}
	m, err := a.meetingOf(r)
	if err != nil {
		return err
	}
	if err := a.cw.SetAttendance(r.Context(), prevent.PrincipalFrom(r.Context()), m.ID, in.Present); err != nil {
		return err
	}
	out, err := a.meetingView(r, m.ID)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, out)
}

func (a panelAPI) addToAgenda(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MeetingAgendaCreate](r)
	if err != nil {
		return err
	}
	m, err := a.meetingOf(r)
	if err != nil {
		return err
	}
	if in.CaseID == 0 {
		return prevent.Validation([]prevent.FieldError{{Field: "case_id", Message: "Select a case listed for the panel"}})
	}
	if err := a.cw.AddToAgenda(r.Context(), prevent.PrincipalFrom(r.Context()), m.ID, in.CaseID); err != nil {
		return err
	}
	out, err := a.meetingView(r, m.ID)
	if err != nil {
		return err
	}
	for _, it := range out.Agenda {
		if it.CaseID == in.CaseID {
			return encode(w, http.StatusCreated, it)
		}
	}
	return access.NotFound("Agenda item")
}

func (a panelAPI) addPaper(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MeetingPaperCreate](r)
	if err != nil {
		return err
	}
	m, err := a.meetingOf(r)
	if err != nil {
		return err
	}
	id, err := a.cw.AddPaper(r.Context(), prevent.PrincipalFrom(r.Context()), m.ID, in.CaseID, in.Title, in.Location)
	if err != nil {
		return rename(err, panelPaperFields)
	}
	out, err := a.meetingView(r, m.ID)
	if err != nil {
		return err
	}
	for _, pp := range out.Papers {
		if pp.ID == id {
			return encode(w, http.StatusCreated, pp)
		}
	}
	return access.NotFound("Paper")
}

func panelDecisionOut(meetingID prevent.ID, panel string, held time.Time, it casework.MinuteItem, withheld []string) PanelDecisionView {
	return PanelDecisionView{MeetingID: meetingID, Panel: panel, HeldAt: held.UTC(), CaseID: it.ReferralID, Reference: it.Reference,
		Decision: string(it.Decision), Reached: string(it.Reached), Rationale: it.Rationale,
		HealthSocialCareConsideration: it.HealthSocialCareConsideration, SignpostService: it.SignpostService, CloseReason: it.CloseReason,
		TransferTo: it.TransferTo, ExitOutcome: it.ExitOutcome, FromState: string(it.From), ToState: string(it.To),
		RecordedAt: it.RecordedAt.UTC(), Withheld: append([]string{}, withheld...)}
}

func panelCaseDecisionOut(d casework.CaseDecision) PanelDecisionView {
	return panelDecisionOut(d.MeetingID, d.PanelName, d.HeldAt, d.MinuteItem, d.Withheld)
}

func (a panelAPI) agendaCase(w http.ResponseWriter, r *http.Request) error {
	m, err := a.meetingOf(r)
	if err != nil {
		return err
	}
	caseID, err := pathID(r, "case")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	mc, err := a.cw.MeetingCase(ctx, p, m.ID, caseID)
	if err != nil {
		return err
	}
	out := AgendaCaseView{MeetingID: m.ID, PanelID: m.Panel.ID, HeldAt: m.HeldAt.UTC(), Started: m.Started(a.s.deps.Now()),
		CaseID: caseID, Reference: mc.Item.Reference, State: string(mc.Item.State), Decided: mc.Item.Decided,
		ChildrensServicesDue: mc.ChildrensServicesDue}
	if mc.Item.Decided {
		ds, err := a.cw.PanelDecisions(ctx, p, caseID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.MeetingID == m.ID {
				v := panelCaseDecisionOut(d)
				out.Decision = &v
			}
		}
	}
	return encode(w, http.StatusOK, out)
}

func (a panelAPI) recordDecision(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PanelDecisionCreate](r)
	if err != nil {
		return err
	}
	m, err := a.meetingOf(r)
	if err != nil {
		return err
	}
	caseID, err := pathID(r, "case")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	// A consultation with children's services sent with the decision is recorded first, by the same call as
	// the panel's page makes, so that a child's case can be adopted in one step.
	if c := in.ChildrensServicesConsultation; c != nil {
		if err := a.cw.RecordChildrensServicesConsultation(ctx, p, caseID, time.Time(c.ConsultedOn), c.ConsultedWith, c.Notes); err != nil {
			return rename(err, panelConsultationFields)
		}
	}
	next, err := a.cw.RecordDecision(ctx, p, m.ID, caseID, casework.DecisionInput{Kind: casework.DecisionKind(in.Decision),
		Rationale: in.Rationale, Reached: casework.Reached(in.Reached), HealthSocialCareConsideration: in.HealthSocialCareConsideration,
		SignpostService: in.SignpostService, CloseReason: in.CloseReason, ExitOutcome: in.ExitOutcome, TransferTo: in.TransferTo,
		ReceivingPanelAccepted: in.ReceivingPanelAccepted})
	if err != nil {
		return rename(err, panelDecisionFields)
	}
	return encode(w, http.StatusCreated, PanelDecisionRecorded{MeetingID: m.ID, CaseID: caseID, Decision: in.Decision, Reached: in.Reached,
		State: string(next)})
}

func panelMinutesOut(m casework.Minutes) PanelMinutes {
	out := PanelMinutes{MeetingID: m.MeetingID, PanelID: m.PanelID, Panel: m.PanelName, HeldAt: m.HeldAt.UTC(),
		Attendees: []AttendeeView{}, Decisions: []PanelDecisionView{}}
	if m.ForOrganisation != 0 {
		org := m.ForOrganisation
		out.OrganisationID = &org
	}
	for _, x := range m.Attendees {
		out.Attendees = append(out.Attendees, attendeeOut(x))
	}
	for _, it := range m.Items {
		out.Decisions = append(out.Decisions, panelDecisionOut(m.MeetingID, m.PanelName, m.HeldAt, it, nil))
	}
	return out
}

func (a panelAPI) minutes(w http.ResponseWriter, r *http.Request) error {
	mt, err := a.meetingOf(r)
	if err != nil {
		return err
	}
	p := prevent.PrincipalFrom(r.Context())
	var org prevent.ID
	if q := r.URL.Query().Get("organisation_id"); q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n <= 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "organisation_id", Message: "organisation_id must be an organisation’s id"}})
		}
		org = n
		if org != p.OrganisationID {
			return prevent.Validation([]prevent.FieldError{{Field: "organisation_id", Message: "Minutes for another organisation " +
				"disclose its cases to it: export them, with the disclosure, by POST to the meeting's minutes/exports"}})
		}
	}
	m, err := a.cw.Minutes(r.Context(), p, mt.ID, org, sharing.DisclosureInput{})
	if prevent.ErrorKind(err) == prevent.Invalid {
		// The organisation did not attend: as on the page, there are no minutes for it.
		return access.NotFound("Panel meeting")
	}
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, panelMinutesOut(m))
}

func (a panelAPI) exportMinutes(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PanelMinutesExport](r)
	if err != nil {
		return err
	}
	mt, err := a.meetingOf(r)
	if err != nil {
		return err
	}
	if in.OrganisationID <= 0 {
		return prevent.Validation([]prevent.FieldError{{Field: "organisation_id", Message: "Select an organisation that attended the meeting"}})
	}
	m, err := a.cw.Minutes(r.Context(), prevent.PrincipalFrom(r.Context()), mt.ID, in.OrganisationID, in.Disclosure.domain())
	if err != nil {
		return rename(err, panelMinutesFields)
	}
	return encode(w, http.StatusOK, panelMinutesOut(m))
}

func (a *caseAPI) listForPanel(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[PanelListingCreate](r)
	if err != nil {
		return err
	}
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	err = a.cw.ListForPanel(r.Context(), prevent.PrincipalFrom(r.Context()), id, in.PanelID, in.MeetingID, in.Disclosure.domain())
	if err != nil {
		return rename(err, panelListingFields)
	}
	return encode(w, http.StatusCreated, PanelListing{CaseID: id, PanelID: in.PanelID, MeetingID: in.MeetingID})
}

func (a *caseAPI) listPanelDecisions(w http.ResponseWriter, r *http.Request) error {
	id, err := a.caseIn(r)
	if err != nil {
		return err
	}
	ds, err := a.cw.PanelDecisions(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := PanelDecisionList{Items: []PanelDecisionView{}}
	for _, d := range ds {
		out.Items = append(out.Items, panelCaseDecisionOut(d))
	}
	return encode(w, http.StatusOK, out)
}

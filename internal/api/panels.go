package api

import (
	"net/http"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The Channel panel routes: the partnership's panels, their meetings, and a meeting's attendance, agenda and
// papers. They make the same domain calls, under the same access actions, as the panel pages: those who run
// a panel see all of a meeting; a member, the meetings of the panels they sit on, with the cases they may read.

// PanelView is a Channel panel; member is true when the caller sits on it.
type PanelView struct {
	ID     prevent.ID `json:"id"`
	Name   string     `json:"name"`
	Areas  []string   `json:"areas"`
	Member bool       `json:"member"`
}

// PanelList is a partnership's panels.
type PanelList struct {
	Items []PanelView `json:"items"`
}

// MeetingSummary is a meeting of a panel.
type MeetingSummary struct {
	ID     prevent.ID `json:"id"`
	HeldAt time.Time  `json:"held_at"`
}

// MeetingList is a panel's meetings, latest first.
type MeetingList struct {
	Items []MeetingSummary `json:"items"`
}

// AttendeeView is a member of the panel and whether they are recorded present at the meeting. member_id is
// the membership (a person may sit in more than one role), which attendance is recorded by; role is chair,
// police or member.
type AttendeeView struct {
	MemberID     prevent.ID `json:"member_id"`
	PersonID     prevent.ID `json:"person_id"`
	Name         string     `json:"name"`
	Organisation string     `json:"organisation"`
	Role         string     `json:"role"`
	Present      bool       `json:"present"`
}

// AgendaItemView is a case on a meeting's agenda, by its reference, with its state as the caller may see it
// (police see the police-only states; others their masked form); decided is true once the panel's
// decision on it at this meeting is recorded.
type AgendaItemView struct {
	CaseID    prevent.ID `json:"case_id"`
	Reference string     `json:"reference"`
	State     string     `json:"state"`
	Decided   bool       `json:"decided"`
}

// PaperView is a meeting paper: where it is held, not its contents. case_id is absent for a paper of the
// whole meeting.
type PaperView struct {
	ID       prevent.ID  `json:"id"`
	CaseID   *prevent.ID `json:"case_id"`
	Title    string      `json:"title"`
	Location string      `json:"location"`
}

// MeetingView is a panel meeting. started is true from the meeting's day, when attendance and decisions can
// be recorded; quorate when the chair and a police representative are recorded present.
type MeetingView struct {
	ID        prevent.ID       `json:"id"`
	PanelID   prevent.ID       `json:"panel_id"`
	Panel     string           `json:"panel"`
	HeldAt    time.Time        `json:"held_at"`
	Started   bool             `json:"started"`
	Quorate   bool             `json:"quorate"`
	Attendees []AttendeeView   `json:"attendees"`
	Agenda    []AgendaItemView `json:"agenda"`
	Papers    []PaperView      `json:"papers"`
}

type panelAPI struct {
	s  *Server
	cw *casework.Service
}

// registerPanels adds the panel routes.
func (s *Server) registerPanels() {
	a := panelAPI{s: s, cw: s.deps.Casework}
	const P = "/partnerships/{pid}/panels"
	s.handle(http.MethodGet, P, access.PanelView, operation{id: "listPanels",
		summary: "The partnership's Channel panels, with whether the caller sits on each", response: PanelList{}}, listOf[PanelList](a.cw.Panels, panelOut))
	s.handle(http.MethodGet, P+"/{panel}/meetings", access.PanelView, operation{id: "listMeetings",
		summary: "A panel's meetings, latest first", response: MeetingList{}}, a.meetings)
	s.handle(http.MethodGet, P+"/{panel}/meetings/{meeting}", access.PanelView, operation{id: "getMeeting",
		summary: "A meeting's attendance, agenda and papers (audited): all of it for those who run the panel; for a member of the panel, " +
			"the cases on the agenda they may read; 404 for anyone else", response: MeetingView{}}, a.meeting)
}

// panelIn reads the partnership and the panel from the path.
func panelIn(r *http.Request) (pid, panelID prevent.ID, err error) {
	if pid, err = pathID(r, "pid"); err != nil {
		return 0, 0, err
	}
	panelID, err = pathID(r, "panel")
	return pid, panelID, err
}

func panelOut(p casework.Panel) PanelView {
	return PanelView{ID: p.ID, Name: p.Name, Areas: append([]string{}, p.Areas...), Member: p.Member}
}

func (a panelAPI) meetings(w http.ResponseWriter, r *http.Request) error {
	pid, panelID, err := panelIn(r)
	if err != nil {
		return err
	}
	ms, err := a.cw.Meetings(r.Context(), prevent.PrincipalFrom(r.Context()), panelID)
	if err != nil {
		return err
	}
	out := MeetingList{Items: []MeetingSummary{}}
	for _, m := range ms {
		if m.Panel.PartnershipID != pid {
			return access.NotFound("Panel")
		}
		out.Items = append(out.Items, MeetingSummary{ID: m.ID, HeldAt: m.HeldAt.UTC()})
	}
	return encode(w, http.StatusOK, out)
}

func (a panelAPI) meeting(w http.ResponseWriter, r *http.Request) error {
	pid, panelID, err := panelIn(r)
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	m, err := a.cw.Meeting(r.Context(), prevent.PrincipalFrom(r.Context()), meetingID)
	if err != nil {
		return err
	}
	if m.Panel.ID != panelID || m.Panel.PartnershipID != pid {
		return access.NotFound("Panel meeting")
	}
	return encode(w, http.StatusOK, meetingOut(m, a.s.deps.Now()))
}

func attendeeOut(x casework.Attendee) AttendeeView {
	return AttendeeView{MemberID: x.MemberID, PersonID: x.PersonID, Name: x.Name, Organisation: x.Organisation, Role: string(x.Role), Present: x.Present}
}

func paperOut(x casework.Paper) PaperView {
	pv := PaperView{ID: x.ID, Title: x.Title, Location: x.Location}
	if x.ReferralID != 0 {
		id := x.ReferralID
		pv.CaseID = &id
	}
	return pv
}

func agendaItemOut(x casework.AgendaItem) AgendaItemView {
	return AgendaItemView{CaseID: x.ReferralID, Reference: x.Reference, State: string(x.State), Decided: x.Decided}
}

// meetingOut is a meeting as the API shows it, started or not at now.
func meetingOut(m casework.Meeting, now time.Time) MeetingView {
	out := MeetingView{ID: m.ID, PanelID: m.Panel.ID, Panel: m.Panel.Name, HeldAt: m.HeldAt.UTC(), Started: m.Started(now),
		Quorate: m.Quorate, Attendees: []AttendeeView{}, Agenda: []AgendaItemView{}, Papers: []PaperView{}}
	for _, x := range m.Attendees {
		out.Attendees = append(out.Attendees, attendeeOut(x))
	}
	for _, x := range m.Agenda {
		out.Agenda = append(out.Agenda, agendaItemOut(x))
	}
	for _, x := range m.Papers {
		out.Papers = append(out.Papers, paperOut(x))
	}
	return out
}

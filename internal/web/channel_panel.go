package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// panelsView lists the partnership's Channel panels, with the form to set one up.
type panelsView struct {
	PartnershipID prevent.ID
	Panels        []casework.Panel
	CanManage     bool
	Form          form
}

func (cp *casePages) renderPanels(w http.ResponseWriter, r *http.Request, f form) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	v := panelsView{PartnershipID: pid, Form: f, CanManage: cp.may(r, pid, access.PanelManage)}
	if v.Panels, err = cp.svc.Panels(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	l := cp.layout(r, "Channel panels")
	l.Errors = f.Errors
	return cp.page(w, r, l, panelsPage(l, v))
}

func (cp *casePages) handlePanels(w http.ResponseWriter, r *http.Request) error {
	return cp.renderPanels(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handlePanelCreate(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	id, err := cp.svc.CreatePanel(r.Context(), principalOf(r), pid, f.get("name"), strings.Split(f.Values.Get("areas"), "\n"))
	return cp.settle(w, r, err, panelPath(pid, id), "Panel set up", f, "", func(f form) error { return cp.renderPanels(w, r, f) })
}

// panelView is one panel: its meetings, and the forms to add a member and schedule a meeting.
type panelView struct {
	PartnershipID prevent.ID
	Panel         casework.Panel
	Meetings      []casework.Meeting
	People        []partnership.Person
	CanManage     bool
	Form          form
}

func (cp *casePages) findPanel(r *http.Request, pid prevent.ID) (casework.Panel, error) {
	panelID, err := pathID(r, "panel")
	if err != nil {
		return casework.Panel{}, err
	}
	panels, err := cp.svc.Panels(r.Context(), principalOf(r), pid)
	if err != nil {
		return casework.Panel{}, err
	}
	for _, pn := range panels {
		if pn.ID == panelID {
			return pn, nil
		}
	}
	return casework.Panel{}, access.NotFound("Panel")
}

func (cp *casePages) renderPanel(w http.ResponseWriter, r *http.Request, f form) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := panelView{PartnershipID: pid, Form: f, CanManage: cp.may(r, pid, access.PanelManage)}
	if v.Panel, err = cp.findPanel(r, pid); err != nil {
		return err
	}
	if v.Meetings, err = cp.svc.Meetings(ctx, p, v.Panel.ID); err != nil {
		return err
	}
	if v.CanManage && cp.may(r, pid, access.PersonView) {
		if v.People, err = cp.deps.Partnership.People(ctx, p, pid, partnership.PeopleFilter{Limit: 200}); err != nil {
			return err
		}
	}
	l := cp.layout(r, v.Panel.Name)
	l.Errors = f.Errors
	l.Back = partnershipPath(pid, "panels")
	return cp.page(w, r, l, panelPage(l, v))
}

func (cp *casePages) handlePanel(w http.ResponseWriter, r *http.Request) error {
	return cp.renderPanel(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handlePanelMemberPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := pathID(r, "panel")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in := casework.PanelMemberInput{PersonID: idOf(f, "person"), Role: casework.PanelRole(f.get("role")), Areas: strings.Split(f.Values.Get("member-areas"), "\n")}
	_, err = cp.svc.AddPanelMember(r.Context(), principalOf(r), panelID, in)
	return cp.settle(w, r, err, panelPath(pid, panelID), "Member added", f, "person", func(f form) error { return cp.renderPanel(w, r, f) })
}

func (cp *casePages) handleMeetingPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := pathID(r, "panel")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	at, ok, derr := caseDate(f.Values, "held")
	if derr != nil || !ok {
		f.Errors = []prevent.FieldError{{Field: "held", Message: "Enter the date of the meeting, for example 27 3 2027"}}
		return cp.renderPanel(w, r, f)
	}
	id, err := cp.svc.ScheduleMeeting(r.Context(), principalOf(r), panelID, atTen(at))
	return cp.settle(w, r, err, meetingPath(pid, panelID, id), "Meeting scheduled", f, "held", func(f form) error { return cp.renderPanel(w, r, f) })
}

// meetingView is a meeting as those who run the panel see it: attendance, agenda, papers.
type meetingView struct {
	PartnershipID prevent.ID
	Meeting       casework.Meeting
	Listed        []casework.Summary // cases listed for panel or under review, to put on the agenda
	CanDecide     bool
	Form          form
}

func (cp *casePages) renderMeeting(w http.ResponseWriter, r *http.Request, f form) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := pathID(r, "panel")
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := meetingView{PartnershipID: pid, Form: f, CanDecide: cp.may(r, pid, access.PanelDecide)}
	if v.Meeting, err = cp.svc.Meeting(ctx, p, meetingID); err != nil {
		return err
	}
	if v.Meeting.Panel.ID != panelID || v.Meeting.Panel.PartnershipID != pid {
		return access.NotFound("Panel meeting")
	}
	if cp.may(r, pid, access.CaseStatusView) {
		// Cases come before the panel when listed, and for review while they are supported.
		for _, st := range []casework.Stage{casework.StagePanel, casework.StageSupport} {
			cases, _, err := cp.svc.List(ctx, p, casework.ListFilter{PartnershipID: pid, Stage: st, Limit: 100})
			if err != nil {
				return err
			}
			v.Listed = append(v.Listed, cases...)
		}
	}
	if len(f.Errors) == 0 {
		f.Errors = cp.takeRefusal(w, r)
		v.Form = f
	}
	l := cp.layout(r, "Meeting on "+dayText(v.Meeting.HeldAt))
	l.Errors = f.Errors
	l.Back = panelPath(pid, panelID)
	return cp.page(w, r, l, meetingPage(l, v))
}

func (cp *casePages) handleMeeting(w http.ResponseWriter, r *http.Request) error {
	return cp.renderMeeting(w, r, form{Values: url.Values{}})
}

// meetingPost runs a change to a meeting and returns to it.
func (cp *casePages) meetingPost(w http.ResponseWriter, r *http.Request, field, msg string, do func(f form, meetingID prevent.ID) error) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := pathID(r, "panel")
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	err = do(f, meetingID)
	return cp.settle(w, r, err, meetingPath(pid, panelID, meetingID), msg, f, field, func(f form) error { return cp.renderMeeting(w, r, f) })
}

func (cp *casePages) handleAttendancePost(w http.ResponseWriter, r *http.Request) error {
	return cp.meetingPost(w, r, "present", "Attendance recorded", func(f form, meetingID prevent.ID) error {
		m, err := cp.svc.Meeting(r.Context(), principalOf(r), meetingID)
		if err != nil {
			return err
		}
		present := map[string]bool{}
		for _, v := range f.list("present") {
			present[v] = true
		}
		for _, a := range m.Attendees {
			if want := present[itoa64(a.MemberID)]; want != a.Present {
				if err := cp.svc.RecordAttendance(r.Context(), principalOf(r), meetingID, a.MemberID, want); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (cp *casePages) handleAgendaPost(w http.ResponseWriter, r *http.Request) error {
	return cp.meetingPost(w, r, "case", "Case added to the agenda", func(f form, meetingID prevent.ID) error {
		id := idOf(f, "case")
		if id == 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "case", Message: "Select a case listed for the panel"}})
		}
		return cp.svc.AddToAgenda(r.Context(), principalOf(r), meetingID, id)
	})
}

func (cp *casePages) handlePaperPost(w http.ResponseWriter, r *http.Request) error {
	return cp.meetingPost(w, r, "title", "Paper added", func(f form, meetingID prevent.ID) error {
		_, err := cp.svc.AddPaper(r.Context(), principalOf(r), meetingID, idOf(f, "paper-case"), f.get("title"), f.get("location"))
		return err
	})
}

// decisionView is the panel's decision form for one case on a meeting's agenda.
type decisionView struct {
	PartnershipID prevent.ID
	Meeting       casework.Meeting
	Item          casework.AgendaItem
	Services      []casework.Item
	Reasons       []casework.Item
	Outcomes      []casework.Item
	Form          form
}

func (cp *casePages) renderDecision(w http.ResponseWriter, r *http.Request, f form) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	caseID, err := pathID(r, "case")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := decisionView{PartnershipID: pid, Form: f}
	if v.Meeting, err = cp.svc.Meeting(ctx, p, meetingID); err != nil {
		return err
	}
	found := false
	for _, it := range v.Meeting.Agenda {
		if it.ReferralID == caseID {
			v.Item, found = it, true
		}
	}
	if !found || v.Meeting.Panel.PartnershipID != pid {
		return access.NotFound("Agenda item")
	}
	now := cp.deps.Now()
	if v.Services, err = cp.svc.Reference(ctx, casework.SignpostServices, now); err != nil {
		return err
	}
	if v.Reasons, err = cp.svc.Reference(ctx, casework.TriageReasons, now); err != nil {
		return err
	}
	if v.Outcomes, err = cp.svc.Reference(ctx, casework.ExitOutcomes, now); err != nil {
		return err
	}
	l := cp.layout(r, "Panel decision: "+v.Item.Reference)
	l.Errors = f.Errors
	l.Marking = casework.DefaultMarking
	l.Back = meetingPath(pid, v.Meeting.Panel.ID, meetingID)
	return cp.page(w, r, l, decisionPage(l, v))
}

func (cp *casePages) handleDecision(w http.ResponseWriter, r *http.Request) error {
	return cp.renderDecision(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleDecisionPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := pathID(r, "panel")
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	caseID, err := pathID(r, "case")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in := casework.DecisionInput{Kind: casework.DecisionKind(f.get("decision")), Rationale: f.get("rationale"), Reached: casework.Reached(f.get("reached")),
		HealthSocialCareConsideration: f.get("health-social-care"), SignpostService: f.get("service"), CloseReason: f.get("reason"),
		ExitOutcome: f.get("outcome"), TransferTo: f.get("transfer-to"), ReceivingPanelAccepted: f.get("accepted") == "yes"}
	next, err := cp.svc.RecordDecision(r.Context(), principalOf(r), meetingID, caseID, in)
	return cp.settle(w, r, err, meetingPath(pid, panelID, meetingID), "Decision recorded: "+next.String(), f, "decision",
		func(f form) error { return cp.renderDecision(w, r, f) })
}

// minutesView is a meeting's minutes, whole or for one attendee organisation (printable).
type minutesView struct {
	PartnershipID prevent.ID
	Minutes       casework.Minutes
	Organisations []govukOption // attendee organisations, for the export links
	Labels        map[string]string
}

func (cp *casePages) handleMinutes(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	org := prevent.ID(0)
	if o := r.URL.Query().Get("organisation"); o != "" {
		if org, err = parseID(o); err != nil {
			return access.NotFound("Panel meeting")
		}
	}
	ctx, p := r.Context(), principalOf(r)
	if org != 0 && org != p.OrganisationID {
		// Minutes for another organisation disclose its cases to it: the export form records that first.
		return cp.renderMinutesExport(w, r, org, form{Values: url.Values{}})
	}
	m, err := cp.svc.Minutes(ctx, p, meetingID, org, sharing.DisclosureInput{})
	if prevent.ErrorKind(err) == prevent.Invalid {
		return access.NotFound("Panel meeting")
	}
	if err != nil {
		return err
	}
	return cp.showMinutes(w, r, pid, m)
}

// showMinutes renders minutes generated by the service, after checking they are of the panel in the path.
func (cp *casePages) showMinutes(w http.ResponseWriter, r *http.Request, pid prevent.ID, m casework.Minutes) error {
	ctx, meetingID := r.Context(), m.MeetingID
	if m.PanelID != mustPathID(r, "panel") {
		return access.NotFound("Panel meeting")
	}
	v := minutesView{PartnershipID: pid, Minutes: m, Labels: map[string]string{}}
	seen := map[prevent.ID]bool{}
	for _, a := range m.Attendees {
		if a.Present && !seen[a.OrganisationID] {
			seen[a.OrganisationID] = true
			v.Organisations = append(v.Organisations, govukOption{itoa64(a.OrganisationID), a.Organisation})
		}
	}
	for _, it := range m.Items {
		for _, c := range []struct {
			list casework.List
			code string
		}{{casework.SignpostServices, it.SignpostService}, {casework.TriageReasons, it.CloseReason}, {casework.ExitOutcomes, it.ExitOutcome}} {
			if c.code != "" {
				v.Labels[c.code] = cp.svc.Label(ctx, c.list, c.code, it.RecordedAt)
			}
		}
	}
	title := "Minutes of " + m.PanelName + ", " + dayText(m.HeldAt)
	l := cp.layout(r, title)
	l.Marking = casework.DefaultMarking
	l.Back = meetingPath(pid, m.PanelID, meetingID)
	if !cp.may(r, pid, access.PanelManage) {
		l.Back = panelPath(pid, m.PanelID)
	}
	return cp.page(w, r, l, minutesPage(l, v))
}

// minutesExport is the form that exports a meeting's minutes for another organisation: the cases in them
// are disclosed to it.
type minutesExport struct {
	PartnershipID prevent.ID
	Meeting       casework.Meeting
	Organisation  govukOption
	Form          form
	Share         *disclosureView
}

func (cp *casePages) renderMinutesExport(w http.ResponseWriter, r *http.Request, org prevent.ID, f form) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	if !cp.may(r, pid, access.PanelManage) {
		return access.NotFound("Panel meeting")
	}
	ctx, p := r.Context(), principalOf(r)
	mt, err := cp.svc.Meeting(ctx, p, meetingID)
	if err != nil {
		return err
	}
	if mt.Panel.ID != mustPathID(r, "panel") || mt.Panel.PartnershipID != pid {
		return access.NotFound("Panel meeting")
	}
	v := minutesExport{PartnershipID: pid, Meeting: mt, Organisation: govukOption{Value: itoa64(org)}, Form: f}
	if v.Share, err = cp.loadDisclosure(r, pid, shareSpec{ToOrg: org, Purpose: sharing.ChannelPanel,
		Intro: "Their minutes hold the cases their organisation may see: those it referred, those already shared with it, and every case if it attends in a coordinating role. The export shares each of them."}, f); err != nil {
		return err
	}
	if v.Share.To == "" {
		return access.NotFound("Panel meeting")
	}
	v.Organisation.Text = v.Share.To
	v.Form = v.Share.Form
	l := cp.layout(r, "Export minutes for "+v.Share.To)
	l.Errors = f.Errors
	l.Marking = casework.DefaultMarking
	l.Back = meetingPath(pid, mt.Panel.ID, meetingID, "minutes")
	return cp.page(w, r, l, minutesExportPage(l, v))
}

func (cp *casePages) handleMinutesExportPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := pathID(r, "meeting")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	org, err := parseID(f.get("organisation"))
	if err != nil {
		return access.NotFound("Panel meeting")
	}
	share, err := readDisclosure(f)
	var m casework.Minutes
	if err == nil {
		m, err = cp.svc.Minutes(r.Context(), principalOf(r), meetingID, org, share)
	}
	if prevent.ErrorKind(err) == prevent.Invalid {
		return cp.renderMinutesExport(w, r, org, f.withShareErr(err, "", ""))
	}
	if err != nil {
		return err
	}
	return cp.showMinutes(w, r, pid, m)
}

func mustPathID(r *http.Request, name string) prevent.ID {
	id, _ := pathID(r, name)
	return id
}

func parseID(s string) (prevent.ID, error) {
	f := form{Values: url.Values{"x": {s}}}
	id := idOf(f, "x")
	if id <= 0 {
		return 0, prevent.Errorf(prevent.NotFound, "Not found")
	}
	return id, nil
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// listForm is the page that lists a case for a panel at one of its meetings: the panel (chosen first), the
// meeting whose agenda the case goes on, and the sharing of the panel pack with the organisations of its
// members.
type listForm struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Panels        []casework.Panel
	// Panel is the panel chosen (ID 0 until one is), and Meetings its meetings still to come.
	Panel    casework.Panel
	Meetings []casework.Meeting
	// Unreachable names the panel's member organisations that the lister's organisation has no agreement in
	// force with (sharing.Partners): listing would be refused, so it is not offered.
	Unreachable []string
	Form        form
	Share       *disclosureView
}

func (cp *casePages) renderListForPanel(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := listForm{PartnershipID: pid, Form: f}
	if v.Referral, err = cp.caseOf(ctx, p, pid, id); err != nil {
		return err
	}
	if v.Panels, err = cp.svc.Panels(ctx, p, pid); err != nil {
		return err
	}
	for _, pn := range v.Panels {
		if itoa64(pn.ID) == f.Get("panel") {
			v.Panel = pn
		}
	}
	if v.Panel.ID != 0 {
		if v.Unreachable, err = cp.unreachable(r, pid, v.Panel.ID); err != nil {
			return err
		}
	}
	if v.Panel.ID != 0 && len(v.Unreachable) == 0 {
		meetings, err := cp.svc.Meetings(ctx, p, v.Panel.ID)
		if err != nil {
			return err
		}
		now := cp.deps.Now()
		// Soonest first: Meetings lists them newest first.
		for i := len(meetings) - 1; i >= 0; i-- {
			if !meetings[i].Past(now) {
				v.Meetings = append(v.Meetings, meetings[i])
			}
		}
		if v.Share, err = cp.loadDisclosure(r, pid, shareSpec{ReferralID: id, Purpose: sharing.ChannelPanel,
			Intro: "Listing the case sends the panel pack to every organisation with a member on the panel, and assigns the panel's members to the case. Record the sharing for the organisations other than yours: it applies to each of them."}, f); err != nil {
			return err
		}
		v.Form = v.Share.Form
	}
	l := cp.layout(r, caseTitle("List for a panel", v.Referral.Reference))
	l.Errors = f.Errors
	l.Marking = v.Referral.Marking
	l.Back = casePath(pid, id, "panel")
	return cp.page(w, r, l, listForMeetingPage(l, v))
}

// unreachable names the panel's member organisations, other than the reader's, that the reader's
// organisation may not share with today.
func (cp *casePages) unreachable(r *http.Request, pid, panelID prevent.ID) ([]string, error) {
	ctx, p := r.Context(), principalOf(r)
	orgs, err := cp.svc.PanelOrganisations(ctx, p, panelID)
	if err != nil {
		return nil, err
	}
	partners, err := cp.share.Partners(ctx, p, pid)
	if err != nil {
		return nil, err
	}
	var missing []prevent.ID
	for _, o := range orgs {
		if o != p.OrganisationID && !slices.ContainsFunc(partners, func(x sharing.Partner) bool { return x.ID == o }) {
			missing = append(missing, o)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	all, err := cp.deps.Partnership.Organisations(ctx, p, pid)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, o := range all {
		if slices.Contains(missing, o.ID) {
			names = append(names, o.Name)
		}
	}
	return names, nil
}

// handleListForPanelForm is the listing page: with ?panel= (chosen on the case page, or here) it asks for the
// meeting and the sharing; without, it asks which panel.
func (cp *casePages) handleListForPanelForm(w http.ResponseWriter, r *http.Request) error {
	f := form{Values: url.Values{}}
	if pn := r.URL.Query().Get("panel"); pn != "" {
		f.Values.Set("panel", pn)
	}
	if mt := r.URL.Query().Get("meeting"); mt != "" {
		f.Values.Set("meeting", mt)
	}
	return cp.renderListForPanel(w, r, f)
}

func (cp *casePages) handleListForPanel(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	share, err := readDisclosure(f)
	if err == nil {
		err = cp.svc.ListForPanel(r.Context(), principalOf(r), id, idOf(f, "panel"), idOf(f, "meeting"), share)
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return cp.renderListForPanel(w, r, withShareErr(f, err, "", ""))
	case prevent.Conflict:
		f.Errors = []prevent.FieldError{{Field: "meeting", Message: prevent.PublicMessage(err)}}
		return cp.renderListForPanel(w, r, f)
	}
	if err != nil {
		return err
	}
	return cp.flash(w, r, casePath(pid, id, "panel"), "The case is listed for the panel and on the agenda of its meeting")
}

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
	id, err := cp.svc.CreatePanel(r.Context(), principalOf(r), pid, f.Get("name"), strings.Split(f.Values.Get("areas"), "\n"))
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
	in := casework.PanelMemberInput{PersonID: idOf(f, "person"), Role: casework.PanelRole(f.Get("role")), Areas: strings.Split(f.Values.Get("member-areas"), "\n")}
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
	at, fe := readDate(f, "held", "Date of the meeting", true)
	if fe.Message != "" {
		f.Errors = []prevent.FieldError{fe}
		return cp.renderPanel(w, r, f)
	}
	id, err := cp.svc.ScheduleMeeting(r.Context(), principalOf(r), panelID, atTen(at))
	return cp.settle(w, r, err, meetingPath(pid, panelID, id), "Meeting scheduled", f, "held-day", func(f form) error { return cp.renderPanel(w, r, f) })
}

// meetingView is a meeting as those who run the panel see it: attendance, agenda, papers.
type meetingView struct {
	PartnershipID prevent.ID
	Meeting       casework.Meeting
	Listed        []casework.Summary // cases listed for panel or under review, to put on the agenda
	CanDecide     bool
	// CanManage is false for a member of the panel, who reads the meeting and changes nothing.
	CanManage bool
	// Started reports whether the meeting's day has come: attendance and decisions are recorded from then.
	Started bool
	Form    form
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
	v := meetingView{PartnershipID: pid, Form: f, CanDecide: cp.may(r, pid, access.PanelDecide), CanManage: cp.may(r, pid, access.PanelManage)}
	if v.Meeting, err = cp.svc.Meeting(ctx, p, meetingID); err != nil {
		return err
	}
	v.Started = v.Meeting.Started(cp.deps.Now())
	if v.Meeting.Panel.ID != panelID || v.Meeting.Panel.PartnershipID != pid {
		return access.NotFound("Panel meeting")
	}
	if v.CanManage && cp.may(r, pid, access.CaseStatusView) {
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
	var present []prevent.ID
	for _, v := range f.List("present") {
		id, err := parseID(v)
		if err != nil {
			return access.NotFound("Panel member")
		}
		present = append(present, id)
	}
	err = cp.svc.SetAttendance(r.Context(), principalOf(r), meetingID, present)
	if prevent.ErrorKind(err) == prevent.Conflict {
		// Before the meeting's day the page offers no attendance: the refusal is the plain error page.
		return err
	}
	return cp.settle(w, r, err, meetingPath(pid, panelID, meetingID), "Attendance recorded", f, "present", func(f form) error { return cp.renderMeeting(w, r, f) })
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
		_, err := cp.svc.AddPaper(r.Context(), principalOf(r), meetingID, idOf(f, "paper-case"), f.Get("title"), f.Get("location"))
		return err
	})
}

// decisionView is the panel's page of one case on a meeting's agenda: the case as the reader's organisation
// was given it and, for those who decide once the meeting's day has come, the decision form.
type decisionView struct {
	PartnershipID prevent.ID
	Meeting       casework.Meeting
	Item          casework.AgendaItem
	// Referral is the case minimised for the reader's organisation; ConcernTypes are its types' labels.
	Referral     casework.Referral
	ConcernTypes []string
	Services     []casework.Item
	Reasons      []casework.Item
	Outcomes     []casework.Item
	// CanDecide offers the decision form (the meeting has started and nothing is decided yet); ConsultationDue
	// asks for the children's services consultation in it, which CanConsult lets the reader record there.
	CanDecide       bool
	ConsultationDue bool
	CanConsult      bool
	Started         bool
	Now             time.Time
	Form            form
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
	now := cp.deps.Now()
	v := decisionView{PartnershipID: pid, Form: f, Now: now, CanConsult: cp.may(r, pid, access.CaseSupport)}
	mc, err := cp.svc.MeetingCase(ctx, p, meetingID, caseID)
	if err != nil {
		return err
	}
	v.Meeting, v.Item, v.ConsultationDue = mc.Meeting, mc.Item, mc.ChildrensServicesDue
	if v.Meeting.Panel.PartnershipID != pid || v.Meeting.Panel.ID != mustPathID(r, "panel") {
		return access.NotFound("Agenda item")
	}
	if v.Referral, err = cp.svc.Referral(ctx, p, caseID); err != nil {
		return err
	}
	for _, code := range v.Referral.Details.Concern.Types {
		v.ConcernTypes = append(v.ConcernTypes, cp.svc.Label(ctx, casework.ConcernTypes, code, v.Referral.SubmittedAt))
	}
	v.Started = v.Meeting.Started(now)
	v.CanDecide = cp.may(r, pid, access.PanelDecide) && v.Started && !v.Item.Decided
	if v.CanDecide {
		if v.Services, err = cp.svc.Reference(ctx, casework.SignpostServices, now); err != nil {
			return err
		}
		if v.Reasons, err = cp.svc.Reference(ctx, casework.TriageReasons, now); err != nil {
			return err
		}
		if v.Outcomes, err = cp.svc.Reference(ctx, casework.ExitOutcomes, now); err != nil {
			return err
		}
	}
	title := caseTitle("", v.Item.Reference)
	if v.CanDecide {
		title = caseTitle("Panel decision", v.Item.Reference)
	}
	l := cp.layout(r, title)
	l.Errors = f.Errors
	l.Marking = max(casework.DefaultMarking, v.Referral.Marking)
	l.Back = meetingPath(pid, v.Meeting.Panel.ID, meetingID)
	if !cp.may(r, pid, access.PanelManage) {
		l.Back = panelPath(pid, v.Meeting.Panel.ID)
	}
	return cp.page(w, r, l, decisionPage(l, v))
}

func (cp *casePages) handleDecision(w http.ResponseWriter, r *http.Request) error {
	return cp.renderDecision(w, r, form{Values: url.Values{}})
}

// consultationGiven reports whether the decision form holds a children's services consultation to record.
func consultationGiven(f form) bool {
	for _, k := range []string{"consulted-at-day", "consulted-at-month", "consulted-at-year", "consulted-with", "consultation-notes"} {
		if f.Get(k) != "" {
			return true
		}
	}
	return false
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
	ctx, p := r.Context(), principalOf(r)
	// The service words its errors about the consultation's date under the date's name.
	render := func(f form) error { return cp.renderDecision(w, r, dateErrorsToDay(f, "consulted-at")) }
	// A consultation with children's services typed into the form is recorded first, by the same call as
	// the case's own page, so that a child's case can be adopted in one step.
	if consultationGiven(f) {
		// A date left blank is the zero time, which the service refuses with its own message.
		at, fe := readDate(f, "consulted-at", "Date of the consultation", false)
		if fe.Message != "" {
			err = prevent.Validation([]prevent.FieldError{fe})
		} else {
			err = cp.svc.RecordChildrensServicesConsultation(ctx, p, caseID, at, f.Get("consulted-with"), f.Get("consultation-notes"))
		}
		if err != nil {
			return cp.settle(w, r, err, "", "", f, "consulted-at-day", render)
		}
	}
	in := casework.DecisionInput{Kind: casework.DecisionKind(f.Get("decision")), Rationale: f.Get("rationale"), Reached: casework.Reached(f.Get("reached")),
		HealthSocialCareConsideration: f.Get("health-social-care"), SignpostService: f.Get("service"), CloseReason: f.Get("reason"),
		ExitOutcome: f.Get("outcome"), TransferTo: f.Get("transfer-to"), ReceivingPanelAccepted: f.Get("accepted") == "yes"}
	next, err := cp.svc.RecordDecision(ctx, p, meetingID, caseID, in)
	field := "decision"
	switch {
	case errors.Is(err, casework.ErrChildrensServicesFirst) && cp.may(r, pid, access.CaseSupport):
		// Refused for want of the consultation: the message links to where it is recorded, in this form.
		field = "consulted-at-day"
	case prevent.ErrorKind(err) == prevent.Conflict:
		mc, merr := cp.svc.MeetingCase(ctx, p, meetingID, caseID)
		if merr != nil {
			return merr
		}
		if !mc.Meeting.Started(cp.deps.Now()) {
			// Before the meeting's day the page offers no decision: the refusal is the plain error page.
			return err
		}
	}
	return cp.settle(w, r, err, meetingPath(pid, panelID, meetingID), "Decision recorded: "+next.String(), f, field, render)
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
	org, err := parseID(f.Get("organisation"))
	if err != nil {
		return access.NotFound("Panel meeting")
	}
	share, err := readDisclosure(f)
	var m casework.Minutes
	if err == nil {
		m, err = cp.svc.Minutes(r.Context(), principalOf(r), meetingID, org, share)
	}
	if prevent.ErrorKind(err) == prevent.Invalid {
		return cp.renderMinutesExport(w, r, org, withShareErr(f, err, "", ""))
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

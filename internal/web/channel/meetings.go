package channel

import (
	"net/http"
	"net/url"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/core"
)

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
	Form    core.Form
}

func (pg *pages) renderMeeting(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := core.PathID(r, "panel")
	if err != nil {
		return err
	}
	meetingID, err := core.PathID(r, "meeting")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := meetingView{PartnershipID: pid, Form: f, CanDecide: pg.May(r, pid, access.PanelDecide), CanManage: pg.May(r, pid, access.PanelManage)}
	if v.Meeting, err = pg.svc.Meeting(ctx, p, meetingID); err != nil {
		return err
	}
	v.Started = v.Meeting.Started(pg.d.Now())
	if v.Meeting.Panel.ID != panelID || v.Meeting.Panel.PartnershipID != pid {
		return access.NotFound("Panel meeting")
	}
	if v.CanManage && pg.May(r, pid, access.CaseStatusView) {
		// Cases come before the panel when listed, and for review while they are supported.
		for _, st := range []casework.Stage{casework.StagePanel, casework.StageSupport} {
			cases, _, err := pg.svc.List(ctx, p, casework.ListFilter{PartnershipID: pid, Stage: st, Limit: 100})
			if err != nil {
				return err
			}
			v.Listed = append(v.Listed, cases...)
		}
	}
	if len(f.Errors) == 0 {
		f.Errors = core.TakeRefusal(w, r, pg.d.HTTPS)
		v.Form = f
	}
	l := pg.Layout(r, "Meeting on "+core.DayText(v.Meeting.HeldAt))
	l.Errors = f.Errors
	l.Back = PanelPath.Link(pid, panelID)
	return pg.Page(w, r, l, meetingPage(l, v))
}

func (pg *pages) handleMeeting(w http.ResponseWriter, r *http.Request) error {
	return pg.renderMeeting(w, r, core.Form{Values: url.Values{}})
}

// meetingPost runs a change to a meeting and returns to it.
func (pg *pages) meetingPost(w http.ResponseWriter, r *http.Request, field, msg string, do func(f core.Form, meetingID prevent.ID) error) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := core.PathID(r, "panel")
	if err != nil {
		return err
	}
	meetingID, err := core.PathID(r, "meeting")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	err = do(f, meetingID)
	return pg.settle(w, r, err, MeetingPath.Link(pid, panelID, meetingID), msg, f, field, func(f core.Form) error { return pg.renderMeeting(w, r, f) })
}

func (pg *pages) handleAttendancePost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := core.PathID(r, "panel")
	if err != nil {
		return err
	}
	meetingID, err := core.PathID(r, "meeting")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
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
	err = pg.svc.SetAttendance(r.Context(), principalOf(r), meetingID, present)
	if prevent.ErrorKind(err) == prevent.Conflict {
		// Before the meeting's day the page offers no attendance: the refusal is the plain error page.
		return err
	}
	return pg.settle(w, r, err, MeetingPath.Link(pid, panelID, meetingID), "Attendance recorded", f, "present", func(f core.Form) error { return pg.renderMeeting(w, r, f) })
}

func (pg *pages) handleAgendaPost(w http.ResponseWriter, r *http.Request) error {
	return pg.meetingPost(w, r, "case", "Case added to the agenda", func(f core.Form, meetingID prevent.ID) error {
		id := f.ID("case")
		if id == 0 {
			return prevent.Validation([]prevent.FieldError{{Field: "case", Message: "Select a case listed for the panel"}})
		}
		return pg.svc.AddToAgenda(r.Context(), principalOf(r), meetingID, id)
	})
}

func (pg *pages) handlePaperPost(w http.ResponseWriter, r *http.Request) error {
	return pg.meetingPost(w, r, "title", "Paper added", func(f core.Form, meetingID prevent.ID) error {
		_, err := pg.svc.AddPaper(r.Context(), principalOf(r), meetingID, f.ID("paper-case"), f.Get("title"), f.Get("location"))
		return err
	})
}

// minutesView is a meeting's minutes, whole or for one attendee organisation (printable).
type minutesView struct {
	PartnershipID prevent.ID
	Minutes       casework.Minutes
	Organisations []core.Option // attendee organisations, for the export links
	Labels        map[string]string
}

func (pg *pages) handleMinutes(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := core.PathID(r, "meeting")
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
		return pg.renderMinutesExport(w, r, org, core.Form{Values: url.Values{}})
	}
	m, err := pg.svc.Minutes(ctx, p, meetingID, org, sharing.DisclosureInput{})
	if prevent.ErrorKind(err) == prevent.Invalid {
		return access.NotFound("Panel meeting")
	}
	if err != nil {
		return err
	}
	return pg.showMinutes(w, r, pid, m)
}

// showMinutes renders minutes generated by the service, after checking they are of the panel in the path.
func (pg *pages) showMinutes(w http.ResponseWriter, r *http.Request, pid prevent.ID, m casework.Minutes) error {
	ctx, meetingID := r.Context(), m.MeetingID
	if m.PanelID != mustPathID(r, "panel") {
		return access.NotFound("Panel meeting")
	}
	v := minutesView{PartnershipID: pid, Minutes: m, Labels: map[string]string{}}
	seen := map[prevent.ID]bool{}
	for _, a := range m.Attendees {
		if a.Present && !seen[a.OrganisationID] {
			seen[a.OrganisationID] = true
			v.Organisations = append(v.Organisations, core.Option{Value: core.IDText(a.OrganisationID), Text: a.Organisation})
		}
	}
	for _, it := range m.Items {
		for _, c := range []struct {
			list casework.List
			code string
		}{{casework.SignpostServices, it.SignpostService}, {casework.TriageReasons, it.CloseReason}, {casework.ExitOutcomes, it.ExitOutcome}} {
			if c.code != "" {
				v.Labels[c.code] = pg.svc.Label(ctx, c.list, c.code, it.RecordedAt)
			}
		}
	}
	title := "Minutes of " + m.PanelName + ", " + core.DayText(m.HeldAt)
	l := pg.Layout(r, title)
	l.Marking = casework.DefaultMarking
	l.Back = MeetingPath.Link(pid, m.PanelID, meetingID)
	if !pg.May(r, pid, access.PanelManage) {
		l.Back = PanelPath.Link(pid, m.PanelID)
	}
	return pg.Page(w, r, l, minutesPage(l, v))
}

// minutesExport is the form that exports a meeting's minutes for another organisation: the cases in them
// are disclosed to it.
type minutesExport struct {
	PartnershipID prevent.ID
	Meeting       casework.Meeting
	Organisation  core.Option
	Form          core.Form
	Share         *Fieldset
}

func (pg *pages) renderMinutesExport(w http.ResponseWriter, r *http.Request, org prevent.ID, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := core.PathID(r, "meeting")
	if err != nil {
		return err
	}
	if !pg.May(r, pid, access.PanelManage) {
		return access.NotFound("Panel meeting")
	}
	ctx, p := r.Context(), principalOf(r)
	mt, err := pg.svc.Meeting(ctx, p, meetingID)
	if err != nil {
		return err
	}
	if mt.Panel.ID != mustPathID(r, "panel") || mt.Panel.PartnershipID != pid {
		return access.NotFound("Panel meeting")
	}
	v := minutesExport{PartnershipID: pid, Meeting: mt, Organisation: core.Option{Value: core.IDText(org)}, Form: f}
	if v.Share, err = pg.d.Share.Load(r, pid, ShareSpec{ToOrg: org, Purpose: sharing.ChannelPanel,
		Intro: "Their minutes hold the cases their organisation may see: those it referred, those already shared with it, and every case if it attends in a coordinating role. The export shares each of them."}, f); err != nil {
		return err
	}
	if v.Share.To == "" {
		return access.NotFound("Panel meeting")
	}
	v.Organisation.Text = v.Share.To
	v.Form = v.Share.Form
	l := pg.Layout(r, "Export minutes for "+v.Share.To)
	l.Errors = f.Errors
	l.Marking = casework.DefaultMarking
	l.Back = MinutesPath.Link(pid, mt.Panel.ID, meetingID)
	return pg.Page(w, r, l, minutesExportPage(l, v))
}

func (pg *pages) handleMinutesExportPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := core.PathID(r, "meeting")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	org, err := parseID(f.Get("organisation"))
	if err != nil {
		return access.NotFound("Panel meeting")
	}
	share, err := pg.d.Share.Read(f)
	var m casework.Minutes
	if err == nil {
		m, err = pg.svc.Minutes(r.Context(), principalOf(r), meetingID, org, share)
	}
	if prevent.ErrorKind(err) == prevent.Invalid {
		return pg.renderMinutesExport(w, r, org, pg.d.Share.WithErr(f, err, "", ""))
	}
	if err != nil {
		return err
	}
	return pg.showMinutes(w, r, pid, m)
}

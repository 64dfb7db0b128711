package channel

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// decisionView is the panel's page of one case on a meeting's agenda: the case as the reader's organisation
// was given it and, for those who decide once the meeting's day has come, the decision form.
type decisionView struct {
	PartnershipID prevent.ID
	Meeting       casework.Meeting
	Item          casework.AgendaItem
	// Referral is the case minimised for the reader's organisation, and Card draws it (Deps.CaseCard).
	Referral casework.Referral
	Card     templ.Component
	Services []casework.Item
	Reasons  []casework.Item
	Outcomes []casework.Item
	// CanDecide offers the decision form (the meeting has started and nothing is decided yet); ConsultationDue
	// asks for the children's services consultation in it, which CanConsult lets the reader record there.
	CanDecide       bool
	ConsultationDue bool
	CanConsult      bool
	Started         bool
	Form            core.Form
}

func (pg *pages) renderDecision(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	meetingID, err := core.PathID(r, "meeting")
	if err != nil {
		return err
	}
	caseID, err := core.PathID(r, "case")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	now := pg.d.Now()
	v := decisionView{PartnershipID: pid, Form: f, CanConsult: pg.May(r, pid, access.CaseSupport)}
	mc, err := pg.svc.MeetingCase(ctx, p, meetingID, caseID)
	if err != nil {
		return err
	}
	v.Meeting, v.Item, v.ConsultationDue = mc.Meeting, mc.Item, mc.ChildrensServicesDue
	if v.Meeting.Panel.PartnershipID != pid || v.Meeting.Panel.ID != mustPathID(r, "panel") {
		return access.NotFound("Agenda item")
	}
	if v.Referral, err = pg.svc.Referral(ctx, p, caseID); err != nil {
		return err
	}
	var concernTypes []string
	for _, code := range v.Referral.Details.Concern.Types {
		concernTypes = append(concernTypes, pg.svc.Label(ctx, casework.ConcernTypes, code, v.Referral.SubmittedAt))
	}
	v.Card = pg.d.CaseCard(v.Referral, concernTypes, now)
	v.Started = v.Meeting.Started(now)
	v.CanDecide = pg.May(r, pid, access.PanelDecide) && v.Started && !v.Item.Decided
	if v.CanDecide {
		if v.Services, err = pg.svc.Reference(ctx, casework.SignpostServices, now); err != nil {
			return err
		}
		if v.Reasons, err = pg.svc.Reference(ctx, casework.TriageReasons, now); err != nil {
			return err
		}
		if v.Outcomes, err = pg.svc.Reference(ctx, casework.ExitOutcomes, now); err != nil {
			return err
		}
	}
	title := core.CaseTitle("", v.Item.Reference)
	if v.CanDecide {
		title = core.CaseTitle("Panel decision", v.Item.Reference)
	}
	l := pg.Layout(r, title)
	l.Errors = f.Errors
	l.Marking = max(casework.DefaultMarking, v.Referral.Marking)
	l.Back = MeetingPath.Link(pid, v.Meeting.Panel.ID, meetingID)
	if !pg.May(r, pid, access.PanelManage) {
		l.Back = PanelPath.Link(pid, v.Meeting.Panel.ID)
	}
	return pg.Page(w, r, l, decisionPage(l, v))
}

func (pg *pages) handleDecision(w http.ResponseWriter, r *http.Request) error {
	return pg.renderDecision(w, r, core.Form{Values: url.Values{}})
}

// consultationGiven reports whether the decision form holds a children's services consultation to record.
func consultationGiven(f core.Form) bool {
	for _, k := range []string{"consulted-at-day", "consulted-at-month", "consulted-at-year", "consulted-with", "consultation-notes"} {
		if f.Get(k) != "" {
			return true
		}
	}
	return false
}

func (pg *pages) handleDecisionPost(w http.ResponseWriter, r *http.Request) error {
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
	caseID, err := core.PathID(r, "case")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	// The service words its errors about the consultation's date under the date's name.
	render := func(f core.Form) error { return pg.renderDecision(w, r, core.DateErrorsToDay(f, "consulted-at")) }
	// A consultation with children's services typed into the form is recorded first, by the same call as
	// the case's own page, so that a child's case can be adopted in one step.
	if consultationGiven(f) {
		// A date left blank is the zero time, which the service refuses with its own message.
		at, fe := core.ReadDate(f, "consulted-at", "Date of the consultation", false)
		if fe.Message != "" {
			err = prevent.Validation([]prevent.FieldError{fe})
		} else {
			err = pg.svc.RecordChildrensServicesConsultation(ctx, p, caseID, at, f.Get("consulted-with"), f.Get("consultation-notes"))
		}
		if err != nil {
			return pg.settle(w, r, err, "", "", f, "consulted-at-day", render)
		}
	}
	in := casework.DecisionInput{Kind: casework.DecisionKind(f.Get("decision")), Rationale: f.Get("rationale"), Reached: casework.Reached(f.Get("reached")),
		HealthSocialCareConsideration: f.Get("health-social-care"), SignpostService: f.Get("service"), CloseReason: f.Get("reason"),
		ExitOutcome: f.Get("outcome"), TransferTo: f.Get("transfer-to"), ReceivingPanelAccepted: f.Get("accepted") == "yes"}
	next, err := pg.svc.RecordDecision(ctx, p, meetingID, caseID, in)
	field := "decision"
	switch {
	case errors.Is(err, casework.ErrChildrensServicesFirst) && pg.May(r, pid, access.CaseSupport):
		// Refused for want of the consultation: the message links to where it is recorded, in this form.
		field = "consulted-at-day"
	case prevent.ErrorKind(err) == prevent.Conflict:
		mc, merr := pg.svc.MeetingCase(ctx, p, meetingID, caseID)
		if merr != nil {
			return merr
		}
		if !mc.Meeting.Started(pg.d.Now()) {
			// Before the meeting's day the page offers no decision: the refusal is the plain error page.
			return err
		}
	}
	return pg.settle(w, r, err, MeetingPath.Link(pid, panelID, meetingID), "Decision recorded: "+next.String(), f, field, render)
}

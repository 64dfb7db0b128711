package programme

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// governanceView is the board's meetings, decisions and action log.
type governanceView struct {
	PID      prevent.ID
	Meetings []programme.Meeting
	Actions  []programme.BoardAction
	CanEdit  bool
}

func (pg *pages) handleGovernance(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := governanceView{PID: pid, CanEdit: pg.May(r, pid, access.GovernanceEdit)}
	if v.Meetings, err = pg.d.Programme.Meetings(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	if v.Actions, err = pg.d.Programme.Actions(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	l := pg.Layout(r, "Governance")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, governancePage(l, v))
}

func (pg *pages) meetingForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	_, people, err := pg.peopleItems(r, pid, "")
	if err != nil {
		return err
	}
	var items []govuk.ChoiceItem
	for _, p := range people {
		items = append(items, govuk.ChoiceItem{Value: strconv.FormatInt(p.ID, 10), Text: p.Name + ", " + p.OrganisationName})
	}
	return pg.formPage(w, r, "Record a board meeting", GovernancePath.Link(pid), f, func(l core.Layout) templ.Component { return meetingFormPage(l, pid, f, items) })
}

func (pg *pages) handleMeetingNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.meetingForm(w, r, pid, emptyForm())
}

func (pg *pages) handleMeetingNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	_, err = pg.d.Programme.CreateMeeting(r.Context(), principalOf(r), pid, programme.MeetingInput{Title: f.Get("title"),
		HeldOn: d.day("held-on", "Date of the meeting"), Present: core.FormIDs(f.List("present")), Apologies: core.FormIDs(f.List("apologies"))})
	if core.Invalid(err) {
		return pg.meetingForm(w, r, pid, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, GovernancePath.Link(pid), "Meeting recorded")
}

func (pg *pages) handleDecisionPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	if _, err := pg.d.Programme.RecordDecision(r.Context(), principalOf(r), pid, id, f.Get("text")); err != nil {
		return err
	}
	return pg.Flash(w, r, GovernancePath.Link(pid)+"#meeting-"+strconv.FormatInt(id, 10), "Decision recorded")
}

func (pg *pages) actionForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	people, _, err := pg.peopleItems(r, pid, "Select who owns the action")
	if err != nil {
		return err
	}
	meetings, err := pg.d.Programme.Meetings(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	mitems := []govuk.SelectItem{{Value: "", Text: "Not from a meeting"}}
	for _, m := range meetings {
		mitems = append(mitems, govuk.SelectItem{Value: strconv.FormatInt(m.ID, 10), Text: m.Title + ", " + programme.FormatDate(m.HeldOn)})
	}
	return pg.formPage(w, r, "Add an action", GovernancePath.Link(pid), f, func(l core.Layout) templ.Component { return actionFormPage(l, pid, f, people, mitems) })
}

func (pg *pages) handleActionNew(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return pg.actionForm(w, r, pid, emptyForm())
}

func (pg *pages) handleActionNewPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	d := &dates{f: f}
	_, err = pg.d.Programme.AddAction(r.Context(), principalOf(r), pid, programme.ActionInput{MeetingID: core.FormID(f.Get("meeting")),
		Description: f.Get("description"), OwnerID: core.FormID(f.Get("owner")), DueOn: d.day("due-on", "Due date")})
	if core.Invalid(err) {
		return pg.actionForm(w, r, pid, d.withErr(err))
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, GovernancePath.Link(pid)+"#actions", "Action added")
}

func (pg *pages) handleActionStatus(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	if err := pg.d.Programme.SetActionStatus(r.Context(), principalOf(r), pid, id, programme.ActionStatus(f.Get("status"))); err != nil {
		return err
	}
	return pg.Flash(w, r, GovernancePath.Link(pid)+"#actions", "Action updated")
}

func (pg *pages) handleBriefing(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	b, err := pg.d.Programme.Briefing(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	l := pg.Layout(r, "Briefing for elected members and MPs")
	l.Back = HomePath.Link(pid)
	return pg.Page(w, r, l, briefingPage(l, b))
}

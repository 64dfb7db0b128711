package channel

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/casepaths"
	"github.com/preventplatform/prevent/internal/web/core"
)

// panelsView lists the partnership's Channel panels, with the form to set one up.
type panelsView struct {
	PartnershipID prevent.ID
	Panels        []casework.Panel
	CanManage     bool
	Form          core.Form
}

func (pg *pages) renderPanels(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := panelsView{PartnershipID: pid, Form: f, CanManage: pg.May(r, pid, access.PanelManage)}
	if v.Panels, err = pg.svc.Panels(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	l := pg.Layout(r, "Channel panels")
	l.Errors = f.Errors
	return pg.Page(w, r, l, panelsPage(l, v))
}

func (pg *pages) handlePanels(w http.ResponseWriter, r *http.Request) error {
	return pg.renderPanels(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handlePanelCreate(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	id, err := pg.svc.CreatePanel(r.Context(), principalOf(r), pid, f.Get("name"), strings.Split(f.Values.Get("areas"), "\n"))
	return pg.settle(w, r, err, PanelPath.Link(pid, id), "Panel set up", f, "", func(f core.Form) error { return pg.renderPanels(w, r, f) })
}

// panelView is one panel: its meetings, and the forms to add a member and schedule a meeting.
type panelView struct {
	PartnershipID prevent.ID
	Panel         casework.Panel
	Meetings      []casework.Meeting
	People        []partnership.Person
	CanManage     bool
	Form          core.Form
}

func (pg *pages) findPanel(r *http.Request, pid prevent.ID) (casework.Panel, error) {
	panelID, err := core.PathID(r, "panel")
	if err != nil {
		return casework.Panel{}, err
	}
	panels, err := pg.svc.Panels(r.Context(), principalOf(r), pid)
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

func (pg *pages) renderPanel(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := panelView{PartnershipID: pid, Form: f, CanManage: pg.May(r, pid, access.PanelManage)}
	if v.Panel, err = pg.findPanel(r, pid); err != nil {
		return err
	}
	if v.Meetings, err = pg.svc.Meetings(ctx, p, v.Panel.ID); err != nil {
		return err
	}
	if v.CanManage && pg.May(r, pid, access.PersonView) {
		if v.People, err = pg.d.Partnership.People(ctx, p, pid, partnership.PeopleFilter{Limit: 200}); err != nil {
			return err
		}
	}
	l := pg.Layout(r, v.Panel.Name)
	l.Errors = f.Errors
	l.Back = PanelsPath.Link(pid)
	return pg.Page(w, r, l, panelPage(l, v))
}

func (pg *pages) handlePanel(w http.ResponseWriter, r *http.Request) error {
	return pg.renderPanel(w, r, core.Form{Values: url.Values{}})
}

func (pg *pages) handlePanelMemberPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := core.PathID(r, "panel")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	in := casework.PanelMemberInput{PersonID: f.ID("person"), Role: casework.PanelRole(f.Get("role")), Areas: strings.Split(f.Values.Get("member-areas"), "\n")}
	_, err = pg.svc.AddPanelMember(r.Context(), principalOf(r), panelID, in)
	return pg.settle(w, r, err, PanelPath.Link(pid, panelID), "Member added", f, "person", func(f core.Form) error { return pg.renderPanel(w, r, f) })
}

func (pg *pages) handleMeetingPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	panelID, err := core.PathID(r, "panel")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	at, fe := core.ReadDate(f, "held", "Date of the meeting", true)
	if fe.Message != "" {
		f.Errors = []prevent.FieldError{fe}
		return pg.renderPanel(w, r, f)
	}
	id, err := pg.svc.ScheduleMeeting(r.Context(), principalOf(r), panelID, atTen(at))
	return pg.settle(w, r, err, MeetingPath.Link(pid, panelID, id), "Meeting scheduled", f, "held-day", func(f core.Form) error { return pg.renderPanel(w, r, f) })
}

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
	Form        core.Form
	Share       *Fieldset
}

func (pg *pages) renderListForPanel(w http.ResponseWriter, r *http.Request, f core.Form) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := listForm{PartnershipID: pid, Form: f}
	if v.Referral, err = pg.d.Case(ctx, p, pid, id); err != nil {
		return err
	}
	if v.Panels, err = pg.svc.Panels(ctx, p, pid); err != nil {
		return err
	}
	for _, pn := range v.Panels {
		if core.IDText(pn.ID) == f.Get("panel") {
			v.Panel = pn
		}
	}
	if v.Panel.ID != 0 {
		if v.Unreachable, err = pg.unreachable(r, pid, v.Panel.ID); err != nil {
			return err
		}
	}
	if v.Panel.ID != 0 && len(v.Unreachable) == 0 {
		meetings, err := pg.svc.Meetings(ctx, p, v.Panel.ID)
		if err != nil {
			return err
		}
		now := pg.d.Now()
		// Soonest first: Meetings lists them newest first.
		for i := len(meetings) - 1; i >= 0; i-- {
			if !meetings[i].Past(now) {
				v.Meetings = append(v.Meetings, meetings[i])
			}
		}
		if v.Share, err = pg.d.Share.Load(r, pid, ShareSpec{ReferralID: id, Purpose: sharing.ChannelPanel,
			Intro: "Listing the case sends the panel pack to every organisation with a member on the panel, and assigns the panel's members to the case. Record the sharing for the organisations other than yours: it applies to each of them."}, f); err != nil {
			return err
		}
		v.Form = v.Share.Form
	}
	l := pg.Layout(r, core.CaseTitle("List for a panel", v.Referral.Reference))
	l.Errors = f.Errors
	l.Marking = v.Referral.Marking
	l.Back = casepaths.Panel.Link(pid, id)
	return pg.Page(w, r, l, listForMeetingPage(l, v))
}

// unreachable names the panel's member organisations, other than the reader's, that the reader's
// organisation may not share with today.
func (pg *pages) unreachable(r *http.Request, pid, panelID prevent.ID) ([]string, error) {
	ctx, p := r.Context(), principalOf(r)
	orgs, err := pg.svc.PanelOrganisations(ctx, p, panelID)
	if err != nil {
		return nil, err
	}
	partners, err := pg.d.Sharing.Partners(ctx, p, pid)
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
	all, err := pg.d.Partnership.Organisations(ctx, p, pid)
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
func (pg *pages) handleListForPanelForm(w http.ResponseWriter, r *http.Request) error {
	f := core.Form{Values: url.Values{}}
	if pn := r.URL.Query().Get("panel"); pn != "" {
		f.Values.Set("panel", pn)
	}
	if mt := r.URL.Query().Get("meeting"); mt != "" {
		f.Values.Set("meeting", mt)
	}
	return pg.renderListForPanel(w, r, f)
}

func (pg *pages) handleListForPanel(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	share, err := pg.d.Share.Read(f)
	if err == nil {
		err = pg.svc.ListForPanel(r.Context(), principalOf(r), id, f.ID("panel"), f.ID("meeting"), share)
	}
	switch prevent.ErrorKind(err) {
	case prevent.Invalid:
		return pg.renderListForPanel(w, r, pg.d.Share.WithErr(f, err, "", ""))
	case prevent.Conflict:
		f.Errors = []prevent.FieldError{{Field: "meeting", Message: prevent.PublicMessage(err)}}
		return pg.renderListForPanel(w, r, f)
	}
	if err != nil {
		return err
	}
	return pg.Flash(w, r, casepaths.Panel.Link(pid, id), "The case is listed for the panel and on the agenda of its meeting")
}

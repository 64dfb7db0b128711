package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
)

// TestListingForAMeetingAndMeetingsNotYetHeld lists a case for a panel at one of its upcoming meetings (the
// listing page asks for the panel, then for the meeting or to schedule one), and shows a meeting whose day has
// not come without attendance or decisions: posting them anyway is a Conflict with a plain message. A panel
// member from another organisation sees the case on the panel's case page as it was disclosed to them.
func TestListingForAMeetingAndMeetingsNotYetHeld(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	co := f.Coordinator
	now := f.Now()
	id := f.ScreeningCase(t, "Lee", "Listed")
	if _, err := f.Casework.SaveAssessment(ctx, co, id, casework.AssessmentInput{SummaryConclusion: "Isolated",
		Factors: []casework.FactorInput{{No: 3, Presence: casework.Present, Evidence: "Only friends are online", Source: "School"}}}); err != nil {
		t.Fatal(err)
	}
	member, memberOrg := f.member(t)
	panel, err := f.Casework.CreatePanel(ctx, co, f.PID, "Northtown Channel Panel", []string{"Northtown"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []casework.PanelMemberInput{{PersonID: co.PersonID, Role: casework.RoleChair}, {PersonID: f.Officer.PersonID, Role: casework.RolePolice},
		{PersonID: member.PersonID, Role: casework.RoleMember}} {
		if _, err := f.Casework.AddPanelMember(ctx, co, panel, m); err != nil {
			t.Fatal(err)
		}
	}
	f.AgreeAll(t, f.Council, f.Officer.OrganisationID, memberOrg)
	cases := fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id)
	list := cases + "/panel/list"

	// First the panel.
	doc := parse(t, serve(t, f.s, co, http.MethodGet, list, nil))
	if doc.Find(`form[method=get] select#panel`).Length() != 1 || doc.Find("#meeting").Length() != 0 {
		t.Errorf("the listing page without a panel: %s", doc.Find("main").Text())
	}
	// A panel with no meeting to come: a link to schedule one, and nothing to submit.
	doc = parse(t, serve(t, f.s, co, http.MethodGet, list+"?panel="+core.IDText(panel), nil))
	schedule := fmt.Sprintf("/partnerships/%d/panels/%d#schedule", f.PID, panel)
	if doc.Find(`main a[href="`+schedule+`"]`).Length() != 1 || doc.Find(`form[method=post]`).Length() != 0 {
		t.Errorf("a panel with no meetings: %s", doc.Find("main").Text())
	}
	meet := func(days int) prevent.ID {
		t.Helper()
		m, err := f.Casework.ScheduleMeeting(ctx, co, panel, now.AddDate(0, 0, days))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	meet(-1)
	next, today := meet(7), meet(0)
	doc = parse(t, serve(t, f.s, co, http.MethodGet, list+"?panel="+core.IDText(panel), nil))
	var options []string
	doc.Find("#meeting option").Each(func(_ int, o *goquery.Selection) { options = append(options, o.AttrOr("value", "")) })
	if want := []string{"", core.IDText(today), core.IDText(next)}; strings.Join(options, ",") != strings.Join(want, ",") {
		t.Errorf("meetings offered %v, want the upcoming ones soonest first %v", options, want)
	}
	// Without a meeting the listing is refused with the rest kept.
	doc = parse(t, serve(t, f.s, co, http.MethodPost, list, caseworktest.Shared(url.Values{"panel": {core.IDText(panel)}})))
	if doc.Find("#meeting-error").Length() != 1 || doc.Find(`input[type=hidden][name=panel][value="`+core.IDText(panel)+`"]`).Length() != 1 {
		t.Errorf("listing without a meeting: %s", doc.Find(".govuk-error-summary").Text())
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, list, caseworktest.Shared(url.Values{"panel": {core.IDText(panel)}, "meeting": {core.IDText(next)}})), cases+"/panel")

	// The meeting next week has the case on its agenda, and offers no attendance or decision yet.
	meeting := fmt.Sprintf("/partnerships/%d/panels/%d/meetings/%d", f.PID, panel, next)
	caseAt := meeting + "/cases/" + core.IDText(id)
	doc = parse(t, serve(t, f.s, co, http.MethodGet, meeting, nil))
	if doc.Find(`table a[href="`+caseAt+`"]`).Length() != 1 {
		t.Errorf("the case is not on the meeting's agenda: %s", doc.Find("main").Text())
	}
	if doc.Find(`form[action$="/attendance"]`).Length() != 0 || !strings.Contains(doc.Find(".govuk-inset-text").Text(), "has not happened yet") ||
		strings.Contains(doc.Find("table").Text(), "Record decision") {
		t.Errorf("a meeting not yet held offers attendance or decisions: %s", doc.Find("main").Text())
	}
	doc = parse(t, serve(t, f.s, co, http.MethodGet, caseAt, nil))
	if doc.Find(`form[action$="`+caseAt+`"]`).Length() != 0 || !strings.Contains(doc.Find("main").Text(), "has not happened yet") {
		t.Errorf("the case page of a meeting not yet held offers a decision: %s", doc.Find("main").Text())
	}
	m, err := f.Casework.Meeting(ctx, co, next)
	if err != nil {
		t.Fatal(err)
	}
	present := url.Values{}
	for _, a := range m.Attendees {
		present.Add("present", core.IDText(a.MemberID))
	}
	for path, form := range map[string]url.Values{meeting + "/attendance": present,
		caseAt: {"decision": {"adopt"}, "rationale": {"Agreed"}, "reached": {"unanimous"}}} {
		w := serve(t, f.s, co, http.MethodPost, path, form)
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "has not happened yet") {
			t.Errorf("POST %s before the meeting: %d %s", path, w.Code, w.Body.String())
		}
	}
	if r, err := f.Casework.Referral(ctx, co, id); err != nil || r.State != casework.PanelListed {
		t.Errorf("after the refusals: %s %v", r.State, err)
	}

	// The panel member sees the case as it was disclosed to their organisation (identity only), no form.
	w := serve(t, f.s, member, http.MethodGet, caseAt, nil)
	doc = parse(t, w)
	text := doc.Find(".govuk-summary-card").Text()
	if w.Code != http.StatusOK || !strings.Contains(text, "Lee Listed") || strings.Contains(doc.Find("main").Text(), "Shared violent material") ||
		!strings.Contains(text, casepages.NotSharedText) || doc.Find("form").Length() != 0 {
		t.Errorf("the member's panel case page (%d): %s", w.Code, doc.Find("main").Text())
	}
	// The member reads the meeting, from the panel's page, without any form: who is to attend, and the agenda
	// linking to the case page above.
	doc = parse(t, serve(t, f.s, member, http.MethodGet, fmt.Sprintf("/partnerships/%d/panels/%d", f.PID, panel), nil))
	if doc.Find(`main a[href="`+meeting+`"]`).Length() != 1 {
		t.Errorf("the panel's page does not link the member to the meeting: %s", doc.Find("main").Text())
	}
	w = serve(t, f.s, member, http.MethodGet, meeting, nil)
	doc = parse(t, w)
	if w.Code != http.StatusOK || doc.Find(`table a[href="`+caseAt+`"]`).Length() != 1 || doc.Find("main form").Length() != 0 ||
		!strings.Contains(doc.Find(".govuk-summary-list").Text(), "Hana Health") || strings.Contains(doc.Find("main").Text(), "Record decision") {
		t.Errorf("the member's meeting page (%d): %s", w.Code, doc.Find("main").Text())
	}
	// A panel member who does not sit on this panel does not find the meeting.
	stranger := member
	stranger.PersonID += 1000
	if w := serve(t, f.s, stranger, http.MethodGet, meeting, nil); w.Code != http.StatusNotFound {
		t.Errorf("a panel member not on the panel opened its meeting: %d", w.Code)
	}

	// The coordinator sees it all.
	if text := parse(t, serve(t, f.s, co, http.MethodGet, caseAt, nil)).Find(".govuk-summary-card").Text(); !strings.Contains(text, "Shared violent material") {
		t.Errorf("the coordinator's panel case page: %s", text)
	}
	// Someone outside the panel does not find it.
	if w := serve(t, f.s, f.ReferrerB, http.MethodGet, caseAt, nil); w.Code != http.StatusNotFound {
		t.Errorf("another school's referrer on the panel's case page: %d", w.Code)
	}
}

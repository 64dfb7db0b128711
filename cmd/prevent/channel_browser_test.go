package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

const success = ".govuk-notification-banner--success"

// share fills the page's "Share information" fieldset.
func (d driver) share(what string) {
	d.t.Helper()
	d.Run("share information: "+what, shareActions()...)
}

// referAdult makes a referral of an adult through the question pages as the signed-in referrer, and returns the
// case's path, id and reference.
func (d driver) referAdult(pid prevent.ID, given, family, age, concern string) (string, prevent.ID, string) {
	d.t.Helper()
	d.Open("referrals", fmt.Sprintf("/partnerships/%d/referrals", pid), "main h1")
	d.Click("start", "button.govuk-button--start", "#sector")
	next := func(what, waitFor string) {
		d.t.Helper()
		d.Click(what, "main form button.govuk-button:not(.govuk-button--secondary)", waitFor)
	}
	next("about you", "#given-names")
	d.Run("names", chromedp.SendKeys(chromedp.CSS("#given-names"), given), chromedp.SendKeys(chromedp.CSS("#family-name"), family))
	next("names", "#approximate-age")
	d.Run("age", chromedp.SendKeys(chromedp.CSS("#approximate-age"), age))
	next("age", "#gender")
	d.Run("gender", chromedp.Click(chromedp.CSS("#gender")))
	for _, step := range []struct{ what, wait string }{{"gender", "#address-line1"}, {"address", "#setting"}, {"setting", "#languages"},
		{"needs", "#other-agencies"}, {"agencies", "#what-happened"}} {
		next(step.what, step.wait)
	}
	d.Run("concern", chromedp.SendKeys(chromedp.CSS("#what-happened"), concern))
	next("concern", "#words-used")
	next("details", "#fears")
	next("fears", "#types")
	d.Run("types", chromedp.Click(chromedp.CSS("#types")))
	next("types", "#person-knows")
	d.Run("knows", chromedp.Click(chromedp.CSS("#person-knows-2")))
	next("knows", "#ethnicity")
	// Equality monitoring is optional: continued without an answer.
	next("equality", "#answers-names")
	next("check", "#danger")
	d.Run("acknowledge", chromedp.Click(chromedp.CSS("#danger")))
	next("send", ".govuk-panel")
	d.Check("referral submitted")
	ref := d.Text("#reference")
	path := d.Eval(`location.pathname`)
	casePath := strings.Replace(strings.TrimSuffix(path, "/confirmation"), "/referrals/", "/cases/", 1)
	var caseID prevent.ID
	fmt.Sscanf(casePath[strings.LastIndex(casePath, "/")+1:], "%d", &caseID)
	return casePath, caseID, ref
}

// TestBrowserChannelJourney drives the Channel pathway in Chromium with the demo accounts: a school's referrer
// refers an adult; the police officer records deconfliction and refers to Channel; the coordinator asks a
// partner for information, records the VAF assessment, sets up a panel (chair from the county council, the
// police officer as police representative, a member), schedules a meeting, lists the case and puts it on the
// agenda; the decision is refused until the chair and police are recorded present, then the panel adopts;
// the coordinator plans how consent is requested, records the person's consent, registers a provider, adds two
// interventions, plans and records sessions; a later meeting exits the case; six months on the review is
// created and completed. Then the under-18 variant: adoption is refused until children's services are
// consulted, and support until a parent consents. axe checks every page; the audit log verifies and names
// each step.
func TestBrowserChannelJourney(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "channel-")
	today := time.Now().UTC()

	// The referrer: an adult, through the question pages.
	referrer := d.signInAs(prevent.Referrer)
	pid := referrer.Memberships[0].PartnershipID
	casePath, caseID, _ := d.referAdult(pid, "Alex", "Channelton", "24",
		"A former pupil, now a teaching assistant, shares extremist propaganda with students")

	// The police officer: deconfliction and referral to Channel.
	officer := d.signInAs(prevent.PoliceOfficer)
	d.Open("triage", casePath+"/triage", "#result")
	d.Run("deconfliction", chromedp.Click(chromedp.CSS("#result")), chromedp.Click(chromedp.CSS("#marking")))
	d.Submit("deconfliction recorded", "/deconfliction", success)
	d.Run("refer", chromedp.Click(chromedp.CSS("input[name=decision][value=refer_to_channel]")))
	d.Submit("refer to Channel: the grounds", "/decision", "#reasonable-grounds")
	d.Run("grounds", chromedp.SendKeys(chromedp.CSS("#reasonable-grounds"), "Shares terrorist propaganda with young people; the school reports growing influence"))
	d.Submit("referred to Channel", "/decision", success)

	// The coordinator: screening, assessment, the panel. The council shares with the police, the NHS trust
	// and the provider under an agreement in force.
	d.agree(prevent.Coordinator, prevent.PoliceOfficer, prevent.PanelMember, prevent.Provider)
	d.signInAs(prevent.Coordinator)
	chair := d.ta.principal(t, d.session(prevent.PanelChair))
	member := d.ta.principal(t, d.session(prevent.PanelMember))
	d.Open("information request", casePath+"/information-requests/new", "#asked")
	d.SelectText("#organisation", d.account(prevent.PoliceOfficer).Organisation)
	due := today.AddDate(0, 0, 10)
	d.Run("request", chromedp.SendKeys(chromedp.CSS("#asked"), "Employment and safeguarding records"), chromedp.SendKeys(chromedp.CSS("#why"), "To assess vulnerability"))
	d.FillDate("due", due)
	d.Submit("information request refused without sharing", "/information-requests/new", "#share-categories-error")
	d.share("information request")
	d.Submit("information requested", "/information-requests/new", success)
	// The partner (the police force) answers through its page.
	var rid prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT id FROM information_requests WHERE referral_id = $1`, caseID).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	d.signInAs(prevent.PoliceOfficer)
	d.Open("information request (partner)", fmt.Sprintf("%s/information-requests/%d", casePath, rid), "#answer")
	d.Run("answer", chromedp.SendKeys(chromedp.CSS("#answer"), "No convictions; known to the neighbourhood team"))
	d.share("answer")
	d.Submit("information answered", fmt.Sprintf("/information-requests/%d", rid), success)
	d.signInAs(prevent.Coordinator)
	d.Open("assessment section", casePath+"/assessment", ".moj-sub-navigation")
	if body := d.Text("main"); !strings.Contains(body, "never added up, scored, rated or ranked") {
		t.Errorf("the assessment section does not say there is no score: %q", body)
	}
	d.Open("assessment form", casePath+"/assessment/new", "#factor-1")
	d.Run("factors", chromedp.Click(chromedp.CSS("input[name=factor-3][value=present]")),
		chromedp.Click(chromedp.CSS("input[name=factor-7][value=not_present]")))
	// A long form: save what there is and come back to it from the case.
	d.Click("assessment draft saved", "main form[action$='/assessment/new'] button[value=draft]", success)
	d.Check("assessment draft saved")
	if body := d.Text("main"); !strings.Contains(body, "Continue your draft assessment") || strings.Contains(body, "Current version") {
		t.Errorf("after saving a draft the case does not offer to continue it, or shows it as an assessment: %q", body)
	}
	d.Click("continue the draft", "main a.govuk-button[href$='/assessment/new']", "#factor-1")
	d.Check("continue the draft")
	if got := d.Eval(`String(document.querySelector('input[name=factor-7][value=not_present]').checked) + ' ' +
		document.querySelector('main').innerText.includes('You are continuing the draft you saved')`); got != "true true" {
		t.Errorf("the draft was not restored: %s", got)
	}
	d.Run("summary", chromedp.SendKeys(chromedp.CSS("#summary"), "Seeks status and belonging through the group; no evidence of capability"))
	d.Submit("assessment with an error", "/assessment/new", "#factor-3-evidence-error")
	d.Run("evidence", chromedp.SendKeys(chromedp.CSS("#factor-3-evidence"), "Describes the group as his family"), chromedp.SendKeys(chromedp.CSS("#factor-3-source"), "School safeguarding lead"))
	d.Submit("assessment recorded", "/assessment/new", success)
	if body := d.Text("main"); !strings.Contains(body, "Describes the group as his family") || !strings.Contains(body, "Not present") {
		t.Errorf("the assessment is not shown: %q", body)
	}

	panels := fmt.Sprintf("/partnerships/%d/panels", pid)
	d.Open("panels", panels, "#name")
	d.Run("panel", chromedp.SendKeys(chromedp.CSS("#name"), "Elmshire Channel Panel (journey)"), chromedp.SendKeys(chromedp.CSS("#areas"), "Elmshire"))
	d.Submit("panel set up", fmt.Sprintf("/partnerships/%d/panels", pid), success)
	panelPath := d.Eval(`location.pathname`)
	addMember := func(p prevent.Principal, role string) {
		t.Helper()
		d.SelectValue("#person", fmt.Sprint(p.PersonID))
		d.Run("role", chromedp.Click(chromedp.CSS("input[name=role][value="+role+"]")))
		d.Submit("member added ("+role+")", "/members", success)
	}
	addMember(chair, "chair")
	addMember(officer, "police")
	addMember(member, "member")
	scheduleMeeting := func(on time.Time) string {
		t.Helper()
		d.FillDate("held", on)
		d.Submit("meeting scheduled", "/meetings", success)
		return d.Eval(`location.pathname`)
	}
	meeting := scheduleMeeting(today)

	// Listing the case puts it on the agenda of the meeting chosen.
	d.Open("case panel section", casePath+"/panel", "#panel")
	d.SelectText("#panel", "(journey)")
	d.Submit("list for panel form", "/panel/list", "#share-categories")
	d.SelectValue("#meeting", meeting[strings.LastIndex(meeting, "/")+1:])
	d.share("panel pack")
	d.Submit("listed for panel", "/panel/list", success)
	d.Open("meeting", meeting, "#case")
	if agenda := d.Text("main table"); !strings.Contains(agenda, "Record decision on") {
		t.Errorf("the case listed is not on the meeting's agenda: %q", agenda)
	}
	decide := func(name, decision string, extra ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		d.Open("decision form ("+name+")", fmt.Sprintf("%s/cases/%d", meeting, caseID), "#rationale")
		d.Run("decision", append([]chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS("input[name=decision][value=" + decision + "]")),
			chromedp.Click(chromedp.CSS("input[name=reached][value=unanimous]")),
			chromedp.SendKeys(chromedp.CSS("#rationale"), "The panel agreed on the evidence of the assessment")}, extra...)...)
	}
	decide("without a quorum", "adopt")
	d.Submit("decision refused without a quorum", "/cases/"+fmt.Sprint(caseID), "#decision-error")
	if msg := d.Text("#decision-error"); !strings.Contains(msg, "chair") {
		t.Errorf("the quorum refusal: %q", msg)
	}
	attend := func() {
		t.Helper()
		d.Open("meeting attendance", meeting, "input[name=present]")
		d.JS("present", `document.querySelectorAll('input[name=present]').forEach(c => c.checked = true)`)
		d.Submit("attendance recorded", "/attendance", success)
	}
	attend()
	decide("adopt", "adopt")
	d.Submit("adopted", "/cases/"+fmt.Sprint(caseID), success)
	if s := d.state(caseID); s != casework.Adopted {
		t.Fatalf("after adoption: %s", s)
	}
	d.Open("minutes", meeting+"/minutes", "main h1")
	if body := d.Text("main"); !strings.Contains(body, "adopted") {
		t.Errorf("minutes: %q", body)
	}
	// Minutes for the police force share its cases with it: the export form records the disclosure first.
	d.Click("export", "main ul.app-minutes-export a[href$='organisation="+fmt.Sprint(officer.OrganisationID)+"']", "#share-categories")
	d.Check("minutes export form")
	d.Submit("minutes export refused without sharing", "/minutes", "#share-necessity-error")
	d.share("minutes")
	d.Submit("minutes for an attendee organisation", "/minutes", "#minutes")
	if body := d.Text("main"); !strings.Contains(body, "adopted") {
		t.Errorf("minutes for the police: %q", body)
	}

	// Consent and the support plan.
	d.Open("plan section", casePath+"/plan", ".moj-sub-navigation")
	d.Open("support plan form", casePath+"/plan/edit", "#consent-how")
	d.Run("plan", chromedp.SendKeys(chromedp.CSS("#consent-how"), "A meeting with the coordinator at the council offices"),
		chromedp.SendKeys(chromedp.CSS("#consent-by"), "Prevent coordinator"), chromedp.SendKeys(chromedp.CSS("#objectives"), "Mentoring and a route back to work"))
	d.FillDate("consent-when", today)
	d.Submit("support plan saved", "/plan/edit", success)
	d.Submit("consent requested", "/plan/request-consent", success)
	d.Open("consent form", casePath+"/consent/new", "#giver-name")
	d.Run("consent", chromedp.Click(chromedp.CSS("input[name=scope][value=support]")), chromedp.SendKeys(chromedp.CSS("#giver-name"), "Alex Channelton"),
		chromedp.Click(chromedp.CSS("input[name=giver-role][value=self]")), chromedp.SendKeys(chromedp.CSS("#method"), "In person"),
		chromedp.Click(chromedp.CSS("input[name=decision][value=given]")))
	d.Submit("consent given", "/consent/new", success)
	if s := d.state(caseID); s != casework.SupportActive {
		t.Fatalf("after consent: %s", s)
	}
	providers := fmt.Sprintf("/partnerships/%d/providers", pid)
	d.Open("providers", providers, "#organisation")
	d.SelectText("#organisation", "Brightwater")
	d.Run("approved", chromedp.Click(chromedp.CSS("input[name=approved][value=yes]")), chromedp.SendKeys(chromedp.CSS("#approval-reference"), "HO-IP-0420"))
	d.Submit("provider registered", "/providers", success)
	for _, n := range []int{1, 2} {
		d.Open(fmt.Sprintf("intervention form %d", n), casePath+"/interventions/new", "#type")
		d.JS("type", fmt.Sprintf(`(() => { const s = document.querySelector('#type'); s.value = s.options[%d].value })()`, n))
		d.SelectText("#provider", "Brightwater")
		d.share(fmt.Sprintf("intervention %d", n))
		d.Submit(fmt.Sprintf("intervention %d added", n), "/interventions/new", success)
	}
	for i := range 2 {
		d.Run("plan a session", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('form[action$="/sessions"]')[%d].setAttribute('data-pick', 'yes')`, i)))
		on := today.AddDate(0, 0, -3+i)
		for _, part := range []struct {
			sel string
			v   int
		}{{"day", on.Day()}, {"month", int(on.Month())}, {"year", on.Year()}} {
			d.Run("session date", chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`form[data-pick] input[name$="-%s"]`, part.sel)), fmt.Sprint(part.v)))
		}
		d.Click("plan session", "form[data-pick] button", success)
		d.Check(fmt.Sprintf("session %d planned", i+1))
	}
	for _, att := range []string{"attended", "did_not_attend"} {
		d.Click("record link", `main a[href*="/sessions/"]`, "input[name=attendance]")
		d.Check("session form")
		d.Run("attendance", chromedp.Click(chromedp.CSS("input[name=attendance][value="+att+"]")), chromedp.SendKeys(chromedp.CSS("#notes"), "Engaged with the mentor"))
		d.Submit("session recorded ("+att+")", d.Eval(`location.pathname`)[strings.LastIndex(d.Eval(`location.pathname`), "/sessions/"):], success)
	}

	// A later meeting reviews the case and exits it.
	d.Open("panel", panelPath, "#held-day")
	// A meeting not yet held offers neither attendance nor decisions.
	upcoming := scheduleMeeting(today.AddDate(0, 0, 7))
	if d.Eval(`String(document.querySelectorAll("form[action$='/attendance']").length)`) != "0" || !strings.Contains(d.Text("main"), "has not happened yet") {
		t.Errorf("a meeting next week offers attendance: %q", d.Text("main"))
	}
	d.Open("panel", panelPath, "#held-day")
	meeting = scheduleMeeting(today)
	if meeting == upcoming {
		t.Fatal("the second meeting was not scheduled")
	}
	d.SelectValue("#case", fmt.Sprint(caseID))
	d.Submit("on the agenda for review", "/agenda", success)
	attend()
	decide("exit", "exit")
	d.SelectText("#outcome", "no further terrorism-related concerns")
	d.Submit("exited", "/cases/"+fmt.Sprint(caseID), success)
	if s := d.state(caseID); s != casework.Exited {
		t.Fatalf("after exit: %s", s)
	}

	// Six months on, the daily job creates the first review; the coordinator completes it.
	svc := casework.New(casework.Deps{DB: db, Now: func() time.Time { return time.Now().UTC() }, Sharing: sharing.New(sharing.Deps{DB: db})})
	if n, err := svc.SchedulePostExitReviews(context.Background(), today.AddDate(0, 6, 2)); err != nil || n < 1 {
		t.Fatalf("schedule reviews: %d %v", n, err)
	}
	d.Open("plan with the review", casePath+"/plan", `main a[href*="/reviews/"]`)
	d.Click("review link", `main a[href*="/reviews/"]`, "input[name=outcome]")
	d.Check("review form")
	d.Run("review", chromedp.Click(chromedp.CSS("input[name=outcome][value=no_concerns]")), chromedp.SendKeys(chromedp.CSS("#notes"), "In work; no concerns"))
	d.Submit("review completed", d.Eval(`location.pathname`), success)
	if s := d.state(caseID); s == casework.PostExitReview6M || s == casework.Exited {
		t.Errorf("after the 6-month review the case is still %s", s)
	}

	t.Logf("axe found no violations on %d pages", len(browsertest.Checked()))

	for _, step := range []string{"deconfliction recorded", "refer to Channel", "information requested", "assessment: VAF version 1 recorded",
		"panel: created", "member added", "meeting scheduled", "listed for", "on the agenda", "attendance recorded", "adopted",
		"consent: requested", "support consent given", "provider registered", "intervention added", "session planned", "session recorded",
		"exited", "review"} {
		var n int
		if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_entries WHERE detail LIKE $1`, "%"+step+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no audit entry names the step %q", step)
		}
	}
	verifyAfterJourney(t, db)
}

// TestBrowserChannelUnder18 is the under-18 variant: a 15-year-old's case (submitted, triaged and assessed
// through the service) is listed for the panel and put on a meeting's agenda in the browser; adoption is
// refused until children's services are consulted, and support until a parent (not the child) consents.
// axe checks every page; the audit log verifies.
func TestBrowserChannelUnder18(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "channel-under-18-")
	today := time.Now().UTC()
	svc := casework.New(casework.Deps{DB: db, Now: func() time.Time { return time.Now().UTC() }, Sharing: sharing.New(sharing.Deps{DB: db})})
	referrer := ta.principal(t, d.session(prevent.Referrer))
	officer := ta.principal(t, d.session(prevent.PoliceOfficer))
	chair := ta.principal(t, d.session(prevent.PanelChair))
	d.agree(prevent.Coordinator, prevent.PoliceOfficer)
	coordinator := d.signInAs(prevent.Coordinator)
	pid := coordinator.Memberships[0].PartnershipID
	bg := context.Background()
	panelID, err := svc.CreatePanel(bg, coordinator, pid, "Elmshire Channel Panel (journey)", []string{"Elmshire"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []casework.PanelMemberInput{{PersonID: chair.PersonID, Role: casework.RoleChair}, {PersonID: officer.PersonID, Role: casework.RolePolice}} {
		if _, err := svc.AddPanelMember(bg, coordinator, panelID, m); err != nil {
			t.Fatal(err)
		}
	}
	panelPath := fmt.Sprintf("/partnerships/%d/panels/%d", pid, panelID)
	// The under-18 variant: a referral of a 15-year-old, referred to Channel and assessed.
	child := d.childToPanel(svc, referrer, officer, coordinator, pid, panelPath)
	childPath := fmt.Sprintf("/partnerships/%d/cases/%d", pid, child)
	meeting := d.Eval(`location.pathname`)
	d.Open("meeting attendance", meeting, "input[name=present]")
	d.JS("present", `document.querySelectorAll('input[name=present]').forEach(c => c.checked = true)`)
	d.Submit("attendance recorded", "/attendance", success)
	decideChild := func(name string) {
		t.Helper()
		d.Open("decision form ("+name+")", fmt.Sprintf("%s/cases/%d", meeting, child), "#rationale")
		d.Run("decision", chromedp.Click(chromedp.CSS("input[name=decision][value=adopt]")), chromedp.Click(chromedp.CSS("input[name=reached][value=majority]")),
			chromedp.SendKeys(chromedp.CSS("#rationale"), "Vulnerable to online grooming"))
	}
	decideChild("child without consultation")
	d.Submit("adoption refused (children's services)", fmt.Sprintf("/cases/%d", child), "#consulted-at-error")
	if msg := strings.ToLower(d.Text("#consulted-at-error")); !strings.Contains(msg, "children") {
		t.Errorf("the under-18 refusal: %q", msg)
	}
	// The refusal leads to recording the consultation in the same form, which kept what was typed.
	if v := d.Eval(`document.querySelector('#rationale').value`); v != "Vulnerable to online grooming" {
		t.Errorf("the rationale typed was lost: %q", v)
	}
	d.Run("to the consultation", chromedp.Click(chromedp.CSS(`.govuk-error-summary a[href="#consulted-at-day"]`)), chromedp.WaitVisible(chromedp.CSS("#consulted-at-day")))
	d.Expect("the consultation's day focused", `document.activeElement && document.activeElement.id === 'consulted-at-day'`)
	d.FillDate("consulted-at", today)
	d.Run("consulted", chromedp.SendKeys(chromedp.CSS("#consulted-with"), "Duty team manager, children's social care"))
	d.Submit("child adopted", fmt.Sprintf("/cases/%d", child), success)
	d.Open("child support plan", childPath+"/plan/edit", "#consent-how")
	d.Run("plan", chromedp.SendKeys(chromedp.CSS("#consent-how"), "Home visit with a parent"), chromedp.SendKeys(chromedp.CSS("#consent-by"), "Prevent coordinator"))
	d.FillDate("consent-when", today)
	d.Submit("child plan saved", "/plan/edit", success)
	d.Submit("child consent requested", "/plan/request-consent", success)
	consent := func(name, role string) {
		t.Helper()
		d.Open("child consent form", childPath+"/consent/new", "#giver-name")
		d.Run("consent", chromedp.Click(chromedp.CSS("input[name=scope][value=support]")), chromedp.SendKeys(chromedp.CSS("#giver-name"), name),
			chromedp.Click(chromedp.CSS("input[name=giver-role][value="+role+"]")), chromedp.SendKeys(chromedp.CSS("#method"), "Home visit"),
			chromedp.Click(chromedp.CSS("input[name=decision][value=given]")))
	}
	consent("Jordan Young", "self")
	d.Submit("child's own consent refused", "/consent/new", "#decision-error")
	if msg := d.Text("#decision-error"); !strings.Contains(msg, "parent or guardian") {
		t.Errorf("the consent refusal: %q", msg)
	}
	if s := d.state(child); s != casework.ConsentRequested {
		t.Errorf("after the refused consent the child's case is %s", s)
	}
	consent("Pat Young", "parent")
	d.Submit("parent's consent", "/consent/new", success)
	if s := d.state(child); s != casework.SupportActive {
		t.Fatalf("after a parent's consent: %s", s)
	}
	for _, step := range []string{"consent: children", "adopted", "consent: requested", "support consent given"} {
		var n int
		if err := db.Read().QueryRowContext(bg, `SELECT count(*) FROM audit_entries WHERE detail LIKE $1`, "%"+step+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no audit entry names the step %q", step)
		}
	}
	t.Logf("axe found no violations on %d pages", len(browsertest.Checked()))
	verifyAfterJourney(t, db)
}

// childToPanel submits, triages and assesses a referral of a 15-year-old through the service; in the browser it
// schedules a meeting from the listing page's link and lists the case for it, which puts it on the meeting's
// agenda; it leaves the browser on the meeting page.
func (d driver) childToPanel(svc *casework.Service, referrer, officer, coordinator prevent.Principal, pid prevent.ID, panelPath string) prevent.ID {
	t := d.t
	t.Helper()
	ctx := context.Background()
	items, err := svc.Reference(ctx, casework.ConcernTypes, time.Now())
	if err != nil || len(items) == 0 {
		t.Fatalf("concern types: %v", err)
	}
	in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Jordan", FamilyName: "Young", ApproximateAge: 15},
		Concern:     casework.Concern{WhatHappened: "Watches and shares beheading videos", Types: []string{items[0].Code}},
		PersonKnows: casework.DoesNotKnow, DangerAcknowledged: true}
	id, err := svc.SaveDraft(ctx, referrer, pid, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Submit(ctx, referrer, id); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordDeconfliction(ctx, officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Triage(ctx, officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Sharing terrorist content"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveAssessment(ctx, coordinator, id, casework.AssessmentInput{SummaryConclusion: "Isolated and searching online for belonging"}); err != nil {
		t.Fatal(err)
	}
	casePath := fmt.Sprintf("/partnerships/%d/cases/%d", pid, id)
	// Listing without a meeting to come: the page links to scheduling one.
	d.Open("child list for panel (no meeting)", casePath+"/panel/list?panel="+panelPath[strings.LastIndex(panelPath, "/")+1:], "main a[href$='#schedule']")
	d.Click("schedule from the listing", "main a[href$='#schedule']", "#held-day")
	d.Check("panel for the child")
	d.FillDate("held", time.Now().UTC())
	d.Submit("meeting for the child", "/meetings", success)
	meeting := d.Eval(`location.pathname`)
	d.Open("child panel section", casePath+"/panel", "#panel")
	d.SelectText("#panel", "(journey)")
	d.Submit("child list for panel form", "/panel/list", "#share-categories")
	d.SelectValue("#meeting", meeting[strings.LastIndex(meeting, "/")+1:])
	d.share("child's panel pack")
	d.Submit("child listed for panel", "/panel/list", success)
	d.Open("meeting for the child", meeting, "#case")
	return id
}

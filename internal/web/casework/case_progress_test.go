package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
)

// offered lists the labels of the actions a case page offers under "What you can do next".
func offered(doc *goquery.Document) []string {
	var out []string
	doc.Find(".moj-identity-bar .app-next-actions .govuk-button").Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

// progressOf reads the Channel progress task list: each stage's name and status.
func progressOf(doc *goquery.Document) map[string]string {
	out := map[string]string{}
	doc.Find(".govuk-task-list .govuk-task-list__item").Each(func(_ int, s *goquery.Selection) {
		out[strings.TrimSpace(s.Find(".govuk-task-list__name-and-hint").Text())] = strings.TrimSpace(s.Find(".govuk-task-list__status").Text())
	})
	return out
}

// codeLike matches what must never reach a page: snake_case codes (refer_to_channel) and upper-case ones
// (MENTORING_COUNSELLING).
var codeLike = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b|\b[A-Z]{2,}_[A-Z_]+\b`)

// TestCasePageShowsWhereTheCaseStands follows a case of a person of unknown age (treated as a child) from
// submission to support, checking at each stage what each role is offered, the Channel progress on the
// summary, the stage tag and the banner after each step; then the timeline (newest first, in plain words,
// no codes, who did what) and the page titles, which never name the person.
func TestCasePageShowsWhereTheCaseStands(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	co, officer := f.Coordinator, f.Officer
	id := f.SubmitReferral(t, "Robin", "Young")
	cases := fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id)
	summary := func(p prevent.Principal) *goquery.Document {
		t.Helper()
		w := serve(t, f.s, p, http.MethodGet, cases, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("case summary: %d", w.Code)
		}
		return parse(t, w)
	}
	wantOffered := func(stage string, p prevent.Principal, want ...string) *goquery.Document {
		t.Helper()
		doc := summary(p)
		if got := offered(doc); !slices.Equal(got, want) {
			t.Errorf("%s: %s is offered %q, want %q", stage, p.Name, got, want)
		}
		return doc
	}

	// Submitted: the police triage; the coordinator may only correct details; no Channel progress yet.
	doc := wantOffered("submitted", officer, "Triage this referral", "Correct personal details")
	if doc.Find(`.app-next-actions a[href="`+cases+`/triage"]`).Length() != 1 {
		t.Error("the triage action does not link to the triage page")
	}
	doc = wantOffered("submitted", co, "Share this case", "Correct personal details")
	if doc.Find(".govuk-task-list").Length() != 0 {
		t.Error("Channel progress shown before the referral went to Channel")
	}
	// A referrer sees the status of their referral, and is offered nothing.
	if doc := summary(f.Referrer); len(offered(doc)) != 0 || doc.Find("main .app-next-actions, main .govuk-button").Length() != 0 {
		t.Errorf("the referrer is offered %q", offered(doc))
	}

	// Screening.
	if _, err := f.Casework.RecordDeconfliction(ctx, officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	w := serve(t, f.s, officer, http.MethodPost, cases+"/triage/decision", url.Values{"decision": {"refer_to_channel"}, "reasonable-grounds": {"Shared violent material"}})
	wantRedirect(t, w, cases)
	if msg := flashOf(w); msg != "Triage decision recorded: Channel screening" {
		t.Errorf("banner after triage: %q", msg)
	}
	doc = wantOffered("screening", co, "Ask a partner for information", "Record an assessment", "Record the children’s services consultation",
		"List the case for a panel", "Record consent", "Share this case", "Correct personal details")
	wantOffered("screening", officer, "Record an assessment", "Correct personal details")
	if got := progressOf(doc); got["Screening"] != "In progress" || got["Assessment"] != "Not yet started" || got["Panel"] != "Not yet started" || len(got) != 8 {
		t.Errorf("progress in screening: %v", got)
	}
	if href, _ := doc.Find(`.govuk-task-list a:contains("Assessment")`).Attr("href"); href != cases+"/assessment" {
		t.Errorf("the assessment stage links to %q", href)
	}

	// Assessment, panel and adoption.
	w = serve(t, f.s, co, http.MethodPost, cases+"/assessment/new", url.Values{"summary": {"Isolated, seeks belonging online"}})
	wantRedirect(t, w, cases+"/assessment")
	if msg := flashOf(w); msg != "Assessment recorded" {
		t.Errorf("banner after the assessment: %q", msg)
	}
	if got := progressOf(summary(co)); got["Assessment"] != "Completed" || got["Screening"] != "In progress" {
		t.Errorf("progress once assessed: %v", got)
	}
	panelID, err := f.Casework.CreatePanel(ctx, co, f.PID, "Northtown Channel Panel", []string{"Northtown"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []casework.PanelMemberInput{{PersonID: co.PersonID, Role: casework.RoleChair}, {PersonID: officer.PersonID, Role: casework.RolePolice}} {
		if _, err := f.Casework.AddPanelMember(ctx, co, panelID, m); err != nil {
			t.Fatal(err)
		}
	}
	meetingID, err := f.Casework.ScheduleMeeting(ctx, co, panelID, f.Now()) // today: attendance is recorded from the meeting's day
	if err != nil {
		t.Fatal(err)
	}
	meeting := fmt.Sprintf("/partnerships/%d/panels/%d/meetings/%d", f.PID, panelID, meetingID)
	f.AgreeAll(t, f.Council, officer.OrganisationID)
	w = serve(t, f.s, co, http.MethodPost, cases+"/panel/list", caseworktest.Shared(url.Values{"panel": {core.IDText(panelID)}, "meeting": {core.IDText(meetingID)}}))
	wantRedirect(t, w, cases+"/panel")
	if msg := flashOf(w); msg == "" {
		t.Error("no banner after listing the case")
	}
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, meeting+"/agenda", url.Values{"case": {core.IDText(id)}}), meeting)
	doc = summary(co)
	if got := progressOf(doc); got["Panel"] != "In progress" || got["Screening"] != "Completed" {
		t.Errorf("progress when listed: %v", got)
	}
	if !slices.Contains(offered(doc), "Record the panel’s decision") || slices.Contains(offered(doc), "List the case for a panel") {
		t.Errorf("listed: the coordinator (the panel's chair) is offered %q", offered(doc))
	}
	m, err := f.Casework.Meeting(ctx, co, meetingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range m.Attendees {
		if err := f.Casework.RecordAttendance(ctx, co, meetingID, a.MemberID, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Casework.RecordChildrensServicesConsultation(ctx, co, id, f.Now(), "Duty social worker", ""); err != nil {
		t.Fatal(err)
	}
	w = serve(t, f.s, co, http.MethodPost, fmt.Sprintf("%s/cases/%d", meeting, id), url.Values{"decision": {"adopt"},
		"rationale": {"Vulnerable and would benefit from support"}, "reached": {"unanimous"}})
	wantRedirect(t, w, meeting)
	if msg := flashOf(w); msg != "Decision recorded: Adopted as a Channel case" {
		t.Errorf("banner after adoption: %q", msg)
	}
	doc = wantOffered("adopted", co, "Edit the support plan", "Request consent to support", "Record consent", "Add an intervention", "Share this case",
		"Correct personal details")
	if doc.Find(`.app-next-actions form[method="post"][action="`+cases+`/plan/request-consent"] button`).Length() != 1 {
		t.Error("requesting consent is not a button that posts")
	}

	// Consent requested: not offered again.
	today := f.Now()
	wantRedirect(t, serve(t, f.s, co, http.MethodPost, cases+"/plan/edit", url.Values{"consent-how": {"Meeting at home with a parent"},
		"consent-when-day": {fmt.Sprint(today.Day())}, "consent-when-month": {fmt.Sprint(int(today.Month()))}, "consent-when-year": {fmt.Sprint(today.Year())},
		"consent-by": {"Channel coordinator"}}), cases+"/plan")
	w = serve(t, f.s, co, http.MethodPost, cases+"/plan/request-consent", url.Values{})
	wantRedirect(t, w, cases+"/plan")
	if msg := flashOf(w); msg != "You asked for consent to support. Record the answer when it is given" {
		t.Errorf("banner after the request: %q", msg)
	}
	doc = wantOffered("consent requested", co, "Edit the support plan", "Record consent", "Add an intervention", "Share this case", "Correct personal details")
	if got := progressOf(doc); got["Consent to support"] != "In progress" || got["Support plan"] != "Completed" || got["Panel"] != "Completed" {
		t.Errorf("progress when consent is requested: %v", got)
	}
	if tag := strings.TrimSpace(doc.Find(".moj-identity-bar .govuk-tag").First().Text()); tag != "Consent requested" {
		t.Errorf("stage tag when consent is requested: %q", tag)
	}

	// Consent given by a parent: support starts, and the stage tag says so.
	w = serve(t, f.s, co, http.MethodPost, cases+"/consent/new", url.Values{"scope": {"support"}, "giver-name": {"Sam Young"},
		"giver-role": {"parent"}, "method": {"In person"}, "decision": {"given"}})
	wantRedirect(t, w, cases+"/plan")
	if msg := flashOf(w); msg != "Consent recorded: Support in progress" {
		t.Errorf("banner after consent: %q", msg)
	}
	types, err := f.Casework.Reference(ctx, casework.InterventionTypes, f.Now())
	if err != nil || len(types) == 0 {
		t.Fatal(err)
	}
	prov, err := f.Casework.RegisterProvider(ctx, co, f.PID, casework.ProviderInput{OrganisationID: f.Council})
	if err != nil {
		t.Fatal(err)
	}
	w = serve(t, f.s, co, http.MethodPost, cases+"/interventions/new", url.Values{"type": {types[0].Code}, "provider": {core.IDText(prov)}})
	wantRedirect(t, w, cases+"/plan")
	if msg := flashOf(w); msg != "Intervention added" {
		t.Errorf("banner after the intervention: %q", msg)
	}
	doc = wantOffered("support", co, "Record the panel’s decision", "Edit the support plan", "Record consent", "Add an intervention",
		"Plan or record a session", "Share this case", "Correct personal details")
	if tag := strings.TrimSpace(doc.Find(".moj-identity-bar .govuk-tag").First().Text()); tag != "Support in progress" {
		t.Errorf("stage tag in support: %q", tag)
	}
	if got := progressOf(doc); got["Consent to support"] != "Completed" || got["Interventions"] != "In progress" || got["Exit"] != "Not yet started" ||
		got["Post-exit reviews"] != "Not yet started" {
		t.Errorf("progress in support: %v", got)
	}
	// The plan section names the intervention's type by its label and offers sessions; it offers no
	// request of consent, which was made.
	plan := parse(t, serve(t, f.s, co, http.MethodGet, cases+"/plan", nil))
	if main := plan.Find("main").Text(); !strings.Contains(main, types[0].Label) || strings.Contains(main, types[0].Code) {
		t.Errorf("the plan section does not name the intervention by its label %q", types[0].Label)
	}
	if plan.Find(`form[action$="/plan/request-consent"]`).Length() != 0 || plan.Find(`form[action$="/sessions"]`).Length() != 1 {
		t.Error("the plan section offers consent again, or no session planning")
	}

	// The timeline: newest first, plain words, who did what, no codes.
	tl := parse(t, serve(t, f.s, co, http.MethodGet, cases+"/timeline", nil))
	items := tl.Find(".moj-timeline .moj-timeline__item")
	if items.Length() < 8 {
		t.Fatalf("%d timeline items", items.Length())
	}
	if first := strings.TrimSpace(items.First().Find(".moj-timeline__title").Text()); first != "Intervention added" {
		t.Errorf("the newest step is %q, want the intervention", first)
	}
	if last := strings.TrimSpace(items.Last().Find(".moj-timeline__title").Text()); last != "Referral started" {
		t.Errorf("the oldest step is %q, want the draft", last)
	}
	text := tl.Find(".moj-timeline").Text()
	if m := codeLike.FindString(text); m != "" {
		t.Errorf("a code %q on the timeline: %s", m, text)
	}
	for _, want := range []string{"Referred to Channel", "by Olu Officer, Northtown Police", "by you", types[0].Label, "Stage: Support in progress",
		"Consent to support given"} {
		if !strings.Contains(text, want) {
			t.Errorf("the timeline lacks %q", want)
		}
	}
	if tl.Find(".moj-timeline__date time[datetime]").Length() != items.Length() {
		t.Error("a timeline item without its machine-readable time")
	}
	// The police officer may not see the partnership's people: steps name nobody but them.
	if text := parse(t, serve(t, f.s, officer, http.MethodGet, cases+"/timeline", nil)).Find(".moj-timeline").Text(); strings.Contains(text, "Cara Coordinator") ||
		!strings.Contains(text, "by a member of the partnership") || !strings.Contains(text, "by you") {
		t.Errorf("the officer's timeline names people they may not see: %s", text)
	}

	// Titles carry the case reference, never the person's name.
	ref, err := f.Casework.Referral(ctx, co, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", "/timeline", "/people", "/assessment", "/panel", "/plan", "/documents", "/information-requests/new", "/share"} {
		title := strings.TrimSpace(parse(t, serve(t, f.s, co, http.MethodGet, cases+path, nil)).Find("title").Text())
		if strings.Contains(title, "Robin") || strings.Contains(title, "Young") || !strings.Contains(title, "Case "+ref.Reference) {
			t.Errorf("title of %s: %q", cases+path, title)
		}
	}
}

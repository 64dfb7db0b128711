package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/casework/caseworktest"
	"github.com/preventplatform/prevent/internal/web/core"
)

func wantRedirect(t *testing.T, w interface {
	Result() *http.Response
}, prefix string) string {
	t.Helper()
	res := w.Result()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d to %q, want 303 to %s…", res.StatusCode, loc, prefix)
	}
	return loc
}

func TestReferralJourneyThroughCheckYourAnswers(t *testing.T) {
	f := newCaseFixture(t)
	base := fmt.Sprintf("/partnerships/%d/referrals", f.PID)
	loc := wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, base, url.Values{}), base+"/")
	prefix := strings.TrimSuffix(loc, "about-you")
	answers := []struct {
		step string
		form url.Values
	}{
		{"about-you", url.Values{"sector": {""}}},
		{"names", url.Values{"given-names": {"Jamie"}, "family-name": {"Testperson"}, "aliases": {"JT\nJay"}}},
		{"age", url.Values{"date-of-birth-day": {"4"}, "date-of-birth-month": {"5"}, "date-of-birth-year": {"2010"}}},
		{"gender", url.Values{"gender": {"male"}}},
		{"address", url.Values{"address-line1": {"1 High Street"}, "postcode": {"NT1 1AA"}, "local-authority": {"Northtown"}}},
		{"setting", url.Values{"setting": {"Northtown Academy"}}},
		{"needs", url.Values{"languages": {"English, Polish"}}},
		{"agencies", url.Values{"other-agencies": {"Early help"}}},
		{"concern", url.Values{"what-happened": {"Shared extremist videos in class"}, "how-found": {"A teacher saw it"}}},
		{"details", url.Values{"words-used": {"quoted slogans"}}},
		{"fears", url.Values{"fears": {"That he is being groomed online"}}},
		{"types", url.Values{"types": {f.ConcernType(t)}}},
		{"knows", url.Values{"person-knows": {"no"}, "parent-knows": {"yes"}}},
		{"equality", url.Values{"ethnicity": {"white_roma"}, "mental-health": {"prefer_not_to_say"}}},
	}
	for i, a := range answers {
		w := serve(t, f.s, f.Referrer, http.MethodPost, prefix+a.step, a.form)
		want := prefix + "check"
		if i+1 < len(answers) {
			want = prefix + answers[i+1].step
		}
		if got := wantRedirect(t, w, prefix); got != want {
			t.Fatalf("after %s went to %s, want %s", a.step, got, want)
		}
	}
	// A page shows the saved answers again.
	doc := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"names", nil))
	if v, _ := doc.Find("#given-names").Attr("value"); v != "Jamie" {
		t.Errorf("given names on the resumed page = %q", v)
	}
	// The draft is listed.
	if body := serve(t, f.s, f.Referrer, http.MethodGet, base, nil).Body.String(); !strings.Contains(body, "Jamie Testperson") {
		t.Error("the draft is not in “Your draft referrals”")
	}
	w := serve(t, f.s, f.Referrer, http.MethodGet, prefix+"check", nil)
	doc = parse(t, w)
	if w.Code != 200 || !strings.Contains(doc.Find("main").Text(), "Shared extremist videos in class") || !strings.Contains(doc.Find("main").Text(), "4 May 2010") {
		t.Fatalf("check your answers (%d) lacks the answers: %s", w.Code, doc.Find("main").Text())
	}
	if doc.Find(`a[href="`+prefix+`names?return=check"]`).Length() != 3 {
		t.Error("no Change links to the names page")
	}
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"check", url.Values{}), prefix+"submit")
	// The immediate-danger interruption needs its acknowledgement.
	w = serve(t, f.s, f.Referrer, http.MethodPost, prefix+"submit", url.Values{})
	doc = parse(t, w)
	if doc.Find("#danger-error").Length() != 1 || !strings.Contains(doc.Find("h1").Text(), "call 999") {
		t.Fatalf("submit without the acknowledgement: no inline error: %s", doc.Find("main").Text())
	}
	loc = wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"submit", url.Values{"danger": {"yes"}}), prefix+"confirmation")
	doc = parse(t, serve(t, f.s, f.Referrer, http.MethodGet, loc, nil))
	ref := strings.TrimSpace(doc.Find(".govuk-panel #reference").Text())
	if !strings.HasPrefix(ref, "PRV-2025-") {
		t.Fatalf("confirmation reference = %q", ref)
	}
	// The referrer sees only the status of their referral; another school's referrer gets 404.
	id := strings.Split(strings.TrimPrefix(prefix, base+"/"), "/")[0]
	casePage := fmt.Sprintf("/partnerships/%d/cases/%s", f.PID, id)
	w = serve(t, f.s, f.Referrer, http.MethodGet, casePage, nil)
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, ref) || strings.Contains(body, "Shared extremist videos") {
		t.Errorf("referrer's case page: %d, reference shown %v, concern hidden %v", w.Code, strings.Contains(body, ref), !strings.Contains(body, "Shared extremist videos"))
	}
	if w := serve(t, f.s, f.ReferrerB, http.MethodGet, casePage, nil); w.Code != http.StatusNotFound {
		t.Errorf("another school's referrer: case page %d, want 404", w.Code)
	}
	if w := serve(t, f.s, f.ReferrerB, http.MethodGet, prefix+"check", nil); w.Code != http.StatusNotFound {
		t.Errorf("another school's referrer: draft page %d, want 404", w.Code)
	}
	// The police officer sees the whole case, with the concern and a triage link.
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, casePage, nil))
	if !strings.Contains(doc.Find("main").Text(), "Shared extremist videos in class") || doc.Find(`a[href="`+casePage+`/triage"]`).Length() != 1 {
		t.Errorf("officer's case page lacks the concern or the triage link")
	}
	if doc.Find(".app-marking").Length() == 0 {
		t.Error("the case page shows no protective marking")
	}
}

func TestReferralStepKeepsInputOnError(t *testing.T) {
	f := newCaseFixture(t)
	base := fmt.Sprintf("/partnerships/%d/referrals", f.PID)
	prefix := strings.TrimSuffix(wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, base, url.Values{}), base+"/"), "about-you")
	w := serve(t, f.s, f.Referrer, http.MethodPost, prefix+"age", url.Values{"date-of-birth-day": {"31"}, "date-of-birth-month": {"2"},
		"date-of-birth-year": {"2010"}, "approximate-age": {"about ten"}})
	doc := parse(t, w)
	if w.Code != 200 || !strings.HasPrefix(doc.Find("title").Text(), "Error:") {
		t.Fatalf("status %d, title %q", w.Code, doc.Find("title").Text())
	}
	for _, id := range []string{"date-of-birth-error", "approximate-age-error"} {
		if doc.Find("#"+id).Length() != 1 {
			t.Errorf("no inline error #%s", id)
		}
	}
	if v, _ := doc.Find("#approximate-age").Attr("value"); v != "about ten" {
		t.Errorf("approximate age kept as %q", v)
	}
	if v, _ := doc.Find("#date-of-birth-day").Attr("value"); v != "31" {
		t.Errorf("day kept as %q", v)
	}
	w = serve(t, f.s, f.Referrer, http.MethodPost, prefix+"names", url.Values{"given-names": {strings.Repeat("a", 201)}, "family-name": {"Kept"}})
	doc = parse(t, w)
	if doc.Find("#given-names-error").Length() != 1 {
		t.Error("no inline error for a too-long name")
	}
	if v, _ := doc.Find("#family-name").Attr("value"); v != "Kept" {
		t.Errorf("family name kept as %q", v)
	}
	// Nothing was saved from the refused pages.
	in, err := f.Casework.Draft(context.Background(), f.Referrer, mustID(t, prefix))
	if err != nil || in.Person.FamilyName != "" || in.Person.ApproximateAge != 0 {
		t.Errorf("draft after refused pages: %+v %v", in.Person, err)
	}
	// Submitting an incomplete draft shows the problems on check your answers.
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"check", url.Values{}), prefix+"submit")
	doc = parse(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"submit", url.Values{"danger": {"yes"}}))
	if doc.Find(`.govuk-error-summary a[href="#answers-names"]`).Length() == 0 {
		t.Errorf("incomplete submission: no error linking to the names answers: %s", doc.Find(".govuk-error-summary").Text())
	}
}

func mustID(t *testing.T, prefix string) prevent.ID {
	t.Helper()
	parts := strings.Split(strings.Trim(prefix, "/"), "/")
	var id prevent.ID
	if _, err := fmt.Sscan(parts[3], &id); err != nil {
		t.Fatalf("id in %q: %v", prefix, err)
	}
	return id
}

func TestTriageRefusesChannelWithoutReasonableGrounds(t *testing.T) {
	f := newCaseFixture(t)
	id := f.SubmitReferral(t, "Alex", "Example")
	triage := fmt.Sprintf("/partnerships/%d/cases/%d/triage", f.PID, id)
	if w := serve(t, f.s, f.Referrer, http.MethodGet, triage, nil); w.Code != http.StatusNotFound {
		t.Errorf("referrer on the triage page: %d, want 404", w.Code)
	}
	if w := serve(t, f.s, f.Coordinator, http.MethodGet, triage, nil); w.Code != http.StatusNotFound {
		t.Errorf("coordinator on the triage page: %d, want 404", w.Code)
	}
	// Deconfliction keeps its input on error, then records.
	doc := parse(t, serve(t, f.s, f.Officer, http.MethodPost, triage+"/deconfliction", url.Values{"result": {"no_trace"}, "note": {"Checked PND"}}))
	if doc.Find("#marking-error").Length() != 1 || doc.Find("#note").Text() != "Checked PND" {
		t.Errorf("deconfliction without a marking: inline error %d, note kept %q", doc.Find("#marking-error").Length(), doc.Find("#note").Text())
	}
	wantRedirect(t, serve(t, f.s, f.Officer, http.MethodPost, triage+"/deconfliction", url.Values{"result": {"no_trace"}, "note": {"Checked PND"},
		"marking": {"secret"}}), triage)
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, triage, nil))
	if !strings.Contains(doc.Find("table").Text(), "Checked PND") || !strings.Contains(doc.Find(".app-marking").First().Text(), "SECRET") {
		t.Errorf("the triage page does not show the SECRET note: %q / %q", doc.Find("table").Text(), doc.Find(".app-marking").Text())
	}
	// The decision is chosen first, and its own questions come on the next page: no JavaScript needed.
	if doc.Find(`form[method=get][action$="/triage/decision"] input[name=decision]`).Length() != 5 || doc.Find("#reasonable-grounds").Length() != 0 {
		t.Error("the triage page does not ask for the decision alone")
	}
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, triage+"/decision?decision=refer_to_channel", nil))
	if doc.Find(`form[action$="/decision"] #reasonable-grounds`).Length() != 1 || doc.Find(`#reason`).Length() != 0 {
		t.Error("the page of the referral to Channel lacks the reasonable grounds, or asks another decision's question")
	}
	w := serve(t, f.s, f.Officer, http.MethodPost, triage+"/decision", url.Values{"decision": {"refer_to_channel"}, "reasonable-grounds": {"  "},
		"rationale": {"kept rationale"}})
	doc = parse(t, w)
	if w.Code != 200 || doc.Find("#reasonable-grounds-error").Length() != 1 || doc.Find(`.govuk-error-summary a[href="#reasonable-grounds"]`).Length() != 1 {
		t.Fatalf("refer to Channel without grounds: status %d, inline error %d", w.Code, doc.Find("#reasonable-grounds-error").Length())
	}
	if doc.Find("#rationale").Text() != "kept rationale" {
		t.Error("the rationale was not kept")
	}
	if doc.Find(`input[type=hidden][name="decision"][value="refer_to_channel"]`).Length() != 1 {
		t.Error("the chosen decision was not kept")
	}
	r, err := f.Casework.Referral(context.Background(), f.Officer, id)
	if err != nil || !r.State.AwaitingTriage() {
		t.Fatalf("after the refusal the state is %s (%v), want awaiting triage", r.State, err)
	}
	wantRedirect(t, serve(t, f.s, f.Officer, http.MethodPost, triage+"/decision", url.Values{"decision": {"refer_to_channel"},
		"reasonable-grounds": {"Repeated sharing of extremist material and expressed intent"}}), fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id))
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, fmt.Sprintf("/partnerships/%d/cases/%d/timeline", f.PID, id), nil))
	if text := doc.Find("main").Text(); !strings.Contains(text, "Channel screening") || strings.Contains(text, "Checked PND") {
		t.Errorf("coordinator's timeline: %s", text)
	}

	// Screening: the coordinator asks school B; its referrer answers; the task leaves "My work".
	newReq := fmt.Sprintf("/partnerships/%d/cases/%d/information-requests/new", f.PID, id)
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodPost, newReq, url.Values{"organisation": {core.IDText(f.SchoolB)}, "asked": {"Attendance record"}}))
	if doc.Find("#why-error").Length() != 1 || doc.Find("#asked").Text() != "Attendance record" {
		t.Error("information request without a reason: no inline error or the input was lost")
	}
	// Asking another organisation shares the case with it: it needs a disclosure under an agreement in force.
	f.AgreeAll(t, f.Council, f.SchoolB)
	wantRedirect(t, serve(t, f.s, f.Coordinator, http.MethodPost, newReq, caseworktest.Shared(url.Values{"organisation": {core.IDText(f.SchoolB)}, "asked": {"Attendance record"},
		"why": {"To understand recent changes"}, "due-day": {"1"}, "due-month": {"7"}, "due-year": {"2025"}})), fmt.Sprintf("/partnerships/%d/cases/%d/people", f.PID, id))
	w = serve(t, f.s, f.ReferrerB, http.MethodGet, "/work", nil)
	doc = parse(t, w)
	link := doc.Find(`a:contains("Answer an information request")`)
	href, _ := link.Attr("href")
	if link.Length() != 1 || !strings.Contains(doc.Find("main").Text(), "Due in") {
		t.Fatalf("partner's My work: %s", doc.Find("main").Text())
	}
	if w := serve(t, f.s, f.Referrer, http.MethodGet, href, nil); w.Code != http.StatusNotFound {
		t.Errorf("a referrer of another organisation on the request: %d, want 404", w.Code)
	}
	doc = parse(t, serve(t, f.s, f.ReferrerB, http.MethodPost, href, url.Values{"answer": {"Attendance fell in May"}}))
	if doc.Find("#share-categories-error").Length() != 1 || doc.Find("#answer").Text() != "Attendance fell in May" {
		t.Error("an answer without its disclosure: no inline error, or the answer typed was lost")
	}
	wantRedirect(t, serve(t, f.s, f.ReferrerB, http.MethodPost, href, caseworktest.Shared(url.Values{"answer": {"Attendance fell in May"}}, sharing.EducationData)), "/work")
	doc = parse(t, serve(t, f.s, f.Coordinator, http.MethodGet, fmt.Sprintf("/partnerships/%d/cases/%d/people", f.PID, id), nil))
	if !strings.Contains(doc.Find("table").Text(), "Attendance fell in May") {
		t.Errorf("the coordinator does not see the answer: %s", doc.Find("main").Text())
	}
}

func TestCaseListAndSearch(t *testing.T) {
	f := newCaseFixture(t)
	f.SubmitReferral(t, "Morgan", "Listed")
	f.SubmitReferral(t, "Robin", "Second")
	list := fmt.Sprintf("/partnerships/%d/cases", f.PID)
	doc := parse(t, serve(t, f.s, f.Officer, http.MethodGet, list+"?stage=triage", nil))
	if n := doc.Find("tbody tr").Length(); n != 2 {
		t.Errorf("triage list has %d rows, want 2", n)
	}
	if doc.Find(".govuk-pagination").Length() != 0 {
		t.Error("a next page link with everything on one page")
	}
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, list+"?stage=closed", nil))
	if !strings.Contains(doc.Find("main").Text(), "No cases found") {
		t.Error("closed stage is not empty")
	}
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, list+"/search?q=morgan", nil))
	if text := doc.Find("tbody").Text(); !strings.Contains(text, "Morgan Listed") || strings.Contains(text, "Robin") {
		t.Errorf("search for morgan: %q", text)
	}
	doc = parse(t, serve(t, f.s, f.ReferrerB, http.MethodGet, list+"/search?q=morgan", nil))
	if doc.Find("tbody tr").Length() != 0 {
		t.Error("another school's referrer finds the case")
	}
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, list+"/search?q=", nil))
	if doc.Find("#q-error").Length() != 1 {
		t.Error("empty search: no inline error")
	}
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, "/work", nil))
	if n := doc.Find(`a:contains("Triage the referral")`).Length(); n != 2 {
		t.Errorf("officer's My work lists %d triage tasks, want 2", n)
	}
}

func TestRepeatReferralLinkShowsPreviousReferralsFlag(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	dob := f.Now().AddDate(-15, 0, 0).Truncate(24 * time.Hour)
	submit := func(given string) prevent.ID {
		in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: given, FamilyName: "Repeatson", DateOfBirth: dob},
			Concern:     casework.Concern{WhatHappened: "Worrying posts", Types: []string{f.ConcernType(t)}},
			PersonKnows: casework.KnownUnknown, DangerAcknowledged: true}
		id, err := f.Casework.SaveDraft(ctx, f.Referrer, f.PID, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Casework.Submit(ctx, f.Referrer, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	submit("Jordan")
	second := submit("Jordon")
	triage := fmt.Sprintf("/partnerships/%d/cases/%d/triage", f.PID, second)
	doc := parse(t, serve(t, f.s, f.Officer, http.MethodGet, triage, nil))
	link := doc.Find(`form[action$="/link"]`)
	if link.Length() != 1 || doc.Find(`form[action$="/decline"]`).Length() != 1 {
		t.Fatalf("triage page: %d link and %d decline buttons, want one each", link.Length(), doc.Find(`form[action$="/decline"]`).Length())
	}
	casePage := fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, second)
	if parse(t, serve(t, f.s, f.Officer, http.MethodGet, casePage, nil)).Find(`.govuk-tag:contains("Previous referrals")`).Length() != 0 {
		t.Error("the flag shows before the officer links")
	}
	action, _ := link.Attr("action")
	wantRedirect(t, serve(t, f.s, f.Officer, http.MethodPost, action, url.Values{}), triage)
	doc = parse(t, serve(t, f.s, f.Officer, http.MethodGet, casePage, nil))
	if doc.Find(`.moj-identity-bar .govuk-tag:contains("Previous referrals")`).Length() != 1 || doc.Find(`table:contains("Previous referrals")`).Length() == 0 && !strings.Contains(doc.Find("main").Text(), "Awaiting triage") {
		t.Errorf("linked case lacks the previous referrals flag or list: %s", doc.Find("main").Text())
	}
	if w := serve(t, f.s, f.Officer, http.MethodPost, action, url.Values{}); w.Code != http.StatusConflict {
		t.Errorf("linking twice: %d, want 409", w.Code)
	}
}

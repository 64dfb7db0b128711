package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestReferralPagesWarnAndGoBack shows the 999 warning on the start page and the first question page only, and
// sends Back to the previous question on the first pass, to the list from the first question, and to "Check
// your answers" from a page opened there.
func TestReferralPagesWarnAndGoBack(t *testing.T) {
	f := newCaseFixture(t)
	base := fmt.Sprintf("/partnerships/%d/referrals", f.PID)
	const warning = "If someone is in immediate danger, call 999."
	if text := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, base, nil)).Find(".govuk-warning-text").Text(); !strings.Contains(text, warning) {
		t.Errorf("start page warning: %q", text)
	}
	prefix := strings.TrimSuffix(wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, base, url.Values{}), base+"/"), "about-you")
	back := func(path string) string {
		t.Helper()
		href, _ := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, path, nil)).Find("a.govuk-back-link").Attr("href")
		return href
	}
	doc := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"about-you", nil))
	if text := doc.Find(".govuk-warning-text").Text(); !strings.Contains(text, warning) {
		t.Errorf("first question page warning: %q", text)
	}
	if doc.Find(".govuk-warning-text .govuk-visually-hidden").Length() != 1 {
		t.Error("the warning has no fallback text for its icon")
	}
	if n := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"names", nil)).Find(".govuk-warning-text").Length(); n != 0 {
		t.Errorf("the second question page repeats the warning (%d)", n)
	}
	for path, want := range map[string]string{
		prefix + "about-you":          base,
		prefix + "names":              prefix + "about-you",
		prefix + "types":              prefix + "fears",
		prefix + "names?return=check": prefix + "check",
		prefix + "check":              prefix + "equality",
		prefix + "equality":           prefix + "knows",
	} {
		if got := back(path); got != want {
			t.Errorf("back from %s = %q, want %q", path, got, want)
		}
	}
	// A page opened from "Check your answers" returns there once saved.
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"names", url.Values{"given-names": {"Jo"}, "return": {"check"}}), prefix+"check")
	if got := wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"names", url.Values{"given-names": {"Jo"}}), prefix); got != prefix+"age" {
		t.Errorf("first pass from names went to %s", got)
	}
}

// TestReferralPagesAskForTheirOwnAnswers refuses each page's required answers on that page (the error summary
// and inline errors, with the rest of the input kept), except when saving to come back later.
func TestReferralPagesAskForTheirOwnAnswers(t *testing.T) {
	f := newCaseFixture(t)
	base := fmt.Sprintf("/partnerships/%d/referrals", f.PID)
	prefix := strings.TrimSuffix(wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, base, url.Values{}), base+"/"), "about-you")
	for _, c := range []struct {
		step, field, keep, kept string
		form                    url.Values
	}{
		{"names", "given-names", "aliases", "JT", url.Values{"given-names": {" "}, "family-name": {""}, "aliases": {"JT"}}},
		{"concern", "what-happened", "how-found", "A teacher saw it", url.Values{"what-happened": {""}, "how-found": {"A teacher saw it"}}},
		{"types", "types", "", "", url.Values{}},
		{"knows", "person-knows", "", "", url.Values{"parent-knows": {"yes"}}},
	} {
		w := serve(t, f.s, f.Referrer, http.MethodPost, prefix+c.step, c.form)
		doc := parse(t, w)
		if w.Code != http.StatusOK || doc.Find("#"+c.field+"-error").Length() != 1 || doc.Find(`.govuk-error-summary a[href="#`+c.field+`"]`).Length() != 1 {
			t.Errorf("%s without %s: status %d, summary %q", c.step, c.field, w.Code, doc.Find(".govuk-error-summary").Text())
		}
		if c.keep != "" && doc.Find("#"+c.keep).Text() != c.kept {
			t.Errorf("%s: %s kept as %q", c.step, c.keep, doc.Find("#"+c.keep).Text())
		}
	}
	if parse(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"knows", url.Values{"parent-knows": {"yes"}})).Find(`input[name=parent-knows][value=yes][checked]`).Length() != 1 {
		t.Error("the parent's answer was not kept beside the error")
	}
	// Nothing was saved from the refused pages.
	in, err := f.Casework.Draft(context.Background(), f.Referrer, mustID(t, prefix))
	if err != nil || in.Person.Aliases != nil || in.Concern.HowFound != "" || in.ParentKnows != "" {
		t.Errorf("draft after refused pages: %+v %v", in, err)
	}
	// "Save and come back later" keeps an unfinished page.
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"concern", url.Values{"how-found": {"A teacher saw it"}, "later": {"yes"}}), base)
	if in, err := f.Casework.Draft(context.Background(), f.Referrer, mustID(t, prefix)); err != nil || in.Concern.HowFound != "A teacher saw it" {
		t.Errorf("saved for later: %+v %v", in.Concern, err)
	}
	// "Not sure" is a type of concern of its own.
	doc := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"types", nil))
	if doc.Find(`input[name=types][value=not_sure][data-behaviour=exclusive]`).Length() != 1 || doc.Find(".govuk-checkboxes__divider").Text() != "or" {
		t.Error("the types page lacks ‘Not sure’ after an ‘or’")
	}
	doc = parse(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"types", url.Values{"types": {casework.ConcernNotSure, f.ConcernType(t)}}))
	if !strings.Contains(doc.Find("#types-error").Text(), "on its own") {
		t.Errorf("‘Not sure’ with another type: %q", doc.Find("#types-error").Text())
	}
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"types", url.Values{"types": {casework.ConcernNotSure}}), prefix+"knows")
	if text := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"check", nil)).Find("#answers-types + .govuk-summary-list").Text(); !strings.Contains(text, "Not sure") {
		t.Errorf("check your answers, types: %q", text)
	}
}

// TestParentQuestionOnlyWhenUnder18 asks whether a parent or carer knows only for a person who may be under 18,
// and forgets an earlier answer once the person is given as an adult.
func TestParentQuestionOnlyWhenUnder18(t *testing.T) {
	f := newCaseFixture(t)
	base := fmt.Sprintf("/partnerships/%d/referrals", f.PID)
	prefix := strings.TrimSuffix(wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, base, url.Values{}), base+"/"), "about-you")
	asked := func() bool {
		t.Helper()
		return parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"knows", nil)).Find("input[name=parent-knows]").Length() > 0
	}
	if !asked() {
		t.Error("age unknown: the parent question is not asked")
	}
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"age", url.Values{"approximate-age": {"15"}}), prefix+"gender")
	if !asked() {
		t.Error("aged 15: the parent question is not asked")
	}
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"knows", url.Values{"person-knows": {"no"}, "parent-knows": {"yes"}}), prefix+"equality")
	// Born 1 June 2007: 18 on the day of the test.
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"age", url.Values{"date-of-birth-day": {"1"}, "date-of-birth-month": {"6"},
		"date-of-birth-year": {"2007"}, "return": {"check"}}), prefix+"check")
	if asked() {
		t.Error("an adult: the parent question is asked")
	}
	in, err := f.Casework.Draft(context.Background(), f.Referrer, mustID(t, prefix))
	if err != nil || in.ParentKnows != "" || in.PersonKnows != casework.DoesNotKnow {
		t.Errorf("an adult's draft keeps the parent's answer: %q %q %v", in.ParentKnows, in.PersonKnows, err)
	}
	if text := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, prefix+"check", nil)).Find("main").Text(); strings.Contains(text, "parent or carer") {
		t.Error("check your answers shows the parent question for an adult")
	}
	// Not required when asked: the knows page is complete without it.
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"age", url.Values{"approximate-age": {"12"}}), prefix+"gender")
	wantRedirect(t, serve(t, f.s, f.Referrer, http.MethodPost, prefix+"knows", url.Values{"person-knows": {"yes"}}), prefix+"equality")
}

// TestReferrerPrintsWhatTheySent gives the referrer a printable copy of their answers, linked from the
// confirmation, with nothing added since; nobody else may open it.
func TestReferrerPrintsWhatTheySent(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	id := f.SubmitReferral(t, "Pat", "Printed")
	st, err := f.Casework.ReferralStatus(ctx, f.Referrer, id)
	if err != nil {
		t.Fatal(err)
	}
	sent := fmt.Sprintf("/partnerships/%d/referrals/%d/sent", f.PID, id)
	doc := parse(t, serve(t, f.s, f.Referrer, http.MethodGet, fmt.Sprintf("/partnerships/%d/referrals/%d/confirmation", f.PID, id), nil))
	if doc.Find(`main a[href="`+sent+`"]`).Length() != 1 {
		t.Error("the confirmation does not link to the referral as sent")
	}
	if _, err := f.Casework.RecordDeconfliction(ctx, f.Officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Casework.Triage(ctx, f.Officer, id, casework.TriageInput{Decision: casework.EvReferToChannel, ReasonableGrounds: "Grounds the referrer never sees"}); err != nil {
		t.Fatal(err)
	}
	w := serve(t, f.s, f.Referrer, http.MethodGet, sent, nil)
	doc = parse(t, w)
	main := doc.Find("main").Text()
	if w.Code != http.StatusOK || !strings.Contains(main, st.Reference) || !strings.Contains(main, "Pat") || !strings.Contains(main, "Shared violent material") {
		t.Fatalf("the referral as sent (%d): %s", w.Code, main)
	}
	if strings.Contains(main, "Grounds the referrer never sees") || strings.Contains(main, "Channel") {
		t.Errorf("the referral as sent shows what happened since: %s", main)
	}
	if doc.Find(".govuk-\\!-display-none-print a.app-print-link").Length() != 1 || doc.Find(`script[src="/static/print.js"]`).Length() != 1 {
		t.Error("no print link, or it would be printed")
	}
	if doc.Find(".govuk-summary-list__actions").Length() != 0 {
		t.Error("the copy offers to change answers")
	}
	for _, p := range []struct {
		name string
		w    int
	}{{"another school's referrer", serve(t, f.s, f.ReferrerB, http.MethodGet, sent, nil).Code},
		{"the police officer", serve(t, f.s, f.Officer, http.MethodGet, sent, nil).Code},
		{"the coordinator", serve(t, f.s, f.Coordinator, http.MethodGet, sent, nil).Code}} {
		if p.w != http.StatusNotFound {
			t.Errorf("%s opens the referral as sent: %d, want 404", p.name, p.w)
		}
	}
	draft, err := f.Casework.SaveDraft(ctx, f.Referrer, f.PID, 0, casework.ReferralInput{})
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(t, f.s, f.Referrer, http.MethodGet, fmt.Sprintf("/partnerships/%d/referrals/%d/sent", f.PID, draft), nil); w.Code != http.StatusNotFound {
		t.Errorf("a draft as sent: %d, want 404", w.Code)
	}
}

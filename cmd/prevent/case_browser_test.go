package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestBrowserCaseworkJourney drives Chromium through the casework pages with the demo accounts: a school's
// referrer answers the referral question pages, checks the answers, passes the 999 interruption and gets a
// reference; the police officer records deconfliction and refers to Channel; the coordinator sends an
// information request to a partner. axe checks every page; then the audit log verifies and names each step.
func TestBrowserCaseworkJourney(t *testing.T) {
	ctx := browsertest.New(t)
	db := dbtest.NewSQLite(t)
	ta := newTestApp(t, db)
	account := func(role prevent.Role) demo.Account {
		for _, acc := range ta.Demo {
			if acc.Role == string(role) {
				return acc
			}
		}
		t.Fatalf("no demo %s", role)
		return demo.Account{}
	}
	base := ta.srv.URL
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := browsertest.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, browsertest.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}
	check := func(name string) {
		t.Helper()
		run("wait for "+name, chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
		browsertest.AssertNoAxeViolations(t, ctx, name)
	}
	signInAs := func(role prevent.Role) string {
		t.Helper()
		token := ta.signIn(t, account(role))
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "prevent_session", Value: token, URL: base + "/"}); err != nil {
			t.Fatalf("set session cookie: %v", err)
		}
		return token
	}
	// next presses the page's main button and waits for the next page's heading to change.
	next := func(what, waitFor string) {
		t.Helper()
		run(what, chromedp.Click(chromedp.CSS("main form button.govuk-button:not(.govuk-button--secondary)")), chromedp.WaitVisible(chromedp.CSS(waitFor)))
	}
	// The referrer.
	pid := ta.principal(t, signInAs(prevent.Referrer)).Memberships[0].PartnershipID
	run("referrals", chromedp.Navigate(fmt.Sprintf("%s/partnerships/%d/referrals", base, pid)), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("your referrals")
	run("start", chromedp.Click(chromedp.CSS("button.govuk-button--start")), chromedp.WaitVisible(chromedp.CSS("#sector")))
	check("referral: about you")
	next("about you", "#given-names")
	check("referral: names")
	run("names", chromedp.SendKeys(chromedp.CSS("#given-names"), "Casey"), chromedp.SendKeys(chromedp.CSS("#family-name"), "Journeyman"))
	next("names", "#approximate-age")
	check("referral: age")
	run("age", chromedp.SendKeys(chromedp.CSS("#approximate-age"), "abc"))
	next("age with an error", ".govuk-error-summary")
	check("referral: age with an error")
	run("age", chromedp.SetValue(chromedp.CSS("#approximate-age"), "14"))
	next("age", "#gender")
	check("referral: gender")
	run("gender", chromedp.Click(chromedp.CSS("#gender")))
	next("gender", "#address-line1")
	check("referral: address")
	run("address", chromedp.SendKeys(chromedp.CSS("#postcode"), "EL1 2AB"))
	next("address", "#setting")
	check("referral: setting")
	next("setting", "#languages")
	check("referral: needs")
	next("needs", "#other-agencies")
	check("referral: agencies")
	next("agencies", "#what-happened")
	check("referral: concern")
	run("concern", chromedp.SendKeys(chromedp.CSS("#what-happened"), "Drew extremist symbols and repeated slogans in class"))
	next("concern", "#words-used")
	check("referral: details")
	next("details", "#fears")
	check("referral: fears")
	next("fears", "#types")
	check("referral: types")
	run("types", chromedp.Click(chromedp.CSS("#types")))
	next("types", "#person-knows")
	check("referral: who knows")
	run("knows", chromedp.Click(chromedp.CSS("#person-knows-2")))
	next("knows", "#answers-names")
	check("referral: check your answers")
	if body := text("main"); !strings.Contains(body, "Casey") || !strings.Contains(body, "Drew extremist symbols") {
		t.Fatalf("check your answers lacks the answers: %q", body)
	}
	next("check", "#danger")
	check("referral: call 999")
	next("send without acknowledging", ".govuk-error-summary")
	check("referral: call 999 with an error")
	run("acknowledge", chromedp.Click(chromedp.CSS("#danger")))
	next("send", ".govuk-panel")
	check("referral: submitted")
	ref := text("#reference")
	if !strings.HasPrefix(ref, "PRV-") {
		t.Fatalf("reference %q", ref)
	}
	path := eval(`location.pathname`)
	casePath := strings.Replace(strings.TrimSuffix(path, "/confirmation"), "/referrals/", "/cases/", 1)
	// The referrer keeps a printable copy of what they sent.
	run("what I sent", chromedp.Click(chromedp.CSS(`main a[href$="/sent"]`)), chromedp.WaitVisible(chromedp.CSS("a.app-print-link")))
	check("referral: what you sent")
	if body := text("main"); !strings.Contains(body, ref) || !strings.Contains(body, "Drew extremist symbols") {
		t.Errorf("the referral as sent: %q", body)
	}
	run("status", chromedp.Navigate(base+casePath), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("referral status")
	if body := text("main"); !strings.Contains(body, ref) || strings.Contains(body, "Drew extremist symbols") {
		t.Errorf("the referrer's status page: %q", body)
	}

	// The police officer.
	policeToken := signInAs(prevent.PoliceOfficer)
	run("my work", chromedp.Navigate(base+"/work"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("my work (police)")
	run("triage", chromedp.Navigate(base+casePath+"/triage"), chromedp.WaitVisible(chromedp.CSS("#result")))
	check("triage")
	run("deconfliction", chromedp.Click(chromedp.CSS("#result")), chromedp.SendKeys(chromedp.CSS("#note"), "No trace on police systems"),
		chromedp.Click(chromedp.CSS("#marking")),
		chromedp.Click(chromedp.CSS("form[action$='/deconfliction'] button")), chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner--success")))
	check("triage with deconfliction")
	run("choose to refer to Channel", chromedp.Click(chromedp.CSS("input[name=decision][value=refer_to_channel]")),
		chromedp.Click(chromedp.CSS("form[action$='/decision'] button")), chromedp.WaitVisible(chromedp.CSS("#reasonable-grounds")))
	check("triage: refer to Channel")
	run("refer to Channel without grounds", chromedp.Click(chromedp.CSS("form[action$='/decision'] button")), chromedp.WaitVisible(chromedp.CSS("#reasonable-grounds-error")))
	check("triage with an error")
	run("refer to Channel", chromedp.SendKeys(chromedp.CSS("#reasonable-grounds"), "Repeated extremist slogans and symbols; the school reports a recent change in behaviour"),
		chromedp.Click(chromedp.CSS("form[action$='/decision'] button")), chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner--success")))
	check("case summary (police)")
	if tag := text(".moj-identity-bar"); !strings.Contains(tag, "Channel screening") {
		t.Errorf("identity bar after referral to Channel: %q", tag)
	}
	run("timeline", chromedp.Navigate(base+casePath+"/timeline"), chromedp.WaitVisible(chromedp.CSS(".moj-timeline")))
	check("case timeline")

	// The coordinator: the council shares with the police and the NHS trust under an agreement in force.
	admin := ta.principal(t, ta.signIn(t, account(prevent.Administrator)))
	var nhs demo.Account
	for _, acc := range ta.Demo {
		if acc.Role == string(prevent.PanelMember) && strings.Contains(acc.Organisation, "NHS") {
			nhs = acc
		}
	}
	nhsToken := ta.signIn(t, nhs)
	nurse := ta.principal(t, nhsToken)
	coordToken := signInAs(prevent.Coordinator)
	coordinator := ta.principal(t, coordToken)
	police := ta.principal(t, policeToken)
	agreeForTest(t, ta, admin, coordinator.OrganisationID, police.OrganisationID, nurse.OrganisationID)
	run("case", chromedp.Navigate(base+casePath), chromedp.WaitVisible(chromedp.CSS(".moj-identity-bar")))
	check("case summary (coordinator)")
	for _, sec := range []string{"people", "assessment", "panel", "plan", "documents"} {
		run(sec, chromedp.Navigate(base+casePath+"/"+sec), chromedp.WaitVisible(chromedp.CSS(".moj-sub-navigation")))
		check("case " + sec)
	}
	due := time.Now().AddDate(0, 0, 14)
	run("information request", chromedp.Navigate(base+casePath+"/information-requests/new"), chromedp.WaitVisible(chromedp.CSS("#asked")))
	check("information request")
	// Asking the police shares the case with them: without the disclosure the request is refused.
	run("send request without sharing",
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#organisation').value = '%d'`, police.OrganisationID)),
		chromedp.SendKeys(chromedp.CSS("#asked"), "Attendance and behaviour records for this term"),
		chromedp.SendKeys(chromedp.CSS("#why"), "To understand the change in behaviour the school reported"),
		chromedp.SendKeys(chromedp.CSS("#due-day"), fmt.Sprint(due.Day())), chromedp.SendKeys(chromedp.CSS("#due-month"), fmt.Sprint(int(due.Month()))),
		chromedp.SendKeys(chromedp.CSS("#due-year"), fmt.Sprint(due.Year())),
		chromedp.Click(chromedp.CSS("main form button.govuk-button")), chromedp.WaitVisible(chromedp.CSS("#share-necessity-error")))
	check("information request refused without sharing")
	if v := eval(`document.querySelector('#asked').value`); v != "Attendance and behaviour records for this term" {
		t.Errorf("the request typed was lost: %q", v)
	}
	run("send request", append(shareActions(), chromedp.Click(chromedp.CSS("main form button.govuk-button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner--success")))...)
	check("information request sent")
	if body := text("main"); !strings.Contains(body, "Attendance and behaviour records") {
		t.Errorf("the request is not on the case: %q", body)
	}
	// Sharing the case with the NHS trust's panel member, through "Share this case".
	// The organisation is chosen first, from those with an agreement in force; then the people and the disclosure.
	run("share page", chromedp.Navigate(base+casePath+"/share"), chromedp.WaitVisible(chromedp.CSS("#organisation")))
	check("share this case")
	run("choose the organisation",
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#organisation').value = '%d'`, nurse.OrganisationID)),
		chromedp.Click(chromedp.CSS("main form button.govuk-button")), chromedp.WaitVisible(chromedp.CSS("#share-necessity")))
	check("share this case: what to share")
	run("share without a disclosure",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=recipients][value="%d"]`, nurse.PersonID))),
		chromedp.Click(chromedp.CSS("main form button.govuk-button")), chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")))
	check("share refused")
	if body := text(".govuk-error-summary"); !strings.Contains(body, "legal gateway") || !strings.Contains(body, "necessity") {
		t.Errorf("the refusal does not say what is missing: %q", body)
	}
	run("share", append(shareActions(), chromedp.Click(chromedp.CSS("main form button.govuk-button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner--success")))...)
	check("case shared")
	// The trust's member sees the case, minimised to what was shared.
	signIn := func(token string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "prevent_session", Value: token, URL: base + "/"}); err != nil {
			t.Fatal(err)
		}
	}
	signIn(nhsToken)
	run("case (NHS)", chromedp.Navigate(base+casePath+"/people"), chromedp.WaitVisible(chromedp.CSS(".moj-sub-navigation")))
	check("case people (recipient organisation)")
	if body := text("main"); !strings.Contains(body, "Casey") || !strings.Contains(body, "Not shared with your organisation") {
		t.Errorf("the NHS member's view of the shared case: %q", body)
	}
	signIn(coordToken)
	run("my work", chromedp.Navigate(base+"/work"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("my work (coordinator)")
	// The case list, the search, the case and its people (with the table of information requests) reflow at 320
	// CSS pixels: a table too wide for the screen scrolls in its own region, never the page.
	run("narrow screen", chromedp.EmulateViewport(320, 640))
	for _, page := range []string{fmt.Sprintf("/partnerships/%d/cases", pid), fmt.Sprintf("/partnerships/%d/cases/search?q=Casey", pid), casePath, casePath + "/people"} {
		run(page+" at 320px", chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(page + " at 320px")
		if wide := eval(`String(document.documentElement.scrollWidth > window.innerWidth)`); wide != "false" {
			t.Errorf("%s scrolls sideways at 320px: %s > %s", page, eval(`String(document.documentElement.scrollWidth)`), eval(`String(window.innerWidth)`))
		}
	}
	if n := eval(`String(document.querySelectorAll('main .app-table-scroll[role=region][tabindex="0"][aria-labelledby=information-requests] table').length)`); n != "1" {
		t.Errorf("the information requests' table is not in a scrolling region: %s", n)
	}
	run("wide screen", chromedp.EmulateViewport(1280, 900))
	t.Logf("axe found no violations on %d pages", len(browsertest.Checked()))

	// The audit entries name each step.
	for _, step := range []string{"draft started", "submit", "deconfliction recorded", "refer to Channel", "information requested", "shared with another organisation"} {
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

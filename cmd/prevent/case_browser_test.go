package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestBrowserCaseworkJourney drives Chromium through the casework pages with the demo accounts: a school's
// referrer answers the referral question pages, checks the answers, passes the 999 interruption and gets a
// reference; the police officer records deconfliction and refers to Channel; the coordinator sends an
// information request to a partner. axe checks every page; then the audit log verifies and names each step.
func TestBrowserCaseworkJourney(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "case-")
	// next presses the page's main button and waits for the next page to show waitFor.
	next := func(what, waitFor string) {
		t.Helper()
		d.Click(what, "main form button.govuk-button:not(.govuk-button--secondary)", waitFor)
	}
	// The referrer.
	pid := d.signInAs(prevent.Referrer).Memberships[0].PartnershipID
	d.Open("your referrals", fmt.Sprintf("/partnerships/%d/referrals", pid), "main h1")
	d.Click("start", "button.govuk-button--start", "#sector")
	d.Check("referral: about you")
	next("about you", "#given-names")
	d.Check("referral: names")
	d.Run("names", chromedp.SendKeys(chromedp.CSS("#given-names"), "Casey"), chromedp.SendKeys(chromedp.CSS("#family-name"), "Journeyman"))
	next("names", "#approximate-age")
	d.Check("referral: age")
	d.Run("age", chromedp.SendKeys(chromedp.CSS("#approximate-age"), "abc"))
	next("age with an error", ".govuk-error-summary")
	d.Check("referral: age with an error")
	d.Run("age", chromedp.SetValue(chromedp.CSS("#approximate-age"), "14"))
	next("age", "#gender")
	d.Check("referral: gender")
	d.Run("gender", chromedp.Click(chromedp.CSS("#gender")))
	next("gender", "#address-line1")
	d.Check("referral: address")
	d.Run("address", chromedp.SendKeys(chromedp.CSS("#postcode"), "EL1 2AB"))
	next("address", "#setting")
	d.Check("referral: setting")
	next("setting", "#languages")
	d.Check("referral: needs")
	next("needs", "#other-agencies")
	d.Check("referral: agencies")
	next("agencies", "#what-happened")
	d.Check("referral: concern")
	d.Run("concern", chromedp.SendKeys(chromedp.CSS("#what-happened"), "Drew extremist symbols and repeated slogans in class"))
	next("concern", "#words-used")
	d.Check("referral: details")
	next("details", "#fears")
	d.Check("referral: fears")
	next("fears", "#types")
	d.Check("referral: types")
	d.Run("types", chromedp.Click(chromedp.CSS("#types")))
	next("types", "#person-knows")
	d.Check("referral: who knows")
	d.Run("knows", chromedp.Click(chromedp.CSS("#person-knows-2")))
	next("knows", "#ethnicity")
	d.Check("referral: equality monitoring")
	if body := d.Text("main"); !strings.Contains(body, "optional") || !strings.Contains(body, "never used to make a decision about this person") {
		t.Fatalf("the equality monitoring page does not say why it asks: %q", body)
	}
	d.Run("equality", chromedp.Click(chromedp.CSS("#ethnicity")))
	next("equality", "#answers-names")
	d.Check("referral: check your answers")
	if body := d.Text("main"); !strings.Contains(body, "Casey") || !strings.Contains(body, "Drew extremist symbols") {
		t.Fatalf("check your answers lacks the answers: %q", body)
	}
	next("check", "#danger")
	d.Check("referral: call 999")
	next("send without acknowledging", ".govuk-error-summary")
	d.Check("referral: call 999 with an error")
	d.Run("acknowledge", chromedp.Click(chromedp.CSS("#danger")))
	next("send", ".govuk-panel")
	d.Check("referral: submitted")
	ref := d.Text("#reference")
	if !strings.HasPrefix(ref, "PRV-") {
		t.Fatalf("reference %q", ref)
	}
	path := d.Eval(`location.pathname`)
	casePath := strings.Replace(strings.TrimSuffix(path, "/confirmation"), "/referrals/", "/cases/", 1)
	// The referrer keeps a printable copy of what they sent.
	d.Click("what I sent", `main a[href$="/sent"]`, "a.app-print-link")
	d.Check("referral: what you sent")
	if body := d.Text("main"); !strings.Contains(body, ref) || !strings.Contains(body, "Drew extremist symbols") {
		t.Errorf("the referral as sent: %q", body)
	}
	d.Open("referral status", casePath, "main h1")
	if body := d.Text("main"); !strings.Contains(body, ref) || strings.Contains(body, "Drew extremist symbols") {
		t.Errorf("the referrer's status page: %q", body)
	}

	// The police officer.
	police := d.signInAs(prevent.PoliceOfficer)
	d.Open("my work (police)", "/work", "main h1")
	d.Open("triage", casePath+"/triage", "#result")
	d.Run("deconfliction", chromedp.Click(chromedp.CSS("#result")), chromedp.SendKeys(chromedp.CSS("#note"), "No trace on police systems"),
		chromedp.Click(chromedp.CSS("#marking")))
	d.Click("deconfliction", "form[action$='/deconfliction'] button", success)
	d.Check("triage with deconfliction")
	d.Run("choose to refer to Channel", chromedp.Click(chromedp.CSS("input[name=decision][value=refer_to_channel]")))
	d.Click("choose to refer to Channel", "form[action$='/decision'] button", "#reasonable-grounds")
	d.Check("triage: refer to Channel")
	d.Click("refer to Channel without grounds", "form[action$='/decision'] button", "#reasonable-grounds-error")
	d.Check("triage with an error")
	d.Run("grounds", chromedp.SendKeys(chromedp.CSS("#reasonable-grounds"), "Repeated extremist slogans and symbols; the school reports a recent change in behaviour"))
	d.Click("refer to Channel", "form[action$='/decision'] button", success)
	d.Check("case summary (police)")
	if tag := d.Text(".moj-identity-bar"); !strings.Contains(tag, "Channel screening") {
		t.Errorf("identity bar after referral to Channel: %q", tag)
	}
	d.Open("case timeline", casePath+"/timeline", ".moj-timeline")

	// The coordinator: the council shares with the police and the NHS trust under an agreement in force.
	admin := ta.principal(t, d.session(prevent.Administrator))
	var nhs demo.Account
	for _, acc := range ta.Demo {
		if acc.Role == string(prevent.PanelMember) && strings.Contains(acc.Organisation, "NHS") {
			nhs = acc
		}
	}
	nurse := ta.principal(t, d.token(nhs))
	coordinator := d.signInAs(prevent.Coordinator)
	agreeForTest(t, ta, admin, coordinator.OrganisationID, police.OrganisationID, nurse.OrganisationID)
	d.Open("case summary (coordinator)", casePath, ".moj-identity-bar")
	for _, sec := range []string{"people", "assessment", "panel", "plan", "documents"} {
		d.Open("case "+sec, casePath+"/"+sec, ".moj-sub-navigation")
	}
	due := time.Now().AddDate(0, 0, 14)
	d.Open("information request", casePath+"/information-requests/new", "#asked")
	// Asking the police shares the case with them: without the disclosure the request is refused.
	d.SelectValue("#organisation", fmt.Sprint(police.OrganisationID))
	d.Run("request", chromedp.SendKeys(chromedp.CSS("#asked"), "Attendance and behaviour records for this term"),
		chromedp.SendKeys(chromedp.CSS("#why"), "To understand the change in behaviour the school reported"))
	d.FillDate("due", due)
	d.Click("send request without sharing", "main form button.govuk-button", "#share-necessity-error")
	d.Check("information request refused without sharing")
	if v := d.Eval(`document.querySelector('#asked').value`); v != "Attendance and behaviour records for this term" {
		t.Errorf("the request typed was lost: %q", v)
	}
	d.share("information request")
	d.Click("send request", "main form button.govuk-button", success)
	d.Check("information request sent")
	if body := d.Text("main"); !strings.Contains(body, "Attendance and behaviour records") {
		t.Errorf("the request is not on the case: %q", body)
	}
	// Sharing the case with the NHS trust's panel member, through "Share this case".
	// The organisation is chosen first, from those with an agreement in force; then the people and the disclosure.
	d.Open("share this case", casePath+"/share", "#organisation")
	d.SelectValue("#organisation", fmt.Sprint(nurse.OrganisationID))
	d.Click("choose the organisation", "main form button.govuk-button", "#share-necessity")
	d.Check("share this case: what to share")
	d.Run("recipient", chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=recipients][value="%d"]`, nurse.PersonID))))
	d.Click("share without a disclosure", "main form button.govuk-button", ".govuk-error-summary")
	d.Check("share refused")
	if body := d.Text(".govuk-error-summary"); !strings.Contains(body, "legal gateway") || !strings.Contains(body, "necessity") {
		t.Errorf("the refusal does not say what is missing: %q", body)
	}
	d.share("case")
	d.Click("share", "main form button.govuk-button", success)
	d.Check("case shared")
	// The trust's member sees the case, minimised to what was shared.
	d.as(nhs)
	d.Open("case people (recipient organisation)", casePath+"/people", ".moj-sub-navigation")
	if body := d.Text("main"); !strings.Contains(body, "Casey") || !strings.Contains(body, "Not shared with your organisation") {
		t.Errorf("the NHS member's view of the shared case: %q", body)
	}
	d.signInAs(prevent.Coordinator)
	d.Open("my work (coordinator)", "/work", "main h1")
	// The case list, the search, the case and its people (with the table of information requests) reflow at 320
	// CSS pixels: a table too wide for the screen scrolls in its own region, never the page.
	d.Run("narrow screen", chromedp.EmulateViewport(320, 640))
	for _, page := range []string{fmt.Sprintf("/partnerships/%d/cases", pid), fmt.Sprintf("/partnerships/%d/cases/search?q=Casey", pid), casePath, casePath + "/people"} {
		d.Open(page+" at 320px", page, "main h1")
		if wide := d.Eval(`String(document.documentElement.scrollWidth > window.innerWidth)`); wide != "false" {
			t.Errorf("%s scrolls sideways at 320px: %s > %s", page, d.Eval(`String(document.documentElement.scrollWidth)`), d.Eval(`String(window.innerWidth)`))
		}
	}
	if n := d.Eval(`String(document.querySelectorAll('main .app-table-scroll[role=region][tabindex="0"][aria-labelledby=information-requests] table').length)`); n != "1" {
		t.Errorf("the information requests' table is not in a scrolling region: %s", n)
	}
	d.Run("wide screen", chromedp.EmulateViewport(1280, 900))
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

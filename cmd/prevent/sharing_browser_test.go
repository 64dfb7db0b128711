package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestBrowserSharingJourney drives Chromium through the data protection officer's governance as the demo
// DPO: the dashboard, gateways (a local one added), an agreement drafted with a voluntary organisation that
// is not a public body, a signatory for each party, activation refused until the organisation's
// acknowledgement of its own duties is recorded, then activated; a subject access request registered with
// its deadline; a retention period set; the disclosure ledger and the Art 30 record. axe checks every page
// visited against WCAG 2.2 AA.
func TestBrowserSharingJourney(t *testing.T) {
	ctx := browsertest.New(t)
	db := dbtest.NewSQLite(t)
	ta := newTestApp(t, db)
	var dpo, admin demo.Account
	for _, acc := range ta.Demo {
		switch acc.Role {
		case string(prevent.DataProtection):
			dpo = acc
		case string(prevent.Administrator):
			if admin.Email == "" {
				admin = acc
			}
		}
	}
	if dpo.Email == "" || admin.Email == "" {
		t.Fatal("the demo has no data protection officer or administrator")
	}
	var pid prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT id FROM partnerships`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	// A voluntary organisation joins that has acknowledged nothing yet.
	ps := partnership.New(partnership.Deps{DB: db, Now: func() time.Time { return time.Now().UTC() }})
	mentors, err := ps.CreateOrganisation(context.Background(), ta.principal(t, ta.signIn(t, admin)), pid,
		partnership.OrganisationInput{Name: "Fennick Vale Mentors", Sector: "community", PublicBody: "no"})
	if err != nil {
		t.Fatal(err)
	}
	var council prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT organisation_id FROM people WHERE email = $1`, dpo.Email).Scan(&council); err != nil {
		t.Fatal(err)
	}

	base := ta.srv.URL
	shots := os.Getenv("PREVENT_SCREENSHOTS")
	check := func(name string) {
		t.Helper()
		for i := 0; i < 50; i++ {
			done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
			if err == nil && done {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		browsertest.AssertNoAxeViolations(t, ctx, name)
		if shots != "" {
			_ = browsertest.Screenshot(ctx, filepath.Join(shots, "sharing-"+strings.ReplaceAll(name, " ", "-")+".png"))
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
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := browsertest.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	js := func(what, expr string) {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil || !ok {
			t.Fatalf("%s: %v (%v)", what, ok, err)
		}
	}
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	fill := func(values map[string]string) {
		t.Helper()
		for id, v := range values {
			js("fill #"+id, `(() => { const e = document.getElementById(`+q(id)+`); if (!e) return false; e.value = `+q(v)+`; return true })()`)
		}
	}
	choose := func(id, value string) {
		t.Helper()
		js("choose "+value+" in #"+id, `(() => { const s = document.getElementById(`+q(id)+`); for (const o of s.options) { if (o.value === `+q(value)+`) { s.value = o.value; return true } } return false })()`)
	}
	tick := func(name, value string) {
		t.Helper()
		js("tick "+name+"="+value, `(() => { const e = document.querySelector('input[name=`+q(name)+`][value=`+q(value)+`]'); if (!e) return false; e.checked = true; return true })()`)
	}
	submit := func(what, button, want string) {
		t.Helper()
		js("mark the page", `(() => { window.journeyMark = true; return true })()`)
		run(what, chromedp.Click(chromedp.CSS(button)))
		for i := 0; i < 100; i++ {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.journeyMark === undefined && document.readyState === 'complete' && !!document.querySelector('main h1') && document.querySelector('main h1').textContent.includes(`+q(want)+`)`))
			if err == nil && ok {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s: the page heading is %q, want it to contain %q", what, text("main h1"), want)
	}
	visit := func(name, path string) {
		t.Helper()
		run(name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(name)
	}

	// Sign in as the data protection officer.
	run("open sign-in", chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(chromedp.CSS("#email")))
	run("sign in", chromedp.SendKeys(chromedp.CSS("#email"), dpo.Email), chromedp.SetValue(chromedp.CSS("#password"), dpo.Password),
		chromedp.Click(chromedp.CSS("main form button.govuk-button")), chromedp.WaitVisible(chromedp.CSS("#code")))
	run("second factor", chromedp.SendKeys(chromedp.CSS("#code"), browsertest.TOTP(dpo.TOTPSecret, time.Now())),
		chromedp.Click(chromedp.CSS("form[action='/sign-in/second-factor'] button")),
		chromedp.WaitNotPresent(chromedp.CSS("form[action='/sign-in/second-factor']")), chromedp.WaitVisible(chromedp.CSS("main h1")))

	sh := fmt.Sprintf("/partnerships/%d/sharing", pid)
	js("information sharing in the navigation", `!!document.querySelector('.govuk-service-navigation a[href=`+q(sh)+`]')`)
	visit("sharing home", sh)
	visit("dashboard", sh+"/dashboard")
	if s := text("main"); !strings.Contains(s, "Unusual access to case records") || !strings.Contains(s, "Disclosures recorded") {
		t.Errorf("dashboard = %q", s)
	}

	// Gateways: the national list, and a local gateway added.
	today := time.Now().UTC()
	visit("gateways", sh+"/gateways")
	visit("new gateway", sh+"/gateways/new")
	fill(map[string]string{"code": "fennick_mentoring_protocol", "name": "Fennick Vale mentoring protocol", "summary": "Sharing with mentors under the local protocol",
		"valid-from": today.AddDate(0, -1, 0).Format(time.DateOnly)})
	tick("without-consent", "no")
	tick("sectors", "community")
	tick("sectors", "local_authority")
	submit("add gateway", "main form button.govuk-button", "Legal gateways")
	if s := text("main"); !strings.Contains(s, "fennick_mentoring_protocol v1") {
		t.Error("the local gateway is not listed")
	}
	check("gateways with local")

	// An agreement: a draft refused for what is missing, then saved.
	visit("agreements", sh+"/agreements")
	visit("new agreement", sh+"/agreements/new")
	fill(map[string]string{"title": "Fennick Vale mentoring agreement"})
	submit("incomplete draft", "main form button.govuk-button", "Draft an agreement")
	if s := text(".govuk-error-summary"); !strings.Contains(s, "Select at least two organisations") {
		t.Errorf("incomplete draft: %q", s)
	}
	check("draft refused")
	js("title kept", `document.getElementById('title').value === 'Fennick Vale mentoring agreement'`)
	tick("parties", fmt.Sprint(council))
	tick("parties", fmt.Sprint(mentors))
	tick("purposes", "support_delivery")
	tick("categories", "identity")
	tick("categories", "support-plan")
	tick("gateways", "consent")
	tick("gateways", "fennick_mentoring_protocol")
	fill(map[string]string{"retention": "Six years after support ends", "disposal": "Secure deletion", "security": "Named mentors only; secure email",
		"review-date": today.AddDate(1, 0, 0).Format(time.DateOnly)})
	submit("save draft", "main form button.govuk-button", "Fennick Vale mentoring agreement")
	check("agreement draft")
	agreementPath, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	// A signatory for each party.
	for _, org := range []prevent.ID{council, mentors} {
		visit("new signatory", agreementPath+"/signatories/new")
		choose("organisation", fmt.Sprint(org))
		fill(map[string]string{"name": "Signer " + fmt.Sprint(org), "job-title": "Director"})
		submit("record signatory", "main form button.govuk-button", "Fennick Vale mentoring agreement")
	}
	if s := text("main"); !strings.Contains(s, "Signer "+fmt.Sprint(mentors)) {
		t.Error("the signatories are not listed")
	}
	// Activation is refused until the mentoring organisation acknowledges its duties.
	tick("to", "active")
	submit("activate too early", "form[action$='/status'] button", "Fennick Vale mentoring agreement")
	if s := text(".govuk-error-summary"); !strings.Contains(s, "Fennick Vale Mentors is not a public body and has not acknowledged") {
		t.Errorf("early activation: %q", s)
	}
	check("activation refused")
	visit("acknowledgements", sh+"/acknowledgements")
	visit("new acknowledgement", sh+"/acknowledgements/new")
	choose("organisation", fmt.Sprint(mentors))
	fill(map[string]string{"acknowledged-by": "Chair of trustees"})
	submit("record acknowledgement", "main form button.govuk-button", "Acknowledgements of non-public bodies")
	if s := text("main table"); !strings.Contains(s, "Chair of trustees") {
		t.Errorf("acknowledgements = %q", s)
	}
	check("acknowledgement recorded")
	visit("agreement before activation", agreementPath)
	tick("to", "active")
	submit("activate", "form[action$='/status'] button", "Fennick Vale mentoring agreement")
	if s := text("#details"); !strings.Contains(s, "Active") {
		t.Errorf("after activation: %q", s)
	}
	check("agreement active")

	// A subject access request: registered, with its deadline a month on.
	visit("register", sh+"/subject-access")
	visit("new request", sh+"/subject-access/new")
	fill(map[string]string{"requester": "Jordan Example", "subject": "Jordan Example"})
	tick("regime", "uk_gdpr")
	submit("register request", "main form button.govuk-button", "Request")
	received := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	due := received.AddDate(0, 1, 0)
	if due.Day() != received.Day() {
		due = time.Date(received.Year(), received.Month()+2, 0, 0, 0, 0, 0, time.UTC) // the last day of the next month
	}
	if s := text("main"); !strings.Contains(s, due.Format("2 January 2006")) {
		t.Errorf("the request does not show its due date %s: %q", due.Format("2 January 2006"), s)
	}
	check("request")
	visit("register with request", sh+"/subject-access")

	// Retention: a period set with its source.
	visit("retention", sh+"/retention")
	visit("set retention", sh+"/retention/set?rule=case/no_further_action")
	fill(map[string]string{"months": "18", "source": "Partnership board decision, March 2026"})
	submit("set retention", "main form button.govuk-button", "Retention rules")
	if s := text("main table"); !strings.Contains(s, "Partnership board decision, March 2026") {
		t.Error("the retention period set is not listed with its source")
	}
	check("retention set")

	// A legal hold on a case, then released.
	var caseID prevent.ID
	if err := db.Read().QueryRowContext(context.Background(), `SELECT MIN(id) FROM referrals WHERE partnership_id = $1`, pid).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	visit("holds", sh+"/holds")
	visit("new hold", sh+"/holds/new")
	fill(map[string]string{"record": fmt.Sprint(caseID), "reason": "Complaint to the Information Commissioner"})
	submit("place hold", "main form button.govuk-button", "Legal holds")
	if s := text("main"); !strings.Contains(s, "Case PRV-") || !strings.Contains(s, "In force") {
		t.Errorf("holds after placing = %q", s)
	}
	check("hold placed")
	submit("release without reason", "main form[action$='/release'] button", "Legal holds")
	if s := text(".govuk-error-summary"); !strings.Contains(s, "Enter why the hold is no longer needed") {
		t.Errorf("release without reason: %q", s)
	}
	check("release refused")

	// The ledger and the Art 30 record.
	visit("ledger", sh+"/disclosures")
	visit("record of processing", sh+"/record-of-processing")
	if s := text("main"); !strings.Contains(s, "Fennick Vale Mentors (not a public body)") || !strings.Contains(s, "Named mentors only; secure email") {
		t.Errorf("the Art 30 record lacks the new agreement: %q", s)
	}
	t.Logf("axe found no WCAG 2.2 AA violations on %d pages: %s", len(browsertest.Checked()), strings.Join(browsertest.Checked(), ", "))
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestBrowserAdministratorJourney drives Debian's Chromium: the administrator signs in with a password and an
// authenticator code, adds an organisation and a person, sees a validation error keep what was typed, and signs
// out; axe checks every page against WCAG 2.2 AA. Then the audit log verifies, and one changed byte is caught.
func TestBrowserAdministratorJourney(t *testing.T) {
	ctx := browsertest.New(t)
	db := dbtest.NewSQLite(t)
	ta := newTestApp(t, db)
	var admin demo.Account
	for _, acc := range ta.Demo {
		if acc.Role == string(prevent.Administrator) {
			admin = acc
		}
	}
	base := ta.srv.URL
	shots := os.Getenv("PREVENT_SCREENSHOTS") // a directory to keep screenshots in, for people to look at
	check := func(name string) {
		t.Helper()
		// axe measures layout (target sizes), so wait until the page and its fonts have loaded.
		for i := 0; i < 50; i++ {
			done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
			if err == nil && done {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		browsertest.AssertNoAxeViolations(t, ctx, name)
		if shots != "" {
			_ = browsertest.Screenshot(ctx, filepath.Join(shots, strings.ReplaceAll(name, " ", "-")+".png"))
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

	run("open sign-in", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	check("sign in")
	run("wrong password", chromedp.SendKeys(chromedp.CSS("#email"), admin.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password at all"),
		chromedp.Click(chromedp.CSS("button.govuk-button")), chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")))
	check("sign in with an error")
	kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#email")))
	if err != nil {
		t.Fatal(err)
	}
	if kept != admin.Email {
		t.Errorf("email after a failed sign-in = %q, want it kept", kept)
	}
	run("sign in", chromedp.SetValue(chromedp.CSS("#password"), admin.Password),
		chromedp.Click(chromedp.CSS("button.govuk-button")), chromedp.WaitVisible(chromedp.CSS("#code")))
	check("second factor")
	code := browsertest.TOTP(admin.TOTPSecret, time.Now())
	run("second factor", chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("form[action='/sign-in/second-factor'] button")),
		chromedp.WaitNotPresent(chromedp.CSS("form[action='/sign-in/second-factor']")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h := text("main h1"); !strings.Contains(h, "Prevent partnership") {
		t.Fatalf("after sign-in, heading = %q", h)
	}
	check("home")

	pid := int64(1)
	run("organisations", chromedp.Navigate(fmt.Sprintf("%s/partnerships/%d/organisations/new", base, pid)), chromedp.WaitVisible(chromedp.CSS("#name")))
	check("new organisation")
	run("empty organisation", chromedp.Click(chromedp.CSS("#sector-2")), chromedp.Click(chromedp.CSS("main form button.govuk-button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")))
	check("new organisation with errors")
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#sector-2').checked`))
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Error("the chosen sector was not kept after a validation error")
	}
	run("create organisation", chromedp.SendKeys(chromedp.CSS("#name"), "Hollowmere Youth Trust"),
		chromedp.Click(chromedp.CSS("#public-body-2")), chromedp.Click(chromedp.CSS("main form button.govuk-button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner--success")))
	check("organisation created")
	if h := text("main h1"); !strings.Contains(h, "Hollowmere Youth Trust") {
		t.Errorf("organisation page heading = %q", h)
	}

	run("new person", chromedp.Navigate(fmt.Sprintf("%s/partnerships/%d/people/new", base, pid)), chromedp.WaitVisible(chromedp.CSS("#name")))
	check("new person")
	run("create person", chromedp.SendKeys(chromedp.CSS("#name"), "Orla Penhaligon"),
		chromedp.SendKeys(chromedp.CSS("#email"), "orla.penhaligon@hollowmere.example"),
		chromedp.SendKeys(chromedp.CSS("#job-title"), "Youth worker"),
		chromedp.SetValue(chromedp.CSS("#organisation"), ""),
		chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#organisation'); for (const o of s.options) { if (o.text.includes('Hollowmere')) { s.value = o.value; } } return true })()`)(ctx, tg)
			return chromedp.Void{}, err
		}),
		chromedp.Click(chromedp.CSS(`input[name="roles"][value="referrer"]`)),
		chromedp.Click(chromedp.CSS("main form button.govuk-button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-panel")))
	check("person created")
	if body := text("main"); !strings.Contains(body, "/account/set-up/") {
		t.Errorf("the confirmation does not show the set-up link: %q", body)
	}
	run("people list", chromedp.Navigate(fmt.Sprintf("%s/partnerships/%d/people", base, pid)), chromedp.WaitVisible(chromedp.CSS("table")))
	check("people")
	if body := text("table"); !strings.Contains(body, "Orla Penhaligon") {
		t.Error("the new person is not in the people list")
	}
	run("audit", chromedp.Navigate(base+"/account"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("account")
	run("sign out", chromedp.Click(chromedp.CSS(`form[action="/sign-out"] button`)), chromedp.WaitVisible(chromedp.CSS("#email")))
	check("signed out")
	if banner := text(".govuk-notification-banner"); !strings.Contains(banner, "signed out") {
		t.Errorf("sign-out banner = %q", banner)
	}
	for _, info := range []string{"/cookies", "/accessibility", "/privacy", "/no-such-page"} {
		run(info, chromedp.Navigate(base+info), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(info)
	}
	t.Logf("axe found no WCAG 2.2 AA violations on %d pages: %s", len(browsertest.Checked()), strings.Join(browsertest.Checked(), ", "))

	// The audit log verifies after the journey, and changing one byte of one row is caught and named.
	verifyAfterJourney(t, db)
}

func verifyAfterJourney(t *testing.T, db *database.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	signer, verifier, err := audit.LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	cp := &audit.Checkpointer{DB: db, Dir: dir, Signer: signer, Verifier: verifier, Now: time.Now}
	if _, err := cp.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	rep, err := audit.VerifyDB(ctx, db, dir, verifier)
	if err != nil || !rep.OK() {
		t.Fatalf("audit verify after the journey: %v %v", rep, err)
	}
	t.Logf("after the journey: %s", rep)
	// One byte of one row's purpose changes (the trigger is the application's guard; an attacker with the
	// file drops it).
	var seq int64
	if err := db.Read().QueryRowContext(ctx, "SELECT max(seq) / 2 FROM audit_entries").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(ctx, "DROP TRIGGER audit_entries_no_update"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(ctx, "UPDATE audit_entries SET purpose = 'X' || substr(purpose, 2) WHERE seq = $1", seq); err != nil {
		t.Fatal(err)
	}
	rep, err = audit.VerifyDB(ctx, db, dir, verifier)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(rep.String(), fmt.Sprint(seq)) {
		t.Fatalf("after changing entry %d, verify said %q; want a failure naming it", seq, rep.String())
	}
	t.Logf("after changing one byte of entry %d: %s", seq, rep)
}

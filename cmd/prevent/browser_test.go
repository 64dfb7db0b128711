package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
)

// driver drives Chromium through the service's pages for one test: the steps are browsertest.Journey's, the demo
// accounts and their sessions are the service's own.
type driver struct {
	*browsertest.Journey
	t  *testing.T
	ta *testApp
	// sessions holds a session per account, by email: a TOTP code may be used once, so each account signs in once.
	sessions map[string]string
}

// newDriver drives the browser ctx (from browsertest.New) through the test app; screenshots' names start with
// prefix.
func newDriver(t *testing.T, ctx context.Context, ta *testApp, prefix string) driver {
	return driver{Journey: browsertest.NewJourney(t, ctx, ta.srv.URL, prefix), t: t, ta: ta, sessions: map[string]string{}}
}

// account is the first demo account with the role.
func (d driver) account(role prevent.Role) demo.Account {
	d.t.Helper()
	for _, acc := range d.ta.Demo {
		if acc.Role == string(role) {
			return acc
		}
	}
	d.t.Fatalf("no demo %s", role)
	return demo.Account{}
}

// token returns the account's session token, signing in (outside the browser) the first time.
func (d driver) token(acc demo.Account) string {
	d.t.Helper()
	if _, ok := d.sessions[acc.Email]; !ok {
		d.sessions[acc.Email] = d.ta.signIn(d.t, acc)
	}
	return d.sessions[acc.Email]
}

// session returns the session token of the role's demo account.
func (d driver) session(role prevent.Role) string {
	d.t.Helper()
	return d.token(d.account(role))
}

// useSession makes the browser use the session token.
func (d driver) useSession(token string) {
	d.t.Helper()
	d.SetCookie("prevent_session", token)
}

// as signs the browser in as the account and returns the principal.
func (d driver) as(acc demo.Account) prevent.Principal {
	d.t.Helper()
	token := d.token(acc)
	d.useSession(token)
	return d.ta.principal(d.t, token)
}

// signInAs signs the browser in as the role's demo account and returns the principal.
func (d driver) signInAs(role prevent.Role) prevent.Principal {
	d.t.Helper()
	return d.as(d.account(role))
}

// agree puts an agreement in force between the demo organisations of these roles (and the provider's).
func (d driver) agree(roles ...prevent.Role) {
	d.t.Helper()
	admin := d.ta.principal(d.t, d.session(prevent.Administrator))
	var orgs []prevent.ID
	for _, r := range roles {
		o := d.ta.principal(d.t, d.session(r)).OrganisationID
		if !slices.Contains(orgs, o) {
			orgs = append(orgs, o)
		}
	}
	agreeForTest(d.t, d.ta, admin, orgs...)
}

// state is the case's state in the database.
func (d driver) state(id prevent.ID) casework.State {
	d.t.Helper()
	var s casework.State
	if err := d.ta.db.Read().QueryRowContext(context.Background(), `SELECT state FROM referrals WHERE id = $1`, id).Scan(&s); err != nil {
		d.t.Fatal(err)
	}
	return s
}

// TestBrowserAdministratorJourney drives Debian's Chromium: the administrator signs in with a password and an
// authenticator code, adds an organisation and a person, sees a validation error keep what was typed, and signs
// out; axe checks every page against WCAG 2.2 AA. Then the audit log verifies, and one changed byte is caught.
func TestBrowserAdministratorJourney(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "")
	admin := d.account(prevent.Administrator)

	d.Open("sign in", "/", "#email")
	d.Run("wrong password", chromedp.SendKeys(chromedp.CSS("#email"), admin.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), "not the password at all"))
	d.Click("wrong password", "button.govuk-button", ".govuk-error-summary")
	d.Check("sign in with an error")
	if kept := d.Eval(`document.querySelector('#email').value`); kept != admin.Email {
		t.Errorf("email after a failed sign-in = %q, want it kept", kept)
	}
	d.Run("password", chromedp.SetValue(chromedp.CSS("#password"), admin.Password))
	d.Click("sign in", "button.govuk-button", "#code")
	d.Check("second factor")
	d.SecondFactor(admin.TOTPSecret)
	if h := d.Text("main h1"); !strings.Contains(h, "Prevent partnership") {
		t.Fatalf("after sign-in, heading = %q", h)
	}
	d.Check("home")

	pid := int64(1)
	d.Open("new organisation", fmt.Sprintf("/partnerships/%d/organisations/new", pid), "#name")
	d.Run("sector", chromedp.Click(chromedp.CSS("#sector-2")))
	d.Click("empty organisation", "main form button.govuk-button", ".govuk-error-summary")
	d.Check("new organisation with errors")
	if !d.Bool(`document.querySelector('#sector-2').checked`) {
		t.Error("the chosen sector was not kept after a validation error")
	}
	d.Run("organisation", chromedp.SendKeys(chromedp.CSS("#name"), "Hollowmere Youth Trust"), chromedp.Click(chromedp.CSS("#public-body-2")))
	d.Click("create organisation", "main form button.govuk-button", ".govuk-notification-banner--success")
	d.Check("organisation created")
	if h := d.Text("main h1"); !strings.Contains(h, "Hollowmere Youth Trust") {
		t.Errorf("organisation page heading = %q", h)
	}

	d.Open("new person", fmt.Sprintf("/partnerships/%d/people/new", pid), "#name")
	d.Run("person", chromedp.SendKeys(chromedp.CSS("#name"), "Orla Penhaligon"),
		chromedp.SendKeys(chromedp.CSS("#email"), "orla.penhaligon@hollowmere.example"),
		chromedp.SendKeys(chromedp.CSS("#job-title"), "Youth worker"),
		chromedp.Click(chromedp.CSS(`input[name="roles"][value="referrer"]`)))
	d.SelectText("#organisation", "Hollowmere")
	d.Click("create person", "main form button.govuk-button", ".govuk-panel")
	d.Check("person created")
	if body := d.Text("main"); !strings.Contains(body, "/account/set-up/") {
		t.Errorf("the confirmation does not show the set-up link: %q", body)
	}
	d.Open("people", fmt.Sprintf("/partnerships/%d/people", pid), "table")
	if body := d.Text("table"); !strings.Contains(body, "Orla Penhaligon") {
		t.Error("the new person is not in the people list")
	}
	d.Open("account", "/account", "main h1")
	d.Click("sign out", `form[action="/sign-out"] button`, "#email")
	d.Check("signed out")
	if banner := d.Text(".govuk-notification-banner"); !strings.Contains(banner, "signed out") {
		t.Errorf("sign-out banner = %q", banner)
	}
	for _, info := range []string{"/cookies", "/accessibility", "/privacy", "/no-such-page"} {
		d.Open(info, info, "main h1")
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

package web

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/ui"
)

// TestBrowserPasskeys runs both passkey ceremonies in Chromium against a virtual authenticator (the DevTools
// WebAuthn domain): passkey.js adds a passkey on the account page, adding it again shows the error summary, and
// a password-only session then passes its second factor with it. The pages run under the real CSP.
func TestBrowserPasskeys(t *testing.T) {
	ctx := browsertest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// WebAuthn needs a domain name: the browser reaches the test server as localhost.
	base := "http://localhost:" + ln.Addr().(*net.TCPAddr).AddrPort().String()[len("127.0.0.1:"):]
	f := newPasskeyFixture(t, dbtest.NewSQLite(t), base)
	mux := f.s.Mux()
	mux.Handle("GET /static/", http.FileServerFS(ui.Static))
	srv := httptest.NewUnstartedServer(SecurityHeaders(false, http.NewCrossOriginProtection().Handler(mux)))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
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
	useSession := func(token string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: SessionCookie, Value: token, URL: base + "/"}); err != nil {
			t.Fatalf("set session cookie: %v", err)
		}
	}
	check := func(name string) {
		t.Helper()
		run("wait for "+name, chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
		browsertest.AssertNoAxeViolations(t, ctx, name)
	}

	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("enable WebAuthn domain: %v", err)
	}
	_, err = chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		t.Fatalf("add virtual authenticator: %v", err)
	}

	// Add a passkey.
	useSession(f.session)
	run("passkeys page", chromedp.Navigate(base+"/account/passkeys"),
		chromedp.WaitVisible(chromedp.CSS("button[data-passkey-action=register]")), chromedp.WaitNotVisible(chromedp.CSS("[data-passkey-unsupported]")))
	check("passkeys")
	run("add passkey", chromedp.SendKeys(chromedp.CSS("#passkey-name"), "Test laptop"),
		chromedp.Click(chromedp.CSS("button[data-passkey-action=register]")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner")))
	if banner := text(".govuk-notification-banner"); !strings.Contains(banner, "Your passkey has been added") {
		t.Errorf("banner after adding = %q", banner)
	}
	if row := text("table tbody"); !strings.Contains(row, "Test laptop") {
		t.Fatalf("passkey table after adding = %q", row)
	}
	check("passkey added")

	// The same authenticator again is refused by the browser (the passkey is excluded): the error summary says so.
	run("add again", chromedp.WaitVisible(chromedp.CSS("button[data-passkey-action=register]")),
		chromedp.Click(chromedp.CSS("button[data-passkey-action=register]")),
		chromedp.WaitVisible(chromedp.CSS("[data-passkey-error] .govuk-error-summary")))
	if msg := text("[data-passkey-error-list]"); !strings.Contains(msg, "already added") {
		t.Errorf("error summary after adding the same passkey again = %q", msg)
	}
	if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || !strings.HasPrefix(title, "Error: ") {
		t.Errorf("title with the error shown = %q (%v)", title, err)
	}
	check("passkey error")

	// A new, password-only session passes its second factor with the passkey.
	half := f.signIn(t)
	useSession(half)
	run("passkey sign-in page", chromedp.Navigate(base+"/sign-in/passkey"), chromedp.WaitVisible(chromedp.CSS("button[data-passkey-action=login]")))
	check("sign in with passkey")
	run("use passkey", chromedp.Click(chromedp.CSS("button[data-passkey-action=login]")),
		chromedp.WaitNotPresent(chromedp.CSS("button[data-passkey-action=login]")), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h := text("main h1"); !strings.Contains(h, "Prevent partnership") {
		t.Errorf("after the passkey, heading = %q, want home", h)
	}
	p, err := f.auth.Authenticate(context.Background(), half)
	if err != nil || !p.MFA {
		t.Errorf("session after the passkey: MFA %v, err %v", p.MFA, err)
	}
	keys, err := f.auth.ListPasskeys(context.Background(), f.adminID)
	if err != nil || len(keys) != 1 || keys[0].LastUsedAt.IsZero() {
		t.Errorf("passkeys after use = %+v, %v; want one, used", keys, err)
	}
}

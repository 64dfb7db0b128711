package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/ui"
)

// TestBrowserRightsPages walks the subject-rights pages in Chromium under the real CSP, with axe on each: the
// coordinator corrects a name (first without a reason: the error summary), the police see the notice on My
// work and complete it, and the data protection officer sees the overview, finds the person of a subject
// access request, withholds an item and prints the bundle. The test server signs each request in as the
// person named by a test cookie (sessions are tested with the auth service).
func TestBrowserRightsPages(t *testing.T) {
	ctx := browsertest.New(t)
	s, f := newRightsServer(t)
	people := map[string]prevent.Principal{"coordinator": f.Coordinator, "officer": f.Officer, "dpo": f.DPO}
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.HandleFunc(rt.Method+" "+rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			var p prevent.Principal
			if c, err := r.Cookie("test_as"); err == nil {
				p = people[c.Value]
			}
			r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
			if !access.Permits(p, rt.Action).Allow {
				s.renderError(w, r, access.NotFound("Page"))
				return
			}
			if err := rt.handle(w, r); err != nil {
				s.renderError(w, r, err)
			}
		})
	}
	mux.Handle("GET /static/", http.FileServerFS(ui.Static))
	srv := httptest.NewServer(SecurityHeaders(false, http.NewCrossOriginProtection().Handler(mux)))
	t.Cleanup(srv.Close)
	base := srv.URL

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
	as := func(who string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "test_as", Value: who, URL: base + "/"}); err != nil {
			t.Fatalf("set test cookie: %v", err)
		}
	}
	check := func(name string) {
		t.Helper()
		run("wait for "+name, chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && document.fonts.status === 'loaded'`))
		browsertest.AssertNoAxeViolations(t, ctx, name)
	}
	visit := func(name, path string) {
		t.Helper()
		run(name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		check(name)
	}

	// The coordinator corrects the family name; without a reason the error summary says what is missing.
	as("coordinator")
	rectify := fmt.Sprintf("/partnerships/%d/cases/%d/rectify", f.PID, f.CaseID)
	visit("rectify", rectify)
	run("rectify without a reason", chromedp.SetValue(chromedp.CSS("#field"), "family_name"), chromedp.SendKeys(chromedp.CSS("#value"), "Smyth"),
		chromedp.Click(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")))
	if s := text(".govuk-error-summary"); !strings.Contains(s, "Enter why the detail is being corrected") {
		t.Fatalf("error summary %q", s)
	}
	check("rectify error")
	run("rectify", chromedp.SendKeys(chromedp.CSS("#reason"), "He showed his passport"), chromedp.Click(chromedp.CSS("main form button")),
		chromedp.WaitNotPresent(chromedp.CSS("#reason")))

	// The police see the notice on My work, read it and record what they did.
	as("officer")
	visit("my work with a notice", "/work")
	if s := text("main"); !strings.Contains(s, "1 notice to your organisation needs action") {
		t.Fatalf("My work: %q", s)
	}
	visit("notices", fmt.Sprintf("/partnerships/%d/notices", f.PID))
	run("open the notice", chromedp.Click(chromedp.CSS("main table a")), chromedp.WaitVisible(chromedp.CSS("#note")))
	check("notice")
	run("complete the notice", chromedp.SendKeys(chromedp.CSS("#note"), "Corrected the name in our records"),
		chromedp.Click(chromedp.CSS("main form button")), chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner")))
	check("notice completed")

	// The data protection officer's overview, then a subject access request from the person.
	as("dpo")
	visit("all notices", fmt.Sprintf("/partnerships/%d/notices/all", f.PID))
	if s := text("main"); !strings.Contains(s, "Corrected the name in our records") {
		t.Fatalf("overview: %q", s)
	}
	req, err := f.Rights.RegisterRequest(context.Background(), f.DPO, f.PID, rights.SubjectAccessInput{Received: f.Now(),
		Requester: "Sam Smyth", Subject: "Sam Smyth", Regime: rights.UKGDPR})
	if err != nil {
		t.Fatal(err)
	}
	sar := fmt.Sprintf("/partnerships/%d/subject-access/%d", f.PID, req)
	visit("subject access request", sar)
	run("search", chromedp.SendKeys(chromedp.CSS("#name"), "Smyth"), chromedp.Click(chromedp.CSS("main form button")),
		chromedp.WaitVisible(chromedp.CSS("input[name=subject]")))
	check("subject search results")
	run("link", chromedp.Click(chromedp.CSS("input[name=subject]")), chromedp.Click(chromedp.CSS("form[action$='/subject'] button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner")))
	check("request linked")
	visit("withhold items", sar+"/redactions")
	item := fmt.Sprintf("referral:%d:concern.what_happened", f.CaseID)
	run("withhold without an exemption", chromedp.Click(chromedp.CSS(`input[value="`+item+`"]`)),
		chromedp.SendKeys(chromedp.CSS("#note"), "Names a teacher"), chromedp.Click(chromedp.CSS("form[action$='/redactions'] > button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary")))
	check("withhold error")
	run("withhold", chromedp.SetValue(chromedp.CSS("#exemption"), "third_party"), chromedp.Click(chromedp.CSS("form[action$='/redactions'] > button")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-notification-banner")))
	check("item withheld")
	visit("bundle", sar+"/bundle")
	if s := text("main"); strings.Contains(s, "Shared violent material") || !strings.Contains(s, "Withheld: Information about another person") ||
		!strings.Contains(s, "Cara Coordinator") || !strings.Contains(s, "Northtown Police") {
		t.Fatalf("bundle: %q", s)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/logging"
	"github.com/preventplatform/prevent/internal/prevent"
)

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type testApp struct {
	*app
	db   *database.DB
	logs *syncBuffer
	srv  *httptest.Server
}

func newTestApp(t *testing.T, db *database.DB) *testApp {
	t.Helper()
	logs := &syncBuffer{}
	logger := logging.New(logs, slog.LevelDebug, true)
	now := func() time.Time { return time.Now().UTC() }
	a, err := newApp(context.Background(), appConfig{DB: db, Logger: logger, Now: now, Demo: true,
		PublicURL: "http://127.0.0.1", AuditDir: t.TempDir()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ta := &testApp{app: a, db: db, logs: logs}
	ta.srv = httptest.NewServer(a.Handler)
	t.Cleanup(ta.srv.Close)
	return ta
}

// demoDB returns a fresh SQLite store holding the demo partnership as newApp loads it on the wall clock. The demo
// is loaded once per test process and clock hour and each test gets a copy (dbtest.Seeded); newApp then finds it
// there and reads its accounts back. Sealed fields are under the process's ephemeral key, as in every test app.
func demoDB(t *testing.T) *database.DB {
	t.Helper()
	key := "app-demo@" + time.Now().UTC().Format("2006-01-02T15")
	return dbtest.Seeded(t, database.SQLite, key, func(tb testing.TB, db *database.DB) {
		now := func() time.Time { return time.Now().UTC() }
		if _, err := newApp(context.Background(), appConfig{DB: db, Logger: logging.New(io.Discard, slog.LevelError, true),
			Now: now, Demo: true, PublicURL: "http://127.0.0.1", AuditDir: tb.TempDir()}, io.Discard); err != nil {
			tb.Fatal(err)
		}
	})
}

// signIn returns a session cookie value for a demo account with the second factor passed.
func (ta *testApp) signIn(t *testing.T, acc demo.Account) string {
	t.Helper()
	ctx := context.Background()
	token, res, err := ta.Auth.SignIn(ctx, acc.Email, acc.Password, auth.SignInMeta{})
	if err != nil {
		t.Fatalf("sign in %s: %v", acc.Email, err)
	}
	if res.NeedsSecondFactor {
		code, err := totp.GenerateCode(acc.TOTPSecret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := ta.Auth.VerifyTOTP(ctx, token, code); err != nil {
			t.Fatalf("second factor %s: %v", acc.Email, err)
		}
	}
	return token
}

func (ta *testApp) principal(t *testing.T, token string) prevent.Principal {
	t.Helper()
	p, err := ta.Auth.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestServeBasics(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, demoDB(t))
	c := &http.Client{CheckRedirect: noRedirect}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/healthz", 200, "ok"},
		{"/readyz", 200, "ready"},
		{"/sign-in", 200, "Sign in"},
		{"/cookies", 200, "Cookies"},
		{"/accessibility", 200, "Accessibility statement"},
		{"/privacy", 200, "Privacy notice"},
		{"/no-such-page", 404, "Page not found"},
		{"/api/v1/openapi.json", 200, `"openapi"`},
		{"/metrics", 200, "# HELP"},
		{"/static/app.js", 200, "initAll"},
	} {
		resp, err := c.Get(ta.srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d, want %d containing %q", tc.path, resp.StatusCode, tc.status, tc.want)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: CSP %q", tc.path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Strict-Transport-Security") == "" {
			t.Errorf("GET %s: missing nosniff or HSTS", tc.path)
		}
	}
	// The home page sends anonymous people to sign in.
	resp, err := c.Get(ta.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sign-in" {
		t.Errorf("GET / anonymous = %d to %q, want 303 to /sign-in", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A cross-site form post is refused.
	req, _ := http.NewRequest(http.MethodPost, ta.srv.URL+"/sign-in", strings.NewReader("email=a&password=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST /sign-in = %d, want 403", resp.StatusCode)
	}
}

var paramRe = regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)

// TestRouteByRole walks every registered route, page and API, for anonymous and every demo role, and checks
// that the response is what access.Permits says: a route whose action is unknown fails the test.
func TestRouteByRole(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, demoDB(t))
	ctx := context.Background()
	// An action is known when it is one of the role-free ones or some role permits it: a route whose action no
	// role holds is unreachable, and one with a made-up action fails here.
	known := map[access.Action]bool{access.Public: true, access.SignIn: true, access.SecondFactor: true, access.Account: true}
	for _, role := range prevent.Roles {
		for _, a := range access.RoleActions(role) {
			known[a] = true
		}
	}

	type who struct {
		name   string
		cookie string
		bearer string
		p      prevent.Principal
	}
	people := []who{{name: "anonymous"}}
	seenRole := map[string]bool{}
	var partnershipID, personID, orgID prevent.ID
	for _, acc := range ta.Demo {
		if seenRole[acc.Role] {
			continue
		}
		seenRole[acc.Role] = true
		cookie := ta.signIn(t, acc)
		p := ta.principal(t, cookie)
		bearer, _, err := ta.Auth.CreateToken(ctx, p.PersonID, "route test", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatalf("token for %s: %v", acc.Role, err)
		}
		people = append(people, who{name: acc.Role, cookie: cookie, bearer: bearer, p: p})
		partnershipID = p.Memberships[0].PartnershipID
		if acc.Role == string(prevent.Administrator) {
			// Routes act on the administrator's own record, which they may not disable, so that the walk
			// has no side effect on the other principals' sessions.
			personID, orgID = p.PersonID, p.OrganisationID
		}
	}
	if len(people) < len(prevent.Roles)+1 {
		t.Fatalf("demo has %d roles, want every one of %d", len(people)-1, len(prevent.Roles))
	}
	type rt struct {
		method, pattern string
		action          access.Action
		api             bool
	}
	var routes []rt
	for _, r := range ta.Web.Routes() {
		routes = append(routes, rt{r.Method, r.Pattern, r.Action, false})
	}
	for _, r := range ta.API.Routes() {
		routes = append(routes, rt{r.Method, r.Pattern, r.Action, true})
	}
	c := &http.Client{CheckRedirect: noRedirect}
	checked := 0
	for _, r := range routes {
		if !known[r.action] {
			t.Errorf("%s %s: action %q is not a known access action", r.method, r.pattern, r.action)
			continue
		}
		path := paramRe.ReplaceAllStringFunc(r.pattern, func(m string) string {
			name := paramRe.FindStringSubmatch(m)[1]
			switch name {
			case "pid":
				return fmt.Sprint(partnershipID)
			case "token":
				return "not-a-real-token"
			}
			if strings.Contains(r.pattern, "tokens") {
				return "999999" // revoking someone's real token would end their access mid-walk
			}
			if strings.Contains(r.pattern, "organisations") {
				return fmt.Sprint(orgID)
			}
			return fmt.Sprint(personID)
		})
		path = strings.ReplaceAll(path, "{$}", "")
		for _, w := range people {
			var body io.Reader
			if r.method != http.MethodGet {
				body = strings.NewReader(url.Values{}.Encode())
			}
			req, _ := http.NewRequest(r.method, ta.srv.URL+path, body)
			if r.api {
				req.Header.Set("Content-Type", "application/json")
				if w.bearer != "" {
					req.Header.Set("Authorization", "Bearer "+w.bearer)
				}
			} else {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				cookie := w.cookie
				if cookie != "" && r.pattern == "/sign-out" {
					// Signing out ends the session: use a fresh, password-only one for this request.
					for _, acc := range ta.Demo {
						if acc.Role == w.name {
							tok, _, err := ta.Auth.SignIn(ctx, acc.Email, acc.Password, auth.SignInMeta{})
							if err != nil {
								t.Fatal(err)
							}
							cookie = tok
						}
					}
				}
				if cookie != "" {
					req.AddCookie(&http.Cookie{Name: "prevent_session", Value: cookie})
				}
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			checked++
			allowed := access.Permits(w.p, r.action).Allow
			got := resp.StatusCode
			switch {
			case !allowed && w.p.Anonymous() && r.api && got != 401:
				t.Errorf("%s %s as %s = %d, want 401", r.method, path, w.name, got)
			case !allowed && w.p.Anonymous() && !r.api && r.method == http.MethodGet && got != 303:
				t.Errorf("%s %s as %s = %d, want 303 to sign in", r.method, path, w.name, got)
			case !allowed && w.p.Anonymous() && !r.api && r.method != http.MethodGet && got != 401:
				t.Errorf("%s %s as %s = %d, want 401", r.method, path, w.name, got)
			case !allowed && !w.p.Anonymous() && r.action == access.SignIn && got != 303:
				t.Errorf("%s %s as %s = %d, want 303 home", r.method, path, w.name, got)
			case !allowed && !w.p.Anonymous() && r.action != access.SignIn && got != 404:
				t.Errorf("%s %s as %s = %d, want 404 (not permitted)", r.method, path, w.name, got)
			case allowed && (got == 401 || got == 403 || got >= 500):
				t.Errorf("%s %s as %s = %d, want the route to answer (permitted)", r.method, path, w.name, got)
			}
		}
	}
	t.Logf("checked %d routes × %d principals = %d requests", len(routes), len(people), checked)
}

// TestLogsCarryNoPersonalData plants a canary name in the path, query, form and JSON of requests and checks
// it never reaches the logs.
func TestLogsCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, demoDB(t))
	const canary = "Zebedee Canaryfield"
	esc := url.QueryEscape(canary)
	c := &http.Client{CheckRedirect: noRedirect}
	var admin demo.Account
	for _, acc := range ta.Demo {
		if acc.Role == string(prevent.Administrator) {
			admin = acc
		}
	}
	cookie := ta.signIn(t, admin)
	p := ta.principal(t, cookie)
	pid := p.Memberships[0].PartnershipID
	do := func(method, path, ctype, body string) {
		req, _ := http.NewRequest(method, ta.srv.URL+path, strings.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		req.AddCookie(&http.Cookie{Name: "prevent_session", Value: cookie})
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do("GET", "/people/"+url.PathEscape(canary)+"?name="+esc, "", "")
	do("GET", "/audit?kind="+esc, "", "")
	do("POST", "/sign-in", "application/x-www-form-urlencoded", "email="+esc+"%40example.org&password="+esc)
	do("POST", fmt.Sprintf("/partnerships/%d/organisations/new", pid), "application/x-www-form-urlencoded", "name="+esc+"&sector=nonsense")
	do("POST", fmt.Sprintf("/partnerships/%d/people/new", pid), "application/x-www-form-urlencoded", "name="+esc+"&email=zebedee%40example.org")
	do("POST", fmt.Sprintf("/api/v1/partnerships/%d/organisations", pid), "application/json", `{"name":"`+canary+`"}`)
	logs := ta.logs.String()
	if !strings.Contains(logs, "request") && len(logs) < 100 {
		t.Fatalf("expected access log lines, got %q", logs)
	}
	for _, needle := range []string{canary, "Zebedee", "Canaryfield", esc} {
		if strings.Contains(logs, needle) {
			t.Fatalf("log output contains the canary %q:\n%s", needle, logs)
		}
	}
}

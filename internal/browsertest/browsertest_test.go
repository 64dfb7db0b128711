package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// strictCSP is the policy the platform sends: no inline script, nothing from other origins.
const strictCSP = "default-src 'self'; script-src 'self'"

const goodPage = `<!DOCTYPE html>
<html lang="en" class="govuk-template">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>What is your name? – Make a referral – Prevent</title>
  <link rel="stylesheet" href="/style.css">
</head>
<body class="govuk-template__body">
  <a href="#main-content" class="govuk-skip-link">Skip to main content</a>
  <header class="govuk-header">
    <div class="govuk-header__container govuk-width-container">
      <a href="/" class="govuk-header__link">Prevent</a>
    </div>
  </header>
  <div class="govuk-width-container">
    <nav aria-label="Back"><a href="/" class="govuk-back-link">Back</a></nav>
    <main class="govuk-main-wrapper" id="main-content">
      <h1 class="govuk-heading-l">
        What is your   name?
      </h1>
      <form method="post" action="/name" novalidate>
        <div class="govuk-form-group">
          <label class="govuk-label" for="full-name">Full name</label>
          <div id="full-name-hint" class="govuk-hint">As shown on official documents</div>
          <input class="govuk-input" id="full-name" name="fullName" type="text" autocomplete="name" aria-describedby="full-name-hint">
        </div>
        <button type="submit" class="govuk-button">Continue</button>
      </form>
      <img src="/pixel.png" alt="Crest of the partnership" width="20" height="20">
    </main>
  </div>
  <footer class="govuk-footer">
    <div class="govuk-width-container"><a href="/accessibility" class="govuk-footer__link">Accessibility statement</a></div>
  </footer>
  <script>document.documentElement.setAttribute('data-inline-script', 'ran');</script>
  <script src="/app.js"></script>
</body>
</html>`

const badPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Search – Prevent</title></head>
<body>
  <main>
    <h1>Search</h1>
    <img src="/pixel.png">
    <form method="get" action="/search">
      <input type="text" name="q">
      <button type="submit">Search</button>
    </form>
  </main>
</body>
</html>`

// siteCSS gives the page's controls the sizes and spacing GOV.UK Frontend gives them (WCAG 2.2 target size).
const siteCSS = `body { font-family: sans-serif; font-size: 19px; color: #0b0c0c; background: #ffffff; margin: 0 }
a { display: inline-block; min-height: 24px; padding: 4px 0; color: #1d70b8 }
.govuk-header { background: #0b0c0c; padding: 10px 15px }
.govuk-header__link { color: #ffffff; font-weight: bold }
.govuk-width-container { margin: 0 15px }
.govuk-form-group { margin-bottom: 30px }
.govuk-input { min-height: 40px; border: 2px solid #0b0c0c; padding: 5px }
.govuk-button { min-height: 40px; padding: 8px 10px; margin: 0 0 30px; color: #ffffff; background: #00703c; border: 0 }
.govuk-footer { margin-top: 30px; padding: 25px 15px; background: #f3f2f1 }
`

// newSite serves the two test pages and their assets, all with the strict policy.
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	var pixel bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, color.RGBA{R: 29, G: 112, B: 184, A: 255})
	if err := png.Encode(&pixel, img); err != nil {
		t.Fatal(err)
	}
	files := map[string]struct{ typ, body string }{
		"/good":      {"text/html; charset=utf-8", goodPage},
		"/bad":       {"text/html; charset=utf-8", badPage},
		"/style.css": {"text/css", siteCSS},
		"/app.js":    {"text/javascript", "document.documentElement.setAttribute('data-external-script', 'ran');\n"},
		"/pixel.png": {"image/png", pixel.String()},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", strictCSP)
		w.Header().Set("Content-Type", f.typ)
		_, _ = w.Write([]byte(f.body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// recordingTB stands in for a test so that the failures and skips of the helpers can be inspected.
type recordingTB struct {
	testing.TB
	skips, fatals, errors []string
}

func (r *recordingTB) Skip(args ...any)  { r.skips = append(r.skips, fmt.Sprint(args...)) }
func (r *recordingTB) Fatal(args ...any) { r.fatals = append(r.fatals, fmt.Sprint(args...)) }
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestNewWithoutBrowser(t *testing.T) {
	t.Setenv(ChromiumEnv, "/nonexistent/chromium")
	want := "browser tests skipped: /nonexistent/chromium not found (apt-get install -y chromium)"

	t.Run("skips by default", func(t *testing.T) {
		t.Setenv(RequireEnv, "")
		rec := &recordingTB{TB: t}
		if ctx := New(rec); ctx != nil {
			t.Fatal("New returned a context without a browser")
		}
		if !slices.Equal(rec.skips, []string{want}) || len(rec.fatals) != 0 {
			t.Fatalf("skips %q, fatals %q; want one skip %q", rec.skips, rec.fatals, want)
		}
	})
	t.Run("fails when required", func(t *testing.T) {
		t.Setenv(RequireEnv, "1")
		rec := &recordingTB{TB: t}
		if ctx := New(rec); ctx != nil {
			t.Fatal("New returned a context without a browser")
		}
		if !slices.Equal(rec.fatals, []string{want}) || len(rec.skips) != 0 {
			t.Fatalf("fatals %q, skips %q; want one fatal %q", rec.fatals, rec.skips, want)
		}
	})
}

func TestAxeUnderStrictCSP(t *testing.T) {
	ctx := New(t)
	srv := newSite(t)

	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(srv.URL+"/good"))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Headers["Content-Security-Policy"]; got != strictCSP {
		t.Fatalf("page sent CSP %q, want %q", got, strictCSP)
	}
	// The policy is in force: the page's inline script was blocked, its own script from 'self' ran.
	attrs, err := chromedp.Run(ctx, chromedp.Attributes(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ran := attrs["data-inline-script"]; ran {
		t.Fatal("inline script ran: the strict CSP is not in force, so this test proves nothing")
	}
	if attrs["data-external-script"] != "ran" {
		t.Fatalf("the page's own script did not run (attributes %v)", attrs)
	}

	if v := Axe(ctx, t); len(v) != 0 {
		t.Fatalf("accessible page: %s", FormatViolations("good", v))
	}
	// A second run reuses the injected axe.
	before := len(Checked())
	AssertNoAxeViolations(t, ctx, "good page")
	if got := Checked(); len(got) != before+1 || got[len(got)-1] != "good page" {
		t.Fatalf("Checked() = %q, want it to end with the good page", got)
	}

	heading, err := chromedp.Run(ctx, Text("h1"))
	if err != nil {
		t.Fatal(err)
	}
	if heading != "What is your name?" {
		t.Fatalf("Text(h1) = %q", heading)
	}

	shot := filepath.Join(t.TempDir(), "good.png")
	if err := Screenshot(ctx, shot); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if cfg.Width != WindowWidth {
		t.Fatalf("screenshot is %dx%d, want the window width %d", cfg.Width, cfg.Height, WindowWidth)
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/bad")); err != nil {
		t.Fatal(err)
	}
	violations := Axe(ctx, t)
	var ids []string
	for _, v := range violations {
		ids = append(ids, v.ID)
		if len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 {
			t.Errorf("violation %s names no element", v.ID)
		}
	}
	for _, want := range []string{"image-alt", "label"} {
		if !slices.Contains(ids, want) {
			t.Errorf("inaccessible page: violations %q lack %q", ids, want)
		}
	}

	rec := &recordingTB{TB: t}
	before = len(Checked())
	AssertNoAxeViolations(rec, ctx, "bad page")
	if len(rec.errors) != 1 {
		t.Fatalf("AssertNoAxeViolations reported %d failures on the bad page, want 1 (fatals %q)", len(rec.errors), rec.fatals)
	}
	for _, want := range []string{`"bad page"`, "image-alt (critical)", "label (critical)", `<img src="/pixel.png">`, `<input type="text" name="q">`} {
		if !strings.Contains(rec.errors[0], want) {
			t.Errorf("failure message lacks %q:\n%s", want, rec.errors[0])
		}
	}
	if len(Checked()) != before {
		t.Errorf("a failing page was recorded as checked: %q", Checked())
	}
}

func TestFormatViolations(t *testing.T) {
	v := []Violation{{
		ID: "color-contrast", Impact: "serious", Help: "Elements must meet minimum color contrast ratio thresholds",
		HelpURL: "https://example.invalid/color-contrast",
		Nodes: []Node{
			{Target: []string{"#a"}, HTML: "<p id=\"a\">\n  " + strings.Repeat("x", 200) + "</p>"}, {Target: []string{"#b"}}, {Target: []string{"#c"}}, {Target: []string{"#d"}}, {Target: []string{"#e"}},
		},
	}}
	got := FormatViolations("home", v)
	for _, want := range []string{`1 WCAG 2.2 AA violation(s) on page "home"`, "color-contrast (serious): Elements must", "#a  <p id=\"a\"> xxx", "…\n", "#c", "and 2 more element(s)"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "#d") {
		t.Errorf("lists more than %d elements:\n%s", maxTargets, got)
	}
}

func TestTOTP(t *testing.T) {
	// RFC 6238 appendix B, SHA-1, truncated to six digits; the secret is "12345678901234567890" in base32.
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1234567890, "005924"},
		{2000000000, "279037"},
	} {
		if got := TOTP(secret, time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("TOTP at %d = %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestStaleNodeIsRetriedOnlyForAReplacedDocument(t *testing.T) {
	for msg, want := range map[string]bool{
		"Could not find node with given id (-32000)":              true,
		"Node with given id does not belong to the document":      true,
		"Execution context was destroyed.":                        true,
		"waiting for selector `#code`: context deadline exceeded": false,
		"net::ERR_CONNECTION_REFUSED":                             false,
	} {
		if got := staleNode(errors.New(msg)); got != want {
			t.Errorf("staleNode(%q) = %v, want %v", msg, got, want)
		}
	}
	if staleNode(nil) {
		t.Error("no error is stale")
	}
}

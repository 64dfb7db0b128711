package ui

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestStylesheetURLsResolve checks that every url(...) in the GOV.UK stylesheet
// points at a file that is embedded under the path the browser will ask for.
func TestStylesheetURLsResolve(t *testing.T) {
	css, err := fs.ReadFile(Static, "static/govuk/govuk-frontend.min.css")
	if err != nil {
		t.Fatal(err)
	}
	urls := regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(string(css), -1)
	if len(urls) == 0 {
		t.Fatal("no url() references found: the stylesheet is not the expected one")
	}
	for _, m := range urls {
		u := strings.Trim(m[1], `"'`)
		if strings.HasPrefix(u, "data:") {
			continue
		}
		if !strings.HasPrefix(u, "/static/") {
			t.Errorf("url(%s) is not under /static/", u)
			continue
		}
		if _, err := fs.Stat(Static, strings.TrimPrefix(u, "/")); err != nil {
			t.Errorf("url(%s) does not resolve: %v", u, err)
		}
	}
}

// TestAppScript checks that app.js imports the embedded GOV.UK module and marks the body as supported.
func TestAppScript(t *testing.T) {
	js, err := fs.ReadFile(Static, "static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`from '\./([^']+)'`).FindStringSubmatch(string(js))
	if m == nil {
		t.Fatal("app.js imports nothing")
	}
	if _, err := fs.Stat(Static, "static/"+m[1]); err != nil {
		t.Errorf("app.js imports %s, which is not embedded: %v", m[1], err)
	}
	for _, want := range []string{"initAll()", "govuk-frontend-supported", "js-enabled"} {
		if !strings.Contains(string(js), want) {
			t.Errorf("app.js lacks %q", want)
		}
	}
	mod, err := fs.ReadFile(Static, "static/govuk/govuk-frontend.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`export\{[^}]*\binitAll\b`).Match(mod) {
		t.Error("govuk-frontend.min.js does not export initAll")
	}
}

// TestVersionPinned checks the recorded version of GOV.UK Frontend matches the build.
func TestVersionPinned(t *testing.T) {
	v, err := fs.ReadFile(Static, "static/govuk/VERSION")
	if err != nil {
		t.Fatal(err)
	}
	version := strings.TrimSpace(string(v))
	mod, err := fs.ReadFile(Static, "static/govuk/govuk-frontend.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), `const version="`+version+`"`) {
		t.Errorf("VERSION says %s but the module is another version", version)
	}
	for _, p := range []string{"static/govuk/assets/manifest.json", "static/govuk/assets/images/favicon.ico", "static/app.css"} {
		if _, err := fs.Stat(Static, p); err != nil {
			t.Error(err)
		}
	}
}

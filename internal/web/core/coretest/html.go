package coretest

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Checks of a page's HTML that the tests of several areas make.

// WantDateTyped checks that the GOV.UK date input called name shows the day, month and year typed.
func WantDateTyped(t testing.TB, doc *goquery.Document, name, day, month, year string) {
	t.Helper()
	for part, want := range map[string]string{"day": day, "month": month, "year": year} {
		if v := doc.Find("#"+name+"-"+part).AttrOr("value", ""); v != want {
			t.Errorf("%s-%s kept as %q, want %q", name, part, v, want)
		}
	}
}

// WantErrorLinks checks that the error summary links to each of hrefs, and that every link of the summary
// leads to an element of the page.
func WantErrorLinks(t testing.TB, doc *goquery.Document, hrefs ...string) {
	t.Helper()
	links := doc.Find(".govuk-error-summary a")
	for _, href := range hrefs {
		if links.Filter(`[href="`+href+`"]`).Length() != 1 {
			t.Errorf("the error summary does not link to %s (summary %q)", href, doc.Find(".govuk-error-summary").Text())
		}
	}
	links.Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		if !strings.HasPrefix(href, "#") || len(href) < 2 || doc.Find(href).Length() != 1 {
			t.Errorf("the error summary's link %q (%q) leads to no element of the page", href, strings.TrimSpace(a.Text()))
		}
	})
}

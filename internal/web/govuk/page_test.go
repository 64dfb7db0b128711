package govuk

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/prevent"
	"golang.org/x/net/html"
)

func renderPage(t *testing.T, p PageParams, body string) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	ctx := templ.WithChildren(context.Background(), templ.Raw(body))
	if err := Page(p).Render(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), doc
}

func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func find(doc *html.Node, match func(*html.Node) bool) []*html.Node {
	var found []*html.Node
	walk(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			found = append(found, n)
		}
	})
	return found
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

func fullPage() PageParams {
	return PageParams{
		Title:  "Add a referral",
		Errors: Errors{{Field: "full-name", Message: "Enter the person's full name"}},
		Banner: &NotificationBannerParams{Type: "success", Text: "Referral saved"},
		Navigation: []ServiceNavigationItem{
			{Href: "/cases", Text: "Cases", Current: true},
			{Href: "/programme", Text: "Programme"},
		},
		NavigationEnd: templ.Raw(`<a class="govuk-link" href="/sign-out">Sign out</a>`),
		BackLink:      &BackLinkParams{Href: "/cases"},
		Breadcrumbs:   &BreadcrumbsParams{Items: []BreadcrumbItem{{Text: "Home", Href: "/"}, {Text: "Cases"}}},
		FeedbackURL:   "/feedback",
		Marking:       prevent.OfficialSensitive,
	}
}

// TestPageHasNoInlineScriptOrStyle is the CSP contract: every script has a
// src, and there is no style element, style attribute or event handler attribute.
func TestPageHasNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]PageParams{"bare": {}, "full": fullPage()} {
		t.Run(name, func(t *testing.T) {
			_, doc := renderPage(t, p, `<h1 class="govuk-heading-l">Content</h1>`)
			scripts := 0
			walk(doc, func(n *html.Node) {
				if n.Type != html.ElementNode {
					return
				}
				if n.Data == "script" {
					scripts++
					src, ok := attr(n, "src")
					if !ok || src == "" || n.FirstChild != nil {
						t.Errorf("inline script: %v", n.Attr)
					}
				}
				if n.Data == "style" {
					t.Error("inline <style> element")
				}
				for _, a := range n.Attr {
					if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
						t.Errorf("<%s %s=%q>: inline style or handler", n.Data, a.Key, a.Val)
					}
				}
			})
			if scripts != 1 {
				t.Errorf("%d scripts, want only /static/app.js", scripts)
			}
			mods := find(doc, func(n *html.Node) bool {
				src, _ := attr(n, "src")
				typ, _ := attr(n, "type")
				return n.Data == "script" && src == "/static/app.js" && typ == "module"
			})
			if len(mods) != 1 {
				t.Error(`no <script type="module" src="/static/app.js">`)
			}
		})
	}
}

func TestPageLayout(t *testing.T) {
	t.Parallel()
	out, doc := renderPage(t, fullPage(), `<h1 class="govuk-heading-l" id="page-heading">Add a referral</h1>`)
	if !strings.HasPrefix(out, "<!doctype html>") && !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Errorf("no doctype: %.40s", out)
	}
	htmlEl := find(doc, func(n *html.Node) bool { return n.Data == "html" })[0]
	if lang, _ := attr(htmlEl, "lang"); lang != "en" {
		t.Errorf("html lang = %q", lang)
	}
	if class, _ := attr(htmlEl, "class"); class != "govuk-template" {
		t.Errorf("html class = %q", class)
	}
	head := find(doc, func(n *html.Node) bool { return n.Data == "head" })[0]
	title := find(head, func(n *html.Node) bool { return n.Data == "title" })
	if len(title) != 1 || text(title[0]) != "Error: Add a referral - Prevent partnership" {
		t.Errorf("title = %q", text(title[0]))
	}
	var hrefs []string
	for _, l := range find(doc, func(n *html.Node) bool { return n.Data == "link" }) {
		h, _ := attr(l, "href")
		hrefs = append(hrefs, h)
	}
	for _, want := range []string{"/static/govuk/govuk-frontend.min.css", "/static/app.css", "/static/govuk/assets/images/favicon.ico", "/static/govuk/assets/manifest.json"} {
		if !strings.Contains(strings.Join(hrefs, " "), want) {
			t.Errorf("no link to %s in %v", want, hrefs)
		}
	}

	// The skip link is the first thing in the body and targets main.
	body := find(doc, func(n *html.Node) bool { return n.Data == "body" })[0]
	first := body.FirstChild
	for first != nil && first.Type != html.ElementNode {
		first = first.NextSibling
	}
	if href, _ := attr(first, "href"); first == nil || href != "#main-content" {
		t.Errorf("first element of body is not the skip link")
	}
	main := find(doc, func(n *html.Node) bool { return n.Data == "main" })
	if len(main) != 1 {
		t.Fatalf("%d main elements", len(main))
	}
	if id, _ := attr(main[0], "id"); id != "main-content" {
		t.Errorf("main id = %q", id)
	}
	mainText := text(main[0])
	for _, want := range []string{"There is a problem", "Enter the person's full name", "Referral saved", "Add a referral"} {
		if !strings.Contains(mainText, want) {
			t.Errorf("main lacks %q: %s", want, mainText)
		}
	}
	if !strings.Contains(out, `<a href="#full-name">`) {
		t.Error("error summary does not link to the field")
	}

	current := find(doc, func(n *html.Node) bool { v, _ := attr(n, "aria-current"); return n.Data == "a" && v == "page" })
	if len(current) != 1 || text(current[0]) != "Cases" {
		t.Errorf("current navigation item not marked: %d", len(current))
	}
	service := find(doc, func(n *html.Node) bool {
		c, _ := attr(n, "class")
		h, _ := attr(n, "href")
		return n.Data == "a" && c == "govuk-service-navigation__link" && h == "/"
	})
	if len(service) != 1 || text(service[0]) != "Prevent partnership" {
		t.Error("service name does not link to /")
	}
	markings := find(doc, func(n *html.Node) bool { c, _ := attr(n, "class"); return c == "app-marking" })
	if len(markings) != 2 {
		t.Errorf("%d marking strips, want top and bottom", len(markings))
	}
	for _, m := range markings {
		if !strings.Contains(text(m), "OFFICIAL-SENSITIVE") {
			t.Errorf("marking strip says %q", text(m))
		}
	}
	footer := find(doc, func(n *html.Node) bool { return n.Data == "footer" })
	if len(footer) != 1 {
		t.Fatal("no footer")
	}
	ft := text(footer[0])
	if !strings.Contains(ft, "Open-source software for local Prevent partnerships") {
		t.Errorf("footer lacks the service's own copyright line: %q", ft)
	}
	// The crown, logotype and Crown copyright are only for services on GOV.UK.
	for _, unwanted := range []string{"Open Government Licence", "Crown copyright", "govuk-footer__crown", "govuk-header__logotype"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("page shows %q", unwanted)
		}
	}
	for _, href := range []string{"/cookies", "/accessibility", "/privacy"} {
		if len(find(footer[0], func(n *html.Node) bool { h, _ := attr(n, "href"); return n.Data == "a" && h == href })) != 1 {
			t.Errorf("footer has no link to %s", href)
		}
	}
	if !strings.Contains(out, "Beta") || !strings.Contains(out, `href="/sign-out"`) || !strings.Contains(out, `class="govuk-back-link"`) || !strings.Contains(out, "govuk-breadcrumbs") {
		t.Error("phase banner, navigation end, back link or breadcrumbs missing")
	}
}

func TestPageWithoutErrorsOrMarking(t *testing.T) {
	t.Parallel()
	out, doc := renderPage(t, PageParams{Title: "Cases"}, "")
	title := find(doc, func(n *html.Node) bool { return n.Data == "title" })[0]
	if text(title) != "Cases - Prevent partnership" {
		t.Errorf("title = %q", text(title))
	}
	if (PageParams{}).DocumentTitle() != "Prevent partnership" {
		t.Errorf("untitled page title = %q", (PageParams{}).DocumentTitle())
	}
	for _, absent := range []string{"govuk-error-summary", "app-marking", "govuk-notification-banner", "govuk-back-link"} {
		if strings.Contains(out, absent) {
			t.Errorf("page without options renders %s", absent)
		}
	}
}

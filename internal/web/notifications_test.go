package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/notify"
)

// pendingList is a notify.Source from a slice.
type pendingList []notify.Pending

func (l *pendingList) Pending(context.Context, time.Time) ([]notify.Pending, error) { return *l, nil }

// navText is the text of the header's link to href.
func navText(doc *goquery.Document, href string) string {
	return strings.TrimSpace(doc.Find(`.govuk-service-navigation a[href="` + href + `"]`).Text())
}

// TestNotificationsHeader: the header shows how many notifications are unread, and the count follows the
// notifications marked read on their page (internal/web/notifications, tested there), which is the current
// navigation item.
func TestNotificationsHeader(t *testing.T) {
	f := newAdminFixture(t)
	ctx := context.Background()
	tasks := &pendingList{}
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	svc := notify.New(notify.Deps{DB: f.db, Now: func() time.Time { return now }, Source: tasks})
	scan := func(keys ...string) {
		t.Helper()
		for _, k := range keys {
			*tasks = append(*tasks, notify.Pending{PersonID: f.admin.PersonID, TaskKey: k, CreatedAt: now})
		}
		now = now.Add(time.Minute)
		if err := svc.Scan(ctx); err != nil {
			t.Fatal(err)
		}
	}

	home := parse(t, serve(t, f.s, f.admin, "GET", "/", nil))
	if got := navText(home, "/notifications"); got != "Notifications" {
		t.Errorf("header link with nothing unread = %q", got)
	}
	scan("t1")
	scan("t2", "t3")
	home = parse(t, serve(t, f.s, f.admin, "GET", "/", nil))
	if got := navText(home, "/notifications"); got != "Notifications (2)" {
		t.Errorf("header link = %q, want Notifications (2)", got)
	}

	w := serve(t, f.s, f.admin, "GET", "/notifications", nil)
	if w.Code != 200 {
		t.Fatalf("GET /notifications = %d", w.Code)
	}
	page := parse(t, w)
	if cur := page.Find(`.govuk-service-navigation__item--active a[href="/notifications"]`).Length(); cur != 1 {
		t.Error("the Notifications link is not the current navigation item on its page")
	}
	upTo, ok := page.Find(`form[action="/notifications/read"] input[name="up-to"]`).Attr("value")
	if !ok {
		t.Fatal("no mark-as-read form")
	}

	scan("t4") // arrives after the page was shown
	w = serve(t, f.s, f.admin, "POST", "/notifications/read", url.Values{"up-to": {upTo}})
	if w.Code != 303 || w.Header().Get("Location") != "/notifications" {
		t.Fatalf("mark read = %d to %q", w.Code, w.Header().Get("Location"))
	}
	home = parse(t, serve(t, f.s, f.admin, "GET", "/", nil))
	if got := navText(home, "/notifications"); got != "Notifications (1)" {
		t.Errorf("header after marking the shown ones read = %q, want Notifications (1)", got)
	}
	serve(t, f.s, f.admin, "POST", "/notifications/read", url.Values{})
	page = parse(t, serve(t, f.s, f.admin, "GET", "/notifications", nil))
	if got := navText(page, "/notifications"); got != "Notifications" {
		t.Errorf("header after marking all read = %q", got)
	}
}

// TestEmailPreferenceForm: the account page offers the choice with the stored preference (daily by default); a
// form sent without a choice is shown again with the error summary and the inline error, nothing chosen; a choice
// is saved.
func TestEmailPreferenceForm(t *testing.T) {
	f := newAdminFixture(t)
	deps := f.s.deps
	deps.Auth = auth.New(auth.Deps{DB: f.db, Now: deps.Now}) // the account page lists tokens
	f.s = New(deps)
	checked := func(doc *goquery.Document) string {
		v, _ := doc.Find(`input[type="radio"][name="email"][checked]`).Attr("value")
		return v
	}
	doc := parse(t, serve(t, f.s, f.admin, "GET", "/account", nil))
	if got := checked(doc); got != "daily" {
		t.Errorf("default choice = %q, want daily", got)
	}
	for _, sent := range []url.Values{{}, {"email": {"weekly"}}} {
		w := serve(t, f.s, f.admin, "POST", "/account/notifications", sent)
		doc = parse(t, w)
		if w.Code != 200 {
			t.Fatalf("%v: status %d", sent, w.Code)
		}
		if !strings.HasPrefix(doc.Find("title").Text(), "Error: ") {
			t.Errorf("%v: title %q lacks Error:", sent, doc.Find("title").Text())
		}
		link, _ := doc.Find(".govuk-error-summary a").Attr("href")
		if link != "#email" || doc.Find(`#email`).Length() != 1 {
			t.Errorf("%v: error summary links to %q (and the first radio exists: %v)", sent, link, doc.Find("#email").Length() == 1)
		}
		if msg := doc.Find(".govuk-radios").Parent().Find(".govuk-error-message").Text(); !strings.Contains(msg, "Select how often") {
			t.Errorf("%v: inline error = %q", sent, msg)
		}
		if got := checked(doc); got != "" {
			t.Errorf("%v: %q is checked, but nothing valid was chosen", sent, got)
		}
	}
	w := serve(t, f.s, f.admin, "POST", "/account/notifications", url.Values{"email": {"immediate"}})
	if w.Code != 303 || w.Header().Get("Location") != "/account" {
		t.Fatalf("saving = %d to %q", w.Code, w.Header().Get("Location"))
	}
	doc = parse(t, serve(t, f.s, f.admin, "GET", "/account", nil))
	if got := checked(doc); got != "immediate" {
		t.Errorf("after saving, %q is checked", got)
	}
	// A token form error leaves the stored choice shown.
	doc = parse(t, serve(t, f.s, f.admin, "POST", "/account/tokens", url.Values{"name": {""}}))
	if got := checked(doc); got != "immediate" {
		t.Errorf("with a token form error, %q is checked", got)
	}
}

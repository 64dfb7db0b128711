package web

import (
	"context"
	"net/url"
	"strconv"
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

// TestNotificationsHeaderAndPage: the header shows how many notifications are unread; the page lists them newest
// first and marks them read up to the newest one shown, so that one arriving meanwhile stays unread.
func TestNotificationsHeaderAndPage(t *testing.T) {
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
	var rows []string
	page.Find("table tbody tr td:first-child").Each(func(_ int, s *goquery.Selection) { rows = append(rows, strings.TrimSpace(s.Text())) })
	if strings.Join(rows, "|") != "You have 2 new tasks|You have 1 new task" {
		t.Errorf("rows = %q, want newest first", rows)
	}
	if n := page.Find("table .govuk-tag").Length(); n != 2 {
		t.Errorf("%d rows tagged unread, want 2", n)
	}
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
	w = serve(t, f.s, f.admin, "POST", "/notifications/read", url.Values{"up-to": {"x"}})
	if w.Code == 303 {
		t.Error("a malformed up-to was accepted")
	}
	serve(t, f.s, f.admin, "POST", "/notifications/read", url.Values{})
	page = parse(t, serve(t, f.s, f.admin, "GET", "/notifications", nil))
	if got := navText(page, "/notifications"); got != "Notifications" {
		t.Errorf("header after marking all read = %q", got)
	}
	if n := page.Find("table .govuk-tag").Length(); n != 0 || page.Find(`form[action="/notifications/read"]`).Length() != 0 {
		t.Errorf("after marking all read: %d unread tags, mark-as-read form still offered", n)
	}

	// Another person sees none of them.
	other := f.admin
	other.PersonID = f.otherID
	page = parse(t, serve(t, f.s, other, "GET", "/notifications", nil))
	if !strings.Contains(page.Find("main").Text(), "You have no notifications.") {
		t.Error("another person's page is not empty")
	}
	if w := serve(t, f.s, f.admin, "GET", "/notifications?before=nonsense", nil); w.Code != 404 {
		t.Errorf("a malformed page cursor = %d, want 404", w.Code)
	}
	for i := range 25 {
		scan("p" + strconv.Itoa(i))
	}
	page = parse(t, serve(t, f.s, f.admin, "GET", "/notifications", nil))
	older, ok := page.Find(".govuk-pagination__next a").Attr("href")
	if !ok || page.Find("table tbody tr").Length() != notificationsPageSize {
		t.Fatalf("a full first page has %d rows and older link %q", page.Find("table tbody tr").Length(), older)
	}
	page = parse(t, serve(t, f.s, f.admin, "GET", older, nil))
	if n := page.Find("table tbody tr").Length(); n != 25+3-notificationsPageSize {
		t.Errorf("the older page has %d rows, want %d", n, 25+3-notificationsPageSize)
	}
}

// TestEmailPreferenceForm: the account page offers the choice with the stored preference (daily by default); a
// form sent without a choice is shown again with the error summary and the inline error, nothing chosen; a choice
// is saved.
func TestEmailPreferenceForm(t *testing.T) {
	f := newAdminFixture(t)
	f.s.deps.Auth = auth.New(auth.Deps{DB: f.db, Now: f.s.deps.Now}) // the account page lists tokens
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

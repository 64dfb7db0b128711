package notifications_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	"github.com/preventplatform/prevent/internal/web/notifications"
)

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	notifications.Register(site, notifications.Deps{})
	want := []coretest.Route{
		{Method: http.MethodGet, Pattern: "/notifications", Action: access.Account},
		{Method: http.MethodPost, Pattern: "/notifications/read", Action: access.Account},
		{Method: http.MethodPost, Pattern: "/account/notifications", Action: access.Account},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
}

// pendingList is a notify.Source from a slice.
type pendingList []notify.Pending

func (l *pendingList) Pending(context.Context, time.Time) ([]notify.Pending, error) { return *l, nil }

// fixture is the demo partnership with a notify service whose tasks the test sets, the pages on the core, and
// the forms the account page (Deps.Account) was asked to show again.
type fixture struct {
	site    *coretest.Site
	svc     *notify.Service
	tasks   *pendingList
	now     *time.Time
	w       testworld.DemoWorld
	me      prevent.Principal
	account *[]core.Form
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	now := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	f := fixture{tasks: &pendingList{}, now: &now, account: &[]core.Form{}}
	clock := func() time.Time { return *f.now }
	db := testworld.DemoDB(t, database.SQLite, clock)
	f.w = testworld.LoadDemo(t, db, clock)
	f.me = f.w.Roles[prevent.Coordinator]
	f.svc = notify.New(notify.Deps{DB: db, Now: clock, Source: f.tasks})
	f.site = coretest.New(clock)
	notifications.Register(f.site, notifications.Deps{Notify: f.svc,
		Account: func(w http.ResponseWriter, r *http.Request, form core.Form) error {
			*f.account = append(*f.account, form)
			w.WriteHeader(http.StatusOK)
			return nil
		}})
	return f
}

// scan gives the person the tasks keys, a minute after the last scan.
func (f fixture) scan(t *testing.T, keys ...string) {
	t.Helper()
	for _, k := range keys {
		*f.tasks = append(*f.tasks, notify.Pending{PersonID: f.me.PersonID, TaskKey: k, CreatedAt: *f.now})
	}
	*f.now = f.now.Add(time.Minute)
	if err := f.svc.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
}

type page struct {
	code  int
	doc   *goquery.Document
	to    string
	flash string
}

func (f fixture) serve(t *testing.T, p prevent.Principal, method, target string, form url.Values) page {
	t.Helper()
	rec := f.site.Serve(t, p, method, target, form)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return page{code: rec.Code, doc: doc, to: rec.Header().Get("Location"), flash: rec.Header().Get("X-Flash")}
}

// TestNavText: the header's link text, with the number unread when there are any.
func TestNavText(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := prevent.NewContextWithPrincipal(context.Background(), f.me)
	text := func() string {
		t.Helper()
		s, err := notifications.NavText(ctx, f.svc, f.me)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := text(); got != "Notifications" {
		t.Errorf("with nothing unread: %q", got)
	}
	f.scan(t, "t1")
	f.scan(t, "t2", "t3")
	if got := text(); got != "Notifications (2)" {
		t.Errorf("with two unread: %q", got)
	}
	if got, err := notifications.NavText(ctx, nil, f.me); got != "Notifications" || err != nil {
		t.Errorf("without a service: %q %v", got, err)
	}
}

// TestNotificationsPage: the page lists the person's notifications newest first and marks them read up to the
// newest one shown, so that one arriving meanwhile stays unread; older ones are on further pages.
func TestNotificationsPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.scan(t, "t1")
	f.scan(t, "t2", "t3")

	pg := f.serve(t, f.me, http.MethodGet, notifications.ListPath.Link(), nil)
	if pg.code != http.StatusOK {
		t.Fatalf("GET /notifications = %d", pg.code)
	}
	var rows []string
	pg.doc.Find("table tbody tr td:first-child").Each(func(_ int, s *goquery.Selection) { rows = append(rows, strings.TrimSpace(s.Text())) })
	if strings.Join(rows, "|") != "You have 2 new tasks|You have 1 new task" {
		t.Errorf("rows = %q, want newest first", rows)
	}
	if n := pg.doc.Find("table .govuk-tag").Length(); n != 2 {
		t.Errorf("%d rows tagged unread, want 2", n)
	}
	if pg.doc.Find(`main a[href="/work"]`).Length() != 1 || pg.doc.Find(`main a[href="/account#email"]`).Length() != 1 {
		t.Error("the page does not link to My work and to the email choice")
	}
	upTo, ok := pg.doc.Find(`form[action="/notifications/read"] input[name="up-to"]`).Attr("value")
	if !ok {
		t.Fatal("no mark-as-read form")
	}

	f.scan(t, "t4") // arrives after the page was shown
	pg = f.serve(t, f.me, http.MethodPost, notifications.ReadPath.Link(), url.Values{"up-to": {upTo}})
	if pg.code != http.StatusSeeOther || pg.to != "/notifications" || pg.flash != "Your notifications are marked as read." {
		t.Fatalf("mark read = %d to %q (%q)", pg.code, pg.to, pg.flash)
	}
	pg = f.serve(t, f.me, http.MethodGet, notifications.ListPath.Link(), nil)
	if n := pg.doc.Find("table .govuk-tag").Length(); n != 1 || !strings.Contains(pg.doc.Find("main").Text(), "You have 1 unread notification.") {
		t.Errorf("after marking the shown ones read: %d unread tags, %q", n, pg.doc.Find("main p").First().Text())
	}
	if pg = f.serve(t, f.me, http.MethodPost, notifications.ReadPath.Link(), url.Values{"up-to": {"x"}}); pg.code == http.StatusSeeOther {
		t.Error("a malformed up-to was accepted")
	}
	f.serve(t, f.me, http.MethodPost, notifications.ReadPath.Link(), url.Values{})
	pg = f.serve(t, f.me, http.MethodGet, notifications.ListPath.Link(), nil)
	if n := pg.doc.Find("table .govuk-tag").Length(); n != 0 || pg.doc.Find(`form[action="/notifications/read"]`).Length() != 0 {
		t.Errorf("after marking all read: %d unread tags, mark-as-read form still offered", n)
	}

	// Another person sees none of them.
	other := f.w.Roles[prevent.Referrer]
	pg = f.serve(t, other, http.MethodGet, notifications.ListPath.Link(), nil)
	if !strings.Contains(pg.doc.Find("main").Text(), "You have no notifications.") {
		t.Error("another person's page is not empty")
	}
	if pg := f.serve(t, f.me, http.MethodGet, "/notifications?before=nonsense", nil); pg.code != http.StatusNotFound {
		t.Errorf("a malformed page cursor = %d, want 404", pg.code)
	}
	for i := range 25 {
		f.scan(t, "p"+strconv.Itoa(i))
	}
	pg = f.serve(t, f.me, http.MethodGet, notifications.ListPath.Link(), nil)
	older, ok := pg.doc.Find(".govuk-pagination__next a").Attr("href")
	if !ok || !strings.HasPrefix(older, "/notifications?before=") || pg.doc.Find("table tbody tr").Length() != notifications.PageSize {
		t.Fatalf("a full first page has %d rows and older link %q", pg.doc.Find("table tbody tr").Length(), older)
	}
	pg = f.serve(t, f.me, http.MethodGet, older, nil)
	if n := pg.doc.Find("table tbody tr").Length(); n != 25+3-notifications.PageSize {
		t.Errorf("the older page has %d rows, want %d", n, 25+3-notifications.PageSize)
	}
}

// TestEmailPreference: the choice shows the stored preference (daily by default); a form sent without a valid
// choice goes back to the account page with the error, and what was sent is not checked; a choice is saved.
func TestEmailPreference(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := prevent.NewContextWithPrincipal(context.Background(), f.me)
	checked := func(form core.Form) string {
		t.Helper()
		c, err := notifications.EmailPreference(ctx, f.svc, form)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := c.Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		doc, err := goquery.NewDocumentFromReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		if action, _ := doc.Find("form").Attr("action"); action != notifications.EmailPath.Link() {
			t.Errorf("the choice posts to %q", action)
		}
		v, _ := doc.Find(`input[type="radio"][name="email"][checked]`).Attr("value")
		return v
	}
	if got := checked(core.Form{}); got != "daily" {
		t.Errorf("default choice = %q, want daily", got)
	}
	for _, sent := range []url.Values{{}, {"email": {"weekly"}}} {
		pg := f.serve(t, f.me, http.MethodPost, notifications.EmailPath.Link(), sent)
		if pg.code != http.StatusOK || len(*f.account) != 1 {
			t.Fatalf("%v: status %d, account page shown %d times", sent, pg.code, len(*f.account))
		}
		form := (*f.account)[0]
		*f.account = nil
		if e := form.ErrorFor("email"); e == nil || !strings.Contains(e.Text, "Select how often") {
			t.Errorf("%v: error %+v", sent, e)
		}
		if got := checked(form); got != "" {
			t.Errorf("%v: %q is checked, but nothing valid was chosen", sent, got)
		}
	}
	pg := f.serve(t, f.me, http.MethodPost, notifications.EmailPath.Link(), url.Values{"email": {"immediate"}})
	if pg.code != http.StatusSeeOther || pg.to != "/account" || pg.flash != "How often you are emailed has been saved." {
		t.Fatalf("saving = %d to %q (%q)", pg.code, pg.to, pg.flash)
	}
	if got := checked(core.Form{}); got != "immediate" {
		t.Errorf("after saving, %q is checked", got)
	}
}

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
)

// adminFixture is a partnership with one administrator, and a second partnership with a person of its own.
type adminFixture struct {
	s       *Server
	ps      *partnership.Service
	pid     prevent.ID
	admin   prevent.Principal
	orgID   prevent.ID
	otherID prevent.ID // a person in the other partnership
	db      *database.DB
}

// testDeps wires the pages' services on db as the service does (the auth service may be nil).
func testDeps(db *database.DB, as *auth.Service, ps *partnership.Service, now func() time.Time) Deps {
	w := testworld.New(db, now)
	return Deps{Auth: as, Partnership: ps, Casework: w.Casework, Sharing: w.Sharing, Rights: w.Rights, Programme: w.Programme, Returns: w.Returns, Assurance: w.Assurance, Work: w.Work,
		Notify: w.Notify, AuditLog: w.AuditLog, Now: now}
}

func newAdminFixture(t *testing.T) adminFixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	db := dbtest.NewSQLite(t)
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	pid, err := ps.Bootstrap(ctx, "Northtown Prevent Partnership", "Northtown", "North West")
	if err != nil {
		t.Fatal(err)
	}
	adminID, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Northtown Council", Sector: "local_authority", PublicBody: "yes"},
		"Ada Admin", "ada@northtown.example")
	if err != nil {
		t.Fatal(err)
	}
	other, err := ps.Bootstrap(ctx, "Southtown Prevent Partnership", "Southtown", "South East")
	if err != nil {
		t.Fatal(err)
	}
	otherID, _, err := ps.BootstrapAdministrator(ctx, other, partnership.OrganisationInput{Name: "Southtown Council", Sector: "local_authority", PublicBody: "yes"},
		"Sam South", "sam@southtown.example")
	if err != nil {
		t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: adminID, Name: "Ada Admin", MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	orgs, err := ps.Organisations(ctx, admin, pid)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organisations: %v %v", orgs, err)
	}
	admin.OrganisationID = orgs[0].ID
	s := New(testDeps(db, nil, ps, now))
	return adminFixture{s: s, ps: ps, pid: pid, admin: admin, orgID: orgs[0].ID, otherID: otherID, db: db}
}

// serve routes a request to the registered handler as the principal, applying the route's action as the guard
// does, but without a session (the guard's authentication is tested with the auth service).
func serve(t *testing.T, s *Server, p prevent.Principal, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.HandleFunc(rt.Method+" "+rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
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
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestCreateOrganisationErrorsKeepInput(t *testing.T) {
	f := newAdminFixture(t)
	w := serve(t, f.s, f.admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/organisations/new", f.pid),
		url.Values{"name": {"  "}, "sector": {"health"}, "public-body": {"no"}})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", w.Code)
	}
	doc := parse(t, w)
	if title := doc.Find("title").Text(); !strings.HasPrefix(title, "Error:") {
		t.Errorf("title %q does not start with Error:", title)
	}
	link := doc.Find(".govuk-error-summary a[href='#name']")
	if link.Length() != 1 || !strings.Contains(link.Text(), "Enter the organisation’s name") {
		t.Errorf("error summary link to #name missing: %q", doc.Find(".govuk-error-summary").Text())
	}
	if doc.Find("#name-error").Length() != 1 {
		t.Error("no inline error for the name")
	}
	if v, _ := doc.Find("input[name=sector]:checked, input[name=sector][checked]").Attr("value"); v != "health" {
		t.Errorf("checked sector %q, want health", v)
	}
	if v, _ := doc.Find("input[name=public-body][checked]").Attr("value"); v != "no" {
		t.Errorf("checked public body %q, want no", v)
	}
}

func TestCreateOrganisationRedirectsAndLists(t *testing.T) {
	f := newAdminFixture(t)
	w := serve(t, f.s, f.admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/organisations/new", f.pid),
		url.Values{"name": {"Northtown College"}, "sector": {"education"}, "public-body": {"yes"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d, want 303: %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, fmt.Sprintf("/partnerships/%d/organisations/", f.pid)) {
		t.Errorf("redirect to %q", loc)
	}
	doc := parse(t, serve(t, f.s, f.admin, http.MethodGet, fmt.Sprintf("/partnerships/%d/organisations", f.pid), nil))
	row := doc.Find("table tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "Northtown College")
	})
	if row.Length() != 1 || !strings.Contains(row.Text(), "School or college") {
		t.Errorf("organisation not listed with its sector: %q", doc.Find("table").Text())
	}
	if href, _ := row.Find("a").Attr("href"); href != loc {
		t.Errorf("row links to %q, want %q", href, loc)
	}
	doc = parse(t, serve(t, f.s, f.admin, http.MethodGet, loc, nil))
	if h := doc.Find("h1").Text(); h != "Northtown College" {
		t.Errorf("organisation page heading %q", h)
	}
}

func TestCreatePersonShowsSetupLink(t *testing.T) {
	f := newAdminFixture(t)
	w := serve(t, f.s, f.admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/people/new", f.pid), url.Values{
		"name": {"Pat Panel"}, "email": {"pat@northtown.example"}, "job-title": {"Social worker"},
		"organisation": {fmt.Sprint(f.orgID)}, "roles": {"panel_member", "referrer"}})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	doc := parse(t, w)
	if p := doc.Find(".govuk-panel__title").Text(); !strings.Contains(p, "Account created") {
		t.Errorf("panel title %q", p)
	}
	link := strings.TrimSpace(doc.Find("#set-up-link").Text())
	_, token, ok := strings.Cut(link, "/account/set-up/")
	if !ok || token == "" {
		t.Fatalf("set-up link %q", link)
	}
	if !strings.Contains(doc.Find(".govuk-warning-text").Text(), "72 hours") {
		t.Error("no warning that the link expires")
	}
	// The link shown is the one that works.
	id, err := f.ps.SetupAccount(context.Background(), token, "not-a-real-hash")
	if err != nil {
		t.Fatalf("set-up token from the page does not work: %v", err)
	}
	doc = parse(t, serve(t, f.s, f.admin, http.MethodGet, fmt.Sprintf("/partnerships/%d/people/%d", f.pid, id), nil))
	summary := doc.Find(".govuk-summary-list").Text()
	for _, want := range []string{"Pat Panel", "pat@northtown.example", "Social worker", "Northtown Council", "Referrer", "Panel member", "Active"} {
		if !strings.Contains(summary, want) {
			t.Errorf("person summary lacks %q: %q", want, summary)
		}
	}
}

func TestCreatePersonErrors(t *testing.T) {
	f := newAdminFixture(t)
	w := serve(t, f.s, f.admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/people/new", f.pid), url.Values{
		"name": {"Pat Panel"}, "email": {"not an email"}, "roles": {"referrer"}})
	doc := parse(t, w)
	for _, href := range []string{"#email", "#organisation"} {
		if doc.Find(".govuk-error-summary a[href='"+href+"']").Length() != 1 {
			t.Errorf("no error summary link to %s", href)
		}
	}
	if v, _ := doc.Find("input#name").Attr("value"); v != "Pat Panel" {
		t.Errorf("name not kept: %q", v)
	}
	if doc.Find("input[name=roles][value=referrer][checked]").Length() != 1 {
		t.Error("role not kept")
	}
}

func TestPersonElsewhereIsNotFound(t *testing.T) {
	f := newAdminFixture(t)
	for _, target := range []string{
		fmt.Sprintf("/partnerships/%d/people/%d", f.pid, f.otherID),
		fmt.Sprintf("/partnerships/%d/people/%d/edit", f.pid, f.otherID),
		fmt.Sprintf("/partnerships/%d/people/abc", f.pid),
		"/partnerships/x/people",
	} {
		w := serve(t, f.s, f.admin, http.MethodGet, target, nil)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, w.Code)
		}
		if strings.Contains(w.Body.String(), "Sam South") {
			t.Errorf("GET %s shows the other partnership's person", target)
		}
	}
	w := serve(t, f.s, f.admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/people/%d/disable", f.pid, f.otherID), url.Values{})
	if w.Code != http.StatusNotFound {
		t.Errorf("disable elsewhere: status %d, want 404", w.Code)
	}
}

func TestVettingDates(t *testing.T) {
	f := newAdminFixture(t)
	target := fmt.Sprintf("/partnerships/%d/people/%d/vetting", f.pid, f.admin.PersonID)
	doc := parse(t, serve(t, f.s, f.admin, http.MethodPost, target, url.Values{
		"level": {"sc"}, "granted-day": {"31"}, "granted-month": {"2"}, "granted-year": {"2024"}, "expires-month": {"3"}}))
	if a := doc.Find(".govuk-error-summary a[href='#granted-day']"); !strings.Contains(a.Text(), "Date vetting was granted must be a real date") {
		t.Errorf("granted error: %q", doc.Find(".govuk-error-summary").Text())
	}
	if a := doc.Find(".govuk-error-summary a[href='#expires-day']"); !strings.Contains(a.Text(), "Expiry date must include a day and year") {
		t.Errorf("expiry error: %q", doc.Find(".govuk-error-summary").Text())
	}
	if v, _ := doc.Find("input#granted-day").Attr("value"); v != "31" {
		t.Errorf("granted day not kept: %q", v)
	}
	w := serve(t, f.s, f.admin, http.MethodPost, target, url.Values{
		"level": {"sc"}, "granted-day": {"1"}, "granted-month": {"3"}, "granted-year": {"2024"},
		"expires-day": {"1"}, "expires-month": {"3"}, "expires-year": {"2029"}, "sponsor": {"Home Office"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	doc = parse(t, serve(t, f.s, f.admin, http.MethodGet, w.Header().Get("Location"), nil))
	if s := doc.Find(".govuk-summary-list").Text(); !strings.Contains(s, "Security Check (SC), expires 1 March 2029") {
		t.Errorf("current vetting not shown: %q", s)
	}
	if s := doc.Find("table").Text(); !strings.Contains(s, "Home Office") {
		t.Errorf("vetting history: %q", s)
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		d, m, y  string
		required bool
		want     string
	}{
		{"", "", "", true, "Enter the date vetting was granted"},
		{"", "", "", false, ""},
		{"1", "", "2024", true, "Date vetting was granted must include a month"},
		{"29", "2", "2023", true, "Date vetting was granted must be a real date"},
		{"1", "13", "2024", true, "Date vetting was granted must be a real date"},
		{"x", "1", "2024", true, "Date vetting was granted must be a real date"},
		{"1", "1", "24", true, "Year must include 4 numbers"},
		{"29", "2", "2024", true, ""},
		{"1", "1", "1899", true, "Date vetting was granted must be a real date"},
		{" 3 ", "4", "2025", true, ""},
	} {
		f := form{Values: url.Values{"d-day": {c.d}, "d-month": {c.m}, "d-year": {c.y}}}
		_, got := parseDate(f, "d", "Date vetting was granted", c.required)
		if got != c.want {
			t.Errorf("%s/%s/%s: %q, want %q", c.d, c.m, c.y, got, c.want)
		}
	}
}

// TestCaseDateFollowsTheSameRule: the pages that word their own message read dates by the same rule.
func TestCaseDateFollowsTheSameRule(t *testing.T) {
	for _, c := range []struct {
		d, m, y   string
		ok, valid bool
	}{
		{"", "", "", false, true}, {"1", "", "2024", true, false}, {"29", "2", "2023", true, false},
		{"1", "1", "24", true, false}, {"1", "1", "1899", true, false}, {"29", "2", "2024", true, true},
	} {
		_, ok, err := caseDate(url.Values{"x-day": {c.d}, "x-month": {c.m}, "x-year": {c.y}}, "x")
		if ok != c.ok || (err == nil) != c.valid {
			t.Errorf("%s/%s/%s: given %v, err %v", c.d, c.m, c.y, ok, err)
		}
		_, msg := parseDate(form{Values: url.Values{"x-day": {c.d}, "x-month": {c.m}, "x-year": {c.y}}}, "x", "Date", false)
		if (msg == "") != c.valid {
			t.Errorf("%s/%s/%s: parseDate says %q where caseDate says %v", c.d, c.m, c.y, msg, err)
		}
	}
}

func TestAdminPagesRender(t *testing.T) {
	f := newAdminFixture(t)
	pp := partnershipPath(f.pid)
	for _, target := range []string{
		pp, pp + "/edit", pp + "/organisations", pp + "/organisations/new", fmt.Sprintf("%s/organisations/%d", pp, f.orgID),
		fmt.Sprintf("%s/organisations/%d/edit", pp, f.orgID), pp + "/people", fmt.Sprintf("%s/people?organisation=%d", pp, f.orgID),
		pp + "/people/new", fmt.Sprintf("%s/people/%d", pp, f.admin.PersonID), fmt.Sprintf("%s/people/%d/edit", pp, f.admin.PersonID),
		fmt.Sprintf("%s/people/%d/vetting", pp, f.admin.PersonID),
	} {
		w := serve(t, f.s, f.admin, http.MethodGet, target, nil)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, w.Code)
		}
	}
	doc := parse(t, serve(t, f.s, f.admin, http.MethodGet, pp, nil))
	if doc.Find("a[href='"+pp+"/people']").Length() != 1 || doc.Find("a[href^='"+pp+"/edit']").Length() == 0 {
		t.Error("administrator does not see the people and change links")
	}
	if !strings.Contains(doc.Find("table").Text(), "Northtown Council") {
		t.Error("member organisation not listed")
	}

	// A panel member sees the partnership but not its people, and cannot change it.
	member := prevent.Principal{PersonID: 99, MFA: true, Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: prevent.PanelMember}}}
	doc = parse(t, serve(t, f.s, member, http.MethodGet, pp, nil))
	if doc.Find("a[href='"+pp+"/people']").Length() != 0 || doc.Find("a[href^='"+pp+"/edit']").Length() != 0 {
		t.Error("panel member sees people or change links")
	}
	if w := serve(t, f.s, member, http.MethodGet, pp+"/people", nil); w.Code != http.StatusNotFound {
		t.Errorf("panel member people list: status %d, want 404", w.Code)
	}

	// The people list's status tags and its filter.
	doc = parse(t, serve(t, f.s, f.admin, http.MethodGet, pp+"/people", nil))
	if tag := doc.Find("table .govuk-tag").Text(); tag != "Not set up" {
		t.Errorf("status tag %q, want Not set up", tag)
	}
}

func TestDisableEnableAndNewSetupLink(t *testing.T) {
	f := newAdminFixture(t)
	id, _, err := f.ps.CreatePerson(context.Background(), f.admin, f.pid, partnership.PersonInput{Name: "Rae Referrer",
		Email: "rae@northtown.example", OrganisationID: f.orgID, Roles: []string{"referrer"}})
	if err != nil {
		t.Fatal(err)
	}
	pp := fmt.Sprintf("/partnerships/%d/people/%d", f.pid, id)
	w := serve(t, f.s, f.admin, http.MethodPost, pp+"/disable", url.Values{})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != pp {
		t.Fatalf("disable: %d %q", w.Code, w.Header().Get("Location"))
	}
	doc := parse(t, serve(t, f.s, f.admin, http.MethodGet, pp, nil))
	if tag := doc.Find(".govuk-summary-list .govuk-tag").Text(); tag != "Disabled" {
		t.Errorf("status %q after disabling", tag)
	}
	if doc.Find("form[action='"+pp+"/enable']").Length() != 1 {
		t.Error("no enable button for a disabled account")
	}
	if w := serve(t, f.s, f.admin, http.MethodPost, pp+"/enable", url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("enable: %d", w.Code)
	}
	// Administrators cannot disable themselves: the button is not offered and the action is refused.
	self := fmt.Sprintf("/partnerships/%d/people/%d", f.pid, f.admin.PersonID)
	if parse(t, serve(t, f.s, f.admin, http.MethodGet, self, nil)).Find("form[action='"+self+"/disable']").Length() != 0 {
		t.Error("own account offers a disable button")
	}
	if w := serve(t, f.s, f.admin, http.MethodPost, self+"/disable", url.Values{}); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("disabling self: status %d, want 422", w.Code)
	}
	doc = parse(t, serve(t, f.s, f.admin, http.MethodPost, pp+"/set-up-link", url.Values{}))
	_, token, _ := strings.Cut(doc.Find("#set-up-link").Text(), "/account/set-up/")
	if _, err := f.ps.SetupAccount(context.Background(), strings.TrimSpace(token), "hash"); err != nil {
		t.Errorf("new set-up link does not work: %v", err)
	}
}

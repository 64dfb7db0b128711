package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/admin"
	"github.com/preventplatform/prevent/internal/web/admin/admintest"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

type fixture struct {
	admintest.World
	site *coretest.Site
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	w := admintest.New(t, dbtest.NewSQLite(t))
	site := coretest.New(w.Now)
	admin.Register(site, admin.Deps{Partnership: w.Partnership, Now: w.Now})
	return fixture{World: w, site: site}
}

func (f fixture) serve(t *testing.T, p prevent.Principal, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return f.site.Serve(t, p, method, target, form)
}

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	admin.Register(site, admin.Deps{})
	const P, O, E = "/partnerships/{pid}", "/partnerships/{pid}/organisations", "/partnerships/{pid}/people"
	want := []coretest.Route{
		{Method: "GET", Pattern: P, Action: access.PartnershipView},
		{Method: "GET", Pattern: P + "/edit", Action: access.PartnershipManage},
		{Method: "POST", Pattern: P + "/edit", Action: access.PartnershipManage},
		{Method: "GET", Pattern: O, Action: access.OrganisationView},
		{Method: "GET", Pattern: O + "/new", Action: access.OrganisationManage},
		{Method: "POST", Pattern: O + "/new", Action: access.OrganisationManage},
		{Method: "GET", Pattern: O + "/{id}", Action: access.OrganisationView},
		{Method: "GET", Pattern: O + "/{id}/edit", Action: access.OrganisationManage},
		{Method: "POST", Pattern: O + "/{id}/edit", Action: access.OrganisationManage},
		{Method: "GET", Pattern: E, Action: access.PersonView},
		{Method: "GET", Pattern: E + "/new", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/new", Action: access.PersonManage},
		{Method: "GET", Pattern: E + "/{id}", Action: access.PersonView},
		{Method: "GET", Pattern: E + "/{id}/edit", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/{id}/edit", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/{id}/disable", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/{id}/enable", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/{id}/set-up-link", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/{id}/unlock", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/{id}/reset-second-factor", Action: access.PersonManage},
		{Method: "GET", Pattern: E + "/{id}/vetting", Action: access.PersonManage},
		{Method: "POST", Pattern: E + "/{id}/vetting", Action: access.PersonManage},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
}

func TestCreateOrganisationErrorsKeepInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.serve(t, f.Admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/organisations/new", f.PID),
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
	t.Parallel()
	f := newFixture(t)
	w := f.serve(t, f.Admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/organisations/new", f.PID),
		url.Values{"name": {"Northtown College"}, "sector": {"education"}, "public-body": {"yes"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d, want 303: %s", w.Code, w.Body)
	}
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, fmt.Sprintf("/partnerships/%d/organisations/", f.PID)) {
		t.Errorf("redirect to %q", loc)
	}
	doc := parse(t, f.serve(t, f.Admin, http.MethodGet, fmt.Sprintf("/partnerships/%d/organisations", f.PID), nil))
	row := doc.Find("table tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "Northtown College")
	})
	if row.Length() != 1 || !strings.Contains(row.Text(), "School or college") {
		t.Errorf("organisation not listed with its sector: %q", doc.Find("table").Text())
	}
	if href, _ := row.Find("a").Attr("href"); href != loc {
		t.Errorf("row links to %q, want %q", href, loc)
	}
	doc = parse(t, f.serve(t, f.Admin, http.MethodGet, loc, nil))
	if h := doc.Find("h1").Text(); h != "Northtown College" {
		t.Errorf("organisation page heading %q", h)
	}
}

func TestCreatePersonShowsSetupLink(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.serve(t, f.Admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/people/new", f.PID), url.Values{
		"name": {"Pat Panel"}, "email": {"pat@northtown.example"}, "job-title": {"Social worker"},
		"organisation": {fmt.Sprint(f.Council)}, "roles": {"panel_member", "referrer"}})
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
	id, err := f.Partnership.SetupAccount(context.Background(), token, "not-a-real-hash")
	if err != nil {
		t.Fatalf("set-up token from the page does not work: %v", err)
	}
	doc = parse(t, f.serve(t, f.Admin, http.MethodGet, fmt.Sprintf("/partnerships/%d/people/%d", f.PID, id), nil))
	summary := doc.Find(".govuk-summary-list").Text()
	for _, want := range []string{"Pat Panel", "pat@northtown.example", "Social worker", "Northtown Council", "Referrer", "Panel member", "Active"} {
		if !strings.Contains(summary, want) {
			t.Errorf("person summary lacks %q: %q", want, summary)
		}
	}
}

func TestCreatePersonErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.serve(t, f.Admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/people/new", f.PID), url.Values{
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
	t.Parallel()
	f := newFixture(t)
	for _, target := range []string{
		fmt.Sprintf("/partnerships/%d/people/%d", f.PID, f.Elsewhere),
		fmt.Sprintf("/partnerships/%d/people/%d/edit", f.PID, f.Elsewhere),
		fmt.Sprintf("/partnerships/%d/people/abc", f.PID),
		"/partnerships/x/people",
	} {
		w := f.serve(t, f.Admin, http.MethodGet, target, nil)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, w.Code)
		}
		if strings.Contains(w.Body.String(), "Sam South") {
			t.Errorf("GET %s shows the other partnership's person", target)
		}
	}
	w := f.serve(t, f.Admin, http.MethodPost, fmt.Sprintf("/partnerships/%d/people/%d/disable", f.PID, f.Elsewhere), url.Values{})
	if w.Code != http.StatusNotFound {
		t.Errorf("disable elsewhere: status %d, want 404", w.Code)
	}
}

func TestVettingDates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	target := fmt.Sprintf("/partnerships/%d/people/%d/vetting", f.PID, f.Admin.PersonID)
	doc := parse(t, f.serve(t, f.Admin, http.MethodPost, target, url.Values{
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
	w := f.serve(t, f.Admin, http.MethodPost, target, url.Values{
		"level": {"sc"}, "granted-day": {"1"}, "granted-month": {"3"}, "granted-year": {"2024"},
		"expires-day": {"1"}, "expires-month": {"3"}, "expires-year": {"2029"}, "sponsor": {"Home Office"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	doc = parse(t, f.serve(t, f.Admin, http.MethodGet, w.Header().Get("Location"), nil))
	if s := doc.Find(".govuk-summary-list").Text(); !strings.Contains(s, "Security Check (SC), expires 1 March 2029") {
		t.Errorf("current vetting not shown: %q", s)
	}
	if s := doc.Find("table").Text(); !strings.Contains(s, "Home Office") {
		t.Errorf("vetting history: %q", s)
	}
}

func TestAdminPagesRender(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pp := fmt.Sprintf("/partnerships/%d", f.PID)
	for _, target := range []string{
		pp, pp + "/edit", pp + "/organisations", pp + "/organisations/new", fmt.Sprintf("%s/organisations/%d", pp, f.Council),
		fmt.Sprintf("%s/organisations/%d/edit", pp, f.Council), pp + "/people", fmt.Sprintf("%s/people?organisation=%d", pp, f.Council),
		pp + "/people/new", fmt.Sprintf("%s/people/%d", pp, f.Admin.PersonID), fmt.Sprintf("%s/people/%d/edit", pp, f.Admin.PersonID),
		fmt.Sprintf("%s/people/%d/vetting", pp, f.Admin.PersonID),
	} {
		w := f.serve(t, f.Admin, http.MethodGet, target, nil)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, w.Code)
		}
	}
	doc := parse(t, f.serve(t, f.Admin, http.MethodGet, pp, nil))
	if doc.Find("a[href='"+pp+"/people']").Length() != 1 || doc.Find("a[href^='"+pp+"/edit']").Length() == 0 {
		t.Error("administrator does not see the people and change links")
	}
	if !strings.Contains(doc.Find("table").Text(), "Northtown Council") {
		t.Error("member organisation not listed")
	}

	// A panel member sees the partnership but not its people, and cannot change it.
	member := prevent.Principal{PersonID: 99, MFA: true, Memberships: []prevent.Membership{{PartnershipID: f.PID, Role: prevent.PanelMember}}}
	doc = parse(t, f.serve(t, member, http.MethodGet, pp, nil))
	if doc.Find("a[href='"+pp+"/people']").Length() != 0 || doc.Find("a[href^='"+pp+"/edit']").Length() != 0 {
		t.Error("panel member sees people or change links")
	}
	if w := f.serve(t, member, http.MethodGet, pp+"/people", nil); w.Code != http.StatusNotFound {
		t.Errorf("panel member people list: status %d, want 404", w.Code)
	}

	// The people list's status tags and its filter.
	doc = parse(t, f.serve(t, f.Admin, http.MethodGet, pp+"/people", nil))
	if tag := doc.Find("table .govuk-tag").Text(); tag != "Not set up" {
		t.Errorf("status tag %q, want Not set up", tag)
	}
}

func TestDisableEnableAndNewSetupLink(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id, _, err := f.Partnership.CreatePerson(context.Background(), f.Admin, f.PID, partnership.PersonInput{Name: "Rae Referrer",
		Email: "rae@northtown.example", OrganisationID: f.Council, Roles: []string{"referrer"}})
	if err != nil {
		t.Fatal(err)
	}
	pp := fmt.Sprintf("/partnerships/%d/people/%d", f.PID, id)
	w := f.serve(t, f.Admin, http.MethodPost, pp+"/disable", url.Values{})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != pp {
		t.Fatalf("disable: %d %q", w.Code, w.Header().Get("Location"))
	}
	doc := parse(t, f.serve(t, f.Admin, http.MethodGet, pp, nil))
	if tag := doc.Find(".govuk-summary-list .govuk-tag").Text(); tag != "Disabled" {
		t.Errorf("status %q after disabling", tag)
	}
	if doc.Find("form[action='"+pp+"/enable']").Length() != 1 {
		t.Error("no enable button for a disabled account")
	}
	if w := f.serve(t, f.Admin, http.MethodPost, pp+"/enable", url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("enable: %d", w.Code)
	}
	// Administrators cannot disable themselves: the button is not offered and the action is refused.
	self := fmt.Sprintf("/partnerships/%d/people/%d", f.PID, f.Admin.PersonID)
	if parse(t, f.serve(t, f.Admin, http.MethodGet, self, nil)).Find("form[action='"+self+"/disable']").Length() != 0 {
		t.Error("own account offers a disable button")
	}
	if w := f.serve(t, f.Admin, http.MethodPost, self+"/disable", url.Values{}); w.Code != http.StatusUnprocessableEntity {
		t.Errorf("disabling self: status %d, want 422", w.Code)
	}
	doc = parse(t, f.serve(t, f.Admin, http.MethodPost, pp+"/set-up-link", url.Values{}))
	_, token, _ := strings.Cut(doc.Find("#set-up-link").Text(), "/account/set-up/")
	if _, err := f.Partnership.SetupAccount(context.Background(), strings.TrimSpace(token), "hash"); err != nil {
		t.Errorf("new set-up link does not work: %v", err)
	}
}

// TestSecurityActionsRefused: an administrator cannot reset their own second factor, and cannot unlock or reset
// a person of another partnership; neither reaches the auth service.
func TestSecurityActionsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	self := fmt.Sprintf("/partnerships/%d/people/%d", f.PID, f.Admin.PersonID)
	w := f.serve(t, f.Admin, http.MethodPost, self+"/reset-second-factor", url.Values{})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "You cannot reset your own second factor") {
		t.Errorf("resetting own second factor: status %d %q, want 422", w.Code, w.Body)
	}
	if parse(t, f.serve(t, f.Admin, http.MethodGet, self, nil)).Find("form[action='"+self+"/reset-second-factor']").Length() != 0 {
		t.Error("own account offers a reset second factor button")
	}
	for _, action := range []string{"unlock", "reset-second-factor"} {
		target := fmt.Sprintf("/partnerships/%d/people/%d/%s", f.PID, f.Elsewhere, action)
		if w := f.serve(t, f.Admin, http.MethodPost, target, url.Values{}); w.Code != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", target, w.Code)
		}
	}
}

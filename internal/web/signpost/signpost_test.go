package signpost_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	"github.com/preventplatform/prevent/internal/web/signpost"
)

var testNow = time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)

// casePath is the address the fixture gives the pages for a case's page (Deps.CasePath).
func casePath(pid, id prevent.ID) string { return fmt.Sprintf("/partnerships/%d/cases/%d", pid, id) }

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	signpost.Register(site, signpost.Deps{})
	want := []coretest.Route{
		{Method: http.MethodGet, Pattern: "/partnerships/{pid}/signposting", Action: access.Signpost},
		{Method: http.MethodPost, Pattern: "/partnerships/{pid}/signposting", Action: access.Signpost},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
	if got := signpost.SearchPath.Link(7); got != "/partnerships/7/signposting" {
		t.Errorf("SearchPath.Link(7) = %q", got)
	}
}

// fixture is the demo partnership with two schools added: a referrer at the first has referred people, and a
// panel member at the second works on none of their cases.
type fixture struct {
	site        *coretest.Site
	db          *database.DB
	w           testworld.DemoWorld
	pid         prevent.ID
	referrer    prevent.Principal
	outsider    prevent.Principal
	coordinator prevent.Principal
	officer     prevent.Principal
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return testNow }
	db := testworld.DemoDB(t, database.SQLite, now)
	w := testworld.LoadDemo(t, db, now)
	site := coretest.New(now)
	signpost.Register(site, signpost.Deps{Casework: w.Casework, Now: now, CasePath: casePath})
	f := fixture{site: site, db: db, w: w, pid: w.PartnershipID,
		coordinator: w.Roles[prevent.Coordinator], officer: w.Roles[prevent.PoliceOfficer]}
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	admin := w.Roles[prevent.Administrator]
	org := func(name string) prevent.ID {
		id, err := ps.CreateOrganisation(ctx, admin, f.pid, partnership.OrganisationInput{Name: name, Sector: "education", PublicBody: "yes"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	person := func(name string, org prevent.ID, role prevent.Role, vetted bool) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, admin, f.pid, partnership.PersonInput{Name: name,
			Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		p := prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: role}}}
		if vetted {
			if err := ps.RecordVetting(ctx, admin, f.pid, id, partnership.VettingInput{Level: prevent.SC.Code(),
				GrantedOn: testNow.AddDate(-1, 0, 0), ExpiresOn: testNow.AddDate(4, 0, 0)}); err != nil {
				t.Fatal(err)
			}
			p.Clearance = prevent.Clearance{Level: prevent.SC, Expires: testNow.AddDate(4, 0, 0)}
		}
		return p
	}
	schoolA, schoolB := org("Northtown Academy"), org("Southfield School")
	f.referrer = person("Rita Referrer", schoolA, prevent.Referrer, true)
	f.outsider = person("Pat Panel", schoolB, prevent.PanelMember, false)
	return f
}

// submitReferral makes and submits a referral by the fixture's referrer, returning its id.
func (f fixture) submitReferral(t *testing.T, given, family string) prevent.ID {
	t.Helper()
	ctx := context.Background()
	types, err := f.w.Casework.Reference(ctx, casework.ConcernTypes, testNow)
	if err != nil || len(types) == 0 {
		t.Fatalf("concern types: %v %v", types, err)
	}
	in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: given, FamilyName: family},
		Concern:     casework.Concern{WhatHappened: "Shared violent material", Types: []string{types[0].Code}},
		PersonKnows: casework.DoesNotKnow, DangerAcknowledged: true}
	id, err := f.w.Casework.SaveDraft(ctx, f.referrer, f.pid, 0, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.Casework.Submit(ctx, f.referrer, id); err != nil {
		t.Fatal(err)
	}
	return id
}

type page struct {
	code int
	doc  *goquery.Document
	body string
}

func (f fixture) serve(t *testing.T, p prevent.Principal, method string, form url.Values) page {
	t.Helper()
	rec := f.site.Serve(t, p, method, signpost.SearchPath.Link(f.pid), form)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return page{code: rec.Code, doc: doc, body: rec.Body.String()}
}

func searchForm(name string) url.Values {
	return url.Values{"name": {name}, "reason": {"meeting"}, "purpose": {"Housing panel on Thursday"}}
}

func TestFormPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pg := f.serve(t, f.officer, http.MethodGet, nil)
	if pg.code != http.StatusOK {
		t.Fatalf("status %d: %s", pg.code, pg.body)
	}
	if action, _ := pg.doc.Find("main form").Attr("action"); action != signpost.SearchPath.Link(f.pid) {
		t.Errorf("the form posts to %q", action)
	}
	if pg.doc.Find("input#name").Length() != 1 || pg.doc.Find("input[name=reason]").Length() == 0 || pg.doc.Find("textarea#purpose").Length() != 1 {
		t.Error("the form lacks the name, the reason or the purpose")
	}
}

func TestResultsShowOutsidersOnlyOrganisationAndContact(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.submitReferral(t, "Daniel", "Hughes")
	ref, err := f.w.Casework.Referral(context.Background(), f.coordinator, id)
	if err != nil {
		t.Fatal(err)
	}

	pg := f.serve(t, f.outsider, http.MethodPost, searchForm("Daniel Hughes"))
	if pg.code != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", pg.code, pg.body)
	}
	var cells []string
	pg.doc.Find("table.govuk-table tbody tr > *").Each(func(_ int, s *goquery.Selection) {
		cells = append(cells, strings.Join(strings.Fields(s.Text()), " "))
	})
	if got := strings.Join(cells, " | "); got != "Northtown Academy | Rita Referrer rita.referrer@example.gov.uk | Ask the contact" {
		t.Errorf("results %q, want only the organisation and contact", got)
	}
	for _, leak := range []string{ref.Reference, "Shared violent material", casePath(f.pid, id), "Received", "Submitted"} {
		if strings.Contains(pg.body, leak) {
			t.Errorf("the outsider's results carry %q", leak)
		}
	}
	if pg.doc.Find(".govuk-table a[href='mailto:rita.referrer@example.gov.uk']").Length() != 1 {
		t.Error("no email link to the contact")
	}
	if pg.doc.Find(fmt.Sprintf("main a[href='%s']", signpost.SearchPath.Link(f.pid))).Length() != 1 {
		t.Error("no link to search again")
	}

	// The coordinator may see the case: it is linked.
	pg = f.serve(t, f.coordinator, http.MethodPost, searchForm("Daniel Hughes"))
	if pg.doc.Find(fmt.Sprintf(".govuk-table a[href='%s']", casePath(f.pid, id))).Length() != 1 {
		t.Errorf("the coordinator's results do not link the case: %s", pg.body)
	}

	// Referrers do not signpost: the page does not exist for them.
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		if pg := f.serve(t, f.referrer, m, searchForm("Daniel Hughes")); pg.code != http.StatusNotFound {
			t.Errorf("referrer %s: status %d, want 404", m, pg.code)
		}
	}
}

func TestErrorsKeepInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	count := func() int {
		es, _, err := audit.List(context.Background(), f.db.Read(), audit.Filter{RecordKind: "signpost_search"})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	form := searchForm("Daniel Hughes")
	form.Set("purpose", " ")
	pg := f.serve(t, f.officer, http.MethodPost, form)
	if pg.code != http.StatusOK || !strings.HasPrefix(pg.doc.Find("title").Text(), "Error:") {
		t.Fatalf("status %d, title %q: want the form again with errors", pg.code, pg.doc.Find("title").Text())
	}
	if pg.doc.Find(".govuk-error-summary a[href='#purpose']").Length() != 1 || pg.doc.Find("#purpose-error").Length() != 1 {
		t.Errorf("no error for the missing purpose: %q", pg.doc.Find(".govuk-error-summary").Text())
	}
	if v, _ := pg.doc.Find("input#name").Attr("value"); v != "Daniel Hughes" {
		t.Errorf("name not kept: %q", v)
	}
	if pg.doc.Find("input[name=reason][value=meeting][checked]").Length() != 1 {
		t.Error("reason not kept")
	}

	// A date of birth that is not a date: no search is made, and the other problems are named too.
	form = searchForm("Daniel Hughes")
	form.Set("reason", "")
	form.Set("date-of-birth-day", "31")
	form.Set("date-of-birth-month", "2")
	form.Set("date-of-birth-year", "2003")
	pg = f.serve(t, f.officer, http.MethodPost, form)
	var hrefs []string
	pg.doc.Find(".govuk-error-summary a").Each(func(_ int, s *goquery.Selection) { hrefs = append(hrefs, s.AttrOr("href", "")) })
	if strings.Join(hrefs, " ") != "#date-of-birth #reason" {
		t.Errorf("error summary links %v, want the date of birth then the reason", hrefs)
	}
	if v, _ := pg.doc.Find("input#date-of-birth-day").Attr("value"); v != "31" {
		t.Errorf("day not kept: %q", v)
	}
	if n := count(); n != 0 {
		t.Errorf("%d searches recorded for refused forms, want 0", n)
	}
}

func TestNotKnownDoesNotLeak(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Zara is only in a draft; Yusuf is in nothing. The answers are the same, but for the name searched.
	in := casework.ReferralInput{Person: casework.PersonDetails{GivenNames: "Zara", FamilyName: "Draftonly"}}
	if _, err := f.w.Casework.SaveDraft(context.Background(), f.referrer, f.pid, 0, in); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, name := range []string{"Zara Draftonly", "Yusuf Nobody"} {
		pg := f.serve(t, f.officer, http.MethodPost, searchForm(name))
		if pg.code != http.StatusOK {
			t.Fatalf("%s: status %d", name, pg.code)
		}
		main := pg.doc.Find("main").Text()
		if !strings.Contains(main, casework.SignpostNotKnown) || pg.doc.Find("table").Length() != 0 {
			t.Errorf("%s: not the not-known answer: %q", name, main)
		}
		bodies = append(bodies, strings.ReplaceAll(pg.body, name, "NAME"))
	}
	if bodies[0] != bodies[1] {
		t.Error("the answer for a person only in a draft differs from the answer for a person nobody referred")
	}
}

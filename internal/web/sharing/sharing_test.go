package sharing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	rightspages "github.com/preventplatform/prevent/internal/web/rights"
	"github.com/preventplatform/prevent/internal/web/sharing"
)

var testNow = time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)

// casePath is the address the fixture gives the pages for a case's page (Deps.CasePath).
func casePath(pid, id prevent.ID) string { return fmt.Sprintf("/partnerships/%d/cases/%d", pid, id) }

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	sharing.Register(site, sharing.Deps{})
	const P = "/partnerships/{pid}/sharing"
	get, post := http.MethodGet, http.MethodPost
	want := []coretest.Route{
		{Method: get, Pattern: P, Action: access.AgreementView},
		{Method: get, Pattern: P + "/dashboard", Action: access.DataProtectionView},
		{Method: get, Pattern: P + "/record-of-processing", Action: access.DataProtectionView},
		{Method: get, Pattern: P + "/gateways", Action: access.GatewayView},
		{Method: get, Pattern: P + "/gateways/new", Action: access.GatewayManage},
		{Method: post, Pattern: P + "/gateways/new", Action: access.GatewayManage},
		{Method: get, Pattern: P + "/agreements", Action: access.AgreementView},
		{Method: get, Pattern: P + "/agreements/new", Action: access.AgreementManage},
		{Method: post, Pattern: P + "/agreements/new", Action: access.AgreementManage},
		{Method: get, Pattern: P + "/agreements/{id}", Action: access.AgreementView},
		{Method: get, Pattern: P + "/agreements/{id}/edit", Action: access.AgreementManage},
		{Method: post, Pattern: P + "/agreements/{id}/edit", Action: access.AgreementManage},
		{Method: post, Pattern: P + "/agreements/{id}/status", Action: access.AgreementManage},
		{Method: get, Pattern: P + "/agreements/{id}/signatories/new", Action: access.AgreementManage},
		{Method: post, Pattern: P + "/agreements/{id}/signatories/new", Action: access.AgreementManage},
		{Method: get, Pattern: P + "/acknowledgements", Action: access.AgreementView},
		{Method: get, Pattern: P + "/acknowledgements/new", Action: access.AgreementManage},
		{Method: post, Pattern: P + "/acknowledgements/new", Action: access.AgreementManage},
		{Method: get, Pattern: P + "/disclosures", Action: access.DisclosureView},
		{Method: get, Pattern: P + "/disclosures/cases/{id}", Action: access.DisclosureView},
		{Method: get, Pattern: P + "/subject-access", Action: access.SubjectAccessManage},
		{Method: get, Pattern: P + "/subject-access/new", Action: access.SubjectAccessManage},
		{Method: post, Pattern: P + "/subject-access/new", Action: access.SubjectAccessManage},
		{Method: get, Pattern: P + "/subject-access/{id}", Action: access.SubjectAccessManage},
		{Method: post, Pattern: P + "/subject-access/{id}/extend", Action: access.SubjectAccessManage},
		{Method: post, Pattern: P + "/subject-access/{id}/complete", Action: access.SubjectAccessManage},
		{Method: get, Pattern: P + "/retention", Action: access.RetentionView},
		{Method: get, Pattern: P + "/retention/set", Action: access.RetentionManage},
		{Method: post, Pattern: P + "/retention/set", Action: access.RetentionManage},
		{Method: get, Pattern: P + "/holds", Action: access.LegalHoldView},
		{Method: get, Pattern: P + "/holds/new", Action: access.LegalHoldManage},
		{Method: post, Pattern: P + "/holds/new", Action: access.LegalHoldManage},
		{Method: post, Pattern: P + "/holds/{id}/release", Action: access.LegalHoldManage},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
	for got, want := range map[string]string{
		sharing.HomePath.Link(7):               "/partnerships/7/sharing",
		sharing.AgreementPath.Link(7, 42):      "/partnerships/7/sharing/agreements/42",
		sharing.CaseLedgerPath.Link(7, 9):      "/partnerships/7/sharing/disclosures/cases/9",
		sharing.HoldReleasePath.Link(7, 3):     "/partnerships/7/sharing/holds/3/release",
		sharing.NewAcknowledgementPath.Link(7): "/partnerships/7/sharing/acknowledgements/new",
	} {
		if got != want {
			t.Errorf("link %q, want %q", got, want)
		}
	}
}

// fixture is the demo partnership served by the information-sharing pages, with a principal for each role the
// pages treat differently.
type fixture struct {
	site      *coretest.Site
	db        *database.DB
	pid       prevent.ID
	now       time.Time
	roles     map[prevent.Role]prevent.Principal
	public    prevent.ID // a public body
	nonPublic prevent.ID // a member organisation that is not a public body
}

func newFixture(t *testing.T, db *database.DB) fixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return testNow }
	w := testworld.LoadDemo(t, db, now)
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	site := coretest.New(now)
	sharing.Register(site, sharing.Deps{Sharing: w.Sharing, Rights: w.Rights, Casework: w.Casework, Partnership: ps, Now: now,
		CasePath: casePath})
	f := fixture{site: site, db: db, now: testNow, roles: w.Roles}
	dpo, ok := f.roles[prevent.DataProtection]
	if !ok {
		t.Fatal("the demo has no data protection officer")
	}
	f.pid = dpo.Memberships[0].PartnershipID
	f.public = dpo.OrganisationID
	// A new organisation that is not a public body, so that no acknowledgement is recorded for it yet.
	var err error
	if f.nonPublic, err = ps.CreateOrganisation(ctx, f.roles[prevent.Administrator], f.pid, partnership.OrganisationInput{
		Name: "Elmshire Test Mentoring", Sector: "community", PublicBody: "no"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) dpo() prevent.Principal { return f.roles[prevent.DataProtection] }

// path is an address under the partnership's information-sharing pages, /partnerships/{pid}/sharing/rest….
func (f fixture) path(rest ...any) string {
	out := fmt.Sprintf("/partnerships/%d/sharing", f.pid)
	for _, x := range rest {
		out += fmt.Sprintf("/%v", x)
	}
	return out
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

func wantRedirect(t *testing.T, w *httptest.ResponseRecorder, prefix string) string {
	t.Helper()
	res := w.Result()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d to %q, want 303 to %s…", res.StatusCode, loc, prefix)
	}
	return loc
}

func itoa(id prevent.ID) string { return core.IDText(id) }

func TestSharingPagesNotFoundForRolesWithoutTheAction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	cases := []struct {
		role   prevent.Role
		method string
		path   string
		want   int
	}{
		{prevent.DataProtection, "GET", f.path(), 200},
		{prevent.DataProtection, "GET", f.path("dashboard"), 200},
		{prevent.DataProtection, "GET", f.path("record-of-processing"), 200},
		{prevent.DataProtection, "GET", f.path("gateways"), 200},
		{prevent.DataProtection, "GET", f.path("agreements"), 200},
		{prevent.DataProtection, "GET", f.path("acknowledgements"), 200},
		{prevent.DataProtection, "GET", f.path("disclosures"), 200},
		{prevent.DataProtection, "GET", f.path("disclosures", "cases", 1), 200},
		{prevent.DataProtection, "GET", f.path("subject-access"), 200},
		{prevent.DataProtection, "GET", f.path("retention"), 200},
		{prevent.DataProtection, "GET", f.path("retention", "set"), 200},
		{prevent.Auditor, "GET", f.path("dashboard"), 200},
		{prevent.Auditor, "GET", f.path("disclosures"), 200},
		{prevent.Auditor, "GET", f.path("agreements", "new"), 404},
		{prevent.Auditor, "GET", f.path("subject-access"), 404},
		{prevent.Auditor, "GET", f.path("retention", "set"), 404},
		{prevent.Administrator, "GET", f.path("agreements", "new"), 200},
		{prevent.Administrator, "GET", f.path("gateways", "new"), 200},
		{prevent.Administrator, "GET", f.path("dashboard"), 404},
		{prevent.Administrator, "GET", f.path("disclosures"), 404},
		{prevent.Coordinator, "GET", f.path("agreements"), 200},
		{prevent.Coordinator, "GET", f.path("dashboard"), 404},
		{prevent.Coordinator, "GET", f.path("record-of-processing"), 404},
		{prevent.Coordinator, "POST", f.path("agreements", "new"), 404},
		{prevent.Coordinator, "GET", f.path("subject-access", "new"), 404},
		{prevent.Referrer, "GET", f.path("gateways"), 200},
		{prevent.Referrer, "GET", f.path("agreements"), 404},
		{prevent.Referrer, "GET", f.path(), 404},
		{prevent.Analyst, "GET", f.path("retention"), 404},
	}
	for _, c := range cases {
		p, ok := f.roles[c.role]
		if !ok {
			t.Fatalf("no demo account for %s", c.role)
		}
		var form url.Values
		if c.method == "POST" {
			form = url.Values{"title": {"x"}}
		}
		if w := f.serve(t, p, c.method, c.path, form); w.Code != c.want {
			t.Errorf("%s %s %s = %d, want %d", c.role, c.method, c.path, w.Code, c.want)
		}
	}
	// Another partnership's pages are not found even for the DPO.
	if w := f.serve(t, f.dpo(), "GET", fmt.Sprintf("/partnerships/%d/sharing/agreements", f.pid+100), nil); w.Code != 404 {
		t.Errorf("another partnership's agreements = %d, want 404", w.Code)
	}
}

// TestSharingAgreementJourneyThroughPages drafts an agreement between a public body and one that is not,
// records a signatory for each, is refused activation until the non-public body's acknowledgement is
// recorded, and activates; each form keeps the input it refuses.
func TestSharingAgreementJourneyThroughPages(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		dpo := f.dpo()
		// Errors keep the input.
		w := f.serve(t, dpo, "POST", f.path("agreements", "new"), url.Values{"title": {"Elmshire mentoring agreement"},
			"parties": {itoa(f.public)}, "purposes": {"support_delivery"}, "review-date-day": {"30"}, "review-date-month": {"2"}, "review-date-year": {"2027"}})
		doc := parse(t, w)
		if w.Code != 200 || doc.Find(".govuk-error-summary").Length() != 1 {
			t.Fatalf("invalid draft: %d, error summary %d", w.Code, doc.Find(".govuk-error-summary").Length())
		}
		sum := doc.Find(".govuk-error-summary").Text()
		for _, want := range []string{"Select at least two organisations", "Select the categories", "Review date must be a real date", "Enter the security measures"} {
			if !strings.Contains(sum, want) {
				t.Errorf("error summary %q lacks %q", sum, want)
			}
		}
		if v, _ := doc.Find("#title").Attr("value"); v != "Elmshire mentoring agreement" {
			t.Errorf("title kept as %q", v)
		}
		coretest.WantDateTyped(t, doc, "review-date", "30", "2", "2027")
		coretest.WantErrorLinks(t, doc, "#review-date-day")
		if doc.Find(`input[name=purposes][value=support_delivery]:checked`).Length() != 1 {
			t.Error("the purpose ticked is not kept")
		}
		// A complete draft.
		draft := url.Values{"title": {"Elmshire mentoring agreement"}, "parties": {itoa(f.public), itoa(f.nonPublic)},
			"purposes": {"support_delivery"}, "categories": {"identity", "support-plan"}, "gateways": {"consent"},
			"retention": {"Six years after support ends"}, "disposal": {"Secure deletion"}, "security": {"Named mentors only"}, "review-date-day": {"31"}, "review-date-month": {"10"}, "review-date-year": {"2027"}}
		loc := wantRedirect(t, f.serve(t, dpo, "POST", f.path("agreements", "new"), draft), f.path("agreements")+"/")
		page := parse(t, f.serve(t, dpo, "GET", loc, nil))
		if h := page.Find("main h1").Text(); h != "Elmshire mentoring agreement" || !strings.Contains(page.Find("#details").Text(), "Draft") {
			t.Fatalf("agreement page %q, details %q", h, page.Find("#details").Text())
		}
		// A signatory without a name is refused, the rest kept.
		w = f.serve(t, dpo, "POST", loc+"/signatories/new", url.Values{"organisation": {itoa(f.public)}, "job-title": {"Director of children’s services"}, "signed-on-day": {"9"}, "signed-on-month": {"11"}, "signed-on-year": {"2026"}})
		doc = parse(t, w)
		if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Enter the signatory’s name") {
			t.Errorf("signatory without name: %q", doc.Find(".govuk-error-summary").Text())
		}
		if v, _ := doc.Find("#job-title").Attr("value"); v != "Director of children’s services" {
			t.Errorf("job title kept as %q", v)
		}
		for _, org := range []prevent.ID{f.public, f.nonPublic} {
			wantRedirect(t, f.serve(t, dpo, "POST", loc+"/signatories/new", url.Values{"organisation": {itoa(org)}, "name": {"Signer"},
				"job-title": {"Director"}, "signed-on-day": {"9"}, "signed-on-month": {"11"}, "signed-on-year": {"2026"}}), loc)
		}
		// Activation is refused for want of the non-public body's acknowledgement, saying so on the page.
		{
			doc = parse(t, f.serve(t, dpo, "POST", loc+"/status", url.Values{"to": {"active"}}))
			sum = doc.Find(".govuk-error-summary").Text()
			if !strings.Contains(sum, "has not acknowledged its own data protection duties") {
				t.Errorf("activation without acknowledgement: %q", sum)
			}
			if href, _ := doc.Find(".govuk-error-summary a").Attr("href"); href != "#parties" {
				t.Errorf("the error links to %q, want #parties", href)
			}
			// The acknowledgement form keeps input on error.
			w = f.serve(t, dpo, "POST", f.path("acknowledgements", "new"), url.Values{"organisation": {itoa(f.nonPublic)},
				"acknowledged-on-day": {"9"}, "acknowledged-on-month": {"11"}, "acknowledged-on-year": {"2026"}, "text-version": {"dp-duties-2026-1"}})
			doc = parse(t, w)
			if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Enter the name and role") {
				t.Errorf("acknowledgement without a name: %q", doc.Find(".govuk-error-summary").Text())
			}
			if doc.Find(`#organisation option[selected]`).AttrOr("value", "") != itoa(f.nonPublic) {
				t.Error("the organisation chosen is not kept")
			}
			wantRedirect(t, f.serve(t, dpo, "POST", f.path("acknowledgements", "new"), url.Values{"organisation": {itoa(f.nonPublic)},
				"acknowledged-by": {"Chief executive"}, "acknowledged-on-day": {"9"}, "acknowledged-on-month": {"11"}, "acknowledged-on-year": {"2026"}, "text-version": {"dp-duties-2026-1"}}), f.path("acknowledgements"))
		}
		// Suspending needs a reason.
		wantRedirect(t, f.serve(t, dpo, "POST", loc+"/status", url.Values{"to": {"active"}}), loc)
		doc = parse(t, f.serve(t, dpo, "POST", loc+"/status", url.Values{"to": {"suspended"}}))
		if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Enter the reason") {
			t.Errorf("suspension without reason: %q", doc.Find(".govuk-error-summary").Text())
		}
		page = parse(t, f.serve(t, dpo, "GET", loc, nil))
		if !strings.Contains(page.Find("#details").Text(), "Active") {
			t.Errorf("after activation the status is %q", page.Find("#details .govuk-tag").Text())
		}
		// The Art 30 record now lists the non-public body as a recipient.
		rec := f.serve(t, dpo, "GET", f.path("record-of-processing"), nil).Body.String()
		if !strings.Contains(rec, "Named mentors only") || !strings.Contains(rec, "(not a public body)") {
			t.Error("the record of processing does not show the new agreement's security measures and its non-public party")
		}
		// A coordinator may read the agreement but is offered no changes.
		page = parse(t, f.serve(t, f.roles[prevent.Coordinator], "GET", loc, nil))
		if page.Find(`form[action$="/status"]`).Length() != 0 || page.Find(`a[href$="/signatories/new"]`).Length() != 0 {
			t.Error("a coordinator is offered status changes or signatories")
		}
	})
}

func TestSharingGatewayAndRetentionFormsKeepInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	dpo := f.dpo()
	doc := parse(t, f.serve(t, dpo, "POST", f.path("gateways", "new"), url.Values{"code": {"Bad Code"}, "name": {"Elmshire protocol"},
		"without-consent": {"no"}, "sectors": {"education"}, "valid-from-day": {"1"}, "valid-from-month": {"4"}, "valid-from-year": {"2026"}, "valid-to-day": {"1"}, "valid-to-month": {"1"}, "valid-to-year": {"2026"}}))
	sum := doc.Find(".govuk-error-summary").Text()
	for _, want := range []string{"Enter a code of 2 to 60", "Describe what the gateway permits", "The end date must be after the start date"} {
		if !strings.Contains(sum, want) {
			t.Errorf("gateway errors %q lack %q", sum, want)
		}
	}
	// The service's error about a date links to its day field.
	coretest.WantErrorLinks(t, doc, "#valid-to-day")
	coretest.WantDateTyped(t, doc, "valid-to", "1", "1", "2026")
	if v, _ := doc.Find("#name").Attr("value"); v != "Elmshire protocol" {
		t.Errorf("name kept as %q", v)
	}
	if doc.Find(`input[name=sectors][value=education]:checked`).Length() != 1 {
		t.Error("the sector ticked is not kept")
	}
	wantRedirect(t, f.serve(t, dpo, "POST", f.path("gateways", "new"), url.Values{"code": {"elmshire_protocol"}, "name": {"Elmshire protocol"},
		"summary": {"Sharing between schools and the council"}, "without-consent": {"no"}, "sectors": {"education"}, "valid-from-day": {"1"}, "valid-from-month": {"4"}, "valid-from-year": {"2026"}}), f.path("gateways"))
	if body := f.serve(t, dpo, "GET", f.path("gateways"), nil).Body.String(); !strings.Contains(body, "elmshire_protocol v1") {
		t.Error("the local gateway is not listed")
	}

	doc = parse(t, f.serve(t, dpo, "POST", f.path("retention", "set"), url.Values{"rule": {"case/no_further_action"}, "months": {"six"}, "source": {"Board decision"}}))
	if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "whole number of months") {
		t.Errorf("retention with months in words: %q", doc.Find(".govuk-error-summary").Text())
	}
	if v, _ := doc.Find("#source").Html(); v != "Board decision" {
		t.Errorf("source kept as %q", v)
	}
	if doc.Find(`#rule option[selected]`).AttrOr("value", "") != "case/no_further_action" {
		t.Error("the records chosen are not kept")
	}
	wantRedirect(t, f.serve(t, dpo, "POST", f.path("retention", "set"), url.Values{"rule": {"case/no_further_action"}, "months": {"18"},
		"source": {"Elmshire board decision of 4 March 2026"}}), f.path("retention"))
	body := f.serve(t, dpo, "GET", f.path("retention"), nil).Body.String()
	if !strings.Contains(body, "18 months") || !strings.Contains(body, "Elmshire board decision of 4 March 2026") {
		t.Error("the retention period set is not listed with its source")
	}
}

func TestSharingSubjectAccessRegister(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	dpo := f.dpo()
	doc := parse(t, f.serve(t, dpo, "POST", f.path("subject-access", "new"), url.Values{"received-day": {"31"}, "received-month": {"11"}, "received-year": {"2026"}, "requester": {"Sam Example"}}))
	sum := doc.Find(".govuk-error-summary").Text()
	for _, want := range []string{"Date received must be a real date", "Enter who the request is about", "Select the law"} {
		if !strings.Contains(sum, want) {
			t.Errorf("register errors %q lack %q", sum, want)
		}
	}
	coretest.WantErrorLinks(t, doc, "#received-day")
	coretest.WantDateTyped(t, doc, "received", "31", "11", "2026")
	if v, _ := doc.Find("#requester").Attr("value"); v != "Sam Example" {
		t.Errorf("requester kept as %q", v)
	}
	loc := wantRedirect(t, f.serve(t, dpo, "POST", f.path("subject-access", "new"), url.Values{"received-day": {"31"}, "received-month": {"10"}, "received-year": {"2026"},
		"requester": {"Sam Example"}, "subject": {"Sam Example"}, "regime": {"uk_gdpr"}}), f.path("subject-access")+"/")
	// Received 31 October: due 30 November, shown on the request and the register.
	if body := f.serve(t, dpo, "GET", loc, nil).Body.String(); !strings.Contains(body, "30 November 2026") {
		t.Error("the request does not show its due date, 30 November 2026")
	}
	// A request received in September is overdue in the register.
	old := wantRedirect(t, f.serve(t, dpo, "POST", f.path("subject-access", "new"), url.Values{"received-day": {"1"}, "received-month": {"9"}, "received-year": {"2026"},
		"requester": {"Pat Example"}, "subject": {"Pat Example"}, "regime": {"dpa_part3"}}), f.path("subject-access")+"/")
	row := parse(t, f.serve(t, dpo, "GET", f.path("subject-access"), nil)).Find(`tr:has(a[href="` + old + `"])`)
	if !strings.Contains(row.Text(), "1 October 2026") || !strings.Contains(row.Text(), "Overdue") {
		t.Errorf("the September request's row = %q, want due 1 October 2026 and overdue", row.Text())
	}
	doc = parse(t, f.serve(t, dpo, "POST", loc+"/extend", url.Values{"reason": {""}}))
	if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Enter the reason for the extension") {
		t.Errorf("extension without reason: %q", doc.Find(".govuk-error-summary").Text())
	}
	wantRedirect(t, f.serve(t, dpo, "POST", loc+"/extend", url.Values{"reason": {"Complex: records held by four organisations"}}), loc)
	if body := f.serve(t, dpo, "GET", f.path("subject-access"), nil).Body.String(); !strings.Contains(body, "31 January 2027") || !strings.Contains(body, "Open, extended") {
		t.Error("the register does not show the extended due date, 31 January 2027")
	}
	doc = parse(t, f.serve(t, dpo, "POST", loc+"/complete", url.Values{"completed-on-day": {"1"}, "completed-on-month": {"12"}, "completed-on-year": {"2026"}}))
	if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Enter a date between receipt and today") {
		t.Errorf("completion in the future: %q", doc.Find(".govuk-error-summary").Text())
	}
	coretest.WantDateTyped(t, doc, "completed-on", "1", "12", "2026")
	coretest.WantErrorLinks(t, doc, "#completed-on-day")
	wantRedirect(t, f.serve(t, dpo, "POST", loc+"/complete", url.Values{"completed-on-day": {"9"}, "completed-on-month": {"11"}, "completed-on-year": {"2026"}}), loc)
	if body := f.serve(t, dpo, "GET", loc, nil).Body.String(); !strings.Contains(body, "Answered 9 November 2026") {
		t.Error("the request is not shown as answered")
	}
}

func TestSharingLedgerAndDashboard(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	dpo := f.dpo()
	doc := parse(t, f.serve(t, dpo, "GET", f.path("disclosures")+"?from-day=1&from-month=13&from-year=2026&gateway=consent", nil))
	if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "From must be a real date") {
		t.Errorf("bad filter date: %q", doc.Find(".govuk-error-summary").Text())
	}
	coretest.WantDateTyped(t, doc, "from", "1", "13", "2026")
	coretest.WantErrorLinks(t, doc, "#from-day")
	if doc.Find(`#gateway option[selected]`).AttrOr("value", "") != "consent" {
		t.Error("the gateway filter is not kept")
	}
	doc = parse(t, f.serve(t, dpo, "GET", f.path("disclosures")+"?from-day=10&from-month=11&from-year=2026", nil))
	if doc.Find(".govuk-error-summary").Length() != 0 || !strings.Contains(doc.Find("main").Text(), "No disclosures match") {
		t.Error("a filter from tomorrow should match nothing, without errors")
	}
	doc = parse(t, f.serve(t, dpo, "GET", f.path("dashboard"), nil))
	for _, want := range []string{"Disclosures recorded", "Subject access requests due", "Unusual access to case records", "Legal holds in force"} {
		if !strings.Contains(doc.Find("main").Text(), want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if doc.Find(`a[href="`+rightspages.AllNoticesPath.Link(f.pid)+`"]`).Length() != 1 {
		t.Error("the DPO's dashboard does not link to the notices overview")
	}
	if d := parse(t, f.serve(t, f.roles[prevent.Auditor], "GET", f.path("dashboard"), nil)); d.Find(`a[href="`+rightspages.AllNoticesPath.Link(f.pid)+`"]`).Length() != 0 {
		t.Error("the auditor's dashboard links to notices it may not open")
	}
	// Each ledger row of a case links to that case's ledger, which shows the disclosure in full.
	var kind string
	var rec, did prevent.ID
	err := f.db.Read().QueryRowContext(context.Background(), `SELECT id, record_kind, record_id FROM sharing_disclosures WHERE partnership_id = $1 ORDER BY id DESC LIMIT 1`, f.pid).Scan(&did, &kind, &rec)
	if err == nil && kind == "referral" {
		doc = parse(t, f.serve(t, dpo, "GET", f.path("disclosures"), nil))
		if doc.Find(`a[href="`+f.path("disclosures", "cases", rec)+`"]`).Length() == 0 {
			t.Errorf("the ledger does not link to case %d's ledger", rec)
		}
		doc = parse(t, f.serve(t, dpo, "GET", f.path("disclosures", "cases", rec), nil))
		if !strings.Contains(doc.Find("main").Text(), "Disclosure "+itoa(did)) {
			t.Errorf("case %d's ledger does not show disclosure %d", rec, did)
		}
	}
	// Pages of the ledger follow on from each other.
	var total int
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sharing_disclosures WHERE partnership_id = $1`, f.pid).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total > sharing.LedgerPageSize {
		first := parse(t, f.serve(t, dpo, "GET", f.path("disclosures"), nil))
		next, ok := first.Find(".govuk-pagination__next a").Attr("href")
		if n := first.Find("main tbody tr").Length(); n != sharing.LedgerPageSize || !ok {
			t.Fatalf("first page: %d rows, next link %v", n, ok)
		}
		second := parse(t, f.serve(t, dpo, "GET", next, nil))
		if second.Find("main tbody tr").Length() == 0 {
			t.Error("the second page is empty")
		}
		if total > 2*sharing.LedgerPageSize {
			after, _ := second.Find(".govuk-pagination__next a").Attr("href")
			b1, _ := url.Parse(next)
			b2, _ := url.Parse(after)
			x1, _ := strconv.Atoi(b1.Query().Get("before"))
			x2, _ := strconv.Atoi(b2.Query().Get("before"))
			if x1 == 0 || x2 == 0 || x2 >= x1 {
				t.Errorf("keyset positions %d then %d, want decreasing", x1, x2)
			}
		}
	}
}

func TestSharingLegalHolds(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	dpo := f.dpo()
	var caseID prevent.ID
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT MIN(id) FROM referrals WHERE partnership_id = $1`, f.pid).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	doc := parse(t, f.serve(t, dpo, "POST", f.path("holds", "new"), url.Values{"record": {"abc"}, "reason": {"Complaint to the ICO"}}))
	if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Enter the case number") {
		t.Errorf("a hold on no case: %q", doc.Find(".govuk-error-summary").Text())
	}
	if v, _ := doc.Find("#reason").Html(); v != "Complaint to the ICO" {
		t.Errorf("reason kept as %q", v)
	}
	doc = parse(t, f.serve(t, dpo, "POST", f.path("holds", "new"), url.Values{"record": {"999999"}, "reason": {"Complaint to the ICO"}}))
	if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "There is no such case in this partnership") {
		t.Errorf("a hold on another partnership's case: %q", doc.Find(".govuk-error-summary").Text())
	}
	wantRedirect(t, f.serve(t, dpo, "POST", f.path("holds", "new"), url.Values{"record": {itoa(caseID)}, "reason": {"Complaint to the ICO"}}), f.path("holds"))
	var hold prevent.ID
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT MAX(id) FROM sharing_legal_holds WHERE record_id = $1`, caseID).Scan(&hold); err != nil {
		t.Fatal(err)
	}
	var reference string
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT reference FROM referrals WHERE id = $1`, caseID).Scan(&reference); err != nil {
		t.Fatal(err)
	}
	if got := parse(t, f.serve(t, dpo, "GET", f.path("holds"), nil)).Find("#hold-" + itoa(hold) + " h2").Text(); got != "Case "+reference {
		t.Errorf("the hold names its case %q, want %q", got, "Case "+reference)
	}
	doc = parse(t, f.serve(t, dpo, "POST", f.path("holds", hold, "release"), url.Values{"reason": {""}}))
	sum := doc.Find(".govuk-error-summary")
	if !strings.Contains(sum.Text(), "Enter why the hold is no longer needed") || sum.Find("a").AttrOr("href", "") != "#reason-"+itoa(hold) {
		t.Errorf("release without reason: %q linking to %q", sum.Text(), sum.Find("a").AttrOr("href", ""))
	}
	// The auditor reads the holds but is offered no changes; a coordinator has no such page.
	doc = parse(t, f.serve(t, f.roles[prevent.Auditor], "GET", f.path("holds"), nil))
	if !strings.Contains(doc.Find("#hold-"+itoa(hold)).Text(), "In force") || doc.Find("form").Length() > 1 {
		t.Errorf("auditor's holds page: %q, %d forms", doc.Find("#hold-"+itoa(hold)).Text(), doc.Find("form").Length())
	}
	if w := f.serve(t, f.roles[prevent.Coordinator], "GET", f.path("holds"), nil); w.Code != 404 {
		t.Errorf("coordinator holds = %d, want 404", w.Code)
	}
	if w := f.serve(t, f.roles[prevent.Auditor], "POST", f.path("holds", hold, "release"), url.Values{"reason": {"x"}}); w.Code != 404 {
		t.Errorf("auditor release = %d, want 404", w.Code)
	}
	wantRedirect(t, f.serve(t, dpo, "POST", f.path("holds", hold, "release"), url.Values{"reason": {"Complaint closed"}}), f.path("holds"))
	if s := parse(t, f.serve(t, dpo, "GET", f.path("holds"), nil)).Find("#hold-" + itoa(hold)).Text(); !strings.Contains(s, "Released") || !strings.Contains(s, "Complaint closed") {
		t.Errorf("after release: %q", s)
	}
}

func TestSharingAmendDraftAgreement(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	dpo := f.dpo()
	draft := url.Values{"title": {"Draft to amend"}, "parties": {itoa(f.public), itoa(f.nonPublic)},
		"purposes": {"support_delivery"}, "categories": {"identity"}, "gateways": {"consent"},
		"retention": {"Six years"}, "disposal": {"Secure deletion"}, "security": {"Named mentors only"}, "review-date-day": {"31"}, "review-date-month": {"10"}, "review-date-year": {"2027"}}
	loc := wantRedirect(t, f.serve(t, dpo, "POST", f.path("agreements", "new"), draft), f.path("agreements")+"/")
	wantRedirect(t, f.serve(t, dpo, "POST", loc+"/signatories/new", url.Values{"organisation": {itoa(f.public)}, "name": {"Signer"},
		"job-title": {"Director"}, "signed-on-day": {"9"}, "signed-on-month": {"11"}, "signed-on-year": {"2026"}}), loc)
	// The edit form is filled from the draft and warns that the signature will go.
	doc := parse(t, f.serve(t, dpo, "GET", loc+"/edit", nil))
	if v, _ := doc.Find("#title").Attr("value"); v != "Draft to amend" {
		t.Errorf("edit form title %q", v)
	}
	if doc.Find(`input[name=parties][value="`+itoa(f.nonPublic)+`"]:checked`).Length() != 1 || doc.Find("#review-date-day").AttrOr("value", "") != "31" ||
		doc.Find("#review-date-month").AttrOr("value", "") != "10" || doc.Find("#review-date-year").AttrOr("value", "") != "2027" {
		t.Error("the edit form does not show the draft's parties and review date")
	}
	if !strings.Contains(doc.Find(".govuk-warning-text").Text(), "removes the 1 signature already recorded") {
		t.Errorf("warning %q", doc.Find(".govuk-warning-text").Text())
	}
	// An amendment without a title keeps the rest.
	bad := url.Values{}
	for k, v := range draft {
		bad[k] = v
	}
	bad.Set("title", "")
	bad.Set("security", "Named mentors; encrypted email")
	doc = parse(t, f.serve(t, dpo, "POST", loc+"/edit", bad))
	if !strings.Contains(doc.Find(".govuk-error-summary").Text(), "Enter a title") || doc.Find("#security").Text() != "Named mentors; encrypted email" {
		t.Errorf("amendment without title: %q, security %q", doc.Find(".govuk-error-summary").Text(), doc.Find("#security").Text())
	}
	bad.Set("title", "Amended draft")
	wantRedirect(t, f.serve(t, dpo, "POST", loc+"/edit", bad), loc)
	page := parse(t, f.serve(t, dpo, "GET", loc, nil))
	if page.Find("main h1").Text() != "Amended draft" || !strings.Contains(page.Find("#signatories").Next().Text(), "Nobody has signed yet") {
		t.Errorf("after amendment: %q, signatories %q", page.Find("main h1").Text(), page.Find("#signatories").Next().Text())
	}
}

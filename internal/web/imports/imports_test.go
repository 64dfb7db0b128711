package imports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	importpages "github.com/preventplatform/prevent/internal/web/imports"
)

var clock = func() time.Time { return time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC) }

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func csvFile(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload is a multipart POST of the import form: the kind, the button pressed and the file (none when name is
// empty).
func upload(t *testing.T, target, kind, action, name string, data []byte) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if kind != "" {
		_ = mw.WriteField("kind", kind)
	}
	_ = mw.WriteField("action", action)
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// fixture is the demo partnership with the import pages on a test site.
type fixture struct {
	testworld.DemoWorld
	db    *database.DB
	imp   *importer.Service
	site  *coretest.Site
	admin prevent.Principal
	pid   prevent.ID
}

func newFixture(t *testing.T, d database.Dialect) *fixture {
	t.Helper()
	db, w := testworld.NewDemo(t, d, clock)
	f := &fixture{DemoWorld: w, db: db, admin: w.Roles[prevent.Administrator], pid: w.PartnershipID}
	f.imp = importer.New(importer.Deps{DB: db, Partnership: partnership.New(partnership.Deps{DB: db, Now: clock}), Casework: w.Casework, Now: clock})
	t.Cleanup(f.imp.Stop)
	f.site = coretest.New(clock)
	importpages.Register(f.site, importpages.Deps{Imports: f.imp, Now: clock})
	return f
}

// post sends the form as the administrator and, when it redirects to an import's page, returns that page's
// address.
func (f *fixture) post(t *testing.T, kind, action, name string, data []byte) string {
	t.Helper()
	res := f.site.ServeRequest(f.admin, upload(t, importpages.ListPath.Link(f.pid), kind, action, name, data))
	loc := res.Header().Get("Location")
	if res.Code != http.StatusSeeOther || !regexp.MustCompile(fmt.Sprintf(`^/partnerships/%d/imports/\d+$`, f.pid)).MatchString(loc) {
		t.Fatalf("post %s %s: %d to %q: %s", action, name, res.Code, loc, res.Body.String())
	}
	return loc
}

func (f *fixture) get(t *testing.T, target string) (*httptest.ResponseRecorder, *goquery.Document) {
	t.Helper()
	res := f.site.Serve(t, f.admin, http.MethodGet, target, nil)
	if res.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, res.Code, res.Body.String())
	}
	return res, parse(t, res)
}

// problems are the rows of an import page's problem table, as "row|column|message".
func problems(doc *goquery.Document) []string {
	var out []string
	doc.Find("table tbody tr").Each(func(_ int, s *goquery.Selection) {
		var cells []string
		s.Find("td, th").Each(func(_ int, c *goquery.Selection) { cells = append(cells, strings.TrimSpace(c.Text())) })
		out = append(out, strings.Join(cells, "|"))
	})
	return out
}

// summary is the value of the import page's summary list row called key.
func summary(doc *goquery.Document, key string) string {
	var v string
	doc.Find(".govuk-summary-list__row").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find(".govuk-summary-list__key").Text()) == key {
			v = strings.TrimSpace(s.Find(".govuk-summary-list__value").Text())
		}
	})
	return v
}

// TestImportPageRoutes: the pages' addresses, each under the administrator's import action.
func TestImportPageRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	importpages.Register(site, importpages.Deps{})
	for _, rt := range site.Routes() {
		if rt.Action != access.ImportRun || !strings.HasPrefix(rt.Pattern, "/partnerships/{pid}/imports") {
			t.Errorf("%s %s under %s", rt.Method, rt.Pattern, rt.Action)
		}
	}
	if n := len(site.Routes()); n != 8 {
		t.Errorf("%d routes, want 8", n)
	}
}

// TestImportPagesListAndTemplates: the list page has the form, its buttons and the four template links; each
// template downloads as an attachment of its type; an unknown template is not found; the form refused with
// nothing chosen names both fields, and keeps the kind chosen; a coordinator finds none of the pages.
func TestImportPagesListAndTemplates(t *testing.T) {
	t.Parallel()
	dbtest.Dialects(t, func(t *testing.T, d database.Dialect) {
		f := newFixture(t, d)
		list := importpages.ListPath.Link(f.pid)
		_, doc := f.get(t, list)
		if h1 := strings.TrimSpace(doc.Find("h1").Text()); h1 != "Import people and cases" {
			t.Errorf("h1 %q", h1)
		}
		form := doc.Find(`form[enctype="multipart/form-data"]`)
		if form.AttrOr("action", "") != list || form.Find(`input[type=radio][name=kind]`).Length() != 2 || form.Find(`input[type=file][name=file]`).Length() != 1 {
			t.Fatalf("the form: %q", form.AttrOr("action", ""))
		}
		for value, text := range map[string]string{"check": "Check the file", "import": "Check and import"} {
			b := form.Find(`button[name=action][value=` + value + `]`)
			if strings.TrimSpace(b.Text()) != text {
				t.Errorf("button %s reads %q", value, b.Text())
			}
		}
		if !strings.Contains(doc.Text(), "police_led_management") {
			t.Error("the page does not say the stages cases can be imported at")
		}
		types := map[string]string{"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
		for _, k := range []importer.Kind{importer.People, importer.Cases} {
			for ext, ctype := range types {
				href := importpages.TemplatePath(k, ext).Link(f.pid)
				if doc.Find(`a[href="`+href+`"]`).Length() != 1 {
					t.Errorf("no link to %s", href)
				}
				res := f.site.Serve(t, f.admin, http.MethodGet, href, nil)
				if res.Code != http.StatusOK || res.Header().Get("Content-Type") != ctype {
					t.Errorf("%s: %d %q", href, res.Code, res.Header().Get("Content-Type"))
				}
				if cd := res.Header().Get("Content-Disposition"); cd != fmt.Sprintf("attachment; filename=prevent-%s-template.%s", k, ext) {
					t.Errorf("%s: disposition %q", href, cd)
				}
				want := importer.Columns(k)[0].Name + ","
				if ext == "xlsx" {
					want = "PK\x03\x04"
				}
				if !strings.HasPrefix(res.Body.String(), want) {
					t.Errorf("%s starts %q", href, res.Body.String()[:min(20, res.Body.Len())])
				}
			}
		}
		if res := f.site.Serve(t, f.admin, http.MethodGet, fmt.Sprintf("/partnerships/%d/imports/templates/people.pdf", f.pid), nil); res.Code != http.StatusNotFound {
			t.Errorf("a template in no format: %d", res.Code)
		}

		res := f.site.ServeRequest(f.admin, upload(t, list, "", "check", "", nil))
		doc = parse(t, res)
		if res.Code != http.StatusOK {
			t.Fatalf("refused form: %d", res.Code)
		}
		coretest.WantErrorLinks(t, doc, "#kind", "#file")
		if msg := strings.TrimSpace(doc.Find("#kind-error").Text()); !strings.Contains(msg, "Select what the file holds") {
			t.Errorf("kind error %q", msg)
		}
		if msg := strings.TrimSpace(doc.Find("#file-error").Text()); !strings.Contains(msg, "Select a file") {
			t.Errorf("file error %q", msg)
		}
		res = f.site.ServeRequest(f.admin, upload(t, list, "cases", "import", "empty.csv", nil))
		doc = parse(t, res)
		if doc.Find("#kind-error").Length() != 0 || doc.Find("#file-error").Length() != 1 {
			t.Errorf("an empty file: errors %q", doc.Find(".govuk-error-summary").Text())
		}
		if _, ok := doc.Find(`input[name=kind][value=cases]`).Attr("checked"); !ok {
			t.Error("the kind chosen is not kept")
		}
		if n, _ := f.imp.Imports(context.Background(), f.admin, f.pid); len(n) != 0 {
			t.Errorf("a refused form recorded %d imports", len(n))
		}

		coordinator := f.Roles[prevent.Coordinator]
		for _, target := range []string{list, importpages.TemplatePath(importer.Cases, "csv").Link(f.pid)} {
			if res := f.site.Serve(t, coordinator, http.MethodGet, target, nil); res.Code != http.StatusNotFound {
				t.Errorf("%s as a coordinator: %d", target, res.Code)
			}
		}
		if res := f.site.ServeRequest(coordinator, upload(t, list, "people", "import", "staff.csv", []byte("organisation\n"))); res.Code != http.StatusNotFound {
			t.Errorf("a coordinator's upload: %d", res.Code)
		}
	})
}

// TestImportPagesCheckImportAndRefuseAgain: a cases file with a bad date is checked: its page names the row and
// column and the CSV report holds them. A good people file checks clean, is imported, and its page shows it done
// with both people written; the same file again is refused as already imported. A run under way shows its
// progress and asks the browser to load the page again.
func TestImportPagesCheckImportAndRefuseAgain(t *testing.T) {
	t.Parallel()
	dbtest.Dialects(t, func(t *testing.T, d database.Dialect) {
		f := newFixture(t, d)
		ctx := context.Background()
		var referrer, org, concern string
		for _, a := range f.Accounts {
			if prevent.Role(a.Role) == prevent.Referrer && referrer == "" {
				referrer, org = a.Email, a.Organisation
			}
		}
		if err := f.db.Read().QueryRowContext(ctx, `SELECT code FROM case_reference WHERE list = 'concern_type' AND code <> 'not_sure' ORDER BY sort, code LIMIT 1`).Scan(&concern); err != nil {
			t.Fatal(err)
		}
		header := []string{"source_reference", "stage", "referred_on", "referrer_organisation", "referrer_email", "given_names", "family_name",
			"date_of_birth", "postcode", "types", "what_happened", "person_knows"}
		caseRow := func(ref, referredOn string) []string {
			return []string{ref, "submitted", referredOn, org, referrer, "Imported", "Person", "14/02/1990", "EL1 2AB", concern, "Shared material at college", "yes"}
		}
		cases := csvFile(t, header, caseRow("OLD-00001", "2025-11-03"), caseRow("OLD-00002", "31/02/2025"))
		page := f.post(t, "cases", "check", "caseload.csv", cases)
		_, doc := f.get(t, page)
		if got := problems(doc); len(got) != 1 || !strings.HasPrefix(got[0], "3|referred_on|") {
			t.Fatalf("problems %q, want one on row 3, referred_on", got)
		}
		if h2 := doc.Find("h2:contains('1 problem')"); h2.Length() != 1 {
			t.Error("no heading counting the problem")
		}
		if summary(doc, "Status") != "Checked" || summary(doc, "File") != "caseload.csv" || summary(doc, "Rows") != "2" {
			t.Errorf("summary: %q %q %q", summary(doc, "Status"), summary(doc, "File"), summary(doc, "Rows"))
		}
		report := doc.Find(`a:contains('Download the report (CSV)')`).AttrOr("href", "")
		if report != page+"/report.csv" {
			t.Fatalf("report link %q", report)
		}
		res := f.site.Serve(t, f.admin, http.MethodGet, report, nil)
		rows, err := csv.NewReader(strings.NewReader(res.Body.String())).ReadAll()
		if err != nil || res.Code != http.StatusOK || len(rows) != 2 || rows[1][0] != "3" || rows[1][1] != "referred_on" {
			t.Fatalf("report: %d %v %v", res.Code, rows, err)
		}
		if !strings.HasPrefix(res.Header().Get("Content-Disposition"), "attachment") || res.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("report headers %v", res.Header())
		}
		if strings.Contains(res.Body.String(), "31/02/2025") || strings.Contains(doc.Text(), "31/02/2025") {
			t.Error("the report quotes the cell")
		}

		staff := csvFile(t, []string{"organisation", "sector", "public_body", "name", "email", "job_title", "roles"},
			[]string{"Elmshire Youth Trust", "community", "no", "Ada Brook", "ada.brook@youthtrust.example", "Mentor", "provider"},
			[]string{"Elmshire Youth Trust", "community", "no", "Ben Hale", "ben.hale@youthtrust.example", "Lead mentor", "provider"})
		page = f.post(t, "people", "check", "staff.csv", staff)
		_, doc = f.get(t, page)
		if len(problems(doc)) != 0 || !strings.Contains(doc.Text(), "No problems: this file can be imported") {
			t.Fatalf("a good file checked: %q", problems(doc))
		}

		page = f.post(t, "people", "import", "staff.csv", staff)
		f.imp.Wait()
		_, doc = f.get(t, page)
		if summary(doc, "Status") != "Done" || summary(doc, "Written") != "2" || !strings.Contains(doc.Text(), "2 records written") {
			t.Fatalf("imported: status %q, written %q", summary(doc, "Status"), summary(doc, "Written"))
		}
		var people int
		if err := f.db.Read().QueryRowContext(ctx, `SELECT count(*) FROM people WHERE email LIKE '%@youthtrust.example'`).Scan(&people); err != nil || people != 2 {
			t.Fatalf("%d people written (%v)", people, err)
		}

		again := f.post(t, "people", "import", "staff.csv", staff)
		if again == page {
			t.Fatal("the refused file has no page of its own")
		}
		_, doc = f.get(t, again)
		if got := problems(doc); len(got) != 1 || !strings.HasPrefix(got[0], "Whole file||") || !strings.Contains(got[0], "already imported") {
			t.Errorf("the same file again: %q", got)
		}

		_, doc = f.get(t, importpages.ListPath.Link(f.pid))
		var listed []string
		doc.Find(".app-table-scroll table tbody tr").Each(func(_ int, s *goquery.Selection) {
			listed = append(listed, s.Find("td a").AttrOr("href", ""))
		})
		if len(listed) != 4 || listed[0] != again || listed[1] != page {
			t.Errorf("the list, newest first: %q", listed)
		}

		// A run under way: started and not yet written.
		more := csvFile(t, []string{"organisation", "name", "email", "roles"},
			[]string{"Elmshire Youth Trust", "Cara Lind", "cara.lind@youthtrust.example", "provider"})
		r, write, err := f.imp.Begin(ctx, f.admin, f.pid, importer.People, "more.csv", more)
		if err != nil || write == nil {
			t.Fatalf("begin: %v %+v", err, r)
		}
		res, doc = f.get(t, importpages.ImportPath.Link(f.pid, r.ImportID))
		bar := doc.Find("progress")
		if bar.AttrOr("value", "") != "0" || bar.AttrOr("max", "") != "1" || !strings.Contains(doc.Text(), "0 of 1 rows written") {
			t.Errorf("progress %q of %q", bar.AttrOr("value", ""), bar.AttrOr("max", ""))
		}
		if res.Header().Get("Refresh") != "2" {
			t.Errorf("a running import's page does not refresh: %q", res.Header().Get("Refresh"))
		}
		if _, err := write(ctx, nil); err != nil {
			t.Fatal(err)
		}
		res, _ = f.get(t, importpages.ImportPath.Link(f.pid, r.ImportID))
		if res.Header().Get("Refresh") != "" {
			t.Error("a finished import's page still refreshes")
		}

		// A coordinator cannot read the import.
		if res := f.site.Serve(t, f.Roles[prevent.Coordinator], http.MethodGet, page, nil); res.Code != http.StatusNotFound {
			t.Errorf("a coordinator read the import: %d", res.Code)
		}
	})
}

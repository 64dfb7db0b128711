package statistics_test

import (
	"github.com/PuerkitoBio/goquery"
	"net/http"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/statistics"
)

// TestDashboardPage: the coordinator's dashboard for the year in progress draws a chart beside each table, says
// its figures are exact, and downloads a table as CSV; the analyst is told the year is not over and sees the last
// quarter that has ended under disclosure control; other roles get 404.
func TestDashboardPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	pid := f.w.PartnershipID
	code, doc, body := f.get(t, prevent.Coordinator, statistics.DashboardPath.Link(pid))
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	if h := doc.Find("h1").Text(); h != "Caseload, 2026/27" {
		t.Errorf("heading %q", h)
	}
	tables, charts := doc.Find("main table.govuk-table").Length(), doc.Find("figure.app-chart svg[role=img]").Length()
	if tables != 10 || charts != 10 {
		t.Errorf("%d tables and %d charts, want 10 of each", tables, charts)
	}
	// The coordinator keeps to one local authority area: its referrals only, named in the tables' titles.
	var areas []string
	doc.Find("select[name=area] option").Each(func(_ int, o *goquery.Selection) { areas = append(areas, o.Text()) })
	if strings.Join(areas, "|") != "The whole partnership|Fennick Vale|Marlowbridge" {
		t.Errorf("areas %q", areas)
	}
	whole := doc.Find("#table-pathway ~ .govuk-grid-row td").First().Text()
	_, adoc, _ := f.get(t, prevent.Coordinator, statistics.DashboardPath.Link(pid)+"?year=2026%2F27&quarter=0&area=marlowbridge")
	if h := adoc.Find("#table-months").Text(); !strings.Contains(h, "Marlowbridge") {
		t.Errorf("the area's months table is titled %q", h)
	}
	if part := adoc.Find("#table-pathway ~ .govuk-grid-row td").First().Text(); part == whole || part == "" {
		t.Errorf("Marlowbridge's referrals %q, the partnership's %q", part, whole)
	}
	if href := adoc.Find("a[href*='table=months']").AttrOr("href", ""); !strings.Contains(href, "area=marlowbridge") {
		t.Errorf("the area's CSV link %q", href)
	}
	if !strings.Contains(adoc.Find("a[href*='/statistics/interventions']").Last().AttrOr("href", ""), "year=2026%2F27") {
		t.Error("no link to the interventions monitoring of the period")
	}
	_, adoc, _ = f.get(t, prevent.Coordinator, statistics.DashboardPath.Link(pid)+"?year=2026%2F27&area=atlantis")
	if !strings.Contains(adoc.Find("#area-error").Text(), "Choose a local authority area") {
		t.Errorf("an unknown area: %q", adoc.Find(".govuk-error-summary").Text())
	}
	if !strings.Contains(doc.Find(".govuk-inset-text").Text(), "exact") {
		t.Error("the coordinator is not told the figures are exact")
	}
	if doc.Find("[aria-current=page]").Text() != "Caseload" {
		t.Error("the statistics navigation does not mark the caseload page")
	}
	csv := doc.Find("a[href*='table=months']").AttrOr("href", "")
	rec := f.site.Serve(t, f.w.Roles[prevent.Coordinator], http.MethodGet, csv, nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "Title,") || !strings.Contains(rec.Body.String(), "Exact") {
		t.Errorf("CSV: status %d: %.200s", rec.Code, rec.Body)
	}

	for format, ctype := range map[string]string{"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ods": "application/vnd.oasis.opendocument.spreadsheet"} {
		href := doc.Find("a[href*='format="+format+"']").AttrOr("href", "")
		rec := f.site.Serve(t, f.w.Roles[prevent.Coordinator], http.MethodGet, href, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ctype || !strings.HasPrefix(rec.Body.String(), "PK") ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), "prevent-caseload-") {
			t.Errorf("%s download %q: status %d, type %q", format, href, rec.Code, rec.Header().Get("Content-Type"))
		}
	}

	code, doc, _ = f.get(t, prevent.Analyst, statistics.DashboardPath.Link(pid))
	if code != http.StatusOK || !strings.Contains(doc.Find("#year-error").Text(), "not over yet") {
		t.Errorf("analyst, year in progress: status %d, error %q", code, doc.Find("#year-error").Text())
	}
	code, doc, body = f.get(t, prevent.Analyst, statistics.DashboardPath.Link(pid)+"?year=2026%2F27&quarter=1")
	if code != http.StatusOK || doc.Find("main table.govuk-table").Length() != 10 || doc.Find("select[name=area]").Length() != 0 {
		t.Fatalf("analyst, ended quarter: status %d: %.300s", code, body)
	}
	if !strings.Contains(doc.Find(".govuk-inset-text").Text(), "suppress-below-5") {
		t.Error("the analyst is not told the disclosure control")
	}
	for _, role := range []prevent.Role{prevent.Referrer, prevent.PanelMember, prevent.Administrator} {
		if code, _, _ := f.get(t, role, statistics.DashboardPath.Link(pid)); code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", role, code)
		}
	}
}

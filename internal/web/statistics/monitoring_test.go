package statistics_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/statistics"
)

// TestMonitoringPage: the interventions monitoring shows, by default, the last ended year: every table with the
// figures the returns service computes, a chart beside each but the count of people, the provenance, and a CSV
// download per table. A year in progress, or a period with too few people supported, is an error on the year;
// a quarter's withheld count is shown as [c]; roles without statistics get 404.
func TestMonitoringPage(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		pid := f.w.PartnershipID
		want, err := f.w.Returns.ComputeMonitoring(context.Background(), f.w.Roles[prevent.Analyst], returns.MonitoringRequest{PartnershipID: pid,
			Period: returns.Period{Year: 2025}, Policy: returns.SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		code, doc, body := f.get(t, prevent.Analyst, statistics.MonitoringPath.Link(pid))
		if code != http.StatusOK {
			t.Fatalf("status %d: %.300s", code, body)
		}
		if h := doc.Find("h1").Text(); h != "Interventions, 2025/26" {
			t.Errorf("heading %q, want the last ended year", h)
		}
		if doc.Find("[aria-current=page]").Text() != "Interventions" {
			t.Error("the statistics navigation does not mark the interventions page")
		}
		if n := doc.Find("main table.govuk-table").Length(); n != len(want.Tables) || n != 7 {
			t.Errorf("%d tables, want %d", n, len(want.Tables))
		}
		for _, tb := range want.Tables {
			rows := doc.Find("#table-" + tb.ID).NextAllFiltered(".app-table-scroll").First()
			for _, r := range tb.Rows {
				var cells []string
				for _, c := range r.Cells {
					cells = append(cells, c.Text)
				}
				found := false
				rows.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
					if strings.TrimSpace(tr.Find("th").Text()) != r.Label {
						return
					}
					var got []string
					tr.Find("td").Each(func(_ int, td *goquery.Selection) { got = append(got, strings.TrimSpace(td.Text())) })
					found = found || strings.Join(got, "|") == strings.Join(cells, "|")
				})
				if !found {
					t.Errorf("table %s: no row %q with %v", tb.ID, r.Label, cells)
				}
			}
		}
		// Every table has a chart but the one count of people: three comparing started and completed, then
		// sessions, exits and reviews.
		if n := doc.Find("figure.app-chart svg[role=img]").Length(); n != 6 {
			t.Errorf("%d charts, want 6", n)
		}
		if doc.Find("#chart-interventions-by-type").Length() == 0 || doc.Find("#table-people-supported + .govuk-grid-row figure").Length() != 0 {
			t.Error("the charts are not beside the tables they draw")
		}
		if people := doc.Find(".govuk-summary-list__row").First().Find("dd").Text(); strings.TrimSpace(people) != "19" {
			t.Errorf("people supported %q, want 19", people)
		}
		if !strings.Contains(body, want.Provenance.InputDigest) || !strings.Contains(body, "interventions-read version 1") {
			t.Error("the page does not show the provenance")
		}
		if !strings.Contains(doc.Find(".govuk-inset-text").Text(), "suppress-below-5") {
			t.Error("the page does not name the policy")
		}
		links := doc.Find("a[href*='/statistics/interventions/download'][href*='table=']")
		if links.Length() != len(want.Tables) {
			t.Errorf("%d CSV links, want %d", links.Length(), len(want.Tables))
		}
		for format, magic := range map[string]string{"xlsx": "PK", "ods": "PK"} {
			href := doc.Find("a[href*='/statistics/interventions/download'][href*='format="+format+"']").AttrOr("href", "")
			rec := f.site.Serve(t, f.w.Roles[prevent.Analyst], http.MethodGet, href, nil)
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), magic) || !strings.Contains(rec.Header().Get("Content-Disposition"), "prevent-interventions-") {
				t.Errorf("%s download %q: status %d", format, href, rec.Code)
			}
		}
		csv := doc.Find("a[href*='table=exit-outcomes']").AttrOr("href", "")
		rec := f.site.Serve(t, f.w.Roles[prevent.Analyst], http.MethodGet, csv, nil)
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), `Title,"Exits from Channel by outcome, 2025/26"`) ||
			!strings.Contains(rec.Body.String(), want.Provenance.InputDigest) || !strings.Contains(rec.Header().Get("Content-Disposition"), "2025-26-exit-outcomes.csv") {
			t.Errorf("CSV: status %d, %q: %.300s", rec.Code, rec.Header().Get("Content-Disposition"), rec.Body)
		}
		if rec := f.site.Serve(t, f.w.Roles[prevent.Analyst], http.MethodGet, strings.Replace(csv, "exit-outcomes", "nothing", 1), nil); rec.Code != http.StatusNotFound {
			t.Errorf("unknown table: status %d", rec.Code)
		}

		// A quarter under the same policy: its people supported are withheld.
		_, doc, _ = f.get(t, prevent.Coordinator, statistics.MonitoringPath.Link(pid)+"?year=2025%2F26&quarter=2&policy=suppress-below-5%3A1")
		if h := doc.Find("h1").Text(); !strings.HasPrefix(h, "Interventions, 2025/26 Q2") {
			t.Errorf("quarter heading %q", h)
		}
		if people := doc.Find(".govuk-summary-list__row").First().Find("dd").Text(); strings.TrimSpace(people) != "[c]" {
			t.Errorf("people supported in 2025/26 Q2 %q, want [c]", people)
		}
		for _, c := range []struct{ query, field, message string }{
			{"?year=2026%2F27", "year", "not over yet"},
			{"?year=2023%2F24", "year", "fewer than 5 people"},
			{"?year=2030%2F31", "year", "Choose a financial year"},
			{"?year=2025%2F26&quarter=7", "quarter", "whole year or one of its quarters"},
			{"?policy=round-to-5%3A1", "policy", "Choose a disclosure control policy"},
		} {
			code, doc, _ := f.get(t, prevent.Analyst, statistics.MonitoringPath.Link(pid)+c.query)
			if code != http.StatusOK || !strings.Contains(doc.Find("#"+c.field+"-error").Text(), c.message) || doc.Find("main table.govuk-table").Length() != 0 {
				t.Errorf("%s: status %d, error %q", c.query, code, doc.Find("#"+c.field+"-error").Text())
			}
		}
		for _, role := range []prevent.Role{prevent.Referrer, prevent.PanelMember, prevent.Administrator} {
			if code, _, _ := f.get(t, role, statistics.MonitoringPath.Link(pid)); code != http.StatusNotFound {
				t.Errorf("%s: status %d, want 404", role, code)
			}
		}
	})
}

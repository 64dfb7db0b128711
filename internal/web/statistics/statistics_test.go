package statistics_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	"github.com/preventplatform/prevent/internal/web/statistics"
)

var testNow = time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

type fixture struct {
	site *coretest.Site
	w    testworld.DemoWorld
}

func newFixture(t *testing.T, db *database.DB) fixture {
	t.Helper()
	now := func() time.Time { return testNow }
	w := testworld.LoadDemo(t, db, now)
	site := coretest.New(now)
	statistics.Register(site, statistics.Deps{Returns: w.Returns, Now: now})
	return fixture{site: site, w: w}
}

func (f fixture) get(t *testing.T, role prevent.Role, target string) (int, *goquery.Document, string) {
	t.Helper()
	p, ok := f.w.Roles[role]
	if !ok {
		t.Fatalf("the demo has no %s", role)
	}
	rec := f.site.Serve(t, p, http.MethodGet, target, nil)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return rec.Code, doc, rec.Body.String()
}

// TestReturnPageShowsTheReturn: the coordinator's statistics page shows the last ended year's return, each
// table with the figures the returns service computes, a chart beside each breakdown, and download links;
// nothing on it links to a case.
func TestReturnPageShowsTheReturn(t *testing.T) {
	t.Parallel()
	testworld.DemoEngines(t, clock, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		coord := f.w.Roles[prevent.Coordinator]
		want, err := f.w.Returns.Compute(context.Background(), coord, returns.Request{PartnershipID: f.w.PartnershipID,
			Year: 2025, Policy: returns.SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		code, doc, body := f.get(t, prevent.Coordinator, statistics.ReturnPath.Link(f.w.PartnershipID))
		if code != http.StatusOK {
			t.Fatalf("status %d: %s", code, body)
		}
		if h := doc.Find("h1").Text(); h != "Statistics for 2025/26" {
			t.Errorf("heading %q, want the last ended year", h)
		}
		if n := doc.Find("table.govuk-table").Length(); n != len(want.Tables) {
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
					found = strings.Join(got, "|") == strings.Join(cells, "|")
				})
				if !found {
					t.Errorf("table %s: no row %q with %v", tb.ID, r.Label, cells)
				}
			}
		}
		// One chart per breakdown (the cross-tabulation has none) and the pathway.
		if n := doc.Find("figure.app-chart svg[role=img]").Length(); n != len(want.Tables) {
			t.Errorf("%d charts, want %d", n, len(want.Tables))
		}
		total := want.Tables[0].Rows[len(want.Tables[0].Rows)-1].Cells[0].Text
		if got := doc.Find(".govuk-summary-list__row").First().Find("dd").Text(); strings.TrimSpace(got) != total {
			t.Errorf("headline referrals %q, want %q", got, total)
		}
		if !strings.Contains(body, want.Provenance.InputDigest) {
			t.Error("the page does not show the digest of the inputs")
		}
		var downloads []string
		doc.Find("a[href*='/statistics/return/download']").Each(func(_ int, a *goquery.Selection) {
			downloads = append(downloads, a.AttrOr("href", ""))
		})
		if len(downloads) != 3+len(want.Tables) {
			t.Errorf("%d download links, want %d", len(downloads), 3+len(want.Tables))
		}
		doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			if h := a.AttrOr("href", ""); strings.Contains(h, "/cases") || strings.Contains(h, "/referrals") {
				t.Errorf("the statistics page links to %s", h)
			}
		})
	})
}

// TestReturnPageAccess: the analyst sees the figures; roles that do not compute returns, and the coordinator
// for another partnership, are told the page does not exist.
func TestReturnPageAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, clock))
	path := statistics.ReturnPath.Link(f.w.PartnershipID)
	if code, _, body := f.get(t, prevent.Analyst, path); code != http.StatusOK {
		t.Errorf("analyst: status %d: %s", code, body)
	}
	for _, role := range []prevent.Role{prevent.Referrer, prevent.PanelMember, prevent.PoliceOfficer, prevent.Provider, prevent.Administrator} {
		if code, _, _ := f.get(t, role, path); code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", role, code)
		}
	}
	if code, _, _ := f.get(t, prevent.Coordinator, statistics.ReturnPath.Link(f.w.PartnershipID+1)); code != http.StatusNotFound {
		t.Errorf("another partnership: status %d, want 404", code)
	}
}

// TestReturnPageErrors: a year not ended, a year that is not one, a policy not for release and a year with too
// few referrals each give an error on the field to change, and no figures.
func TestReturnPageErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, clock))
	for _, c := range []struct {
		name, year, policy, field, want string
	}{
		{"not ended", "2026/27", "", "year", "has ended"},
		{"not a year", "next year", "", "year", "Choose a financial year"},
		{"policy kept within", "2025/26", "round-to-5:1", "policy", "Choose a disclosure control policy"},
		{"unknown policy", "2025/26", "none:1", "policy", "Choose a disclosure control policy"},
		{"too few referrals", "2012/13", "", "year", "2012/13"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := url.Values{"year": {c.year}}
			if c.policy != "" {
				q.Set("policy", c.policy)
			}
			code, doc, body := f.get(t, prevent.Coordinator, statistics.ReturnPath.Link(f.w.PartnershipID)+"?"+q.Encode())
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			msg := doc.Find("#" + c.field + "-error").Text()
			if !strings.Contains(msg, c.want) {
				t.Errorf("error on %s = %q, want it to contain %q", c.field, msg, c.want)
			}
			if doc.Find("table.govuk-table").Length() != 0 {
				t.Error("figures shown with an error")
			}
		})
	}
}

// TestDownloads: the return as XLSX and ODS workbooks, a table and the provenance as CSV; an unknown table or
// format is refused.
func TestDownloads(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, clock))
	link := func(q url.Values) string {
		q.Set("year", "2025/26")
		q.Set("policy", "suppress-below-5:1")
		return statistics.DownloadPath.Link(f.w.PartnershipID) + "?" + q.Encode()
	}
	coord := f.w.Roles[prevent.Coordinator]
	for _, c := range []struct {
		format, table, contentType, start string
	}{
		{"xlsx", "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
		{"ods", "", "application/vnd.oasis.opendocument.spreadsheet", "PK"},
		{"csv", "sector", "text/csv; charset=utf-8", "Title,"},
		{"csv", "provenance", "text/csv; charset=utf-8", "Partnership,"},
	} {
		rec := f.site.Serve(t, coord, http.MethodGet, link(url.Values{"format": {c.format}, "table": {c.table}}), nil)
		if rec.Code != http.StatusOK {
			t.Errorf("%s %s: status %d: %s", c.format, c.table, rec.Code, rec.Body)
			continue
		}
		if ct := rec.Header().Get("Content-Type"); ct != c.contentType {
			t.Errorf("%s: content type %q", c.format, ct)
		}
		if !strings.HasPrefix(rec.Body.String(), c.start) {
			t.Errorf("%s %s: starts %q", c.format, c.table, rec.Body.String()[:min(20, rec.Body.Len())])
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, fmt.Sprintf("prevent-return-%d-2025-26", f.w.PartnershipID)) {
			t.Errorf("%s: disposition %q", c.format, cd)
		}
		if c.format == "ods" {
			z, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
			if err != nil || len(z.File) == 0 || z.File[0].Name != "mimetype" {
				t.Errorf("ods: not an OpenDocument package: %v", err)
			}
		}
	}
	for _, q := range []url.Values{{"format": {"csv"}, "table": {"people"}}, {"format": {"pdf"}}} {
		if rec := f.site.Serve(t, coord, http.MethodGet, link(q), nil); rec.Code == http.StatusOK {
			t.Errorf("%v: status 200, want a refusal", q)
		}
	}
	if rec := f.site.Serve(t, f.w.Roles[prevent.Referrer], http.MethodGet, link(url.Values{"format": {"xlsx"}}), nil); rec.Code != http.StatusNotFound {
		t.Errorf("referrer download: status %d, want 404", rec.Code)
	}
}

// TestReturnPageShowsRates: with population figures set for the area, the return page shows the rates of
// referral by ethnicity as a table, without a chart; the return's other tables are unchanged.
func TestReturnPageShowsRates(t *testing.T) {
	t.Parallel()
	db := testworld.DemoDB(t, database.SQLite, clock)
	f := newFixture(t, db)
	for code, n := range map[string]int{"white": 400000, "asian": 60000, "black": 20000} {
		if _, err := db.Writer().ExecContext(context.Background(), `INSERT INTO equality_populations (partnership_id, characteristic, category, population)
			VALUES ($1, 'ethnicity', $2, $3)`, f.w.PartnershipID, code, n); err != nil {
			t.Fatal(err)
		}
	}
	code, doc, body := f.get(t, prevent.Coordinator, statistics.ReturnPath.Link(f.w.PartnershipID))
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	if doc.Find("#table-rates-ethnicity").Length() != 1 {
		t.Fatalf("no rates table: %q", doc.Find("h2").Text())
	}
	if doc.Find("#chart-rates-ethnicity").Length() != 0 {
		t.Error("the rates are drawn as a chart")
	}
}

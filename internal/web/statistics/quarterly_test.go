package statistics_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/statistics"
)

// TestQuarterlyReturnPages: a coordinator generates the return of an ended quarter (a quarter not chosen or not
// over is an error on the form), sees each project's outputs, impacts and spend with the quarter's casework,
// writes a project's achievements and issues (too long is an error with the text kept), and approves it, after
// which it is read-only. The analyst reads the list and the return but is offered no step and may take none.
func TestQuarterlyReturnPages(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		pid := f.w.PartnershipID
		coord, analyst := f.w.Roles[prevent.Coordinator], f.w.Roles[prevent.Analyst]
		list := statistics.QuarterliesPath.Link(pid)

		code, doc, body := f.get(t, prevent.Analyst, list)
		if code != http.StatusOK || doc.Find("select[name=period]").Length() != 0 || !strings.Contains(body, "No quarterly return") {
			t.Fatalf("analyst's list: status %d, generate form %d", code, doc.Find("select[name=period]").Length())
		}
		if doc.Find("[aria-current=page]").Text() != "Quarterly returns" {
			t.Error("the statistics navigation does not mark the quarterly returns")
		}
		_, doc, _ = f.get(t, prevent.Coordinator, list)
		opts := doc.Find("select[name=period] option")
		if opts.Eq(1).AttrOr("value", "") != "2026/27:2" || opts.Eq(2).AttrOr("value", "") != "2026/27:1" || opts.Eq(3).AttrOr("value", "") != "2025/26:4" ||
			doc.Find("select[name=period] option[value='2026/27:3']").Length() != 0 {
			t.Errorf("quarters offered %q; want the ended ones, latest first", opts.Text())
		}
		if rec := f.site.Serve(t, analyst, http.MethodPost, list, url.Values{"period": {"2026/27:1"}}); rec.Code != http.StatusNotFound {
			t.Errorf("analyst generates: status %d, want 404", rec.Code)
		}
		for _, c := range []struct{ period, message string }{
			{"", "Choose the quarter"},
			{"2026/27:3", "not over yet"},
		} {
			rec := f.site.Serve(t, coord, http.MethodPost, list, url.Values{"period": {c.period}})
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), c.message) || !strings.Contains(rec.Body.String(), `id="period-error"`) {
				t.Errorf("generate %q: status %d: no error %q", c.period, rec.Code, c.message)
			}
		}
		rec := f.site.Serve(t, coord, http.MethodPost, list, url.Values{"period": {"2026/27:1"}})
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, list+"/") {
			t.Fatalf("generate: status %d, location %q: %.300s", rec.Code, loc, rec.Body)
		}

		code, doc, body = f.get(t, prevent.Coordinator, loc)
		if code != http.StatusOK || doc.Find("h1").Text() != "Quarterly return for 2026/27 Q1 (April to June)" {
			t.Fatalf("return: status %d, heading %q", code, doc.Find("h1").Text())
		}
		if n := doc.Find("section h2[id^=project-]").Length(); n != 12 {
			t.Errorf("%d projects, want the 12 running in the quarter", n)
		}
		if !strings.Contains(body, "Brightwater Mentoring") || !strings.Contains(body, "£2,362.00") || !strings.Contains(body, "£9,000.00") {
			t.Error("the return does not show a project's allocation and spend")
		}
		total := doc.Find("#table-expenditure").Next().Find("tbody tr").Last()
		if strings.TrimSpace(total.Find("th").Text()) != "Total" || strings.TrimSpace(total.Find("td").Eq(1).Text()) == "£0.00" {
			t.Errorf("expenditure total row %q", total.Text())
		}
		if got := strings.TrimSpace(doc.Find("h2:contains('Casework')").NextAllFiltered(".govuk-summary-list").First().Find("dd").First().Text()); got != "48" {
			t.Errorf("referrals in the quarter %q, want 48", got)
		}
		if doc.Find("button:contains('Approve the return')").Length() != 1 || doc.Find("a[href*='/text?project=']").Length() != 12 {
			t.Error("the coordinator is not offered the approval and the text of each project")
		}
		csv := doc.Find("a[href*='format=csv&table=projects']").AttrOr("href", "")
		if rec := f.site.Serve(t, analyst, http.MethodGet, csv, nil); rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "Title,") ||
			!strings.Contains(rec.Body.String(), "Brightwater Mentoring") || !strings.Contains(rec.Header().Get("Content-Disposition"), "-projects.csv") {
			t.Errorf("projects CSV %q: status %d: %.200s", csv, rec.Code, rec.Body)
		}
		if n := doc.Find("a[href*='format=csv&table=']").Length(); n != 4 {
			t.Errorf("%d CSV links, want one for each of the 4 tables", n)
		}
		for _, format := range []string{"xlsx", "ods"} {
			href := doc.Find("a[href*='/download?format="+format+"']").AttrOr("href", "")
			rec := f.site.Serve(t, analyst, http.MethodGet, href, nil)
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "PK") || !strings.Contains(rec.Header().Get("Content-Disposition"), "prevent-quarterly-return-") {
				t.Errorf("%s download %q: status %d", format, href, rec.Code)
			}
		}
		_, adoc, _ := f.get(t, prevent.Analyst, loc)
		if adoc.Find("h1").Length() != 1 || adoc.Find("button").Length() != 0 || adoc.Find("a[href*='/text?project=']").Length() != 0 {
			t.Error("the analyst is offered a step they may not take")
		}

		// Writing a project's text.
		textLink := doc.Find("a[href*='/text?project=']").First().AttrOr("href", "")
		code, doc, _ = f.get(t, prevent.Coordinator, textLink)
		if code != http.StatusOK || doc.Find("textarea[name=achievements]").Length() != 1 || doc.Find("textarea[name=issues]").Length() != 1 {
			t.Fatalf("text form: status %d", code)
		}
		project := doc.Find("input[name=project]").AttrOr("value", "")
		action := doc.Find("main form").AttrOr("action", "")
		if code, _, _ := f.get(t, prevent.Analyst, textLink); code != http.StatusNotFound {
			t.Errorf("analyst's text form: status %d", code)
		}
		long := strings.Repeat("a", 10001)
		rec = f.site.Serve(t, coord, http.MethodPost, action, url.Values{"project": {project}, "achievements": {long}, "issues": {"Kept issue"}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "10,000 characters or fewer") || !strings.Contains(rec.Body.String(), "Kept issue") ||
			!strings.Contains(rec.Body.String(), long) {
			t.Errorf("too long: status %d, error or text not kept", rec.Code)
		}
		if rec := f.site.Serve(t, analyst, http.MethodPost, action, url.Values{"project": {project}, "achievements": {"x"}}); rec.Code != http.StatusNotFound {
			t.Errorf("analyst writes: status %d", rec.Code)
		}
		if rec := f.site.Serve(t, coord, http.MethodPost, action, url.Values{"project": {"999999"}, "achievements": {"x"}}); rec.Code != http.StatusNotFound {
			t.Errorf("a project not in the return: status %d", rec.Code)
		}
		rec = f.site.Serve(t, coord, http.MethodPost, action, url.Values{"project": {project}, "achievements": {"Forty assemblies delivered"}, "issues": {"One school withdrew"}})
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "#project-"+project) {
			t.Fatalf("save: status %d: %.300s", rec.Code, rec.Body)
		}
		_, doc, _ = f.get(t, prevent.Analyst, loc)
		if sec := doc.Find("section:has(#project-" + project + ")").Text(); !strings.Contains(sec, "Forty assemblies delivered") || !strings.Contains(sec, "One school withdrew") {
			t.Error("the text written is not on the return")
		}

		// Generating again keeps the text; approving makes the return read-only.
		if rec := f.site.Serve(t, coord, http.MethodPost, list, url.Values{"period": {"2026/27:1"}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != loc {
			t.Errorf("generate again: status %d, location %q", rec.Code, rec.Header().Get("Location"))
		}
		if _, _, body := f.get(t, prevent.Coordinator, loc); !strings.Contains(body, "Forty assemblies delivered") {
			t.Error("generating again lost the text")
		}
		approve := loc + "/approve"
		if rec := f.site.Serve(t, analyst, http.MethodPost, approve, url.Values{}); rec.Code != http.StatusNotFound {
			t.Errorf("analyst approves: status %d", rec.Code)
		}
		if rec := f.site.Serve(t, coord, http.MethodPost, approve, url.Values{}); rec.Code != http.StatusSeeOther {
			t.Fatalf("approve: status %d: %.300s", rec.Code, rec.Body)
		}
		_, doc, _ = f.get(t, prevent.Coordinator, loc)
		if doc.Find(".govuk-tag:contains('Approved')").Length() == 0 || doc.Find("main button").Length() != 0 || doc.Find("a[href*='/text?project=']").Length() != 0 {
			t.Error("the approved return still offers changes")
		}
		if !strings.Contains(doc.Find(".govuk-summary-list").First().Text(), "You,") {
			t.Error("the approval is not shown with who approved it")
		}
		rec = f.site.Serve(t, coord, http.MethodPost, approve, url.Values{})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "already approved") {
			t.Errorf("approve again: status %d", rec.Code)
		}
		rec = f.site.Serve(t, coord, http.MethodPost, list, url.Values{"period": {"2026/27:1"}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "approved and cannot be changed") {
			t.Errorf("generate an approved return: status %d", rec.Code)
		}
		rec = f.site.Serve(t, coord, http.MethodPost, action, url.Values{"project": {project}, "achievements": {"Changed"}})
		if rec.Code != http.StatusNotFound && !strings.Contains(rec.Body.String(), "approved and cannot be changed") {
			t.Errorf("write to an approved return: status %d", rec.Code)
		}
		_, doc, _ = f.get(t, prevent.Analyst, list)
		row := doc.Find("main table tbody tr").First()
		if !strings.Contains(row.Text(), "2026/27 Q1") || !strings.Contains(row.Text(), "Approved") || row.Find("a").AttrOr("href", "") != loc {
			t.Errorf("list row %q", row.Text())
		}
		for _, role := range []prevent.Role{prevent.Referrer, prevent.PanelMember, prevent.Administrator} {
			if code, _, _ := f.get(t, role, loc); code != http.StatusNotFound {
				t.Errorf("%s reads the return: status %d, want 404", role, code)
			}
		}
	})
}

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

// TestPopulationFiguresPage: an analyst sets the area's population by ethnicity with its source; a figure that
// is not a number, or figures for some groups only, are errors on those fields with the input kept; a referrer
// gets "not found".
func TestPopulationFiguresPage(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		pid := f.w.PartnershipID
		analyst := f.w.Roles[prevent.Analyst]
		code, doc, _ := f.get(t, prevent.Analyst, statistics.PopulationsPath.Link(pid))
		if code != http.StatusOK || doc.Find("form").Length() != 2 || doc.Find("input[name=ethnicity-white]").Length() != 1 ||
			doc.Find("input[name=mental-health-recorded-yes]").Length() != 1 || doc.Find("input[name=ethnicity-not_known]").Length() != 0 {
			t.Fatalf("page: status %d, %d forms", code, doc.Find("form").Length())
		}
		post := func(v url.Values) (int, string) {
			rec := f.site.Serve(t, analyst, http.MethodPost, statistics.PopulationsPath.Link(pid)+"/ethnicity", v)
			return rec.Code, rec.Body.String()
		}
		// Not a number, and groups left out: errors on those fields, the input kept.
		status, body := post(url.Values{"ethnicity-white": {"lots"}, "ethnicity-asian": {"20,000"}, "ethnicity-source": {"Census 2021"}})
		if status != http.StatusOK || !strings.Contains(body, "Enter the population for White as a whole number") ||
			!strings.Contains(body, `value="lots"`) || !strings.Contains(body, `href="#ethnicity-white"`) {
			t.Errorf("not a number: status %d", status)
		}
		status, body = post(url.Values{"ethnicity-white": {"100000"}, "ethnicity-source": {"Census 2021"}})
		if !strings.Contains(body, `href="#ethnicity-black"`) || !strings.Contains(body, `value="100000"`) {
			t.Errorf("some groups only: status %d", status)
		}
		// All set: saved, shown again with its source.
		status, body = post(url.Values{"ethnicity-white": {"100,000"}, "ethnicity-asian": {"20000"}, "ethnicity-black": {"5000"},
			"ethnicity-mixed": {"4000"}, "ethnicity-other": {"1000"}, "ethnicity-source": {"ONS Census 2021, TS021, Elmshire"}})
		if status != http.StatusSeeOther {
			t.Fatalf("save: status %d: %s", status, body)
		}
		_, doc, _ = f.get(t, prevent.Analyst, statistics.PopulationsPath.Link(pid))
		if v, _ := doc.Find("input[name=ethnicity-white]").Attr("value"); v != "100000" {
			t.Errorf("white after saving: %q", v)
		}
		if v, _ := doc.Find("input[name=ethnicity-source]").Attr("value"); v != "ONS Census 2021, TS021, Elmshire" {
			t.Errorf("source after saving: %q", v)
		}
		// An unknown characteristic is not a page; a referrer may not see or set figures.
		if rec := f.site.Serve(t, analyst, http.MethodPost, statistics.PopulationsPath.Link(pid)+"/religion", url.Values{}); rec.Code != http.StatusNotFound {
			t.Errorf("unknown characteristic: %d", rec.Code)
		}
		if code, _, _ := f.get(t, prevent.Referrer, statistics.PopulationsPath.Link(pid)); code != http.StatusNotFound {
			t.Errorf("referrer: %d", code)
		}
	})
}

package programme_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/xuri/excelize/v2"
)

// TestPlanApprovalRefusedUntilComplete starts a plan, sees approval refused with the sections missing, completes
// a section (kept on the plan) and checks the CSV export carries the text.
func TestPlanApprovalRefusedUntilComplete(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	w := serve(t, f, f.coord, "POST", f.path("plans", "new"), url.Values{"year": {"2027"}, "title": {"Plan for 2027"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create plan = %d %s", w.Code, w.Body.String())
	}
	planPath := w.Header().Get("Location")
	id := planPath[strings.LastIndex(planPath, "/")+1:]
	w = serve(t, f, f.coord, "POST", f.path("plans", id, "status"), url.Values{"to": {"approved"}})
	if s := parse(t, w).Find(".govuk-error-summary").Text(); !strings.Contains(s, "Complete every section") {
		t.Errorf("approval of an empty plan: %d %q", w.Code, s)
	}
	w = serve(t, f, f.coord, "POST", f.path("plans", id, "sections", "aims"), url.Values{"body": {"=Our aims, with a comma"}, "completed": {"yes"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save section = %d", w.Code)
	}
	if w := serve(t, f, f.coord, "GET", f.path("plans", id, "sections", "no-such-section"), nil); w.Code != 404 {
		t.Errorf("unknown section = %d", w.Code)
	}
	csvBody := serve(t, f, f.coord, "GET", f.path("plans", id, "plan.csv"), nil).Body.String()
	if !strings.Contains(csvBody, `"'=Our aims, with a comma"`) {
		t.Errorf("CSV does not carry the section text, neutralised against formulas:\n%s", csvBody)
	}
	x, err := excelize.OpenReader(strings.NewReader(serve(t, f, f.coord, "GET", f.path("plans", id, "plan.xlsx"), nil).Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("Delivery plan")
	if err != nil || len(rows) != 11 || rows[2][3] != "=Our aims, with a comma" {
		t.Errorf("plan sheet rows = %d %v", len(rows), err)
	}
}

// TestPlanStatusRefusals shows the service's refusals on the plan's page: an active plan cannot return to
// draft, and a reader without the approve action does not see the status buttons.
func TestPlanStatusRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	var plan prevent.ID
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT min(id) FROM delivery_plans`).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	w := serve(t, f, f.coord, "POST", f.path("plans", plan, "status"), url.Values{"to": {"draft"}})
	if s := parse(t, w).Find(".govuk-error-summary").Text(); w.Code != 200 || !strings.Contains(s, "An active plan cannot return to draft") {
		t.Errorf("withdrawing an active plan: %d %q", w.Code, s)
	}
	doc := parse(t, serve(t, f, f.coord, "GET", f.path("plans", plan), nil))
	if b := doc.Find("form[action$='/status'] button").Text(); !strings.Contains(b, "Close the plan") {
		t.Errorf("status actions of an active plan = %q", b)
	}
	doc = parse(t, serve(t, f, f.analyst, "GET", f.path("plans", plan), nil))
	if doc.Find("form[action$='/status']").Length() != 0 || doc.Find(".govuk-task-list a").Length() != 0 {
		t.Error("the analyst is offered status changes or section links")
	}
	if w := serve(t, f, f.analyst, "POST", f.path("plans", plan, "status"), url.Values{"to": {"closed"}}); w.Code != http.StatusNotFound {
		t.Errorf("analyst closing the plan = %d, want 404", w.Code)
	}
}

package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/xuri/excelize/v2"
)

// programmeFixture is the demo partnership with its programme of action, served by a web Server.
type programmeFixture struct {
	s       *Server
	db      *database.DB
	pid     prevent.ID
	coord   prevent.Principal
	lapsed  prevent.Principal // a panel member whose vetting has lapsed: OFFICIAL only
	analyst prevent.Principal
}

func newProgrammeFixture(t *testing.T, db *database.DB) programmeFixture {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC) }
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	as := auth.New(auth.Deps{DB: db, Now: now})
	accounts, _, err := demo.Load(ctx, demo.Deps{DB: db, Auth: as, Partnership: ps, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	f := programmeFixture{s: New(testDeps(db, as, ps, now)), db: db}
	load := func(email string) prevent.Principal {
		var id prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, email).Scan(&id); err != nil {
			t.Fatal(err)
		}
		p, err := auth.LoadPrincipal(ctx, db.Read(), id, now())
		if err != nil {
			t.Fatal(err)
		}
		p.MFA = true
		return p
	}
	for _, a := range accounts {
		switch {
		case a.Role == string(prevent.Coordinator):
			f.coord = load(a.Email)
		case a.Role == string(prevent.Analyst):
			f.analyst = load(a.Email)
		case a.Organisation == "Elmshire Youth Justice Service":
			f.lapsed = load(a.Email)
		}
	}
	f.pid = f.coord.Memberships[0].PartnershipID
	return f
}

func (f programmeFixture) path(rest ...any) string { return progPath(f.pid, rest...) }

func TestProgrammeLibraryMarkingWithoutClearance(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newProgrammeFixture(t, db)
		var sensitive, official prevent.ID
		if err := db.Read().QueryRowContext(context.Background(), `SELECT
			(SELECT min(id) FROM library_documents WHERE marking = $1), (SELECT min(id) FROM library_documents WHERE marking = $2)`,
			int(prevent.OfficialSensitive), int(prevent.Official)).Scan(&sensitive, &official); err != nil {
			t.Fatal(err)
		}
		// The coordinator (BPSS) sees the document, marked at the top and bottom, and downloads it marked.
		w := serve(t, f.s, f.coord, "GET", f.path("library", sensitive), nil)
		if w.Code != 200 || parse(t, w).Find(".app-marking").Length() != 2 {
			t.Fatalf("coordinator: %d, marking strips %d", w.Code, parse(t, w).Find(".app-marking").Length())
		}
		w = serve(t, f.s, f.coord, "GET", f.path("library", sensitive, "download"), nil)
		if w.Code != 200 || w.Header().Get("X-Protective-Marking") != "OFFICIAL-SENSITIVE" {
			t.Errorf("coordinator download: %d %q", w.Code, w.Header().Get("X-Protective-Marking"))
		}
		// The member whose vetting lapsed: not listed, and not found by page or download.
		w = serve(t, f.s, f.lapsed, "GET", f.path("library"), nil)
		if w.Code != 200 || strings.Contains(w.Body.String(), "local profile") || !strings.Contains(w.Body.String(), "guide for partners") {
			t.Errorf("library list for a member without clearance: %d", w.Code)
		}
		for _, p := range []string{f.path("library", sensitive), f.path("library", sensitive, "download")} {
			if w := serve(t, f.s, f.lapsed, "GET", p, nil); w.Code != http.StatusNotFound {
				t.Errorf("GET %s without clearance = %d, want 404", p, w.Code)
			}
		}
		if w := serve(t, f.s, f.lapsed, "GET", f.path("library", official), nil); w.Code != 200 {
			t.Errorf("OFFICIAL document for the same member = %d, want 200", w.Code)
		}
	})
}

// TestFundingExportsMatchPage opens the XLSX export with excelize and reads the CSV export, and checks
// every figure against the funding page's budget tables.
func TestFundingExportsMatchPage(t *testing.T) {
	f := newProgrammeFixture(t, dbtest.NewSQLite(t))
	for _, fw := range []programme.Framework{programme.Contest2023, programme.Prevent2009} {
		page := parse(t, serve(t, f.s, f.coord, "GET", f.path("funding")+"?framework="+string(fw), nil))
		tables := map[string][][]string{}
		page.Find("table").Each(func(_ int, tb *goquery.Selection) {
			name := strings.TrimSpace(tb.Find("caption").Text())
			tb.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
				var row []string
				tr.Find("th, td").Each(func(_ int, c *goquery.Selection) { row = append(row, strings.TrimSpace(c.Text())) })
				tables[name] = append(tables[name], row)
			})
		})
		w := serve(t, f.s, f.coord, "GET", f.path("funding", "report.xlsx")+"?framework="+string(fw), nil)
		if w.Code != 200 {
			t.Fatalf("xlsx: %d", w.Code)
		}
		x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("excelize cannot open the export: %v", err)
		}
		sheets := x.GetSheetList()
		if len(sheets) != 3 {
			t.Fatalf("sheets = %v", sheets)
		}
		checked := 0
		for _, name := range sheets {
			want := tables[name]
			if len(want) < 2 {
				t.Fatalf("the page has no table %q (tables: %d)", name, len(tables))
			}
			for i, row := range want {
				for j, cellText := range row {
					ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
					raw, err := x.GetCellValue(name, ref, excelize.Options{RawCellValue: true})
					if err != nil {
						t.Fatal(err)
					}
					if j == 0 {
						if raw != cellText {
							t.Errorf("%s %s = %q, page %q", name, ref, raw, cellText)
						}
						continue
					}
					v, err := strconv.ParseFloat(raw, 64)
					if err != nil {
						t.Fatalf("%s %s = %q is not a number", name, ref, raw)
					}
					if got := programme.Pence(int64(v*100 + 0.5*sign(v))).String(); got != cellText {
						t.Errorf("%s %s = %s in the spreadsheet, %s on the page", name, ref, got, cellText)
					}
					checked++
				}
			}
		}
		if checked < 12 {
			t.Errorf("only %d figures compared", checked)
		}
		_ = x.Close()
		csvw := serve(t, f.s, f.coord, "GET", f.path("funding", "report.csv")+"?framework="+string(fw), nil)
		total := tables["By stream"][len(tables["By stream"])-1]
		if !strings.Contains(csvw.Body.String(), "Total,"+strings.NewReplacer("£", "", ",", "").Replace(total[1])) {
			t.Errorf("CSV lacks the page's total %v:\n%s", total, csvw.Body.String())
		}
	}
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// TestAllocationRefusedWhenReviewOverdue posts an allocation to the project whose lead organisation's review
// is overdue: the page refuses it with the domain's reason and keeps what was typed.
func TestAllocationRefusedWhenReviewOverdue(t *testing.T) {
	f := newProgrammeFixture(t, dbtest.NewSQLite(t))
	ctx := context.Background()
	var project, stream prevent.ID
	if err := f.db.Read().QueryRowContext(ctx, `SELECT p.id FROM projects p JOIN organisations o ON o.id = p.lead_org_id
		WHERE o.name = 'Elmshire Interfaith Forum'`).Scan(&project); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Read().QueryRowContext(ctx, `SELECT min(id) FROM funding_streams`).Scan(&stream); err != nil {
		t.Fatal(err)
	}
	w := serve(t, f.s, f.coord, "POST", f.path("funding", "allocations", "new"),
		url.Values{"stream": {fmt.Sprint(stream)}, "project": {fmt.Sprint(project)}, "amount": {"750"}})
	doc := parse(t, w)
	if w.Code != 200 || !strings.Contains(doc.Find(".govuk-error-summary").Text(), "overdue") {
		t.Fatalf("refusal: %d, summary %q", w.Code, doc.Find(".govuk-error-summary").Text())
	}
	if !strings.Contains(doc.Find(".govuk-warning-text").Text(), "Elmshire Interfaith Forum") {
		t.Errorf("warning = %q", doc.Find(".govuk-warning-text").Text())
	}
	if v, _ := doc.Find("#amount").Attr("value"); v != "750" {
		t.Errorf("amount kept = %q", v)
	}
	// The funding page flags the organisation.
	if body := serve(t, f.s, f.coord, "GET", f.path("funding"), nil).Body.String(); !strings.Contains(body, "is overdue") {
		t.Error("the funding page does not flag the overdue review")
	}
}

// TestProgrammePagesRender shows every programme page to the coordinator and the analyst, and checks the
// public questions and answers page for someone not signed in.
func TestProgrammePagesRender(t *testing.T) {
	f := newProgrammeFixture(t, dbtest.NewSQLite(t))
	ctx := context.Background()
	first := func(q string) prevent.ID {
		var id prevent.ID
		if err := f.db.Read().QueryRowContext(ctx, q).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	plan, project := first(`SELECT min(id) FROM delivery_plans`), first(`SELECT min(id) FROM projects`)
	course, org := first(`SELECT min(id) FROM training_courses`), first(`SELECT min(organisation_id) FROM due_diligence_reviews`)
	pages := []string{"", "plans", "plans/new", fmt.Sprintf("plans/%d", plan), fmt.Sprintf("plans/%d/versions", plan),
		fmt.Sprintf("plans/%d/compare?a=1&b=2", plan), fmt.Sprintf("plans/%d/print", plan), "projects", "projects/new",
		fmt.Sprintf("projects/%d", project), fmt.Sprintf("projects/%d/edit", project), fmt.Sprintf("projects/%d/impacts/new", project),
		fmt.Sprintf("projects/%d/evaluation", project), "lessons", "lessons/new", "governance", "governance/meetings/new", "governance/actions/new",
		"briefing", "funding", "funding/streams/new", "funding/allocations/new", "funding/spend/new", "funding/commissioning/new",
		"due-diligence", fmt.Sprintf("due-diligence/organisations/%d", org), fmt.Sprintf("due-diligence/organisations/%d/review", org),
		"training", "training/courses/new", fmt.Sprintf("training/courses/%d", course), "library", "library/new", "questions-and-answers",
		"questions-and-answers/new"}
	for _, p := range pages {
		w := serve(t, f.s, f.coord, "GET", strings.TrimSuffix(f.path()+"/"+p, "/"), nil)
		if w.Code != 200 || parse(t, w).Find("main h1").Length() != 1 {
			t.Errorf("GET %s = %d", p, w.Code)
		}
	}
	// The due-diligence pages say the criteria apply equally; no criterion names a faith.
	body := serve(t, f.s, f.coord, "GET", f.path("due-diligence"), nil).Body.String()
	if !strings.Contains(body, "whatever its faith or ethnicity") {
		t.Error("the due-diligence page does not say the criteria apply equally")
	}
	for _, it := range programme.DueDiligenceItems {
		for _, faith := range []string{"Muslim", "Islam", "Christian", "Jewish", "Sikh", "Hindu"} {
			if strings.Contains(it.Text, faith) {
				t.Errorf("criterion %q names a faith", it.Key)
			}
		}
	}
	// The analyst reads funding but not due diligence or governance.
	if w := serve(t, f.s, f.analyst, "GET", f.path("funding"), nil); w.Code != 200 {
		t.Errorf("analyst funding = %d", w.Code)
	}
	for _, p := range []string{"governance", "due-diligence", "funding/allocations/new"} {
		if w := serve(t, f.s, f.analyst, "GET", f.path(p), nil); w.Code != 404 {
			t.Errorf("analyst %s = %d, want 404", p, w.Code)
		}
	}
	if w := serve(t, f.s, prevent.Principal{}, "GET", "/questions-and-answers", nil); w.Code != 200 || parse(t, w).Find("main h3").Length() == 0 {
		t.Errorf("public questions and answers = %d", w.Code)
	}
}

// TestPlanApprovalRefusedUntilComplete starts a plan, sees approval refused with the sections missing, completes
// a section (kept on the plan) and checks the CSV export carries the text.
func TestPlanApprovalRefusedUntilComplete(t *testing.T) {
	f := newProgrammeFixture(t, dbtest.NewSQLite(t))
	w := serve(t, f.s, f.coord, "POST", f.path("plans", "new"), url.Values{"year": {"2027"}, "title": {"Plan for 2027"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create plan = %d %s", w.Code, w.Body.String())
	}
	planPath := w.Header().Get("Location")
	id := planPath[strings.LastIndex(planPath, "/")+1:]
	w = serve(t, f.s, f.coord, "POST", f.path("plans", id, "status"), url.Values{"to": {"approved"}})
	if s := parse(t, w).Find(".govuk-error-summary").Text(); !strings.Contains(s, "Complete every section") {
		t.Errorf("approval of an empty plan: %d %q", w.Code, s)
	}
	w = serve(t, f.s, f.coord, "POST", f.path("plans", id, "sections", "aims"), url.Values{"body": {"=Our aims, with a comma"}, "completed": {"yes"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save section = %d", w.Code)
	}
	if w := serve(t, f.s, f.coord, "GET", f.path("plans", id, "sections", "no-such-section"), nil); w.Code != 404 {
		t.Errorf("unknown section = %d", w.Code)
	}
	csvBody := serve(t, f.s, f.coord, "GET", f.path("plans", id, "plan.csv"), nil).Body.String()
	if !strings.Contains(csvBody, `"'=Our aims, with a comma"`) {
		t.Errorf("CSV does not carry the section text, neutralised against formulas:\n%s", csvBody)
	}
	x, err := excelize.OpenReader(strings.NewReader(serve(t, f.s, f.coord, "GET", f.path("plans", id, "plan.xlsx"), nil).Body.String()))
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
	f := newProgrammeFixture(t, dbtest.NewSQLite(t))
	var plan prevent.ID
	if err := f.db.Read().QueryRowContext(context.Background(), `SELECT min(id) FROM delivery_plans`).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	w := serve(t, f.s, f.coord, "POST", f.path("plans", plan, "status"), url.Values{"to": {"draft"}})
	if s := parse(t, w).Find(".govuk-error-summary").Text(); w.Code != 200 || !strings.Contains(s, "An active plan cannot return to draft") {
		t.Errorf("withdrawing an active plan: %d %q", w.Code, s)
	}
	doc := parse(t, serve(t, f.s, f.coord, "GET", f.path("plans", plan), nil))
	if b := doc.Find("form[action$='/status'] button").Text(); !strings.Contains(b, "Close the plan") {
		t.Errorf("status actions of an active plan = %q", b)
	}
	doc = parse(t, serve(t, f.s, f.analyst, "GET", f.path("plans", plan), nil))
	if doc.Find("form[action$='/status']").Length() != 0 || doc.Find(".govuk-task-list a").Length() != 0 {
		t.Error("the analyst is offered status changes or section links")
	}
	if w := serve(t, f.s, f.analyst, "POST", f.path("plans", plan, "status"), url.Values{"to": {"closed"}}); w.Code != http.StatusNotFound {
		t.Errorf("analyst closing the plan = %d, want 404", w.Code)
	}
}

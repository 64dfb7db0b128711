package programme_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	pages "github.com/preventplatform/prevent/internal/web/programme"
)

// fixture is the demo partnership with its programme of action, its pages served on their own.
type fixture struct {
	site    *coretest.Site
	db      *database.DB
	pid     prevent.ID
	coord   prevent.Principal
	lapsed  prevent.Principal // a panel member whose vetting has lapsed: OFFICIAL only
	analyst prevent.Principal
}

// programmeClock is the clock of the programme pages' tests.
func programmeClock() time.Time { return time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC) }

func newFixture(t *testing.T, db *database.DB) fixture {
	t.Helper()
	ctx := context.Background()
	now := programmeClock
	w := testworld.LoadDemo(t, db, now)
	site := coretest.New(now)
	pages.Register(site, pages.Deps{Programme: w.Programme, Partnership: partnership.New(partnership.Deps{DB: db, Now: now}), Now: now})
	f := fixture{site: site, db: db}
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
	for _, a := range w.Accounts {
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

// path is an address under the partnership's programme pages, written out so that the tests hold the pages to
// the addresses they have always had.
func (f fixture) path(rest ...any) string {
	out := fmt.Sprintf("/partnerships/%d/programme", f.pid)
	for _, x := range rest {
		out += fmt.Sprintf("/%v", x)
	}
	return out
}

// serve makes a request as p: a GET, or a POST of form when form is not nil.
func serve(t *testing.T, f fixture, p prevent.Principal, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if method == http.MethodPost && form == nil {
		form = url.Values{}
	}
	return f.site.Serve(t, p, method, target, form)
}

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestProgrammePagesRender shows every programme page to the coordinator and the analyst, and checks the
// public questions and answers page for someone not signed in.
func TestProgrammePagesRender(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testworld.DemoDB(t, database.SQLite, programmeClock))
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
		w := serve(t, f, f.coord, "GET", strings.TrimSuffix(f.path()+"/"+p, "/"), nil)
		if w.Code != 200 || parse(t, w).Find("main h1").Length() != 1 {
			t.Errorf("GET %s = %d", p, w.Code)
		}
	}
	// The due-diligence pages say the criteria apply equally; no criterion names a faith.
	body := serve(t, f, f.coord, "GET", f.path("due-diligence"), nil).Body.String()
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
	if w := serve(t, f, f.analyst, "GET", f.path("funding"), nil); w.Code != 200 {
		t.Errorf("analyst funding = %d", w.Code)
	}
	for _, p := range []string{"governance", "due-diligence", "funding/allocations/new"} {
		if w := serve(t, f, f.analyst, "GET", f.path(p), nil); w.Code != 404 {
			t.Errorf("analyst %s = %d, want 404", p, w.Code)
		}
	}
	if w := serve(t, f, prevent.Principal{}, "GET", "/questions-and-answers", nil); w.Code != 200 || parse(t, w).Find("main h3").Length() == 0 {
		t.Errorf("public questions and answers = %d", w.Code)
	}
}

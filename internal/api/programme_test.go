package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
)

// TestProgrammeAPI reads the demo programme through the API: plans, projects, the funding report, the
// due-diligence standings; a refused allocation is a 409 problem naming the reason; and an OFFICIAL-SENSITIVE
// library document is not found, in the list, its details and its content, for a member whose vetting lapsed.
func TestProgrammeAPI(t *testing.T) {
	t.Parallel()
	now := func() time.Time { return time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC) }
	testworld.DemoEngines(t, now, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		ps := partnership.New(partnership.Deps{DB: db, Now: now})
		as := auth.New(auth.Deps{DB: db, Now: now})
		accounts := testworld.LoadDemo(t, db, now).Accounts
		mux := http.NewServeMux()
		api.New(testDeps(db, as, ps, now)).Register(mux)
		token := func(email string) string {
			var id prevent.ID
			if err := db.Read().QueryRowContext(ctx, `SELECT id FROM people WHERE email = $1`, email).Scan(&id); err != nil {
				t.Fatal(err)
			}
			tok, _, err := as.CreateToken(ctx, id, "test", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		var coord, lapsed string
		for _, a := range accounts {
			switch {
			case a.Role == string(prevent.Coordinator):
				coord = token(a.Email)
			case a.Organisation == "Elmshire Youth Justice Service":
				lapsed = token(a.Email)
			}
		}
		var pid prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT id FROM partnerships`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/partnerships/" + itoaID(pid) + "/programme"
		do := func(method, path, tok string, body string) *httptest.ResponseRecorder {
			var r *http.Request
			if body != "" {
				r = httptest.NewRequest(method, base+path, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
			} else {
				r = httptest.NewRequest(method, base+path, nil)
			}
			r.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, r)
			checkResponse(t, r, rec)
			return rec
		}
		decode := func(rec *httptest.ResponseRecorder, status int, v any) {
			t.Helper()
			if rec.Code != status {
				t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body.String())
			}
			if v != nil {
				if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
					t.Fatal(err)
				}
			}
		}

		var plans api.PlanList
		decode(do("GET", "/plans", coord, ""), 200, &plans)
		if len(plans.Items) != 1 || plans.Items[0].Status != "active" || plans.Items[0].ApprovedBy == nil {
			t.Fatalf("plans = %+v", plans)
		}
		var plan api.Plan
		decode(do("GET", "/plans/"+itoaID(plans.Items[0].ID), coord, ""), 200, &plan)
		if len(plan.Sections) != 9 || plan.Sections[0].Body == "" {
			t.Errorf("plan sections = %+v", plan.Sections)
		}
		var projects api.ProjectList
		decode(do("GET", "/projects", coord, ""), 200, &projects)
		if len(projects.Items) != 12 {
			t.Fatalf("%d projects", len(projects.Items))
		}
		var project api.Project
		decode(do("GET", "/projects/"+itoaID(projects.Items[0].ID), coord, ""), 200, &project)
		if len(project.Impacts) == 0 || len(project.Impacts[0].Actuals) == 0 {
			t.Errorf("project impacts = %+v", project.Impacts)
		}
		var rep api.FundingReport
		decode(do("GET", "/funding/report?framework=prevent-2009", coord, ""), 200, &rep)
		var sum int64
		for _, l := range rep.ByStream {
			sum += l.SpentPence
		}
		if rep.Framework != "prevent-2009" || sum != rep.Total.SpentPence || sum == 0 {
			t.Errorf("report: framework %q, streams spent %d, total %d", rep.Framework, sum, rep.Total.SpentPence)
		}
		var standings api.StandingList
		decode(do("GET", "/due-diligence", coord, ""), 200, &standings)
		var streams api.StreamList
		decode(do("GET", "/funding/streams", coord, ""), 200, &streams)
		// An allocation to the project led by the organisation whose review is overdue is refused, saying why.
		var overdueOrg string
		for _, st := range standings.Items {
			if st.State == "overdue" {
				overdueOrg = st.Organisation.Name
				if !st.BlocksAllocations || !strings.Contains(st.Message, "overdue") {
					t.Errorf("overdue standing = %+v", st)
				}
			}
		}
		var blocked prevent.ID
		for _, p := range projects.Items {
			if p.Lead.Name == overdueOrg {
				blocked = p.ID
			}
		}
		if blocked == 0 {
			t.Fatalf("no project led by the overdue organisation %q", overdueOrg)
		}
		rec := do("POST", "/funding/allocations", coord, `{"stream_id":`+itoaID(streams.Items[0].ID)+`,"project_id":`+itoaID(blocked)+`,"amount":"500","note":""}`)
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "overdue") || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("allocation while overdue = %d %s", rec.Code, rec.Body.String())
		}

		// The library: the coordinator sees both markings; the member whose vetting lapsed sees only OFFICIAL.
		var docs api.DocumentList
		decode(do("GET", "/library", coord, ""), 200, &docs)
		var sensitive, official prevent.ID
		for _, d := range docs.Items {
			switch d.Marking {
			case prevent.OfficialSensitive.String():
				sensitive = d.ID
			case prevent.Official.String():
				official = d.ID
			}
		}
		if sensitive == 0 || official == 0 {
			t.Fatalf("library = %+v", docs.Items)
		}
		rec = do("GET", "/library/"+itoaID(sensitive)+"/content", coord, "")
		if rec.Code != 200 || rec.Header().Get("X-Protective-Marking") != "OFFICIAL-SENSITIVE" || !strings.Contains(rec.Body.String(), "OFFICIAL-SENSITIVE") {
			t.Errorf("coordinator content = %d %q", rec.Code, rec.Header().Get("X-Protective-Marking"))
		}
		var seen api.DocumentList
		decode(do("GET", "/library", lapsed, ""), 200, &seen)
		for _, d := range seen.Items {
			if d.ID == sensitive {
				t.Error("the OFFICIAL-SENSITIVE document is listed for a member without the clearance")
			}
		}
		for _, path := range []string{"/library/" + itoaID(sensitive), "/library/" + itoaID(sensitive) + "/content"} {
			if rec := do("GET", path, lapsed, ""); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s without clearance = %d, want 404", path, rec.Code)
			}
		}
		decode(do("GET", "/library/"+itoaID(official), lapsed, ""), 200, nil)
	})
}

func itoaID(id prevent.ID) string { return strconv.FormatInt(id, 10) }

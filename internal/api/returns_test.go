package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/testworld"
)

// TestReturnThroughTheAPI: the coordinator and the analyst get the return the statistics page shows, as JSON;
// a malformed year or an unknown policy is a problem naming the parameter; other roles get 404.
func TestReturnThroughTheAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	db := testworld.DemoDB(t, database.SQLite, now)
	w := testworld.LoadDemo(t, db, now)
	as := auth.New(auth.Deps{DB: db, Now: now})
	mux := http.NewServeMux()
	api.New(api.Deps{Auth: as, Partnership: partnership.New(partnership.Deps{DB: db, Now: now}), Casework: w.Casework,
		Sharing: w.Sharing, Rights: w.Rights, Programme: w.Programme, Returns: w.Returns, Work: w.Work, Notify: w.Notify, Now: now}).Register(mux)
	get := func(role prevent.Role, path string) *httptest.ResponseRecorder {
		t.Helper()
		tok, _, err := as.CreateToken(ctx, w.Roles[role].PersonID, "test", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		checkResponse(t, r, rec)
		return rec
	}
	base := fmt.Sprintf("/api/v1/partnerships/%d/returns/", w.PartnershipID)

	want, err := w.Returns.Compute(ctx, w.Roles[prevent.Coordinator], returns.Request{PartnershipID: w.PartnershipID, Year: 2025,
		Policy: returns.SuppressBelow5RoundTo5})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []prevent.Role{prevent.Coordinator, prevent.Analyst} {
		rec := get(role, base+"2025-26?policy=suppress-below-5-round-to-5:1")
		var got api.StatisticalReturn
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
			t.Fatalf("%s: status %d: %s", role, rec.Code, rec.Body)
		}
		if got.FinancialYear != "2025/26" || got.Provenance.Policy != want.Provenance.Policy.String() ||
			got.Provenance.InputDigest != want.Provenance.InputDigest || len(got.Tables) != len(want.Tables) {
			t.Fatalf("%s: return %+v", role, got.Provenance)
		}
		for i, tb := range want.Tables {
			var cells, gotCells []string
			for _, r := range tb.Rows {
				for _, c := range r.Cells {
					cells = append(cells, r.Label+"="+c.Text)
				}
			}
			for _, r := range got.Tables[i].Rows {
				for _, c := range r.Cells {
					gotCells = append(gotCells, r.Label+"="+c.Text)
				}
			}
			if !reflect.DeepEqual(cells, gotCells) {
				t.Errorf("%s: table %s differs from the service's", role, tb.ID)
			}
		}
	}
	for _, c := range []struct{ path, member string }{
		{"2025", "year"}, {"2025-26?policy=round-to-5:1", "policy"}, {"2025-26?policy=nothing", "policy"},
	} {
		rec := get(prevent.Coordinator, base+c.path)
		var p struct {
			Errors []struct {
				Field   string `json:"field"`
				Message string `json:"message"`
			} `json:"errors"`
		}
		if rec.Code != http.StatusUnprocessableEntity || json.Unmarshal(rec.Body.Bytes(), &p) != nil || len(p.Errors) != 1 || p.Errors[0].Field != c.member {
			t.Errorf("%s: status %d: %s", c.path, rec.Code, rec.Body)
		}
	}
	// The dashboard: exact for the coordinator in the year in progress, controlled for the analyst in an ended
	// quarter, refused for the analyst in the year in progress. Roles without statistics find neither.
	dash := fmt.Sprintf("/api/v1/partnerships/%d/statistics/dashboard", w.PartnershipID)
	pops := fmt.Sprintf("/api/v1/partnerships/%d/statistics/populations", w.PartnershipID)
	tokens := map[string]string{}
	for _, role := range []prevent.Role{prevent.Coordinator, prevent.Analyst, prevent.Referrer, prevent.PanelMember, prevent.Provider, prevent.DataProtection} {
		tok, _, err := as.CreateToken(ctx, w.Roles[role].PersonID, "scenarios", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		tokens[string(role)] = tok
	}
	play(t, muxRequester(t, mux), tokens, []scenario{
		{name: "referrer: return", as: "referrer", path: base + "2025-26", status: 404},
		{name: "panel member: return", as: "panel_member", path: base + "2025-26", status: 404},
		{name: "provider: return", as: "provider", path: base + "2025-26", status: 404},
		{name: "data protection: return", as: "dpo", path: base + "2025-26", status: 404},
		{name: "coordinator: dashboard in progress", as: "coordinator", path: dash + "?year=2026-27", status: 200,
			want: []string{`"exact":true`, `"policy":null`, `"id":"months"`, `"id":"open-by-stage"`}},
		{name: "analyst: dashboard of an ended quarter", as: "analyst", path: dash + "?year=2026-27&quarter=1", status: 200,
			want: []string{`"exact":false`, `"policy":"suppress-below-5-round-to-5 version 1"`}},
		{name: "analyst: dashboard in progress", as: "analyst", path: dash + "?year=2026-27", status: 422, want: []string{"not over yet"}},
		{name: "coordinator: one area", as: "coordinator", path: dash + "?year=2026-27&area=marlowbridge", status: 200,
			want: []string{`"area":"Marlowbridge"`, `"key":"fennick vale"`, `"id":"sector"`}},
		{name: "coordinator: an area nobody lives in", as: "coordinator", path: dash + "?year=2026-27&area=atlantis", status: 422, want: []string{`"field":"area"`}},
		{name: "analyst: one area", as: "analyst", path: dash + "?year=2026-27&quarter=1&area=marlowbridge", status: 422, want: []string{"by difference"}},
		{name: "quarter 9", as: "coordinator", path: dash + "?year=2026-27&quarter=9", status: 422, want: []string{`"field":"quarter"`}},
		{name: "referrer: dashboard", as: "referrer", path: dash + "?year=2026-27", status: 404},
		// Population figures: every category or none, with a source; errors name the member.
		{name: "analyst: population figures, none set", as: "analyst", path: pops, status: 200,
			want: []string{`"characteristic":"ethnicity"`, `"characteristic":"mental-health-recorded"`, `"code":"white"`, `"population":null`}},
		{name: "analyst: some groups only", as: "analyst", method: "PUT", path: pops + "/ethnicity", status: 422,
			body: map[string]any{"source": "Census 2021", "populations": map[string]int{"white": 100000}}, want: []string{`"field":"populations.black"`}},
		{name: "analyst: an unknown group and no source", as: "analyst", method: "PUT", path: pops + "/ethnicity", status: 422,
			body: map[string]any{"populations": map[string]int{"asian": 1, "black": 1, "mixed": 1, "white": 1, "other": 1, "martian": 2}},
			want: []string{`"field":"populations.martian"`, `"field":"source"`}},
		{name: "analyst: sets them", as: "analyst", method: "PUT", path: pops + "/ethnicity", status: 200,
			body: map[string]any{"source": "ONS Census 2021, TS021", "populations": map[string]int{"asian": 20000, "black": 5000, "mixed": 4000, "white": 100000, "other": 1000}},
			want: []string{`"source":"ONS Census 2021, TS021"`, `"population":100000`}},
		{name: "coordinator: reads them", as: "coordinator", path: pops, status: 200, want: []string{`"population":20000`}},
		{name: "an unknown characteristic", as: "analyst", method: "PUT", path: pops + "/religion", body: map[string]any{}, status: 404},
		{name: "referrer: population figures", as: "referrer", path: pops, status: 404},
		{name: "referrer: setting them", as: "referrer", method: "PUT", path: pops + "/ethnicity", body: map[string]any{"populations": map[string]int{}}, status: 404},
	})
}

// TestAnnualReturnsAndImportsThroughTheAPI walks the approval of a return and its import by a region through the
// API: the drafter's own check is a 409 saying why, a second analyst checks, the coordinator approves, the bundle
// downloads; a region's administrator sets its tier and registers the sender (a bad key is a 422 naming
// public_key); its coordinator imports the bundle (415 for the wrong type, a refusal for the same bundle again)
// and reads the regional sum.
func TestAnnualReturnsAndImportsThroughTheAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	db := testworld.DemoDB(t, database.SQLite, now)
	w := testworld.LoadDemo(t, db, now)
	as := auth.New(auth.Deps{DB: db, Now: now})
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	mux := http.NewServeMux()
	api.New(api.Deps{Auth: as, Partnership: ps, Casework: w.Casework, Sharing: w.Sharing, Rights: w.Rights, Programme: w.Programme,
		Returns: w.Returns, Work: w.Work, Notify: w.Notify, Now: now}).Register(mux)
	token := func(id prevent.ID) string {
		t.Helper()
		tok, _, err := as.CreateToken(ctx, id, "test", time.Time{})
		if err != nil {
			// People made in the test have no authenticator yet; give them one, as set-up would.
			if err := db.WithTx(ctx, func(tx *database.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO totp_secrets (person_id, secret, confirmed_at, created_at)
					VALUES ($1, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', $2, $2)`, id, at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if tok, _, err = as.CreateToken(ctx, id, "test", time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
		return tok
	}
	call := func(tok, method, path, ctype string, body []byte) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tok)
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		checkResponse(t, r, rec)
		return rec
	}
	jsonCall := func(tok, method, path string, v any, want int, out any) *httptest.ResponseRecorder {
		t.Helper()
		var body []byte
		if v != nil {
			body, _ = json.Marshal(v)
		}
		rec := call(tok, method, path, "application/json", body)
		if rec.Code != want {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, want, rec.Body)
		}
		if out != nil {
			if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
				t.Fatal(err)
			}
		}
		return rec
	}
	pid := w.PartnershipID
	admin := w.Roles[prevent.Administrator]
	secondID, _, err := ps.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "Ada Second", Email: "ada.second@elmshire-cc.example",
		OrganisationID: admin.OrganisationID, Roles: []string{string(prevent.Analyst)}})
	if err != nil {
		t.Fatal(err)
	}
	analyst, second, coord := token(w.Roles[prevent.Analyst].PersonID), token(secondID), token(w.Roles[prevent.Coordinator].PersonID)
	base := fmt.Sprintf("/api/v1/partnerships/%d/annual-returns", pid)

	var a api.AnnualReturn
	jsonCall(analyst, "POST", base, map[string]any{"financial_year": "2025-26", "policy": "suppress-below-5:1"}, 201, &a)
	if a.State != "draft" || a.Revision != 1 || len(a.Return.Tables) == 0 {
		t.Fatalf("drafted %+v", a)
	}
	path := fmt.Sprintf("%s/%d", base, a.ID)
	rec := jsonCall(analyst, "POST", path+"/check", map[string]any{"revision": 1}, 409, nil)
	if !strings.Contains(rec.Body.String(), "someone else must check") {
		t.Errorf("drafter's check: %s", rec.Body)
	}
	jsonCall(second, "POST", path+"/check", map[string]any{"revision": 1}, 200, &a)
	jsonCall(coord, "POST", path+"/approve", map[string]any{"revision": 1}, 200, &a)
	if a.State != "approved" || a.BundleID == nil || a.ApprovedBy == nil {
		t.Fatalf("approved %+v", a)
	}
	var list api.AnnualReturnList
	jsonCall(analyst, "GET", base+"?year=2025-26", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != a.ID {
		t.Errorf("list %+v", list)
	}
	rec = call(analyst, "GET", path+"/bundle", "", nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("bundle: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	bundle := rec.Body.Bytes()
	var tier api.ReturnTier
	jsonCall(coord, "GET", fmt.Sprintf("/api/v1/partnerships/%d/returns-tier", pid), nil, 200, &tier)
	if tier.Tier != "local" || tier.PublicKey == "" {
		t.Errorf("tier %+v", tier)
	}

	rid, err := ps.Bootstrap(ctx, "North West Region", "North West", "North West")
	if err != nil {
		t.Fatal(err)
	}
	radminID, _, err := ps.BootstrapAdministrator(ctx, rid, partnership.OrganisationInput{Name: "North West Regional Office", Sector: "local_authority", PublicBody: "yes"},
		"Rhian Region", "rhian@nw-region.example")
	if err != nil {
		t.Fatal(err)
	}
	radmin, err := auth.LoadPrincipal(ctx, db.Read(), radminID, at)
	if err != nil {
		t.Fatal(err)
	}
	radmin.MFA = true
	rcoordID, _, err := ps.CreatePerson(ctx, radmin, rid, partnership.PersonInput{Name: "Colm Region", Email: "colm@nw-region.example",
		OrganisationID: radmin.OrganisationID, Roles: []string{string(prevent.Coordinator)}})
	if err != nil {
		t.Fatal(err)
	}
	rbase := fmt.Sprintf("/api/v1/partnerships/%d", rid)
	jsonCall(token(radminID), "PUT", rbase+"/returns-tier", map[string]any{"tier": "region"}, 200, nil)
	rec = jsonCall(token(radminID), "POST", rbase+"/return-senders", map[string]any{"name": "Elmshire", "public_key": "nonsense"}, 422, nil)
	if !strings.Contains(rec.Body.String(), `"field":"public_key"`) {
		t.Errorf("bad key: %s", rec.Body)
	}
	jsonCall(token(radminID), "POST", rbase+"/return-senders", map[string]any{"name": "Elmshire", "public_key": tier.PublicKey}, 201, nil)
	rcoord := token(rcoordID)
	if rec := call(rcoord, "POST", rbase+"/return-imports", "application/json", bundle); rec.Code != 415 {
		t.Errorf("import as JSON: status %d", rec.Code)
	}
	if rec := call(rcoord, "POST", rbase+"/return-imports", "application/zip", bundle); rec.Code != 201 {
		t.Fatalf("import: status %d: %s", rec.Code, rec.Body)
	}
	if rec := call(rcoord, "POST", rbase+"/return-imports", "application/zip", bundle); rec.Code != 409 && rec.Code != 422 {
		t.Errorf("import again: status %d: %s", rec.Code, rec.Body)
	}
	var reg api.RegionalReturn
	jsonCall(rcoord, "GET", rbase+"/regional-returns/2025-26", nil, 200, &reg)
	if len(reg.Sources) != 1 || reg.Sources[0] != "Elmshire Prevent Partnership" || len(reg.Tables) == 0 {
		t.Errorf("regional %+v", reg.Sources)
	}
	// The demo's people reach none of the region's returns.
	jsonCall(coord, "GET", rbase+"/regional-returns/2025-26", nil, 404, nil)
}

package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/testworld"
)

// TestReturnThroughTheAPI: the coordinator and the analyst get the return the statistics page shows, as JSON;
// a malformed year or an unknown policy is a problem naming the parameter; other roles get 404.
func TestReturnThroughTheAPI(t *testing.T) {
	ctx := context.Background()
	db := dbtest.NewSQLite(t)
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
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
	for _, role := range []prevent.Role{prevent.Referrer, prevent.PanelMember, prevent.Provider, prevent.DataProtection} {
		if rec := get(role, base+"2025-26"); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", role, rec.Code)
		}
	}
}

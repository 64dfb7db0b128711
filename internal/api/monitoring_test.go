package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// TestMonitoringAndQuarterlyThroughTheAPI: the analyst gets the interventions monitoring the service computes;
// a malformed period or policy is a problem naming the member, and a period not over is refused. The
// coordinator generates a quarterly return, writes a project's text and approves it; the analyst reads the
// list and the return but may take no step; an approved return refuses changes with 409; other roles get 404.
func TestMonitoringAndQuarterlyThroughTheAPI(t *testing.T) {
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
	tokens := map[prevent.Role]string{}
	call := func(role prevent.Role, method, path string, v any) *httptest.ResponseRecorder {
		t.Helper()
		if tokens[role] == "" {
			tok, _, err := as.CreateToken(ctx, w.Roles[role].PersonID, "test", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			tokens[role] = tok
		}
		var body []byte
		if v != nil {
			body, _ = json.Marshal(v)
		}
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+tokens[role])
		if method != http.MethodGet {
			r.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		checkResponse(t, r, rec)
		return rec
	}
	member := func(rec *httptest.ResponseRecorder) string {
		var p struct {
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &p) != nil || len(p.Errors) != 1 {
			return ""
		}
		return p.Errors[0].Field
	}
	pid := w.PartnershipID

	// Interventions monitoring.
	mon := fmt.Sprintf("/api/v1/partnerships/%d/statistics/interventions", pid)
	want, err := w.Returns.ComputeMonitoring(ctx, w.Roles[prevent.Analyst], returns.MonitoringRequest{PartnershipID: pid,
		Period: returns.Period{Year: 2026, Quarter: 1}, Policy: returns.SuppressBelow5})
	if err != nil {
		t.Fatal(err)
	}
	rec := call(prevent.Analyst, http.MethodGet, mon+"?year=2026-27&quarter=1", nil)
	var m api.InterventionsMonitoring
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
		t.Fatalf("monitoring: status %d: %.300s", rec.Code, rec.Body)
	}
	if m.FinancialYear != "2026/27" || m.Quarter != 1 || m.Provenance.InputDigest != want.Provenance.InputDigest ||
		m.Provenance.Policy != "suppress-below-5 version 1" || len(m.Tables) != len(want.Tables) {
		t.Fatalf("monitoring %+v", m.Provenance)
	}
	for i, tb := range want.Tables {
		got := m.Tables[i]
		if got.ID != tb.ID || len(got.Rows) != len(tb.Rows) {
			t.Fatalf("table %d: %s with %d rows, want %s with %d", i, got.ID, len(got.Rows), tb.ID, len(tb.Rows))
		}
		for j, r := range tb.Rows {
			for k, c := range r.Cells {
				if g := got.Rows[j].Cells[k]; g.Text != c.Text || g.Number != c.Number || g.Value != c.Value {
					t.Errorf("table %s row %q cell %d: %+v, want %+v", tb.ID, r.Label, k, g, c)
				}
			}
		}
	}
	for _, c := range []struct {
		query  string
		status int
		member string
	}{
		{"?year=2026", http.StatusUnprocessableEntity, "year"},
		{"?year=2026-27&quarter=5", http.StatusUnprocessableEntity, "quarter"},
		{"?year=2025-26&policy=round-to-5:1", http.StatusUnprocessableEntity, "policy"},
		{"?year=2026-27&quarter=3", http.StatusUnprocessableEntity, ""},
	} {
		rec := call(prevent.Analyst, http.MethodGet, mon+c.query, nil)
		if rec.Code != c.status || member(rec) != c.member {
			t.Errorf("%s: status %d: %.300s", c.query, rec.Code, rec.Body)
		}
	}
	if rec := call(prevent.Referrer, http.MethodGet, mon+"?year=2025-26", nil); rec.Code != http.StatusNotFound {
		t.Errorf("referrer's monitoring: status %d", rec.Code)
	}

	// Quarterly returns.
	base := fmt.Sprintf("/api/v1/partnerships/%d/quarterly-returns", pid)
	if rec := call(prevent.Analyst, http.MethodPost, base, api.QuarterlyReturnInput{FinancialYear: "2026-27", Quarter: 1}); rec.Code != http.StatusNotFound {
		t.Errorf("analyst generates: status %d", rec.Code)
	}
	for _, c := range []struct {
		in     api.QuarterlyReturnInput
		member string
	}{
		{api.QuarterlyReturnInput{FinancialYear: "2026", Quarter: 1}, "financial_year"},
		{api.QuarterlyReturnInput{FinancialYear: "2026-27", Quarter: 0}, "quarter"},
	} {
		if rec := call(prevent.Coordinator, http.MethodPost, base, c.in); rec.Code != http.StatusUnprocessableEntity || member(rec) != c.member {
			t.Errorf("%+v: status %d: %s", c.in, rec.Code, rec.Body)
		}
	}
	if rec := call(prevent.Coordinator, http.MethodPost, base, api.QuarterlyReturnInput{FinancialYear: "2026-27", Quarter: 3}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a quarter not over: status %d", rec.Code)
	}
	rec = call(prevent.Coordinator, http.MethodPost, base, api.QuarterlyReturnInput{FinancialYear: "2026-27", Quarter: 2})
	var q api.QuarterlyReturn
	if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &q) != nil {
		t.Fatalf("generate: status %d: %.300s", rec.Code, rec.Body)
	}
	if q.State != "draft" || q.Period != "2026/27 Q2 (July to September)" || len(q.Projects) != 12 || q.Referrals == nil || q.Referrals.Text != "7" ||
		q.Adopted == nil || q.Adopted.Value != 6 || rec.Header().Get("Location") != fmt.Sprintf("%s/%d", base, q.ID) {
		t.Fatalf("generated %+v", q)
	}
	p0 := q.Projects[0]
	if p0.AllocatedPence == 0 || p0.SpentPence == 0 || len(p0.Milestones) != 1 || len(p0.Impacts) != 1 {
		t.Errorf("project %+v", p0)
	}
	one := fmt.Sprintf("%s/%d", base, q.ID)
	project := fmt.Sprintf("%s/projects/%d", one, p0.ProjectID)
	if rec := call(prevent.Coordinator, http.MethodPut, project, api.QuarterlyProjectInput{Achievements: strings.Repeat("a", 10001)}); rec.Code != http.StatusUnprocessableEntity || member(rec) != "achievements" {
		t.Errorf("too long: status %d: %.300s", rec.Code, rec.Body)
	}
	if rec := call(prevent.Analyst, http.MethodPut, project, api.QuarterlyProjectInput{Achievements: "x"}); rec.Code != http.StatusNotFound {
		t.Errorf("analyst writes: status %d", rec.Code)
	}
	if rec := call(prevent.Coordinator, http.MethodPut, fmt.Sprintf("%s/projects/999999", one), api.QuarterlyProjectInput{Achievements: "x"}); rec.Code != http.StatusUnprocessableEntity || member(rec) != "project" {
		t.Errorf("a project not in the return: status %d: %s", rec.Code, rec.Body)
	}
	rec = call(prevent.Coordinator, http.MethodPut, project, api.QuarterlyProjectInput{Achievements: "Six sessions run", Issues: "A venue closed"})
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &q) != nil || q.Projects[0].Achievements != "Six sessions run" || q.Projects[0].Issues != "A venue closed" {
		t.Fatalf("write: status %d: %.300s", rec.Code, rec.Body)
	}
	var list api.QuarterlyReturnList
	if rec := call(prevent.Analyst, http.MethodGet, base, nil); rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil ||
		len(list.Items) != 1 || list.Items[0].ID != q.ID || list.Items[0].Projects != nil {
		t.Fatalf("list: status %d: %.300s", rec.Code, rec.Body)
	}
	if rec := call(prevent.Analyst, http.MethodPost, one+"/approve", nil); rec.Code != http.StatusNotFound {
		t.Errorf("analyst approves: status %d", rec.Code)
	}
	rec = call(prevent.Coordinator, http.MethodPost, one+"/approve", nil)
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &q) != nil || q.State != "approved" || q.ApprovedBy == nil ||
		*q.ApprovedBy != w.Roles[prevent.Coordinator].PersonID {
		t.Fatalf("approve: status %d: %.300s", rec.Code, rec.Body)
	}
	if rec := call(prevent.Coordinator, http.MethodPost, one+"/approve", nil); rec.Code != http.StatusConflict {
		t.Errorf("approve again: status %d", rec.Code)
	}
	if rec := call(prevent.Coordinator, http.MethodPut, project, api.QuarterlyProjectInput{Achievements: "Changed"}); rec.Code != http.StatusConflict {
		t.Errorf("write to an approved return: status %d", rec.Code)
	}
	if rec := call(prevent.Coordinator, http.MethodPost, base, api.QuarterlyReturnInput{FinancialYear: "2026-27", Quarter: 2}); rec.Code != http.StatusConflict {
		t.Errorf("generate an approved return: status %d", rec.Code)
	}
	var got api.QuarterlyReturn
	if rec := call(prevent.Analyst, http.MethodGet, one, nil); rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil ||
		got.State != "approved" || got.Projects[0].Achievements != "Six sessions run" {
		t.Errorf("analyst reads: status %d: %.300s", rec.Code, rec.Body)
	}
	for _, role := range []prevent.Role{prevent.Referrer, prevent.PanelMember, prevent.Provider, prevent.DataProtection} {
		if rec := call(role, http.MethodGet, one, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s reads the return: status %d", role, rec.Code)
		}
		if rec := call(role, http.MethodGet, base, nil); rec.Code != http.StatusNotFound {
			t.Errorf("%s lists the returns: status %d", role, rec.Code)
		}
	}
}

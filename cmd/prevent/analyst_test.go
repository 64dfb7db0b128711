package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/api/apitest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestAnalystSeesNoPersonalData plants a referral with a canary name, then walks every page and API route the
// analyst may use, as the analyst, with the ids filled in with the referral's, and checks that neither the name
// nor the reference appears anywhere: the analyst works with figures, never with a person. The coordinator's
// case page shows both, so the canary is there to be seen.
func TestAnalystSeesNoPersonalData(t *testing.T) {
	t.Parallel()
	ta := newTestApp(t, demoDB(t))
	ctx := context.Background()
	tokenOf := func(role prevent.Role) (string, string, prevent.Principal) {
		acc := accountsWithRole(ta, role)[0]
		cookie := ta.signIn(t, acc)
		p := ta.principal(t, cookie)
		bearer, _, err := ta.Auth.CreateToken(ctx, p.PersonID, "analyst test", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return cookie, bearer, p
	}
	_, referrerBearer, referrer := tokenOf(prevent.Referrer)
	pid := referrer.Memberships[0].PartnershipID
	const given, family = "Zebedee", "Canaryfield"
	body, _ := json.Marshal(map[string]any{
		"partnership_id": pid,
		"person":         map[string]any{"given_names": given, "family_name": family, "approximate_age": 17, "local_authority": "Elmshire"},
		"concern": map[string]any{"what_happened": "Shared extremist material in class", "fears": "Being drawn in",
			"types": []string{"extreme_right_wing"}},
		"person_knows": "no", "danger_acknowledged": true,
	})
	req, _ := http.NewRequest(http.MethodPost, ta.srv.URL+"/api/v1/referrals", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+referrerBearer)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var ref struct {
		ID        prevent.ID `json:"id"`
		Reference *string    `json:"reference"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &ref) != nil || ref.Reference == nil {
		t.Fatalf("referral: %d %s", resp.StatusCode, raw)
	}
	canaries := []string{family, *ref.Reference}

	c := &http.Client{CheckRedirect: noRedirect}
	get := func(path, cookie, bearer string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ta.srv.URL+path, nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "prevent_session", Value: cookie})
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		apitest.Check(t, req, resp.StatusCode, resp.Header, b)
		return resp.StatusCode, string(b)
	}
	fill := func(pattern string) string {
		path := paramRe.ReplaceAllStringFunc(pattern, func(m string) string {
			switch name := paramRe.FindStringSubmatch(m)[1]; name {
			case "pid":
				return fmt.Sprint(pid)
			case "year":
				return "2025-26"
			case "token":
				return "not-a-token"
			}
			return fmt.Sprint(ref.ID)
		})
		return strings.ReplaceAll(path, "{$}", "")
	}

	// The canary is there to be seen by those who may.
	coordCookie, _, _ := tokenOf(prevent.Coordinator)
	if code, page := get(fmt.Sprintf("/partnerships/%d/cases/%d", pid, ref.ID), coordCookie, ""); code != 200 || !strings.Contains(page, family) {
		t.Fatalf("the coordinator's case page: %d, holds the name: %v", code, strings.Contains(page, family))
	}

	cookie, bearer, analyst := tokenOf(prevent.Analyst)
	checked := 0
	look := func(kind, path string, code int, page string) {
		t.Helper()
		checked++
		if code >= 500 {
			t.Errorf("%s %s: status %d", kind, path, code)
		}
		for _, x := range canaries {
			if strings.Contains(page, x) {
				t.Errorf("%s %s shows the analyst %q", kind, path, x)
			}
		}
	}
	for _, rt := range ta.Web.Routes() {
		if rt.Method != http.MethodGet || !access.Permits(analyst, rt.Action).Allow || rt.Pattern == "/sign-in" {
			continue
		}
		path := fill(rt.Pattern)
		code, page := get(path, cookie, "")
		look("page", path, code, page)
	}
	for _, rt := range ta.API.Routes() {
		if rt.Method != http.MethodGet || !access.Permits(analyst, rt.Action).Allow {
			continue
		}
		path := "/api/v1" + fill(rt.Pattern)
		code, page := get(path, "", bearer)
		look("API", path, code, page)
	}
	// The statistics pages with a period chosen, and the year in progress for the work lists.
	for _, path := range []string{
		fmt.Sprintf("/partnerships/%d/statistics?year=2026%%2F27&quarter=1", pid),
		fmt.Sprintf("/partnerships/%d/statistics/return?year=2025%%2F26", pid),
		fmt.Sprintf("/partnerships/%d/statistics/download?year=2026%%2F27&quarter=1&table=pathway", pid),
		"/api/v1/partnerships/" + fmt.Sprint(pid) + "/statistics/dashboard?year=2026-27&quarter=1",
	} {
		b := ""
		if strings.HasPrefix(path, "/api/") {
			b = bearer
		}
		code, page := get(path, cookie, b)
		look("query", path, code, page)
	}
	if checked < 20 {
		t.Errorf("only %d routes checked", checked)
	}
	t.Logf("checked %d pages and API reads as the analyst", checked)
}

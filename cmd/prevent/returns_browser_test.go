package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/preventplatform/prevent/internal/api/apitest"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// apiSessions holds one session per test app and account: an authenticator code may be used once, so each
// account signs in once.
var apiSessions = map[string]string{}

// apiAs calls the test app's API as the demo account acc and decodes a JSON answer into out; it returns the body.
func apiAs(t *testing.T, ta *testApp, acc demo.Account, method, path, ctype string, body []byte, want int, out any) []byte {
	t.Helper()
	key := fmt.Sprintf("%p %s", ta, acc.Email)
	if _, ok := apiSessions[key]; !ok {
		apiSessions[key] = ta.signIn(t, acc)
	}
	p := ta.principal(t, apiSessions[key])
	tok, _, err := ta.Auth.CreateToken(context.Background(), p.PersonID, "returns test", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, ta.srv.URL+"/api/v1"+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	apitest.Check(t, req, resp.StatusCode, resp.Header, b)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// accountsWithRole are the demo accounts with the role, in order.
func accountsWithRole(ta *testApp, role prevent.Role) []demo.Account {
	var out []demo.Account
	for _, a := range ta.Demo {
		if a.Role == string(role) {
			out = append(out, a)
		}
	}
	return out
}

// approveThroughAPI drafts, checks and approves the partnership's return for year on ta through the API and
// returns its bundle.
func approveThroughAPI(t *testing.T, ta *testApp, year returns.FinancialYear) []byte {
	t.Helper()
	analysts, coord := accountsWithRole(ta, prevent.Analyst), accountsWithRole(ta, prevent.Coordinator)[0]
	var me struct {
		Memberships []struct {
			PartnershipID int64 `json:"partnership_id"`
		} `json:"memberships"`
	}
	apiAs(t, ta, coord, "GET", "/me", "", nil, 200, &me)
	pid := me.Memberships[0].PartnershipID
	var a struct {
		ID       int64 `json:"id"`
		Revision int   `json:"revision"`
	}
	base := fmt.Sprintf("/partnerships/%d/annual-returns", pid)
	in, _ := json.Marshal(map[string]string{"financial_year": strings.ReplaceAll(year.String(), "/", "-"), "policy": "suppress-below-5:1"})
	apiAs(t, ta, analysts[0], "POST", base, "application/json", in, 201, &a)
	rev, _ := json.Marshal(map[string]int{"revision": a.Revision})
	apiAs(t, ta, analysts[1], "POST", fmt.Sprintf("%s/%d/check", base, a.ID), "application/json", rev, 200, nil)
	apiAs(t, ta, coord, "POST", fmt.Sprintf("%s/%d/approve", base, a.ID), "application/json", rev, 200, nil)
	return apiAs(t, ta, analysts[0], "GET", fmt.Sprintf("%s/%d/bundle", base, a.ID), "", nil, 200, nil)
}

// publicKey is the test app's return-signing public key, as its coordinator reads it.
func publicKey(t *testing.T, ta *testApp) string {
	t.Helper()
	coord := accountsWithRole(ta, prevent.Coordinator)[0]
	var me struct {
		Memberships []struct {
			PartnershipID int64 `json:"partnership_id"`
		} `json:"memberships"`
	}
	apiAs(t, ta, coord, "GET", "/me", "", nil, 200, &me)
	pid := me.Memberships[0].PartnershipID
	var tier struct {
		PublicKey string `json:"public_key"`
	}
	apiAs(t, ta, coord, "GET", fmt.Sprintf("/partnerships/%d/returns-tier", pid), "", nil, 200, &tier)
	return tier.PublicKey
}

// TestBrowserReturnApprovalAndRegion drives Chromium through a return's approval and a region's import: on one
// partnership's service an analyst drafts the last year's return, a second analyst checks it and the coordinator
// approves it and downloads the signed bundle; a second partnership's service approves its own through the API;
// on the region's service the administrator sets the tier and registers both senders' public keys, and the
// region's coordinator is refused a tampered bundle, imports both and reads the regional sum. axe checks every
// page.
func TestBrowserReturnApprovalAndRegion(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	last := returns.YearOf(time.Now()) - 1
	a := newTestApp(t, demoDB(t))
	d := newDriver(t, ctx, a, "returns-")
	pid := d.signInAs(prevent.Analyst).Memberships[0].PartnershipID
	d.Open("annual return", fmt.Sprintf("/partnerships/%d/statistics/return?year=%s", pid, strings.ReplaceAll(last.String(), "/", "%2F")), "main h1")
	d.ClickToHeading("draft for approval", "main form[action$='/statistics/returns'] button", "Return for "+last.String())
	d.Check("drafted")
	annual := d.Path()
	if d.Bool(`!!document.querySelector("form[action$='/check']")`) {
		t.Error("the drafter is offered the check")
	}
	d.as(accountsWithRole(a, prevent.Analyst)[1])
	d.Open("to check", annual, "main h1")
	d.ClickToHeading("check", "form[action$='/check'] button", "Return for "+last.String())
	d.Check("checked")
	d.signInAs(prevent.Coordinator)
	d.Open("to approve", annual, "main h1")
	d.ClickToHeading("approve", "form[action$='/approve'] button", "Return for "+last.String())
	d.Check("approved")
	if tag := d.Text("main .govuk-tag"); tag != "Approved" {
		t.Errorf("status %q after approval", tag)
	}
	for email, tok := range d.sessions { // the browser's sessions serve the API calls too
		apiSessions[fmt.Sprintf("%p %s", a, email)] = tok
	}
	bundleA := apiAs(t, a, accountsWithRole(a, prevent.Analyst)[0], "GET", strings.Replace(annual, fmt.Sprintf("/partnerships/%d/statistics/returns", pid), fmt.Sprintf("/partnerships/%d/annual-returns", pid), 1)+"/bundle", "", nil, 200, nil)

	b := newTestApp(t, demoDB(t))
	bundleB := approveThroughAPI(t, b, last)

	region := newTestApp(t, demoDB(t))
	r := newDriver(t, ctx, region, "returns-region-")
	rid := r.signInAs(prevent.Administrator).Memberships[0].PartnershipID
	r.Open("partnership", fmt.Sprintf("/partnerships/%d", rid), "main h1")
	r.ClickToHeading("senders page", "main a[href$='/statistics/senders']", "Returns: tier")
	r.Check("senders")
	r.Tick("tier", "region")
	r.Click("set tier", "main form[action$='/statistics/tier'] button", ".govuk-notification-banner")
	for i, key := range []string{publicKey(t, a), publicKey(t, b)} {
		r.SetValues(map[string]string{"name": fmt.Sprintf("Elmshire %c", 'A'+i), "public-key": key})
		r.Click("register sender", "main form[action$='/statistics/senders'] button", ".govuk-notification-banner")
	}
	r.Check("senders registered")

	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tampered := bytes.Clone(bundleA)
	tampered[len(tampered)/3] ^= 0x01
	r.signInAs(prevent.Coordinator)
	r.Open("regional", fmt.Sprintf("/partnerships/%d/statistics/regional?year=%s", rid, strings.ReplaceAll(last.String(), "/", "%2F")), "#bundle")
	r.Check("regional empty")
	upload := func(name, file, wait string) {
		r.Run("choose "+name, chromedp.SetUploadFiles(chromedp.CSS("#bundle"), []string{file}))
		r.Click("import "+name, "main form[action$='/regional/imports'] button", wait)
	}
	upload("tampered", write("tampered.zip", tampered), ".govuk-error-summary")
	r.Check("regional tampered")
	upload("A", write("a.zip", bundleA), ".govuk-notification-banner")
	upload("B", write("b.zip", bundleB), ".govuk-notification-banner")
	r.Check("regional two imported")
	if s := r.Text("main"); !strings.Contains(s, "The sum of 2 partnerships' returns") {
		t.Errorf("the regional page does not add up both returns: %.400s", s)
	}
	if n := r.Eval(`String(document.querySelectorAll('main table.govuk-table').length)`); n == "0" || n == "1" {
		t.Errorf("the regional page shows %s tables", n)
	}
}

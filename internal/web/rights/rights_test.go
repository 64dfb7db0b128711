package rights_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	subjectrights "github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	"github.com/preventplatform/prevent/internal/web/rights"
	"github.com/preventplatform/prevent/internal/web/rights/rightstest"
)

type fixture struct {
	rightstest.World
	site *coretest.Site
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	w := rightstest.New(t, dbtest.NewSQLite(t))
	site := coretest.New(w.Now)
	rights.Register(site, rights.Deps{Rights: w.Rights, Sharing: w.Sharing, Casework: w.Casework, Now: w.Now})
	return fixture{World: w, site: site}
}

func (f fixture) serve(t *testing.T, p prevent.Principal, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	return f.site.Serve(t, p, method, target, form)
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if got := w.Result().StatusCode; got != status {
		t.Fatalf("status %d, want %d", got, status)
	}
}

func wantRedirect(t *testing.T, w *httptest.ResponseRecorder, prefix string) string {
	t.Helper()
	res := w.Result()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("status %d to %q, want 303 to %s…", res.StatusCode, loc, prefix)
	}
	return loc
}

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	rights.Register(site, rights.Deps{})
	const P = "/partnerships/{pid}"
	want := []coretest.Route{
		{Method: "GET", Pattern: P + "/notices", Action: access.NoticeWork},
		{Method: "GET", Pattern: P + "/notices/all", Action: access.NoticeOversee},
		{Method: "GET", Pattern: P + "/notices/{id}", Action: access.NoticeWork},
		{Method: "POST", Pattern: P + "/notices/{id}", Action: access.NoticeWork},
		{Method: "GET", Pattern: P + "/cases/{id}/rectify", Action: access.CaseRectify},
		{Method: "POST", Pattern: P + "/cases/{id}/rectify", Action: access.CaseRectify},
		{Method: "GET", Pattern: P + "/subject-access/{id}", Action: access.SubjectAccessManage},
		{Method: "POST", Pattern: P + "/subject-access/{id}/subject", Action: access.SubjectAccessManage},
		{Method: "GET", Pattern: P + "/subject-access/{id}/redactions", Action: access.SubjectAccessManage},
		{Method: "POST", Pattern: P + "/subject-access/{id}/redactions", Action: access.SubjectAccessManage},
		{Method: "POST", Pattern: P + "/subject-access/{id}/redactions/release", Action: access.SubjectAccessManage},
		{Method: "GET", Pattern: P + "/subject-access/{id}/bundle", Action: access.SubjectAccessManage},
		{Method: "GET", Pattern: P + "/subject-access/{id}/bundle.json", Action: access.SubjectAccessManage},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
}

func TestRectifyAndNoticePages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rectify := fmt.Sprintf("/partnerships/%d/cases/%d/rectify", f.PID, f.CaseID)
	if l := rights.RectifyPath.Link(f.PID, f.CaseID); l != rectify {
		t.Errorf("rectify link %q, want %q", l, rectify)
	}
	w := f.serve(t, f.Coordinator, http.MethodGet, rectify, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Correct the person’s details") {
		t.Fatal("rectify page missing its heading")
	}
	wantStatus(t, f.serve(t, f.Referrer, http.MethodGet, rectify, nil), http.StatusNotFound)
	// Without a reason: the error is shown and the input kept.
	w = f.serve(t, f.Coordinator, http.MethodPost, rectify, url.Values{"field": {"family_name"}, "value": {"Smyth"}})
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	if !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, "Enter why the detail is being corrected") || !strings.Contains(body, `value="Smyth"`) {
		t.Fatalf("refused correction page lacks the error or the input:\n%s", body)
	}
	wantRedirect(t, f.serve(t, f.Coordinator, http.MethodPost, rectify, url.Values{"field": {"family_name"}, "value": {"Smyth"},
		"reason": {"Passport seen"}}), fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, f.CaseID))
	r, err := f.Casework.Referral(context.Background(), f.Coordinator, f.CaseID)
	if err != nil || r.Details.Person.FamilyName != "Smyth" {
		t.Fatalf("not corrected: %v %v", r.Details.Person, err)
	}

	// The police, who received the case, have a notice in their list (My work counts it: see the web package).
	list := fmt.Sprintf("/partnerships/%d/notices", f.PID)
	w = f.serve(t, f.Officer, http.MethodGet, list, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Record corrected") || !strings.Contains(w.Body.String(), r.Reference) {
		t.Fatalf("notice list:\n%s", w.Body.String())
	}
	ns, err := f.Sharing.Notices(context.Background(), f.Officer, f.PID, f.Police, true)
	if err != nil || len(ns) != 1 {
		t.Fatalf("notices %v %v", ns, err)
	}
	page := fmt.Sprintf("/partnerships/%d/notices/%d", f.PID, ns[0].ID)
	if !strings.Contains(w.Body.String(), `href="`+page+`"`) {
		t.Errorf("the notice list does not link to the notice %s", page)
	}
	// Another organisation's people cannot see it; the school's list is empty.
	wantStatus(t, f.serve(t, f.ReferrerB, http.MethodGet, page, nil), http.StatusNotFound)
	if w := f.serve(t, f.ReferrerB, http.MethodGet, list, nil); !strings.Contains(w.Body.String(), "There are no open notices") {
		t.Errorf("school B sees notices:\n%s", w.Body.String())
	}
	w = f.serve(t, f.Officer, http.MethodPost, page, url.Values{"note": {""}})
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Enter what your organisation did") {
		t.Fatalf("empty note accepted:\n%s", w.Body.String())
	}
	wantRedirect(t, f.serve(t, f.Officer, http.MethodPost, page, url.Values{"note": {"Corrected the name in our system"}}), list)
	// The DPO sees it completed, with what was done; others may not see the overview.
	all := fmt.Sprintf("/partnerships/%d/notices/all", f.PID)
	w = f.serve(t, f.DPO, http.MethodGet, all, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Corrected the name in our system") || !strings.Contains(w.Body.String(), "Northtown Police") {
		t.Fatalf("DPO overview:\n%s", w.Body.String())
	}
	wantStatus(t, f.serve(t, f.Officer, http.MethodGet, all, nil), http.StatusNotFound)
}

func TestSubjectAccessPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.Casework.Referral(ctx, f.Officer, f.CaseID); err != nil {
		t.Fatal(err)
	}
	req, err := f.Rights.RegisterRequest(ctx, f.DPO, f.PID, subjectrights.SubjectAccessInput{Received: f.Now(), Requester: "Sam Smith",
		Subject: "Sam Smith", Regime: subjectrights.UKGDPR})
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/partnerships/%d/subject-access/%d", f.PID, req)
	wantStatus(t, f.serve(t, f.Coordinator, http.MethodGet, base, nil), http.StatusNotFound)
	w := f.serve(t, f.DPO, http.MethodGet, base, nil)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Find the person the request is about") {
		t.Fatalf("request page:\n%s", w.Body.String())
	}
	w = f.serve(t, f.DPO, http.MethodGet, base+"?name=sam+smith", nil)
	ms, err := f.Rights.FindSubjects(ctx, f.DPO, f.PID, "sam smith", time.Time{})
	if err != nil || len(ms) != 1 {
		t.Fatalf("subjects %v %v", ms, err)
	}
	if !strings.Contains(w.Body.String(), fmt.Sprintf(`value="%d"`, ms[0].SubjectID)) {
		t.Fatalf("search results lack the person:\n%s", w.Body.String())
	}
	w = f.serve(t, f.DPO, http.MethodPost, base+"/subject", url.Values{})
	if !strings.Contains(w.Body.String(), "Select the person the request is about") {
		t.Fatalf("no choice accepted:\n%s", w.Body.String())
	}
	wantRedirect(t, f.serve(t, f.DPO, http.MethodPost, base+"/subject", url.Values{"subject": {strconv.FormatInt(ms[0].SubjectID, 10)}}), base)
	w = f.serve(t, f.DPO, http.MethodGet, base, nil)
	for _, l := range []string{base + "/redactions", base + "/bundle", base + "/bundle.json"} {
		if !strings.Contains(w.Body.String(), `href="`+l+`"`) {
			t.Errorf("the linked request does not link to %s", l)
		}
	}

	w = f.serve(t, f.DPO, http.MethodGet, base+"/bundle", nil)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	for _, want := range []string{"Information held about Sam Smith", "Shared violent material", "Who your information was shared with",
		"Northtown Police", "Who viewed your records", "Olu Officer"} {
		if !strings.Contains(body, want) {
			t.Errorf("bundle lacks %q", want)
		}
	}
	w = f.serve(t, f.DPO, http.MethodGet, base+"/bundle.json", nil)
	wantStatus(t, w, http.StatusOK)
	if ct := w.Result().Header.Get("Content-Type"); ct != "application/json" || !strings.Contains(w.Body.String(), `"records"`) {
		t.Fatalf("JSON bundle %s: %s", ct, w.Body.String())
	}

	item := fmt.Sprintf("referral:%d:concern.what_happened", f.CaseID)
	w = f.serve(t, f.DPO, http.MethodGet, base+"/redactions", nil)
	if !strings.Contains(w.Body.String(), `value="`+item+`"`) {
		t.Fatalf("redaction page lacks the item:\n%s", w.Body.String())
	}
	// Without an exemption: refused, the choice kept.
	w = f.serve(t, f.DPO, http.MethodPost, base+"/redactions", url.Values{"item": {item}, "note": {"Names a teacher"}})
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), "Select the exemption that applies") || !strings.Contains(w.Body.String(), "Names a teacher") {
		t.Fatalf("refused redaction:\n%s", w.Body.String())
	}
	wantRedirect(t, f.serve(t, f.DPO, http.MethodPost, base+"/redactions", url.Values{"item": {item}, "exemption": {"third_party"},
		"note": {"Names a teacher"}}), base+"/redactions")
	body = f.serve(t, f.DPO, http.MethodGet, base+"/bundle", nil).Body.String()
	if strings.Contains(body, "Shared violent material") || !strings.Contains(body, "Withheld: Information about another person") {
		t.Fatalf("the withheld item is shown, or its exemption is not:\n%s", body)
	}
	if !strings.Contains(serve200(t, f, base+"/redactions"), `action="`+base+`/redactions/release"`) {
		t.Error("the redaction page has no form to show the withheld item again")
	}
	wantRedirect(t, f.serve(t, f.DPO, http.MethodPost, base+"/redactions/release", url.Values{"item": {item}}), base+"/redactions")
	if body := f.serve(t, f.DPO, http.MethodGet, base+"/bundle", nil).Body.String(); !strings.Contains(body, "Shared violent material") {
		t.Fatal("the released item is not shown")
	}
}

// serve200 is the DPO's page at target, which must be shown.
func serve200(t *testing.T, f fixture, target string) string {
	t.Helper()
	w := f.serve(t, f.DPO, http.MethodGet, target, nil)
	wantStatus(t, w, http.StatusOK)
	return w.Body.String()
}

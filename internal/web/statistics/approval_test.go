package statistics_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/statistics"
)

// secondAnalyst adds another analyst to the demo partnership, so that a return can be drafted, checked and
// approved by three different people.
func secondAnalyst(t *testing.T, db *database.DB, f fixture) prevent.Principal {
	t.Helper()
	ctx := context.Background()
	admin := f.w.Roles[prevent.Administrator]
	ps := partnership.New(partnership.Deps{DB: db, Now: f.site.Now})
	id, _, err := ps.CreatePerson(ctx, admin, f.w.PartnershipID, partnership.PersonInput{Name: "Ada Second", Email: "ada.second@elmshire-cc.example",
		OrganisationID: admin.OrganisationID, Roles: []string{string(prevent.Analyst)}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.LoadPrincipal(ctx, db.Read(), id, f.site.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.MFA = true
	return p
}

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestApprovalJourney: an analyst drafts the year's return, cannot check their own draft (the page says why), a
// second analyst checks it, the coordinator approves it, and its signed bundle downloads; the return page then
// lists it as approved. Roles without statistics get 404 on every step.
func TestApprovalJourney(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		pid := f.w.PartnershipID
		analyst, coord, second := f.w.Roles[prevent.Analyst], f.w.Roles[prevent.Coordinator], secondAnalyst(t, db, f)

		rec := f.site.Serve(t, analyst, http.MethodPost, statistics.AnnualsPath.Link(pid), url.Values{"year": {"2025/26"}, "policy": {"suppress-below-5:1"}})
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), statistics.AnnualsPath.Link(pid)+"/") {
			t.Fatalf("draft: status %d, location %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
		}
		annual := rec.Header().Get("Location")
		page := func(p prevent.Principal) *goquery.Document {
			t.Helper()
			rec := f.site.Serve(t, p, http.MethodGet, annual, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("annual page: status %d: %s", rec.Code, rec.Body)
			}
			return doc(t, rec.Body.String())
		}
		d := page(analyst)
		if d.Find("form[action$='/check']").Length() != 0 {
			t.Error("the drafter is offered the check")
		}
		if tag := strings.TrimSpace(d.Find("main .govuk-tag").First().Text()); tag != "Draft" {
			t.Errorf("status %q, want Draft", tag)
		}
		// The drafter checking anyway is told why not, on the page.
		rec = f.site.Serve(t, analyst, http.MethodPost, annual+"/check", url.Values{"revision": {"1"}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "someone else must check it") {
			t.Errorf("drafter's check: status %d: %s", rec.Code, rec.Body)
		}
		// A stale revision is refused with a reason.
		rec = f.site.Serve(t, second, http.MethodPost, annual+"/check", url.Values{"revision": {"7"}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "drafted again since you read it") {
			t.Errorf("stale check: status %d: %s", rec.Code, rec.Body)
		}
		if page(second).Find("form[action$='/check']").Length() != 1 {
			t.Fatal("the second analyst is not offered the check")
		}
		if rec = f.site.Serve(t, second, http.MethodPost, annual+"/check", url.Values{"revision": {"1"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("check: status %d: %s", rec.Code, rec.Body)
		}
		if page(second).Find("form[action$='/approve']").Length() != 0 || page(analyst).Find("form[action$='/approve']").Length() != 0 {
			t.Error("an analyst is offered the approval")
		}
		d = page(coord)
		if d.Find("form[action$='/approve']").Length() != 1 {
			t.Fatal("the coordinator is not offered the approval")
		}
		if rec = f.site.Serve(t, coord, http.MethodPost, annual+"/approve", url.Values{"revision": {"1"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("approve: status %d: %s", rec.Code, rec.Body)
		}
		d = page(analyst)
		if tag := strings.TrimSpace(d.Find("main .govuk-tag").First().Text()); tag != "Approved" {
			t.Errorf("status %q, want Approved", tag)
		}
		bundle := d.Find("a[href$='/bundle']").AttrOr("href", "")
		rec = f.site.Serve(t, analyst, http.MethodGet, bundle, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" {
			t.Fatalf("bundle: status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		z, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, zf := range z.File {
			names[zf.Name] = true
		}
		if !names["manifest.json"] || !names["manifest.sig"] || !names["return.ods"] {
			t.Errorf("bundle holds %v", names)
		}
		// The return page lists the approved return and offers a new draft.
		ret := doc(t, f.site.Serve(t, coord, http.MethodGet, statistics.ReturnPath.Link(pid)+"?year=2025%2F26", nil).Body.String())
		if !strings.Contains(ret.Find("table").First().Text(), "Approved") {
			t.Error("the return page does not list the approved return")
		}
		if ret.Find("form[action='"+statistics.AnnualsPath.Link(pid)+"']").Length() != 1 {
			t.Error("no new draft offered after the approval")
		}
		for _, role := range []prevent.Role{prevent.Referrer, prevent.PanelMember, prevent.Administrator} {
			if rec := f.site.Serve(t, f.w.Roles[role], http.MethodGet, annual, nil); rec.Code != http.StatusNotFound {
				t.Errorf("%s: annual page status %d, want 404", role, rec.Code)
			}
			if rec := f.site.Serve(t, f.w.Roles[role], http.MethodGet, bundle, nil); rec.Code != http.StatusNotFound {
				t.Errorf("%s: bundle status %d, want 404", role, rec.Code)
			}
		}
	})
}

package statistics_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/statistics"
)

// approvedBundle takes the demo partnership's 2025/26 return through its approval and returns its bundle.
func approvedBundle(t *testing.T, db *database.DB, f fixture) []byte {
	t.Helper()
	pid := f.w.PartnershipID
	analyst, coord, second := f.w.Roles[prevent.Analyst], f.w.Roles[prevent.Coordinator], secondAnalyst(t, db, f)
	rec := f.site.Serve(t, analyst, http.MethodPost, statistics.AnnualsPath.Link(pid), url.Values{"year": {"2025/26"}, "policy": {"suppress-below-5:1"}})
	annual := rec.Header().Get("Location")
	for _, step := range []struct {
		p    prevent.Principal
		path string
	}{{second, annual + "/check"}, {coord, annual + "/approve"}} {
		if rec := f.site.Serve(t, step.p, http.MethodPost, step.path, url.Values{"revision": {"1"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: status %d: %s", step.path, rec.Code, rec.Body)
		}
	}
	rec = f.site.Serve(t, analyst, http.MethodGet, annual+"/bundle", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("bundle: status %d", rec.Code)
	}
	return rec.Body.Bytes()
}

// region adds a partnership to be the region, with its administrator and a coordinator.
func region(t *testing.T, db *database.DB, f fixture) (pid prevent.ID, admin, coord prevent.Principal) {
	t.Helper()
	ctx := context.Background()
	ps := partnership.New(partnership.Deps{DB: db, Now: f.site.Now})
	pid, err := ps.Bootstrap(ctx, "North West Region", "North West", "North West")
	if err != nil {
		t.Fatal(err)
	}
	adminID, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "North West Regional Office", Sector: "local_authority", PublicBody: "yes"},
		"Rhian Region", "rhian@nw-region.example")
	if err != nil {
		t.Fatal(err)
	}
	load := func(id prevent.ID) prevent.Principal {
		p, err := auth.LoadPrincipal(ctx, db.Read(), id, f.site.Now())
		if err != nil {
			t.Fatal(err)
		}
		p.MFA = true
		return p
	}
	admin = load(adminID)
	coordID, _, err := ps.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "Colm Region", Email: "colm@nw-region.example",
		OrganisationID: admin.OrganisationID, Roles: []string{string(prevent.Coordinator)}})
	if err != nil {
		t.Fatal(err)
	}
	return pid, admin, load(coordID)
}

func upload(t *testing.T, f fixture, p prevent.Principal, pid prevent.ID, bundle []byte) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("year", "2025/26")
	fw, err := mw.CreateFormFile("bundle", "return.zip")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bundle)
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, statistics.ImportsPath.Link(pid), &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return f.site.ServeRequest(p, r)
}

// TestRegionImportsBundles: a region's administrator sets its tier and registers the demo partnership's public
// key (a key that is not one is an error on its field); the region's coordinator imports the demo's approved
// bundle and sees it in the region's figures; a changed bundle and the same bundle again are refused on the
// file field; a local partnership's people cannot reach the region's pages.
func TestRegionImportsBundles(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		bundle := approvedBundle(t, db, f)
		rid, admin, coord := region(t, db, f)

		rec := f.site.Serve(t, admin, http.MethodGet, statistics.SendersPath.Link(rid), nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), f.w.Returns.PublicKey()) {
			t.Fatalf("senders page: status %d, public key shown: %v", rec.Code, strings.Contains(rec.Body.String(), f.w.Returns.PublicKey()))
		}
		// Registering before the tier is set is refused on the tier.
		rec = f.site.Serve(t, admin, http.MethodPost, statistics.SendersPath.Link(rid), url.Values{"name": {"Elmshire"}, "public-key": {f.w.Returns.PublicKey()}})
		if rec.Code != http.StatusOK || doc(t, rec.Body.String()).Find("#tier-error").Length() != 1 {
			t.Errorf("sender before tier: status %d: %s", rec.Code, rec.Body)
		}
		if rec = f.site.Serve(t, admin, http.MethodPost, statistics.TierPath.Link(rid), url.Values{"tier": {"region"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("tier: status %d: %s", rec.Code, rec.Body)
		}
		rec = f.site.Serve(t, admin, http.MethodPost, statistics.SendersPath.Link(rid), url.Values{"name": {"Elmshire"}, "public-key": {"not a key"}})
		d := doc(t, rec.Body.String())
		if rec.Code != http.StatusOK || d.Find("#public-key-error").Length() != 1 || d.Find("#name").AttrOr("value", "") != "Elmshire" {
			t.Errorf("bad key: status %d, error shown %d, name kept %q", rec.Code, d.Find("#public-key-error").Length(), d.Find("#name").AttrOr("value", ""))
		}
		if rec = f.site.Serve(t, admin, http.MethodPost, statistics.SendersPath.Link(rid), url.Values{"name": {"Elmshire"}, "public-key": {f.w.Returns.PublicKey()}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("register: status %d: %s", rec.Code, rec.Body)
		}

		tampered := bytes.Clone(bundle)
		tampered[len(tampered)/2] ^= 0x20
		rec = upload(t, f, coord, rid, tampered)
		if rec.Code != http.StatusOK || doc(t, rec.Body.String()).Find("#bundle-error").Length() != 1 {
			t.Errorf("tampered bundle: status %d: %s", rec.Code, rec.Body)
		}
		if rec = upload(t, f, coord, rid, bundle); rec.Code != http.StatusSeeOther {
			t.Fatalf("import: status %d: %s", rec.Code, rec.Body)
		}
		rec = upload(t, f, coord, rid, bundle)
		if msg := doc(t, rec.Body.String()).Find("#bundle-error").Text(); rec.Code != http.StatusOK || msg == "" {
			t.Errorf("replayed bundle: status %d, error %q", rec.Code, msg)
		}
		rec = f.site.Serve(t, coord, http.MethodGet, statistics.RegionalPath.Link(rid)+"?year=2025%2F26&policy=suppress-below-5%3A1", nil)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, "Elmshire Prevent Partnership") {
			t.Fatalf("regional page: status %d: %s", rec.Code, body)
		}
		if doc(t, body).Find("table.govuk-table").Length() < 2 {
			t.Error("the regional page does not show the sum of the imported return")
		}
		for _, role := range []prevent.Role{prevent.Coordinator, prevent.Referrer} {
			if rec := f.site.Serve(t, f.w.Roles[role], http.MethodGet, statistics.RegionalPath.Link(rid), nil); rec.Code != http.StatusNotFound {
				t.Errorf("demo %s on the region's page: status %d", role, rec.Code)
			}
		}
		if rec := f.site.Serve(t, coord, http.MethodGet, statistics.SendersPath.Link(rid), nil); rec.Code != http.StatusNotFound {
			t.Errorf("coordinator on the senders page: status %d, want 404", rec.Code)
		}
	})
}

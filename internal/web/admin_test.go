package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/preventplatform/prevent/internal/web/admin"
	"github.com/preventplatform/prevent/internal/web/admin/admintest"
)

// adminFixture is a partnership with one administrator, and a second partnership with a person of its own
// (internal/web/admin/admintest), served by the service's pages.
type adminFixture struct {
	s       *Server
	ps      *partnership.Service
	pid     prevent.ID
	admin   prevent.Principal
	orgID   prevent.ID
	otherID prevent.ID // a person in the other partnership
	db      *database.DB
}

// testDeps wires the pages' services on db as the service does (the auth service may be nil).
func testDeps(db *database.DB, as *auth.Service, ps *partnership.Service, now func() time.Time) Deps {
	return servicesDeps(testworld.New(db, now), as, ps, now)
}

// servicesDeps wires the pages on the services w as the service does (the auth service may be nil).
func servicesDeps(w testworld.Services, as *auth.Service, ps *partnership.Service, now func() time.Time) Deps {
	return Deps{Auth: as, Partnership: ps, Casework: w.Casework, Sharing: w.Sharing, Rights: w.Rights, Programme: w.Programme, Returns: w.Returns, Assurance: w.Assurance, Work: w.Work,
		Notify: w.Notify, AuditLog: w.AuditLog, Now: now}
}

func newAdminFixture(t *testing.T) adminFixture {
	t.Helper()
	w := admintest.New(t, dbtest.NewSQLite(t))
	s := New(testDeps(w.DB, nil, w.Partnership, w.Now))
	return adminFixture{s: s, ps: w.Partnership, pid: w.PID, admin: w.Admin, orgID: w.Council, otherID: w.Elsewhere, db: w.DB}
}

// serve routes a request to the registered handler as the principal, applying the route's action as the guard
// does, but without a session (the guard's authentication is tested with the auth service).
func serve(t *testing.T, s *Server, p prevent.Principal, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.HandleFunc(rt.Method+" "+rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
			r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
			if !access.Permits(p, rt.Action).Allow {
				s.renderError(w, r, access.NotFound("Page"))
				return
			}
			if err := rt.handle(w, r); err != nil {
				s.renderError(w, r, err)
			}
		})
	}
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
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

func parse(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestAdminPagesInTheService: the partnership administration pages (internal/web/admin, tested there) are
// served in the service's frame, with the partnership's navigation item current, and the set-up link a page
// shows starts with https when the service sets secure cookies.
func TestAdminPagesInTheService(t *testing.T) {
	f := newAdminFixture(t)
	pp := admin.PartnershipPath.Link(f.pid)
	for _, target := range []string{pp, pp + "/organisations", pp + "/people", fmt.Sprintf("%s/people/%d", pp, f.admin.PersonID)} {
		w := serve(t, f.s, f.admin, http.MethodGet, target, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d", target, w.Code)
		}
		if cur := parse(t, w).Find(".govuk-service-navigation__item--active").Text(); !strings.Contains(cur, "Partnership") {
			t.Errorf("GET %s: current navigation item %q, want Partnership", target, cur)
		}
	}
	if w := serve(t, f.s, f.admin, http.MethodGet, fmt.Sprintf("%s/people/%d", pp, f.otherID), nil); w.Code != http.StatusNotFound ||
		strings.Contains(w.Body.String(), "Sam South") {
		t.Errorf("person elsewhere: status %d", w.Code)
	}

	d := testDeps(f.db, nil, f.ps, func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) })
	d.SecureCookies = true
	w := serve(t, New(d), f.admin, http.MethodPost, pp+"/people/new", url.Values{"name": {"Pat Panel"}, "email": {"pat@northtown.example"},
		"organisation": {fmt.Sprint(f.orgID)}, "roles": {"panel_member"}})
	if link := strings.TrimSpace(parse(t, w).Find("#set-up-link").Text()); !strings.HasPrefix(link, "https://") {
		t.Errorf("set-up link %q, want https", link)
	}
}

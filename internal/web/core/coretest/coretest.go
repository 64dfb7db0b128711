// Package coretest serves an area package's pages in its own tests, without the rest of the service: each
// request is made as one principal, the route's access action is checked as the service's guard checks it, a
// page is drawn in the real frame, and an error becomes the status the service gives it, with its public
// message as the body.
package coretest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
)

// Route is a route an area registered.
type Route struct {
	Method, Pattern string
	Action          access.Action
}

// Site is a core.Site for tests.
type Site struct {
	Now    func() time.Time
	routes []Route
	mux    *http.ServeMux
}

var _ core.Site = (*Site)(nil)

// New returns an empty Site on the clock now.
func New(now func() time.Time) *Site { return &Site{Now: now, mux: http.NewServeMux()} }

// Routes are the routes registered, in order.
func (s *Site) Routes() []Route { return append([]Route(nil), s.routes...) }

// Handle registers a route behind the access check.
func (s *Site) Handle(method, pattern string, action access.Action, h core.Handler) {
	s.routes = append(s.routes, Route{Method: method, Pattern: pattern, Action: action})
	s.mux.HandleFunc(method+" "+pattern, func(w http.ResponseWriter, r *http.Request) {
		if !access.Permits(prevent.PrincipalFrom(r.Context()), action).Allow {
			http.Error(w, "Page not found", http.StatusNotFound)
			return
		}
		if err := h(w, r); err != nil {
			http.Error(w, prevent.PublicMessage(err), core.Status(err))
		}
	})
}

// Layout is the frame of a page for the principal of the request.
func (s *Site) Layout(r *http.Request, title string) core.Layout {
	return core.Layout{Title: title, Principal: prevent.PrincipalFrom(r.Context())}
}

// Page renders c with status 200.
func (s *Site) Page(w http.ResponseWriter, r *http.Request, l core.Layout, c templ.Component) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return c.Render(r.Context(), w)
}

// Flash redirects to the next page, putting the message in the X-Flash header for the test to read.
func (s *Site) Flash(w http.ResponseWriter, r *http.Request, to, message string) error {
	w.Header().Set("X-Flash", message)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// May decides the action for the partnership as the domain does.
func (s *Site) May(r *http.Request, pid prevent.ID, action access.Action) bool {
	p := prevent.PrincipalFrom(r.Context())
	return access.Decide(p, action, access.Resource{Kind: "partnership", PartnershipID: pid}, s.Now()).Allow
}

// Serve makes a request as p: a GET of target, or a POST of form when form is not nil.
func (s *Site) Serve(t testing.TB, p prevent.Principal, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	return s.ServeRequest(p, r)
}

// ServeRequest serves r as p, for requests Serve does not make (a multipart upload, say).
func (s *Site) ServeRequest(p prevent.Principal, r *http.Request) *httptest.ResponseRecorder {
	r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
	w := httptest.NewRecorder()
	s.mux.ServeHTTP(w, r)
	return w
}

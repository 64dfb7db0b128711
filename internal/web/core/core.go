// Package core is what every area of the HTML pages shares: the frame a page is drawn in (Layout, Frame), the
// handler and route shapes an area registers its pages with (Handler, Router, Pages), one reader for what a
// request carries (path ids, posted forms, GOV.UK date inputs), one date formatter, and typed paths whose
// pattern and link come from one declaration.
//
// An area package (for example internal/web/monitoring) holds the pages of one part of the service. It is
// given a Router to register its routes, each with the access action it needs, and a Pages to draw them; it
// never sees the session, the database or the keyring.
package core

import (
	"net/http"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Handler is a page handler: it writes the response, or returns an error that the one error adapter turns into
// the GOV.UK error page with the status the error's kind calls for.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Router registers an area's routes. Every route names the access action it needs; the router checks it
// before the handler runs, and the route-by-role test walks every route registered.
type Router interface {
	Handle(method, pattern string, action access.Action, h Handler)
}

// Pages draws an area's pages in the service's frame.
type Pages interface {
	// Layout builds the frame of a page: title, who is signed in, navigation, and the success message left
	// by the last redirect.
	Layout(r *http.Request, title string) Layout
	// Page renders c with status 200 (also when a form is shown again with its errors, as GOV.UK services
	// do) and clears the success message l displayed.
	Page(w http.ResponseWriter, r *http.Request, l Layout, c templ.Component) error
	// Flash leaves message for the next page and redirects there (POST-redirect-GET).
	Flash(w http.ResponseWriter, r *http.Request, to, message string) error
	// May reports whether the signed-in person may take action in the partnership, for showing links and
	// buttons; the domain decides again when the action is taken.
	May(r *http.Request, pid prevent.ID, action access.Action) bool
}

// Site is what an area package is given: the router to register its pages with and the frame to draw them in.
type Site interface {
	Router
	Pages
}

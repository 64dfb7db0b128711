// Package web serves the GOV.UK-styled HTML pages. routes.go is the whole URL surface: every route is
// registered with the access action it needs, and nothing is served that is not registered.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/webhooks"
	"github.com/preventplatform/prevent/internal/work"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "prevent_session"

// Deps are what the pages need: the domain services, built once by the composition root (cmd/prevent) and
// shared with the API and the jobs. The pages never hold the database or the keyring.
type Deps struct {
	Auth        *auth.Service
	Partnership *partnership.Service
	Casework    *casework.Service
	Sharing     *sharing.Service
	// Rights serves the rights of data subjects: subject access, rectification, retention and legal holds.
	Rights    *rights.Service
	Programme *programme.Service
	// Returns computes the partnership's statistical returns, under disclosure control.
	Returns *returns.Service
	// Assurance keeps the partnership's self-assessments against its frameworks.
	Assurance *assurance.Service
	Work      *work.Service
	// Notify reads and changes people's own notifications and email preference.
	Notify *notify.Service
	// Webhooks keeps the partnership's webhook endpoints, managed from the administrator's pages.
	Webhooks *webhooks.Service
	// Imports brings people and an existing caseload in from files, from the administrator's pages.
	Imports *importer.Service
	// AuditLog is browsed by the audit page.
	AuditLog *audit.Log
	Logger   *slog.Logger
	Now      func() time.Time
	// SecureCookies sets the Secure attribute (on whenever the service is reached over HTTPS).
	SecureCookies bool
	// Demo shows the demo banner; it is set only by `serve --demo`.
	Demo bool
	// AuditDir is where signed checkpoints are written, for the audit page's status line.
	AuditDir string
}

// handler is a page handler: it writes the response or returns an error for the one error adapter.
type handler = core.Handler

// Route is one registered URL with the access action it requires.
type Route struct {
	Method  string
	Pattern string
	Action  access.Action
	handle  handler
}

// Server is the HTML side of the service.
type Server struct {
	deps   Deps
	routes []Route
	mux    *http.ServeMux
}

// New returns a Server with every route registered.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{deps: d, mux: http.NewServeMux()}
	s.register()
	return s
}

// Routes returns every registered route, for the route-by-role test and the documentation.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Mux returns the router with every route registered (the caller adds operations routes and the API).
func (s *Server) Mux() *http.ServeMux { return s.mux }

func (s *Server) handle(method, pattern string, action access.Action, h handler) {
	rt := Route{Method: method, Pattern: pattern, Action: action, handle: h}
	s.routes = append(s.routes, rt)
	s.mux.Handle(method+" "+pattern, s.guard(rt))
}

// guard authenticates the request, applies the route's access action and adapts the handler's error.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.principal(w, r)
		r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
		if !p.Anonymous() {
			w.Header().Set("Cache-Control", "no-store")
		}
		if d := access.Permits(p, rt.Action); !d.Allow {
			switch {
			case p.Anonymous():
				if r.Method == http.MethodGet {
					http.Redirect(w, r, account.SignInPath.Link(), http.StatusSeeOther)
					return
				}
				s.renderError(w, r, prevent.Errorf(prevent.Unauthenticated, "Sign in to continue"))
				return
			case p.NeedsSecondFactor() && !p.MFA:
				http.Redirect(w, r, account.SecondFactorPath.Link(), http.StatusSeeOther)
				return
			case rt.Action == access.SignIn:
				http.Redirect(w, r, "/", http.StatusSeeOther)
				return
			}
			// Signed in but not permitted: the page does not exist for them.
			s.renderError(w, r, access.NotFound("Page"))
			return
		}
		if err := rt.handle(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// principal resolves the session cookie; a bad or expired session is anonymous (and the cookie is cleared).
func (s *Server) principal(w http.ResponseWriter, r *http.Request) prevent.Principal {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return prevent.Principal{}
	}
	p, err := s.deps.Auth.Authenticate(r.Context(), c.Value)
	if err != nil {
		if prevent.ErrorKind(err) == prevent.Internal {
			s.deps.Logger.ErrorContext(r.Context(), "authenticate", "err", err)
		}
		s.clearSession(w)
		return prevent.Principal{}
	}
	return p
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.deps.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int((12 * time.Hour).Seconds()),
	})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.deps.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := core.Status(err)
	if status == http.StatusInternalServerError {
		s.deps.Logger.ErrorContext(r.Context(), "page failed", "route", r.Pattern, "err", err)
	}
	page := errorPage(s.layout(r, ""), status, prevent.PublicMessage(err))
	s.render(w, r, status, page)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.deps.Logger.ErrorContext(r.Context(), "render", "route", r.Pattern, "err", err)
	}
}

// NotFoundHandler renders the GOV.UK "page not found" for anything unregistered.
func (s *Server) NotFoundHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.principal(w, r)
		r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
		s.renderError(w, r, access.NotFound("Page"))
	})
}

// ServerError renders the generic error page (for the panic recoverer).
func (s *Server) ServerError(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, errors.New("panic"))
}

// SecurityHeaders sets the headers every response carries.
func SecurityHeaders(secure bool, next http.Handler) http.Handler {
	csp := strings.Join([]string{
		"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
		"connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
	}, "; ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		next.ServeHTTP(w, r)
	})
}

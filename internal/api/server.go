// Package api serves the JSON API under /api/v1. routes.go is its whole URL surface: every route is registered
// with the access action it needs, authenticated with a bearer token, and documented in the OpenAPI 3.1
// document served at /api/v1/openapi.json, which is built from the same route table. Errors are RFC 9457
// problem+json bodies.
package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/idempotency"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/webhooks"
	"github.com/preventplatform/prevent/internal/work"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Deps are what the API needs: the domain services, built once by the composition root (cmd/prevent) and
// shared with the pages and the jobs. The API never holds the database or the keyring.
type Deps struct {
	Auth        *auth.Service
	Partnership *partnership.Service
	Casework    *casework.Service
	Sharing     *sharing.Service
	// Rights serves the rights of data subjects: subject access, rectification, retention and legal holds.
	Rights *rights.Service
	// Returns computes the partnership's statistical returns, under disclosure control.
	Returns *returns.Service
	// Assurance keeps the partnership's self-assessments against its frameworks.
	Assurance *assurance.Service
	Programme *programme.Service
	Work      *work.Service
	// Notify reads and changes people's own notifications and email preference.
	Notify *notify.Service
	// AuditLog is read by those allowed to audit the partnership.
	AuditLog *audit.Log
	// Idempotency remembers the answers to requests sent with an Idempotency-Key header.
	Idempotency *idempotency.Store
	// Webhooks keeps the partnership's webhook endpoints and their deliveries.
	Webhooks *webhooks.Service
	// Imports brings people and an existing caseload in from files.
	Imports *importer.Service
	Logger  *slog.Logger
	Now     func() time.Time
}

// handler is a route handler: it writes the response or returns an error for the one problem adapter.
type handler func(w http.ResponseWriter, r *http.Request) error

// Route is one registered method and pattern with the access action it requires.
type Route struct {
	Method  string
	Pattern string
	Action  access.Action
	op      operation
	handle  handler
}

// Server is the JSON API.
type Server struct {
	deps   Deps
	routes []Route
	doc    []byte
}

// New returns a Server with its route table built.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{deps: d}
	s.register()
	return s
}

// Routes returns every route, for the route-by-role test and the OpenAPI document.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Register adds every route to mux, and a catch-all under /api/v1/ that answers unknown paths with a
// problem+json 404 rather than an HTML page.
func (s *Server) Register(mux *http.ServeMux) {
	for _, rt := range s.routes {
		mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	mux.Handle(Prefix+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = withRequestID(w, r)
		s.fail(w, r, access.NotFound("Resource"))
	}))
}

func (s *Server) handle(method, pattern string, action access.Action, op operation, h handler) {
	s.routes = append(s.routes, Route{Method: method, Pattern: Prefix + pattern, Action: action, op: op, handle: h})
}

// guard authenticates the bearer token, applies the route's access action and adapts the handler's error.
// Without a valid token the answer is 401; with one whose roles do not permit the action it is 404, so that
// the existence of what the route serves is not revealed. A POST sent with an Idempotency-Key header runs at
// most once per key and account (idempotent), and a retry gets the first answer.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = withRequestID(w, r)
		w.Header().Set("Cache-Control", "no-store")
		var p prevent.Principal
		if rt.Action != access.Public {
			var err error
			p, err = s.principal(r)
			if err != nil {
				if statusOf(err) == http.StatusInternalServerError {
					s.fail(w, r, err)
					return
				}
				w.Header().Set("WWW-Authenticate", challenge(r))
				s.fail(w, r, prevent.Errorf(prevent.Unauthenticated, "Send a valid API token in the Authorization header: Bearer <token>"))
				return
			}
			r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
		}
		if d := access.Permits(p, rt.Action); !d.Allow {
			s.fail(w, r, access.NotFound("Resource"))
			return
		}
		r = r.WithContext(withNow(r.Context(), s.now()))
		s.idempotent(w, r, p, func(w http.ResponseWriter, r *http.Request) {
			if err := rt.handle(w, r); err != nil {
				s.fail(w, r, err)
			}
		})
	})
}

// challenge is the WWW-Authenticate value (RFC 6750): invalid_token when a token was sent and refused.
func challenge(r *http.Request) string {
	if r.Header.Get("Authorization") != "" {
		return `Bearer realm="prevent", error="invalid_token"`
	}
	return `Bearer realm="prevent"`
}

// bearer returns the token of an "Authorization: Bearer <token>" header, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// withRequestID gives the request an id for logs and audit entries (keeping one set by outer middleware),
// and returns it in X-Request-Id.
func withRequestID(w http.ResponseWriter, r *http.Request) *http.Request {
	id := prevent.RequestIDFrom(r.Context())
	if id == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
		r = r.WithContext(prevent.NewContextWithRequestID(r.Context(), id))
	}
	w.Header().Set("X-Request-Id", id)
	return r
}

// fail writes err as a problem. Unexpected errors are logged with the request id and shown only as the
// generic message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	p.Instance = r.URL.Path
	p.RequestID = prevent.RequestIDFrom(r.Context())
	if p.Status == http.StatusInternalServerError {
		s.deps.Logger.ErrorContext(r.Context(), "api request failed", "request_id", p.RequestID, "route", r.Pattern, "err", err)
	}
	writeProblem(w, p)
}

// pathID reads a numeric path parameter. A malformed id names nothing, so it is not found.
func pathID(r *http.Request, name string) (prevent.ID, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, access.NotFound("Resource")
	}
	return id, nil
}

func (s *Server) now() time.Time { return s.deps.Now().UTC().Truncate(time.Microsecond) }

package web

import (
	"context"
	"net/http"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/core"
)

// site is the Server as an area package sees it (core.Site): its routes go into the one route table, behind
// the one guard, and its pages are drawn in the one frame.
type site struct{ s *Server }

var _ core.Site = site{}

func (k site) Handle(method, pattern string, action access.Action, h core.Handler) {
	k.s.handle(method, pattern, action, h)
}

func (k site) Layout(r *http.Request, title string) core.Layout { return k.s.layout(r, title) }

func (k site) Page(w http.ResponseWriter, r *http.Request, l core.Layout, c templ.Component) error {
	return k.s.page(w, r, l, c)
}

func (k site) Flash(w http.ResponseWriter, r *http.Request, to, message string) error {
	return k.s.flash(w, r, to, message)
}

// May decides the action for the partnership as the domain does, for showing links and buttons; the service
// decides again when the action is taken.
func (k site) May(r *http.Request, pid prevent.ID, action access.Action) bool {
	p := prevent.PrincipalFrom(r.Context())
	return access.Decide(p, action, access.Resource{Kind: "partnership", PartnershipID: pid}, k.s.deps.Now()).Allow
}

// sessions is the session cookie as the sign-in pages (internal/web/account) see it (account.Session): the
// guard reads the same cookie.
type sessions struct{ s *Server }

var _ account.Session = sessions{}

func (k sessions) Token(r *http.Request) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func (k sessions) Start(w http.ResponseWriter, token string) { k.s.setSession(w, token) }

func (k sessions) End(w http.ResponseWriter) { k.s.clearSession(w) }

// personNames gives area packages the names of the partnership's people in ids that the reader may see.
func (s *Server) personNames(ctx context.Context, p prevent.Principal, pid prevent.ID, ids []prevent.ID) (map[prevent.ID]string, error) {
	n, err := core.LookupStaffNames(ctx, s.deps.Partnership, p, pid, ids, s.deps.Now())
	if err != nil {
		return nil, err
	}
	out := map[prevent.ID]string{}
	for id, pe := range n.People {
		out[id] = pe.Name
	}
	return out, nil
}

package web

import (
	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/web/admin"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/assurance"
	"github.com/preventplatform/prevent/internal/web/auditlog"
	"github.com/preventplatform/prevent/internal/web/channel"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/mywork"
	"github.com/preventplatform/prevent/internal/web/notifications"
	"github.com/preventplatform/prevent/internal/web/programme"
	sharingpages "github.com/preventplatform/prevent/internal/web/sharing"
	"github.com/preventplatform/prevent/internal/web/statistics"
)

const flashCookie = "prevent_flash"

// layout builds the frame for a page, taking (and clearing) any success message left by the last redirect.
func (s *Server) layout(r *http.Request, title string) core.Layout {
	p := prevent.PrincipalFrom(r.Context())
	l := core.Layout{Title: title, Principal: p, Demo: s.deps.Demo}
	if c, err := r.Cookie(flashCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			l.Success = v
		}
	}
	if p.Anonymous() || (p.NeedsSecondFactor() && !p.MFA) {
		return l
	}
	add := func(text, href string) {
		l.Nav = append(l.Nav, core.NavItem{Text: text, Href: href, Current: r.URL.Path == href || (href != "/" && strings.HasPrefix(r.URL.Path, href+"/"))})
	}
	add("Home", "/")
	if access.Permits(p, access.CaseStatusView).Allow {
		add("My work", mywork.WorkPath.Link())
	}
	if ps := p.Partnerships(); len(ps) > 0 && access.Permits(p, access.PartnershipView).Allow {
		add("Partnership", admin.PartnershipPath.Link(ps[0]))
	}
	if ps := p.Partnerships(); len(ps) > 0 && access.Permits(p, access.PanelView).Allow {
		add("Panels", channel.PanelsPath.Link(ps[0]))
	}
	if ps := p.Partnerships(); len(ps) > 0 && access.Permits(p, access.PlanView).Allow {
		add("Programme", programme.HomePath.Link(ps[0]))
	}
	if ps := p.Partnerships(); len(ps) > 0 && access.Permits(p, access.AgreementView).Allow {
		add("Information sharing", sharingpages.HomePath.Link(ps[0]))
	}
	if ps := p.Partnerships(); len(ps) > 0 && access.Permits(p, access.StatisticsView).Allow {
		add("Statistics", statistics.DashboardPath.Link(ps[0]))
	}
	if ps := p.Partnerships(); len(ps) > 0 && access.Permits(p, access.SelfAssessmentView).Allow {
		add("Self-assessment", assurance.ListPath.Link(ps[0]))
	}
	if access.Permits(p, access.AuditView).Allow {
		add("Audit log", auditlog.LogPath.Link())
	}
	notes, err := notifications.NavText(r.Context(), s.deps.Notify, p)
	if err != nil {
		s.deps.Logger.ErrorContext(r.Context(), "count unread notifications", "err", err)
	}
	add(notes, notifications.ListPath.Link())
	add("Your account", account.AccountPath.Link())
	markCurrent(l.Nav, r.URL.Path)
	return l
}

// partnershipSections are the partnership's own pages (its details, organisations, people and webhooks) under
// /partnerships/{pid}; casework sections are reached from My work.
var (
	partnershipSections = []string{"edit", "organisations", "people", "webhooks", "imports"}
	caseworkSections    = []string{"cases", "referrals", "notices", "signposting", "providers"}
)

// markCurrent leaves one item current: "Partnership" only on the partnership's own pages, "My work" on
// casework pages, and otherwise the most specific address that prefixes the path.
func markCurrent(nav []core.NavItem, path string) {
	best := -1
	for i, n := range nav {
		switch n.Text {
		case "Partnership":
			rest, under := strings.CutPrefix(path, n.Href+"/")
			n.Current = path == n.Href || (under && slices.Contains(partnershipSections, strings.SplitN(rest, "/", 2)[0]))
		case "My work":
			parts := strings.Split(path, "/") // "", "partnerships", pid, section, ...
			n.Current = n.Current || (len(parts) > 3 && parts[1] == "partnerships" && slices.Contains(caseworkSections, parts[3]))
		}
		if n.Current && (best < 0 || len(n.Href) > len(nav[best].Href)) {
			best = i
		}
	}
	for i := range nav {
		nav[i].Current = i == best
	}
}

// flash sets the success message shown on the next page, then redirects there (POST-redirect-GET).
func (s *Server) flash(w http.ResponseWriter, r *http.Request, to, message string) error {
	s.leaveFlash(w, message)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// leaveFlash sets the success message shown on the next page without redirecting, for an answer whose script
// goes to the next page itself (the passkey endpoints).
func (s *Server) leaveFlash(w http.ResponseWriter, message string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(message), Path: "/", HttpOnly: true,
		Secure: s.deps.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

// consumeFlash clears the flash cookie once a page has shown it.
func (s *Server) consumeFlash(w http.ResponseWriter, l core.Layout) {
	if l.Success != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.deps.SecureCookies})
	}
}

// page renders a full page (status 200, also when re-showing a form with its errors, as GOV.UK services do)
// and clears the flash message it displayed.
func (s *Server) page(w http.ResponseWriter, r *http.Request, l core.Layout, c templ.Component) error {
	s.consumeFlash(w, l)
	s.render(w, r, http.StatusOK, c)
	return nil
}

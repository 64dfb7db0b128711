package web

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/admin"
	"github.com/preventplatform/prevent/internal/web/auditlog"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/mywork"
	"github.com/preventplatform/prevent/internal/web/programme"
)

// handleHome is the signed-in person's home page: links to the parts of the service their roles open.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	l := s.layout(r, "")
	p := l.Principal
	var links []core.NavItem
	if access.Permits(p, access.CaseStatusView).Allow {
		links = append(links, core.NavItem{Text: "My work: referrals and cases that need you", Href: mywork.WorkPath.Link()})
	}
	for _, pid := range p.Partnerships() {
		links = append(links, core.NavItem{Text: "Your partnership", Href: admin.PartnershipPath.Link(pid)})
		if access.Permits(p, access.PersonView).Allow {
			links = append(links, core.NavItem{Text: "People and roles", Href: admin.PeoplePath.Link(pid)})
		}
		links = append(links, core.NavItem{Text: "Member organisations", Href: admin.OrganisationsPath.Link(pid)})
		if access.Permits(p, access.PlanView).Allow {
			links = append(links, core.NavItem{Text: "Programme of action: delivery plan, projects, funding, training and library", Href: programme.HomePath.Link(pid)})
		}
	}
	if access.Permits(p, access.AuditView).Allow {
		links = append(links, core.NavItem{Text: "Audit log", Href: auditlog.LogPath.Link()})
	}
	links = append(links, core.NavItem{Text: "Your account and API tokens", Href: account.AccountPath.Link()})
	return s.page(w, r, l, homePage(l, links))
}

package web

import (
	"fmt"
	"net/http"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/web/account"
	"github.com/preventplatform/prevent/internal/web/admin"
	"github.com/preventplatform/prevent/internal/web/auditlog"
)

func (s *Server) handleInfo(which string) handler {
	titles := map[string]string{"cookies": "Cookies", "accessibility": "Accessibility statement", "privacy": "Privacy notice"}
	return func(w http.ResponseWriter, r *http.Request) error {
		l := s.layout(r, titles[which])
		return s.page(w, r, l, infoPage(l, which))
	}
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	l := s.layout(r, "")
	p := l.Principal
	var links []navItem
	if access.Permits(p, access.CaseStatusView).Allow {
		links = append(links, navItem{Text: "My work: referrals and cases that need you", Href: "/work"})
	}
	for _, pid := range p.Partnerships() {
		links = append(links, navItem{Text: "Your partnership", Href: admin.PartnershipPath.Link(pid)})
		if access.Permits(p, access.PersonView).Allow {
			links = append(links, navItem{Text: "People and roles", Href: admin.PeoplePath.Link(pid)})
		}
		links = append(links, navItem{Text: "Member organisations", Href: admin.OrganisationsPath.Link(pid)})
		if access.Permits(p, access.PlanView).Allow {
			links = append(links, navItem{Text: "Programme of action: delivery plan, projects, funding, training and library", Href: fmt.Sprintf("/partnerships/%d/programme", pid)})
		}
	}
	if access.Permits(p, access.AuditView).Allow {
		links = append(links, navItem{Text: "Audit log", Href: auditlog.LogPath.Link()})
	}
	links = append(links, navItem{Text: "Your account and API tokens", Href: account.AccountPath.Link()})
	return s.page(w, r, l, homePage(l, links))
}

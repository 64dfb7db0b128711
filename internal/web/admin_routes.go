package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// registerAdmin adds the partnership administration pages: the partnership, its member organisations and its
// people with their roles and vetting. The service methods check each record again against the partnership.
func (s *Server) registerAdmin() {
	s.handle(http.MethodGet, "/partnerships/{pid}", access.PartnershipView, s.handlePartnership)
	s.handle(http.MethodGet, "/partnerships/{pid}/edit", access.PartnershipManage, s.handlePartnershipEdit)
	s.handle(http.MethodPost, "/partnerships/{pid}/edit", access.PartnershipManage, s.handlePartnershipEditPost)

	s.handle(http.MethodGet, "/partnerships/{pid}/organisations", access.OrganisationView, s.handleOrganisations)
	s.handle(http.MethodGet, "/partnerships/{pid}/organisations/new", access.OrganisationManage, s.handleOrganisationNew)
	s.handle(http.MethodPost, "/partnerships/{pid}/organisations/new", access.OrganisationManage, s.handleOrganisationNewPost)
	s.handle(http.MethodGet, "/partnerships/{pid}/organisations/{id}", access.OrganisationView, s.handleOrganisation)
	s.handle(http.MethodGet, "/partnerships/{pid}/organisations/{id}/edit", access.OrganisationManage, s.handleOrganisationEdit)
	s.handle(http.MethodPost, "/partnerships/{pid}/organisations/{id}/edit", access.OrganisationManage, s.handleOrganisationEditPost)

	s.handle(http.MethodGet, "/partnerships/{pid}/people", access.PersonView, s.handlePeople)
	s.handle(http.MethodGet, "/partnerships/{pid}/people/new", access.PersonManage, s.handlePersonNew)
	s.handle(http.MethodPost, "/partnerships/{pid}/people/new", access.PersonManage, s.handlePersonNewPost)
	s.handle(http.MethodGet, "/partnerships/{pid}/people/{id}", access.PersonView, s.handlePerson)
	s.handle(http.MethodGet, "/partnerships/{pid}/people/{id}/edit", access.PersonManage, s.handlePersonEdit)
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/edit", access.PersonManage, s.handlePersonEditPost)
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/disable", access.PersonManage, s.handlePersonDisable(true))
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/enable", access.PersonManage, s.handlePersonDisable(false))
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/set-up-link", access.PersonManage, s.handlePersonSetupLink)
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/unlock", access.PersonManage, s.handlePersonSecurity("unlock"))
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/reset-second-factor", access.PersonManage, s.handlePersonSecurity("reset"))
	s.handle(http.MethodGet, "/partnerships/{pid}/people/{id}/vetting", access.PersonManage, s.handleVetting)
	s.handle(http.MethodPost, "/partnerships/{pid}/people/{id}/vetting", access.PersonManage, s.handleVettingPost)
}

// may reports whether the signed-in principal may take action in the partnership, for showing links and buttons.
// The service decides again when the action is taken.
func (s *Server) may(r *http.Request, pid prevent.ID, action access.Action) bool {
	p := prevent.PrincipalFrom(r.Context())
	return access.Decide(p, action, access.Resource{Kind: "partnership", PartnershipID: pid}, s.deps.Now()).Allow
}

func partnershipPath(pid prevent.ID, rest ...any) string {
	out := fmt.Sprintf("/partnerships/%d", pid)
	for _, x := range rest {
		out += fmt.Sprintf("/%v", x)
	}
	return out
}

func itoa64(n prevent.ID) string { return strconv.FormatInt(n, 10) }

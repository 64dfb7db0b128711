package api

import (
	"net/http"

	"github.com/preventplatform/prevent/internal/prevent"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := prevent.PrincipalFrom(r.Context())
	out := Me{ID: p.PersonID, Name: p.Name, Email: p.Email, Organisation: OrganisationRef{ID: p.OrganisationID},
		Memberships: []MembershipRole{}}
	name, err := s.deps.Partnership.OwnOrganisationName(r.Context(), p)
	if err != nil {
		return err
	}
	out.Organisation.Name = name
	for _, pid := range p.Partnerships() {
		out.Memberships = append(out.Memberships, MembershipRole{PartnershipID: pid, Roles: p.RolesIn(pid)})
	}
	level := p.Clearance.At(s.now())
	out.Clearance = Clearance{Level: level.Code(), Name: level.String()}
	if level != prevent.VettingNone {
		out.Clearance.ExpiresOn = datePtr(p.Clearance.Expires)
	}
	return encode(w, http.StatusOK, out)
}

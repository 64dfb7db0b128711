package casework

import (
	"context"
	"slices"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// PanelOrganisations returns the organisations with a member on the panel, to whom listing a case sends
// the panel pack; the listing page checks them against the organisations the lister's organisation may
// share with, so that a listing that would be refused for want of an agreement is not offered. Someone
// who may not manage the panel is refused (NotFound).
func (s *Service) PanelOrganisations(ctx context.Context, p prevent.Principal, panelID prevent.ID) ([]prevent.ID, error) {
	q := s.db.Read()
	if _, err := s.panelPartnership(ctx, q, p, access.PanelManage, panelID); err != nil {
		return nil, err
	}
	members, err := panelPeople(ctx, q, panelID)
	if err != nil {
		return nil, err
	}
	var orgs []prevent.ID
	for _, m := range members {
		if !slices.Contains(orgs, m.org) {
			orgs = append(orgs, m.org)
		}
	}
	return orgs, nil
}

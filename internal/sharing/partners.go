package sharing

import (
	"context"
	"slices"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Partner is an organisation that the principal's organisation may share a record with today: an
// information sharing agreement between the two is in force, and the organisation can receive under it.
type Partner struct {
	ID   prevent.ID
	Name string
	// Agreements are the titles of the agreements in force between the two organisations.
	Agreements []string
}

// Partners lists, by name, the organisations of the partnership with which the principal's own organisation
// has an information sharing agreement in force today and that can receive under it (an organisation that
// is not a public body must have acknowledged its own data protection duties). A form that shares a record
// offers only these, so that a share is never refused for want of an agreement after the whole form was
// filled in; Disclose still checks everything else (the purpose, categories and gateway the agreement
// covers). Anyone who may disclose may ask.
func (s *Service) Partners(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]Partner, error) {
	if err := s.authorise(p, access.Disclose, "disclosure", partnership, "Partnership"); err != nil {
		return nil, err
	}
	q := s.db.Read()
	all, err := loadAgreements(ctx, q, partnership, Active)
	if err != nil {
		return nil, err
	}
	now := s.now()
	titles := map[prevent.ID][]string{}
	for _, a := range all {
		if a.StatusOn(now) != Active || !slices.Contains(a.Parties, p.OrganisationID) {
			continue
		}
		for _, o := range a.Parties {
			if o != p.OrganisationID && !slices.Contains(titles[o], a.Title) {
				titles[o] = append(titles[o], a.Title)
			}
		}
	}
	var out []Partner
	for id, ts := range titles {
		o, ok, err := memberOrganisation(ctx, q, partnership, id)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if !o.PublicBody {
			if acknowledged, err := acknowledgedIn(ctx, q, partnership, id); err != nil {
				return nil, err
			} else if !acknowledged {
				continue
			}
		}
		out = append(out, Partner{ID: id, Name: o.Name, Agreements: ts})
	}
	slices.SortFunc(out, func(a, b Partner) int {
		if a.Name != b.Name {
			if a.Name < b.Name {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	return out, nil
}

package access

import (
	"slices"

	"github.com/preventplatform/prevent/internal/prevent"
)

// FieldVisible reports whether p may see one field of a record they may see (Decide allowed it): everything
// for a coordinating role (coordinator, police officer) in the record's partnership and for the organisation
// that holds the record; for any other organisation, only the fields disclosed to it, by name or by their
// data category ("category:<code>"). Minimisation: a disclosure lets a record reach an organisation, but
// only the part of it that was disclosed.
func FieldVisible(p prevent.Principal, r Resource, field string, category string) bool {
	for _, role := range p.RolesIn(r.PartnershipID) {
		if slices.Contains(coordinating, role) {
			return true
		}
	}
	if p.OrganisationID == r.OwnerOrg {
		return true
	}
	got := r.DisclosedFields[p.OrganisationID]
	return slices.Contains(got, field) || (category != "" && slices.Contains(got, "category:"+category))
}

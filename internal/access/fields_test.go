package access_test

import (
	"testing"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestFieldVisible(t *testing.T) {
	const pid, owner, recipient, other = 1, 10, 20, 30
	who := func(org prevent.ID, role prevent.Role) prevent.Principal {
		return prevent.Principal{PersonID: 5, OrganisationID: org, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: role}}}
	}
	r := access.Resource{Kind: "case", PartnershipID: pid, OwnerOrg: owner, DisclosedTo: []prevent.ID{recipient},
		DisclosedFields: map[prevent.ID][]string{recipient: {"subject.name", "category:contact"}}}
	for _, c := range []struct {
		p               prevent.Principal
		field, category string
		want            bool
	}{
		{who(owner, prevent.PanelMember), "subject.date_of_birth", "identity", true},      // the holder sees everything
		{who(other, prevent.Coordinator), "subject.date_of_birth", "identity", true},      // coordinating role
		{who(other, prevent.PoliceOfficer), "concern.details", "concern", true},           // coordinating role
		{who(recipient, prevent.PanelMember), "subject.name", "identity", true},           // disclosed by name
		{who(recipient, prevent.PanelMember), "subject.address", "contact", true},         // disclosed by category
		{who(recipient, prevent.PanelMember), "subject.date_of_birth", "identity", false}, // not disclosed
		{who(recipient, prevent.PanelMember), "concern.details", "", false},
		{who(other, prevent.PanelMember), "subject.name", "identity", false}, // nothing disclosed to it
		{prevent.Principal{OrganisationID: other, Memberships: []prevent.Membership{{PartnershipID: pid + 1, Role: prevent.Coordinator}}},
			"subject.name", "identity", false}, // a coordinator of another partnership
	} {
		if got := access.FieldVisible(c.p, r, c.field, c.category); got != c.want {
			t.Errorf("org %d %v sees %s: %v, want %v", c.p.OrganisationID, c.p.Memberships, c.field, got, c.want)
		}
	}
}

package web

import (
	"net/http/httptest"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

// TestNavigationProgrammeLink: the navigation's Programme entry is the programme's home page of the reader's
// partnership, made from the programme pages' own typed path.
func TestNavigationProgrammeLink(t *testing.T) {
	s := &Server{}
	p := prevent.Principal{PersonID: 1, OrganisationID: 1, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: 7, Role: prevent.Coordinator}}}
	r := httptest.NewRequest("GET", "/work", nil)
	r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
	var hrefs []string
	for _, n := range s.layout(r, "x").Nav {
		if n.Text == "Programme" {
			hrefs = append(hrefs, n.Href)
		}
	}
	if len(hrefs) != 1 || hrefs[0] != "/partnerships/7/programme" {
		t.Fatalf("Programme entries %q, want one at /partnerships/7/programme", hrefs)
	}
}

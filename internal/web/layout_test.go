package web

import (
	"net/http/httptest"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

// TestNavigationMarksOnlyTheMostSpecificItem: exactly one item is current. A case or panel page under
// /partnerships/{pid}/ is not "Partnership", whose address is a prefix of it; casework pages are "My work".
func TestNavigationMarksOnlyTheMostSpecificItem(t *testing.T) {
	s := &Server{}
	p := prevent.Principal{PersonID: 1, OrganisationID: 1, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: 7, Role: prevent.Coordinator}}}
	for path, want := range map[string]string{
		"/partnerships/7":                    "Partnership",
		"/partnerships/7/organisations":      "Partnership",
		"/partnerships/7/panels/3":           "Panels",
		"/partnerships/7/cases/12":           "My work",
		"/work":                              "My work",
		"/partnerships/7/programme/plans":    "Programme",
		"/partnerships/7/sharing/agreements": "Information sharing",
	} {
		r := httptest.NewRequest("GET", path, nil)
		r = r.WithContext(prevent.NewContextWithPrincipal(r.Context(), p))
		var current []string
		for _, n := range s.layout(r, "x").Nav {
			if n.Current {
				current = append(current, n.Text)
			}
		}
		if len(current) != 1 || current[0] != want {
			t.Errorf("%s: current %q, want %q", path, current, want)
		}
	}
}

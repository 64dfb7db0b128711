package casework_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestCasePageNotFoundForOutsiders: a panel member of another partnership, a referrer from another school and an
// intervention provider not assigned to the case each get 404 for the case page and every section of it.
func TestCasePageNotFoundForOutsiders(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	id := f.SubmitReferral(t, "Dylan", "Outsider")

	otherPid, err := f.Partnership.Bootstrap(ctx, "Westmarch Prevent Partnership", "Westmarch", "Wales")
	if err != nil {
		t.Fatal(err)
	}
	full := prevent.Clearance{Level: prevent.SC}
	otherPanelMember := prevent.Principal{PersonID: 90001, Name: "Pat Elsewhere", OrganisationID: 90001, MFA: true, Clearance: full,
		Memberships: []prevent.Membership{{PartnershipID: otherPid, Role: prevent.PanelMember}}}
	providerOrg, err := f.Partnership.CreateOrganisation(ctx, f.Admin, f.PID, partnership.OrganisationInput{Name: "Kindly Mentors CIC", Sector: "community", PublicBody: "no"})
	if err != nil {
		t.Fatal(err)
	}
	providerID, _, err := f.Partnership.CreatePerson(ctx, f.Admin, f.PID, partnership.PersonInput{Name: "Pip Provider", Email: "pip@kindly.example",
		OrganisationID: providerOrg, Roles: []string{string(prevent.Provider)}})
	if err != nil {
		t.Fatal(err)
	}
	unassignedProvider := prevent.Principal{PersonID: providerID, Name: "Pip Provider", OrganisationID: providerOrg, MFA: true, Clearance: full,
		Memberships: []prevent.Membership{{PartnershipID: f.PID, Role: prevent.Provider}}}

	base := fmt.Sprintf("/partnerships/%d/cases/%d", f.PID, id)
	pages := []string{base, base + "/timeline", base + "/people", base + "/assessment", base + "/panel", base + "/plan", base + "/documents"}
	for _, who := range []struct {
		name string
		p    prevent.Principal
	}{{"panel member of another partnership", otherPanelMember}, {"referrer from another school", f.ReferrerB}, {"unassigned provider", unassignedProvider}} {
		for _, page := range pages {
			if w := serve(t, f.s, who.p, http.MethodGet, page, nil); w.Code != http.StatusNotFound {
				t.Errorf("%s: GET %s = %d, want 404", who.name, page, w.Code)
			}
		}
	}
	// The coordinator, for contrast, sees it.
	if w := serve(t, f.s, f.Coordinator, http.MethodGet, base, nil); w.Code != http.StatusOK {
		t.Errorf("coordinator: GET %s = %d, want 200", base, w.Code)
	}
}

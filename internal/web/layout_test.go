package web

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	sharingpages "github.com/preventplatform/prevent/internal/web/sharing"
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
		"/partnerships/7/webhooks/new":       "Partnership",
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

// TestNavigationOffersInformationSharing: the navigation offers the information-sharing pages
// (internal/web/sharing, tested there) to those who may read agreements, and not to referrers.
func TestNavigationOffersInformationSharing(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	now := func() time.Time { return time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC) }
	w := testworld.LoadDemo(t, db, now)
	s := New(testDeps(db, nil, partnership.New(partnership.Deps{DB: db, Now: now}), now))
	dpo := w.Roles[prevent.DataProtection]
	href := sharingpages.HomePath.Link(dpo.Memberships[0].PartnershipID)
	if href != fmt.Sprintf("/partnerships/%d/sharing", dpo.Memberships[0].PartnershipID) {
		t.Fatalf("the information-sharing pages are at %q", href)
	}
	home := parse(t, serve(t, s, dpo, "GET", "/", nil))
	if home.Find(`.govuk-service-navigation a[href="`+href+`"]`).Length() != 1 {
		t.Error("no information sharing entry in the DPO's navigation")
	}
	home = parse(t, serve(t, s, w.Roles[prevent.Referrer], "GET", "/", nil))
	if home.Find(`.govuk-service-navigation a[href="`+href+`"]`).Length() != 0 {
		t.Error("a referrer is offered information sharing in the navigation")
	}
}

package casework_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	casepages.Register(site, casepages.Deps{})
	const R, C = "/partnerships/{pid}/referrals", "/partnerships/{pid}/cases"
	get, post := http.MethodGet, http.MethodPost
	want := []coretest.Route{
		{Method: get, Pattern: C + "/{id}/officer", Action: access.CaseScreen},
		{Method: post, Pattern: C + "/{id}/officer", Action: access.CaseScreen},
		{Method: get, Pattern: R, Action: access.CaseCreate},
		{Method: post, Pattern: R, Action: access.CaseCreate},
		{Method: get, Pattern: R + "/{id}/check", Action: access.CaseCreate},
		{Method: post, Pattern: R + "/{id}/check", Action: access.CaseCreate},
		{Method: get, Pattern: R + "/{id}/submit", Action: access.CaseCreate},
		{Method: post, Pattern: R + "/{id}/submit", Action: access.CaseCreate},
		{Method: get, Pattern: R + "/{id}/confirmation", Action: access.CaseStatusView},
		{Method: get, Pattern: R + "/{id}/sent", Action: access.CaseStatusView},
		{Method: get, Pattern: R + "/{id}/{step}", Action: access.CaseCreate},
		{Method: post, Pattern: R + "/{id}/{step}", Action: access.CaseCreate},
		{Method: get, Pattern: C, Action: access.CaseStatusView},
		{Method: get, Pattern: C + "/search", Action: access.CaseStatusView},
		{Method: get, Pattern: C + "/{id}", Action: access.CaseStatusView},
		{Method: get, Pattern: C + "/{id}/timeline", Action: access.CaseView},
		{Method: get, Pattern: C + "/{id}/people", Action: access.CaseView},
		{Method: get, Pattern: C + "/{id}/assessment", Action: access.CaseView},
		{Method: get, Pattern: C + "/{id}/panel", Action: access.CaseView},
		{Method: get, Pattern: C + "/{id}/plan", Action: access.CaseView},
		{Method: get, Pattern: C + "/{id}/documents", Action: access.CaseView},
		{Method: get, Pattern: C + "/{id}/triage", Action: access.CaseTriage},
		{Method: post, Pattern: C + "/{id}/triage/deconfliction", Action: access.CaseTriage},
		{Method: get, Pattern: C + "/{id}/triage/decision", Action: access.CaseTriage},
		{Method: post, Pattern: C + "/{id}/triage/decision", Action: access.CaseTriage},
		{Method: post, Pattern: C + "/{id}/triage/matches/{subject}/link", Action: access.CaseTriage},
		{Method: post, Pattern: C + "/{id}/triage/matches/{subject}/decline", Action: access.CaseTriage},
		{Method: get, Pattern: C + "/{id}/share", Action: access.Disclose},
		{Method: post, Pattern: C + "/{id}/share", Action: access.Disclose},
		{Method: get, Pattern: C + "/{id}/information-requests/new", Action: access.CaseScreen},
		{Method: post, Pattern: C + "/{id}/information-requests/new", Action: access.CaseScreen},
		{Method: get, Pattern: C + "/{id}/information-requests/{rid}", Action: access.InformationAnswer},
		{Method: post, Pattern: C + "/{id}/information-requests/{rid}", Action: access.InformationAnswer},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
	for got, want := range map[string]string{
		casepages.CasePath.Link(7, 42):                  "/partnerships/7/cases/42",
		casepages.CaseSectionLink(7, 42, "people"):      "/partnerships/7/cases/42/people",
		casepages.ReferralStepLink(7, 42, "about-you"):  "/partnerships/7/referrals/42/about-you",
		casepages.MatchLinkPath.Link(7, 42, 3):          "/partnerships/7/cases/42/triage/matches/3/link",
		casepages.InformationRequestPath.Link(7, 42, 5): "/partnerships/7/cases/42/information-requests/5",
		casepages.CaseSearchPath.Link(7):                "/partnerships/7/cases/search",
		casepages.ReferralConfirmationPath.Link(7, 42):  "/partnerships/7/referrals/42/confirmation",
	} {
		if got != want {
			t.Errorf("link %q, want %q", got, want)
		}
	}
}

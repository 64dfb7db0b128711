package mywork_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
	"github.com/preventplatform/prevent/internal/web/mywork"
)

// TestRoutes: the pages' addresses and the access action each needs.
func TestRoutes(t *testing.T) {
	t.Parallel()
	site := coretest.New(time.Now)
	mywork.Register(site, mywork.Deps{})
	want := []coretest.Route{
		{Method: http.MethodGet, Pattern: "/work", Action: access.CaseStatusView},
		{Method: http.MethodGet, Pattern: "/partnerships/{pid}/team", Action: access.CaseScreen},
	}
	if got := site.Routes(); !slices.Equal(got, want) {
		t.Errorf("routes:\n%v\nwant\n%v", got, want)
	}
	if got := mywork.TeamPath.Link(7); got != "/partnerships/7/team" {
		t.Errorf("TeamPath.Link(7) = %q", got)
	}
}

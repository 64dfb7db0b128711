// Package admintest is the partnership the administration pages are tested in, by their own tests and by the
// service's pages that start from an administrator: the Northtown partnership with its administrator, and the
// Southtown partnership with one of its own, whom Northtown's administrator must not reach.
package admintest

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// World is the two partnerships and Northtown's administrator, signed in with the second factor passed.
type World struct {
	DB          *database.DB
	Now         func() time.Time
	Partnership *partnership.Service
	PID         prevent.ID        // Northtown Prevent Partnership
	Admin       prevent.Principal // Ada Admin, its administrator
	Council     prevent.ID        // Northtown Council, the administrator's organisation and the partnership's only one
	Elsewhere   prevent.ID        // Sam South, the administrator of the Southtown partnership
}

// New builds the world in db, on a clock stopped at noon on 1 June 2025.
func New(tb testing.TB, db *database.DB) World {
	tb.Helper()
	ctx := context.Background()
	now := func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	ps := partnership.New(partnership.Deps{DB: db, Now: now})
	pid, err := ps.Bootstrap(ctx, "Northtown Prevent Partnership", "Northtown", "North West")
	if err != nil {
		tb.Fatal(err)
	}
	adminID, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Northtown Council", Sector: "local_authority", PublicBody: "yes"},
		"Ada Admin", "ada@northtown.example")
	if err != nil {
		tb.Fatal(err)
	}
	other, err := ps.Bootstrap(ctx, "Southtown Prevent Partnership", "Southtown", "South East")
	if err != nil {
		tb.Fatal(err)
	}
	otherID, _, err := ps.BootstrapAdministrator(ctx, other, partnership.OrganisationInput{Name: "Southtown Council", Sector: "local_authority", PublicBody: "yes"},
		"Sam South", "sam@southtown.example")
	if err != nil {
		tb.Fatal(err)
	}
	admin := prevent.Principal{PersonID: adminID, Name: "Ada Admin", MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	orgs, err := ps.Organisations(ctx, admin, pid)
	if err != nil || len(orgs) != 1 {
		tb.Fatalf("organisations: %v %v", orgs, err)
	}
	admin.OrganisationID = orgs[0].ID
	return World{DB: db, Now: now, Partnership: ps, PID: pid, Admin: admin, Council: orgs[0].ID, Elsewhere: otherID}
}

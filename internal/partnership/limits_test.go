package partnership_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestLengthAndDateLimits checks the bounds the administration pages and the API share: a partnership's
// name, area and region, an email address, a vetting sponsor and the date vetting was granted.
func TestLengthAndDateLimits(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		svc := partnership.New(partnership.Deps{DB: db, Now: func() time.Time { return now }})
		pid, err := svc.Bootstrap(ctx, "Elm partnership", "Elm", "South West")
		if err != nil {
			t.Fatal(err)
		}
		adminID, _, err := svc.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Elm Council", Sector: "local_authority", PublicBody: "yes"}, "Ada Admin", "ada@elm.example")
		if err != nil {
			t.Fatal(err)
		}
		admin := prevent.Principal{PersonID: adminID, OrganisationID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
		long := strings.Repeat("é", 201)
		err = svc.UpdatePartnership(ctx, admin, pid, long, long, long)
		if f := fieldsOf(err); !f["name"] || !f["area"] || !f["region"] {
			t.Errorf("long partnership details: %v", err)
		}
		if err := svc.UpdatePartnership(ctx, admin, pid, long[2:], long[2:], long[2:]); err != nil {
			t.Errorf("200 characters refused: %v", err)
		}
		orgID, err := svc.CreateOrganisation(ctx, admin, pid, partnership.OrganisationInput{Name: "Elm Academy", Sector: "education", PublicBody: "yes"})
		if err != nil {
			t.Fatal(err)
		}
		email := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".gov.uk" // 257 characters
		if _, _, err := svc.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "X", Email: email, OrganisationID: orgID}); !fieldsOf(err)["email"] {
			t.Errorf("email of %d characters: %v", len(email), err)
		}
		personID, _, err := svc.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "Bea Teacher", Email: "bea@elm.example", OrganisationID: orgID})
		if err != nil {
			t.Fatal(err)
		}
		err = svc.RecordVetting(ctx, admin, pid, personID, partnership.VettingInput{Level: "sc", GrantedOn: time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC), Sponsor: long})
		if f := fieldsOf(err); !f["granted"] || !f["sponsor"] {
			t.Errorf("vetting granted in 1800 with a long sponsor: %v", err)
		}
		if err := svc.RecordVetting(ctx, admin, pid, personID, partnership.VettingInput{Level: "sc", GrantedOn: now.AddDate(-1, 0, 0), Sponsor: long[2:]}); err != nil {
			t.Errorf("vetting: %v", err)
		}
	})
}

package partnership_test

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestContactIsEmailAndActiveAccount: Contact gives a person's address and says the account is active until it is
// disabled; nobody at an unknown id is inactive.
func TestContactIsEmailAndActiveAccount(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		svc := partnership.New(partnership.Deps{DB: db, Now: func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }})
		pid, err := svc.Bootstrap(ctx, "Elmshire Prevent Partnership", "Elmshire", "East of England")
		if err != nil {
			t.Fatal(err)
		}
		adminID, _, err := svc.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Elmshire Council", Sector: "local_authority", PublicBody: "yes"},
			"Ada Admin", "ada@elmshire.example.gov.uk")
		if err != nil {
			t.Fatal(err)
		}
		admin := prevent.Principal{PersonID: adminID, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
		orgs, err := svc.Organisations(ctx, admin, pid)
		if err != nil || len(orgs) != 1 {
			t.Fatalf("organisations: %v %v", orgs, err)
		}
		admin.OrganisationID = orgs[0].ID
		id, _, err := svc.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "Ben Okafor", Email: "ben@elmshire.example.gov.uk",
			OrganisationID: orgs[0].ID, Roles: []string{"referrer"}})
		if err != nil {
			t.Fatal(err)
		}
		if email, active, err := svc.Contact(ctx, id); err != nil || email != "ben@elmshire.example.gov.uk" || !active {
			t.Errorf("Contact = %q, %v, %v; want the address and active", email, active, err)
		}
		if err := svc.SetDisabled(ctx, admin, pid, id, true); err != nil {
			t.Fatal(err)
		}
		if _, active, err := svc.Contact(ctx, id); err != nil || active {
			t.Errorf("a disabled account: active %v, %v", active, err)
		}
		if email, active, err := svc.Contact(ctx, 999999); err != nil || active || email != "" {
			t.Errorf("an unknown person: %q, %v, %v", email, active, err)
		}
	})
}

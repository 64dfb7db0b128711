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

func auditCount(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM audit_entries").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func fieldsOf(err error) map[string]bool {
	out := map[string]bool{}
	for _, f := range prevent.FieldErrors(err) {
		out[f.Field] = true
	}
	return out
}

func TestService(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		svc := partnership.New(partnership.Deps{DB: db, Now: func() time.Time { return now }})
		pid, err := svc.Bootstrap(ctx, "Elm partnership", "Elm", "South West")
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.Bootstrap(ctx, "Oak partnership", "Oak", "North East")
		if err != nil {
			t.Fatal(err)
		}
		adminID, token, err := svc.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Elm Council", Sector: "local_authority", PublicBody: "yes"}, "Ada Admin", "ada@elm.example")
		if err != nil {
			t.Fatal(err)
		}
		admin := prevent.Principal{PersonID: adminID, OrganisationID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
		otherAdmin := prevent.Principal{PersonID: 999, OrganisationID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: other, Role: prevent.Administrator}}}
		referrer := prevent.Principal{PersonID: 998, OrganisationID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Referrer}}}

		// Validation lists every bad field in form order, and writes nothing.
		before := auditCount(t, db)
		_, err = svc.CreateOrganisation(ctx, admin, pid, partnership.OrganisationInput{Sector: "nonsense"})
		if f := fieldsOf(err); !f["name"] || !f["sector"] || !f["public-body"] {
			t.Fatalf("CreateOrganisation with nothing: %v", err)
		}
		if auditCount(t, db) != before {
			t.Error("a refused change was audited as done")
		}
		orgID, err := svc.CreateOrganisation(ctx, admin, pid, partnership.OrganisationInput{Name: "Elm Academy", Sector: "education", PublicBody: "yes"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateOrganisation(ctx, admin, pid, partnership.OrganisationInput{Name: "elm academy", Sector: "education", PublicBody: "yes"}); !fieldsOf(err)["name"] {
			t.Errorf("duplicate organisation name: %v", err)
		}
		// Another partnership's administrator and a referrer see nothing.
		if _, err := svc.Organisation(ctx, otherAdmin, pid, orgID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("other partnership's admin reading an organisation: %v", err)
		}
		if _, err := svc.People(ctx, referrer, pid, partnership.PeopleFilter{}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("referrer listing people: %v", err)
		}
		// A person: created with roles, audited, listed.
		before = auditCount(t, db)
		personID, setup, err := svc.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "Bea Teacher", Email: "bea@elm.example",
			OrganisationID: orgID, Roles: []string{"referrer"}})
		if err != nil {
			t.Fatal(err)
		}
		if auditCount(t, db) != before+1 {
			t.Error("creating a person was not audited exactly once")
		}
		if _, _, err := svc.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "X", Email: "not an email", OrganisationID: orgID}); !fieldsOf(err)["email"] {
			t.Errorf("bad email: %v", err)
		}
		if _, _, err := svc.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: "X", Email: "x@elm.example", OrganisationID: 424242}); !fieldsOf(err)["organisation"] {
			t.Errorf("organisation outside the partnership: %v", err)
		}
		p, err := svc.Person(ctx, admin, pid, personID)
		if err != nil || p.Name != "Bea Teacher" || len(p.Roles) != 1 || p.Roles[0] != prevent.Referrer || p.HasPassword {
			t.Fatalf("Person = %+v, %v", p, err)
		}
		coordinator := prevent.Principal{PersonID: 997, OrganisationID: 1, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Coordinator}}}
		if _, err := svc.Person(ctx, coordinator, pid, personID); err != nil {
			t.Errorf("coordinator viewing a person: %v", err)
		}
		if _, err := svc.PersonToManage(ctx, coordinator, pid, personID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("coordinator managing a person: %v, want NotFound", err)
		}
		if _, err := svc.PersonToManage(ctx, admin, pid, personID); err != nil {
			t.Errorf("administrator managing a person: %v", err)
		}
		if _, err := svc.Person(ctx, otherAdmin, other, personID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("person through another partnership: %v", err)
		}
		// Vetting: validated; the highest unexpired grant is current; an expired one grants nothing.
		if err := svc.RecordVetting(ctx, admin, pid, personID, partnership.VettingInput{Level: "sc", GrantedOn: now.AddDate(0, 0, 1)}); !fieldsOf(err)["granted"] {
			t.Errorf("vetting granted in the future: %v", err)
		}
		if err := svc.RecordVetting(ctx, admin, pid, personID, partnership.VettingInput{Level: "bpss", GrantedOn: now.AddDate(-2, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		if err := svc.RecordVetting(ctx, admin, pid, personID, partnership.VettingInput{Level: "sc", GrantedOn: now.AddDate(-2, 0, 0), ExpiresOn: now.AddDate(0, 0, -1)}); err != nil {
			t.Fatal(err)
		}
		p, _ = svc.Person(ctx, admin, pid, personID)
		if c := p.CurrentVetting(now); c.Level != prevent.BPSS {
			t.Errorf("current vetting = %v, want BPSS (the SC grant has expired)", c.Level)
		}
		// The set-up link works once, and not after it expires.
		if _, err := svc.SetupAccount(ctx, setup, "hash-1"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetupAccount(ctx, setup, "hash-2"); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("second use of a set-up link: %v", err)
		}
		if _, err := svc.SetupAccount(ctx, token, "hash"); err != nil {
			t.Fatalf("administrator's set-up link: %v", err)
		}
		late, err := svc.NewSetupLink(ctx, admin, pid, personID)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(partnership.SetupValidFor)
		if _, err := svc.SetupAccount(ctx, late, "hash-3"); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("expired set-up link: %v", err)
		}
		// Disabling: not yourself; another person's sessions end.
		if err := svc.SetDisabled(ctx, admin, pid, adminID, true); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("disabling yourself: %v", err)
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, person_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)`, []byte("h"), personID, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetDisabled(ctx, admin, pid, personID, true); err != nil {
			t.Fatal(err)
		}
		var open int
		if err := db.Read().QueryRowContext(ctx, "SELECT count(*) FROM sessions WHERE person_id = $1 AND ended_at IS NULL", personID).Scan(&open); err != nil || open != 0 {
			t.Errorf("open sessions after disabling = %d, %v", open, err)
		}
		// An administrator cannot remove their own administrator role.
		if err := svc.UpdatePerson(ctx, admin, pid, adminID, partnership.PersonInput{Name: "Ada Admin", Email: "ada@elm.example", OrganisationID: 1, Roles: []string{"coordinator"}}); !fieldsOf(err)["roles"] {
			t.Errorf("removing own administrator role: %v", err)
		}
	})
}

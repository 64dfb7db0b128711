package programme_test

import (
	"context"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

// fixture is a partnership with a coordinator, an analyst and a referrer, a community organisation and a
// public body, built through partnership.Service.
type fixture struct {
	db          *database.DB
	ps          *partnership.Service
	clock       *clock
	svc         *programme.Service
	pid         prevent.ID
	council     prevent.ID
	community   prevent.ID
	admin       prevent.Principal
	coordinator prevent.Principal
	analyst     prevent.Principal
	referrer    prevent.Principal
	outsider    prevent.Principal
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	ps := partnership.New(partnership.Deps{DB: db, Now: c.Now})
	pid, err := ps.Bootstrap(ctx, "Elm partnership", "Elm", "South West")
	if err != nil {
		t.Fatal(err)
	}
	other, err := ps.Bootstrap(ctx, "Oak partnership", "Oak", "North East")
	if err != nil {
		t.Fatal(err)
	}
	adminID, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Elm Council", Sector: "local_authority", PublicBody: "yes"}, "Ada Admin", "ada@elm.example")
	if err != nil {
		t.Fatal(err)
	}
	var council prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, adminID).Scan(&council); err != nil {
		t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: adminID, OrganisationID: council, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	community, err := ps.CreateOrganisation(ctx, admin, pid, partnership.OrganisationInput{Name: "Elm Youth Trust", Sector: "community", PublicBody: "no"})
	if err != nil {
		t.Fatal(err)
	}
	person := func(name, email string, org prevent.ID, role prevent.Role) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, admin, pid, partnership.PersonInput{Name: name, Email: email, OrganisationID: org, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true, Memberships: []prevent.Membership{{PartnershipID: pid, Role: role}}}
	}
	f := &fixture{db: db, ps: ps, clock: c, pid: pid, council: council, community: community, admin: admin}
	f.coordinator = person("Cara Coordinator", "cara@elm.example", council, prevent.Coordinator)
	f.analyst = person("Ann Analyst", "ann@elm.example", council, prevent.Analyst)
	f.referrer = person("Rob Referrer", "rob@elm.example", community, prevent.Referrer)
	f.outsider = prevent.Principal{PersonID: 999, OrganisationID: council, MFA: true, Memberships: []prevent.Membership{{PartnershipID: other, Role: prevent.Coordinator}}}
	f.svc = programme.New(programme.Deps{DB: db, Now: c.Now})
	return f
}

func auditCount(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM audit_entries").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// audited runs fn and fails unless it wrote exactly one more audit entry.
func audited(t *testing.T, db *database.DB, what string, fn func() error) {
	t.Helper()
	before := auditCount(t, db)
	if err := fn(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := auditCount(t, db) - before; got != 1 {
		t.Errorf("%s wrote %d audit entries, want 1", what, got)
	}
}

// project creates a project led by lead, tagged with the given objectives.
func (f *fixture) project(t *testing.T, title string, lead prevent.ID, partners []prevent.ID, tags ...string) prevent.ID {
	t.Helper()
	id, err := f.svc.CreateProject(context.Background(), f.coordinator, f.pid, programme.ProjectInput{
		PublicTitle: title, InternalTitle: title + " (Prevent)", LeadOrganisation: lead, Partners: partners, Objectives: tags,
		Scope: "community", Areas: "Elm town centre", Institutions: "Elm Academy", StartsOn: "2026-04-01", EndsOn: "2027-03-31",
		RAG: "green", Risks: "Low take-up"})
	if err != nil {
		t.Fatalf("create project %s: %v", title, err)
	}
	return id
}

// positiveReview is a clear review of org decided on decided, next due on due.
func positiveReview(org prevent.ID, decided, due string) programme.ReviewInput {
	in := programme.ReviewInput{OrganisationID: org, Basis: "funding", Findings: map[string]string{}, Indicators: []string{"stated-aims", "public-statements"},
		Evidence: "Constitution, website and interviews with trustees", Decision: "positive", DecidedOn: decided, ReviewDue: due}
	for _, it := range programme.DueDiligenceItems {
		in.Findings[it.Key] = "clear"
	}
	return in
}

func kindOf(err error) prevent.Kind { return prevent.ErrorKind(err) }

package assurance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

// fixture is two partnerships built through partnership.Service: Elm, with an administrator (no vetting), a
// coordinator (BPSS), a second coordinator, an analyst and a referrer, a council and a community organisation,
// a project and two library documents (OFFICIAL and OFFICIAL-SENSITIVE); and Oak, with its administrator, a
// project and a document of its own.
type fixture struct {
	db          *database.DB
	clock       *clock
	svc         *assurance.Service
	prog        *programme.Service
	pid         prevent.ID
	oak         prevent.ID
	council     prevent.ID
	community   prevent.ID
	oakCouncil  prevent.ID
	admin       prevent.Principal
	coordinator prevent.Principal
	second      prevent.Principal
	analyst     prevent.Principal
	referrer    prevent.Principal
	oakAdmin    prevent.Principal
	project     prevent.ID
	document    prevent.ID // OFFICIAL
	sensitive   prevent.ID // OFFICIAL-SENSITIVE
	oakProject  prevent.ID
	oakDocument prevent.ID
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	ps := partnership.New(partnership.Deps{DB: db, Now: c.Now})
	f := &fixture{db: db, clock: c}
	f.prog = programme.New(programme.Deps{DB: db, Now: c.Now})
	f.svc = assurance.New(assurance.Deps{DB: db, Now: c.Now})
	bootstrap := func(name, short, region, org, admin, email string) (prevent.ID, prevent.ID, prevent.Principal) {
		pid, err := ps.Bootstrap(ctx, name, short, region)
		if err != nil {
			t.Fatal(err)
		}
		adminID, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: org, Sector: "local_authority", PublicBody: "yes"}, admin, email)
		if err != nil {
			t.Fatal(err)
		}
		var council prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, adminID).Scan(&council); err != nil {
			t.Fatal(err)
		}
		return pid, council, prevent.Principal{PersonID: adminID, Name: admin, OrganisationID: council, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: pid, Role: prevent.Administrator}}}
	}
	f.pid, f.council, f.admin = bootstrap("Elm partnership", "Elm", "South West", "Elm Council", "Ada Admin", "ada@elm.example")
	f.oak, f.oakCouncil, f.oakAdmin = bootstrap("Oak partnership", "Oak", "North East", "Oak Council", "Otto Admin", "otto@oak.example")
	community, err := ps.CreateOrganisation(ctx, f.admin, f.pid, partnership.OrganisationInput{Name: "Elm Youth Trust", Sector: "community", PublicBody: "no"})
	if err != nil {
		t.Fatal(err)
	}
	f.community = community
	person := func(name, email string, org prevent.ID, role prevent.Role) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, f.admin, f.pid, partnership.PersonInput{Name: name, Email: email, OrganisationID: org, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true, Memberships: []prevent.Membership{{PartnershipID: f.pid, Role: role}}}
	}
	f.coordinator = person("Cara Coordinator", "cara@elm.example", f.council, prevent.Coordinator)
	f.coordinator.Clearance = prevent.Clearance{Level: prevent.BPSS}
	f.second = person("Colin Coordinator", "colin@elm.example", f.council, prevent.Coordinator)
	f.analyst = person("Ann Analyst", "ann@elm.example", f.council, prevent.Analyst)
	f.referrer = person("Rob Referrer", "rob@elm.example", community, prevent.Referrer)

	project := func(p prevent.Principal, pid, lead prevent.ID, title string) prevent.ID {
		id, err := f.prog.CreateProject(ctx, p, pid, programme.ProjectInput{PublicTitle: title, InternalTitle: title + " (Prevent)",
			LeadOrganisation: lead, Objectives: []string{"contest-2023:A"}, Scope: "community", Areas: "Town centre", Institutions: "Academy", StartsOn: "2026-04-01",
			EndsOn: "2027-03-31", RAG: "green", Risks: "Low take-up"})
		if err != nil {
			t.Fatalf("project %s: %v", title, err)
		}
		return id
	}
	f.project = project(f.coordinator, f.pid, f.council, "Elm youth voices")
	f.oakProject = project(f.oakAdmin, f.oak, f.oakCouncil, "Oak youth voices")
	document := func(p prevent.Principal, pid prevent.ID, title, marking string) prevent.ID {
		id, err := f.prog.Upload(ctx, p, pid, programme.DocumentInput{Title: title, Kind: "analysis", Marking: marking, Originator: "Council",
			Audience: "Board", ReviewOn: "2027-06-30", Filename: "paper.pdf", Content: []byte("%PDF-1.7\npaper")})
		if err != nil {
			t.Fatalf("document %s: %v", title, err)
		}
		return id
	}
	f.document = document(f.coordinator, f.pid, "Elm training report", "OFFICIAL")
	f.sensitive = document(f.coordinator, f.pid, "Elm local profile", "OFFICIAL-SENSITIVE")
	f.oakDocument = document(f.oakAdmin, f.oak, "Oak training report", "OFFICIAL")
	return f
}

// national returns the national version of the framework with code.
func (f *fixture) national(t *testing.T, code string) assurance.Framework {
	t.Helper()
	fws, err := f.svc.Frameworks(context.Background(), f.coordinator, f.pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, fw := range fws {
		if fw.Code == code && fw.National() {
			return fw
		}
	}
	t.Fatalf("no national %s framework", code)
	return assurance.Framework{}
}

// complete rates every section of a draft at level with a narrative.
func (f *fixture) complete(t *testing.T, id prevent.ID, levels map[string]int, fallback int) {
	t.Helper()
	ctx := context.Background()
	a, err := f.svc.Assessment(ctx, f.coordinator, f.pid, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range a.Sections {
		level, ok := levels[sec.Code]
		if !ok {
			level = fallback
		}
		if err := f.svc.RateSection(ctx, f.coordinator, f.pid, id, sec.Code, assurance.RatingInput{Level: level, Narrative: "Why " + sec.Title}); err != nil {
			t.Fatalf("rate %s: %v", sec.Code, err)
		}
	}
}

// approve submits and approves a complete draft.
func (f *fixture) approve(t *testing.T, id prevent.ID) {
	t.Helper()
	ctx := context.Background()
	if err := f.svc.Submit(ctx, f.coordinator, f.pid, id); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Approve(ctx, f.second, f.pid, id); err != nil {
		t.Fatal(err)
	}
}

type entry struct {
	Actor  prevent.ID
	Action string
	Kind   string
	Record prevent.ID
	Detail string
}

func auditCount(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM audit_entries").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func lastEntry(t *testing.T, db *database.DB) entry {
	t.Helper()
	var e entry
	if err := db.Read().QueryRowContext(context.Background(), `SELECT actor_id, action, record_kind, record_id, detail
		FROM audit_entries ORDER BY seq DESC LIMIT 1`).Scan(&e.Actor, &e.Action, &e.Kind, &e.Record, &e.Detail); err != nil {
		t.Fatal(err)
	}
	return e
}

// audited runs fn and fails unless it wrote exactly one more audit entry, by p, whose detail contains detail;
// it returns the entry.
func audited(t *testing.T, db *database.DB, p prevent.Principal, what, detail string, fn func() error) entry {
	t.Helper()
	before := auditCount(t, db)
	if err := fn(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if got := auditCount(t, db) - before; got != 1 {
		t.Fatalf("%s wrote %d audit entries, want 1", what, got)
	}
	e := lastEntry(t, db)
	if e.Actor != p.PersonID || !strings.Contains(e.Detail, detail) {
		t.Errorf("%s: audit entry %+v, want by %d with %q", what, e, p.PersonID, detail)
	}
	return e
}

// refused checks that err is a validation error on field, with a message containing msg, and that nothing was
// written to the audit log since before.
func refused(t *testing.T, db *database.DB, before int, what string, err error, field, msg string) {
	t.Helper()
	fields := prevent.FieldErrors(err)
	found := false
	for _, fe := range fields {
		if fe.Field == field && strings.Contains(fe.Message, msg) {
			found = true
		}
	}
	if prevent.ErrorKind(err) != prevent.Invalid || !found {
		t.Errorf("%s: %v %+v; want a field error on %s containing %q", what, err, fields, field, msg)
	}
	if n := auditCount(t, db); n != before {
		t.Errorf("%s: a refusal wrote %d audit entries", what, n-before)
	}
}

// conflict checks that err is a Conflict whose message contains msg.
func conflict(t *testing.T, what string, err error, msg string) {
	t.Helper()
	if prevent.ErrorKind(err) != prevent.Conflict || !strings.Contains(prevent.PublicMessage(err), msg) {
		t.Errorf("%s: %v; want Conflict with %q", what, err, msg)
	}
}

// notFound checks that err is NotFound.
func notFound(t *testing.T, what string, err error) {
	t.Helper()
	if prevent.ErrorKind(err) != prevent.NotFound {
		t.Errorf("%s: %v; want NotFound", what, err)
	}
}

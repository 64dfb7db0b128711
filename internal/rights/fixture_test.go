package rights_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

var ctx = context.Background()

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// fixture is a partnership with two schools, a police force and a local authority, and people in each.
type fixture struct {
	db          *database.DB
	svc         *rights.Service
	casework    *casework.Service
	sharing     *sharing.Service
	clock       *clock
	partnership prevent.ID
	schoolA     prevent.ID
	schoolB     prevent.ID
	police      prevent.ID
	council     prevent.ID
	referrer    prevent.Principal // school A
	referrerA2  prevent.Principal // another referrer at school A
	referrerB   prevent.Principal // school B
	officer     prevent.Principal // police, SC
	officerLow  prevent.Principal // police, BPSS only
	coordinator prevent.Principal // local authority, SC
	panelMember prevent.Principal // school A, not assigned
	outsider    prevent.Principal // police officer of another partnership
	dpo         prevent.Principal // local authority data protection officer
	admin       prevent.Principal // partnership administrator (local authority)
	// agreement is in force between the local authority, both schools and the police: every purpose but
	// offender management, every data category but beliefs, and the gateways in agreementGateways.
	agreement prevent.ID
}

// agreementGateways are the gateways the fixture's agreement relies on; cda_1998_s115 is deliberately not
// one of them.
var agreementGateways = []string{"uk_gdpr_6_1_e", "consent", "lga_1972_s111", "common_law_policing"}

// Monday 2 November 2026, 10:00 UTC.
var start = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	clk := &clock{t: start}
	ps := partnership.New(partnership.Deps{DB: db, Now: clk.Now})
	f := &fixture{db: db, clock: clk, sharing: sharing.New(sharing.Deps{DB: db, Now: clk.Now})}
	f.casework = casework.New(casework.Deps{DB: db, Now: clk.Now, Sharing: f.sharing})
	f.svc = rights.New(rights.Deps{DB: db, Now: clk.Now, Casework: f.casework, Sharing: f.sharing})
	var err error
	if f.partnership, err = ps.Bootstrap(ctx, "Northshire Prevent Partnership", "Northshire", "North West"); err != nil {
		t.Fatal(err)
	}
	adminID, _, err := ps.BootstrapAdministrator(ctx, f.partnership, partnership.OrganisationInput{Name: "Northshire Council", Sector: "local_authority", PublicBody: "yes"},
		"Ada Admin", "ada@northshire.example.gov.uk")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, adminID).Scan(&f.council); err != nil {
		t.Fatal(err)
	}
	admin := prevent.Principal{PersonID: adminID, OrganisationID: f.council, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.partnership, Role: prevent.Administrator}}}
	org := func(name, sector string) prevent.ID {
		id, err := ps.CreateOrganisation(ctx, admin, f.partnership, partnership.OrganisationInput{Name: name, Sector: sector, PublicBody: "yes"})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.schoolA = org("Northshire Academy", "education")
	f.schoolB = org("Southfield School", "education")
	f.police = org("Northshire Police", "police")
	person := func(name string, org prevent.ID, role prevent.Role, level prevent.Vetting) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, admin, f.partnership, partnership.PersonInput{Name: name,
			Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		if level != prevent.VettingNone {
			if err := ps.RecordVetting(ctx, admin, f.partnership, id, partnership.VettingInput{Level: level.Code(),
				GrantedOn: start.AddDate(-1, 0, 0), ExpiresOn: start.AddDate(4, 0, 0)}); err != nil {
				t.Fatal(err)
			}
		}
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: f.partnership, Role: role}},
			Clearance:   prevent.Clearance{Level: level, Expires: start.AddDate(4, 0, 0)}}
	}
	f.referrer = person("Rita Referrer", f.schoolA, prevent.Referrer, prevent.BPSS)
	f.referrerA2 = person("Raj Colleague", f.schoolA, prevent.Referrer, prevent.BPSS)
	f.referrerB = person("Bea Otherschool", f.schoolB, prevent.Referrer, prevent.BPSS)
	f.officer = person("Olu Officer", f.police, prevent.PoliceOfficer, prevent.SC)
	f.officerLow = person("Lee Lowclearance", f.police, prevent.PoliceOfficer, prevent.BPSS)
	f.coordinator = person("Cara Coordinator", f.council, prevent.Coordinator, prevent.SC)
	f.panelMember = person("Pat Panel", f.schoolA, prevent.PanelMember, prevent.SC)
	f.outsider = f.officer
	f.outsider.Memberships = []prevent.Membership{{PartnershipID: f.partnership + 1000, Role: prevent.PoliceOfficer}}
	f.admin = admin
	f.dpo = person("Dee Protection", f.council, prevent.DataProtection, prevent.SC)
	var purposes []sharing.Purpose
	for _, x := range sharing.Purposes {
		if x.Purpose != sharing.OffenderManagement {
			purposes = append(purposes, x.Purpose)
		}
	}
	var cats []sharing.Category
	for _, c := range sharing.Categories {
		if c.Category != sharing.Beliefs {
			cats = append(cats, c.Category)
		}
	}
	f.agreement = f.activeAgreement(t, sharing.AgreementInput{Title: "Northshire Prevent information sharing agreement",
		Parties: []prevent.ID{f.council, f.schoolA, f.schoolB, f.police}, Purposes: purposes, Categories: cats, Gateways: agreementGateways})
	return f
}

// activeAgreement drafts, signs and activates an agreement (filling what the test leaves out), recording
// the acknowledgement of any party that is not a public body, and returns its id.
func (f *fixture) activeAgreement(t *testing.T, in sharing.AgreementInput) prevent.ID {
	t.Helper()
	if in.Retention == "" {
		in.Retention, in.Disposal, in.Security = "Six years after the case closes", "Secure deletion", "OFFICIAL-SENSITIVE handling"
	}
	if in.ReviewDate.IsZero() {
		in.ReviewDate = start.AddDate(1, 0, 0)
	}
	id, err := f.sharing.CreateAgreement(ctx, f.dpo, f.partnership, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range in.Parties {
		var public bool
		if err := f.db.Read().QueryRowContext(ctx, `SELECT public_body FROM organisations WHERE id = $1`, o).Scan(&public); err != nil {
			t.Fatal(err)
		}
		if !public {
			if _, err := f.sharing.RecordAcknowledgement(ctx, f.dpo, f.partnership, o, sharing.AcknowledgementInput{AcknowledgedBy: "Director",
				AcknowledgedOn: f.clock.Now(), TextVersion: "1"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.sharing.AddSignatory(ctx, f.dpo, id, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.sharing.Transition(ctx, f.dpo, id, sharing.Active, ""); err != nil {
		t.Fatal(err)
	}
	return id
}

// share is a complete disclosure for a purpose: the given categories (identity and the concern when none),
// consent not sought, under the public task.
func share(purpose sharing.Purpose, cats ...sharing.Category) sharing.DisclosureInput {
	if len(cats) == 0 {
		cats = []sharing.Category{sharing.Identity, sharing.ConcernData}
	}
	return sharing.DisclosureInput{
		Categories:      cats,
		Purpose:         purpose,
		ExpectedOutcome: "The partner can play its part in deciding what support the person needs",
		Gateway:         "uk_gdpr_6_1_e",
		Consent:         sharing.ConsentNotSought,
		ConsentReason:   "Seeking consent at this stage could alert those the person is in contact with",
		Necessity:       "Only what the partner needs for this step is shared; nothing less would let them act.",
	}
}

// input is a complete referral for a person.
func input(given, family string, dob time.Time) casework.ReferralInput {
	return casework.ReferralInput{
		Person: casework.PersonDetails{GivenNames: given, FamilyName: family, DateOfBirth: dob, Gender: "male",
			AddressLine1: "1 High Street", Postcode: "NS1 1AA", LocalAuthority: "Northshire", Setting: "Northshire Academy"},
		Concern: casework.Concern{WhatHappened: "Shared violent material in class", HowFound: "Seen by a teacher",
			Types: []string{"extreme_right_wing"}},
		PersonKnows:        casework.DoesNotKnow,
		DangerAcknowledged: true,
	}
}

// submit saves and submits a referral by p, returning its id and reference.
func (f *fixture) submit(t *testing.T, p prevent.Principal, in casework.ReferralInput) (prevent.ID, string) {
	t.Helper()
	id, err := f.casework.SaveDraft(ctx, p, f.partnership, 0, in)
	if err != nil {
		t.Fatalf("save draft: %v", err)
	}
	ref, err := f.casework.Submit(ctx, p, id)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return id, ref
}

func wantKind(t *testing.T, err error, kind prevent.Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	if k := prevent.ErrorKind(err); k != kind {
		t.Fatalf("got %s (%v), want %s", k, err, kind)
	}
}

// auditCount counts audit entries of an action on a record kind.
func auditCount(t *testing.T, db *database.DB, action, kind string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = $1 AND record_kind = $2`, action, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

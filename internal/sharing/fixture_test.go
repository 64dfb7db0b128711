package sharing_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
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

// Monday 2 November 2026, 10:00 UTC.
var start = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// decideWithSharing is access.Decide with the sharing table merged, for as long as access.permitted does
// not merge it itself: a route-level refusal for want of a role is reconsidered with the sharing table.
func decideWithSharing(p prevent.Principal, a access.Action, r access.Resource, now time.Time) access.Decision {
	d := access.Decide(p, a, r, now)
	if d.Allow || !strings.HasPrefix(d.Reason, "no role") {
		return d
	}
	for _, role := range p.RolesIn(r.PartnershipID) {
		if slices.Contains(access.SharingActions(role), a) {
			return access.Decision{Allow: true, Reason: "role " + string(role)}
		}
	}
	return d
}

// merged reports whether access.permitted already includes the sharing table.
func merged() bool {
	return slices.Contains(access.RoleActions(prevent.DataProtection), access.AgreementManage)
}

// fixture is a partnership of a council, a police force, a probation service and a community
// organisation that is not a public body, with a data protection officer and practitioners.
type fixture struct {
	db          *database.DB
	svc         *sharing.Service
	clock       *clock
	partnership prevent.ID
	council     prevent.ID
	police      prevent.ID
	probation   prevent.ID
	community   prevent.ID
	admin       prevent.Principal
	dpo         prevent.Principal // council
	officer     prevent.Principal // police
	probationer prevent.Principal // probation, panel member
	coordinator prevent.Principal // council
	housingLead prevent.Principal // council, panel member
	mentor      prevent.Principal // community provider
}

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	clk := &clock{t: start}
	ps := partnership.New(partnership.Deps{DB: db, Now: clk.Now})
	f := &fixture{db: db, clock: clk, svc: sharing.New(sharing.Deps{DB: db, Now: clk.Now})}
	if !merged() {
		sharing.SetDecide(f.svc, decideWithSharing)
	}
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
	f.admin = prevent.Principal{PersonID: adminID, OrganisationID: f.council, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: f.partnership, Role: prevent.Administrator}}}
	org := func(name, sector, public string) prevent.ID {
		id, err := ps.CreateOrganisation(ctx, f.admin, f.partnership, partnership.OrganisationInput{Name: name, Sector: sector, PublicBody: public})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.police = org("Northshire Police", "police", "yes")
	f.probation = org("Northshire Probation", "probation", "yes")
	f.community = org("Northshire Mentoring Trust", "community", "no")
	person := func(name string, org prevent.ID, role prevent.Role) prevent.Principal {
		id, _, err := ps.CreatePerson(ctx, f.admin, f.partnership, partnership.PersonInput{Name: name,
			Email: strings.ReplaceAll(strings.ToLower(name), " ", ".") + "@example.gov.uk", OrganisationID: org, Roles: []string{string(role)}})
		if err != nil {
			t.Fatal(err)
		}
		return prevent.Principal{PersonID: id, Name: name, OrganisationID: org, MFA: true,
			Memberships: []prevent.Membership{{PartnershipID: f.partnership, Role: role}},
			Clearance:   prevent.Clearance{Level: prevent.SC, Expires: start.AddDate(4, 0, 0)}}
	}
	f.dpo = person("Dee Protection", f.council, prevent.DataProtection)
	f.officer = person("Olu Officer", f.police, prevent.PoliceOfficer)
	f.probationer = person("Pam Probation", f.probation, prevent.PanelMember)
	f.coordinator = person("Cara Coordinator", f.council, prevent.Coordinator)
	f.housingLead = person("Hal Housing", f.council, prevent.PanelMember)
	f.mentor = person("Mo Mentor", f.community, prevent.Provider)
	return f
}

// activeAgreement drafts, signs and activates an agreement between the parties, and returns its id.
func (f *fixture) activeAgreement(t *testing.T, in sharing.AgreementInput) prevent.ID {
	t.Helper()
	id, err := f.svc.CreateAgreement(ctx, f.dpo, f.partnership, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range in.Parties {
		if err := f.svc.AddSignatory(ctx, f.dpo, id, sharing.SignatoryInput{OrganisationID: o, Name: "Signer", JobTitle: "Director", SignedOn: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Transition(ctx, f.dpo, id, sharing.Active, ""); err != nil {
		t.Fatal(err)
	}
	return id
}

// panelAgreement is the case study's agreement: police, probation and the council (housing) share for a
// multi-agency panel and offender management, with consent or under the Offender Management Act 2007.
func (f *fixture) panelAgreement() sharing.AgreementInput {
	return sharing.AgreementInput{
		Title:      "Northshire Prevent panel information sharing agreement",
		Parties:    []prevent.ID{f.police, f.probation, f.council},
		Purposes:   []sharing.Purpose{sharing.ChannelPanel, sharing.OffenderManagement},
		Categories: []sharing.Category{sharing.Identity, sharing.ConcernData, sharing.CriminalOffence, sharing.Family},
		Gateways:   []string{"oma_2007_s14", "consent", "lga_1972_s111", "uk_gdpr_6_1_e"},
		Retention:  "Kept for six years after the case closes, then reviewed",
		Disposal:   "Secure deletion; paper copies shredded",
		Security:   "OFFICIAL-SENSITIVE handling; access by named panel members only",
		ReviewDate: time.Date(2027, 10, 31, 0, 0, 0, 0, time.UTC),
	}
}

// disclosure is a complete disclosure from probation to the council's housing lead under the case study.
func (f *fixture) disclosure() sharing.DisclosureInput {
	return sharing.DisclosureInput{
		PartnershipID:   f.partnership,
		FromOrg:         f.probation,
		ToOrg:           f.council,
		Recipients:      []prevent.ID{f.housingLead.PersonID},
		RecordKind:      "case",
		RecordID:        4242,
		Categories:      []sharing.Category{sharing.Identity, sharing.Family},
		Fields:          []string{"subject.name", "subject.address", "household.members"},
		Purpose:         sharing.OffenderManagement,
		ExpectedOutcome: "Housing away from his family",
		Gateway:         "oma_2007_s14",
		Consent:         sharing.ConsentGiven,
		Necessity:       "Housing cannot place him safely without knowing the household risk; only identity and family details are shared.",
	}
}

// disclose runs Disclose in its own transaction, as a casework action would.
func (f *fixture) disclose(p prevent.Principal, in sharing.DisclosureInput) (prevent.ID, error) {
	var id prevent.ID
	err := f.db.WithTx(ctx, func(tx *database.Tx) error {
		var err error
		id, err = f.svc.Disclose(ctx, tx, p, in)
		return err
	})
	return id, err
}

// auditCount counts audit entries of an action on a record kind (and id when not 0).
func auditCount(t *testing.T, db *database.DB, action, kind string, id prevent.ID) int {
	t.Helper()
	var n int
	q := `SELECT COUNT(*) FROM audit_entries WHERE action = $1 AND record_kind = $2`
	args := []any{action, kind}
	if id != 0 {
		q += ` AND record_id = $3`
		args = append(args, id)
	}
	if err := db.Read().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

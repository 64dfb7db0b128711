package sharing_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// TestAnnex1CaseStudy follows the case study in Annex 1 of the 2009 guide at the domain level: a 23-year-old referred by
// probation; a multi-agency meeting of police, local authority housing and probation, where information is
// shared with his consent under the Offender Management Act 2007; housing is found away from his family.
// Each sharing is recorded as a disclosure to the organisation that received it.
func TestAnnex1CaseStudy(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		agreement := f.activeAgreement(t, f.panelAgreement())
		const caseID = 23
		share := func(to prevent.ID, people []prevent.ID, cats []sharing.Category, outcome string) {
			t.Helper()
			in := sharing.DisclosureInput{PartnershipID: f.partnership, FromOrg: f.probation, ToOrg: to, Recipients: people,
				RecordKind: "case", RecordID: caseID, Categories: cats, Purpose: sharing.ChannelPanel, ExpectedOutcome: outcome,
				Gateway: "oma_2007_s14", Consent: sharing.ConsentGiven,
				Necessity: "Only what the meeting needs to agree housing and support is shared, with his consent."}
			if _, err := f.disclose(f.probationer, in); err != nil {
				t.Fatalf("share with %d: %v", to, err)
			}
		}
		share(f.police, []prevent.ID{f.officer.PersonID}, []sharing.Category{sharing.Identity, sharing.ConcernData, sharing.CriminalOffence},
			"Police assess the concern at the multi-agency meeting")
		share(f.council, []prevent.ID{f.housingLead.PersonID}, []sharing.Category{sharing.Identity, sharing.Family},
			"Housing away from his family")
		orgs, fields, err := sharing.DisclosedTo(ctx, db.Read(), "case", caseID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(orgs, []prevent.ID{f.council, f.police}) && !slices.Equal(orgs, []prevent.ID{f.police, f.council}) {
			t.Fatalf("disclosed to %v", orgs)
		}
		if slices.Contains(fields[f.council], "category:criminal-offence") || !slices.Contains(fields[f.police], "category:criminal-offence") {
			t.Errorf("housing must not receive the offences: %v", fields)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_entries WHERE action = 'disclose' AND record_kind = 'case'
			AND record_id = $1 AND recipient_org IN ($2, $3)`, caseID, f.police, f.council).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d disclose entries (%v)", n, err)
		}
		// The community mentoring trust is not party to the agreement: sharing with it is refused.
		in := sharing.DisclosureInput{PartnershipID: f.partnership, FromOrg: f.probation, ToOrg: f.community, RecordKind: "case",
			RecordID: caseID, Categories: []sharing.Category{sharing.Identity}, Purpose: sharing.SupportDelivery, ExpectedOutcome: "Mentoring",
			Gateway: "oma_2007_s14", Consent: sharing.ConsentGiven, Necessity: "Mentoring needs his name"}
		if _, err := f.disclose(f.probationer, in); !strings.Contains(prevent.PublicMessage(err), "no information sharing agreement") {
			t.Errorf("sharing with the trust: %v", err)
		}

		// A year on the agreement lapses at its review date; the daily job records it.
		if n, err := f.svc.ExpireDue(ctx, date(2027, 10, 31)); err != nil || n != 0 {
			t.Fatalf("expire on the review date: %d %v", n, err)
		}
		if n, err := f.svc.ExpireDue(ctx, date(2027, 11, 1)); err != nil || n != 1 {
			t.Fatalf("expire the day after: %d %v", n, err)
		}
		a, err := f.svc.Agreement(ctx, f.dpo, agreement)
		if err != nil || a.Status != sharing.Expired || a.StatusReason != "review date passed" {
			t.Fatalf("after expiry: %+v %v", a, err)
		}
	})
}

func TestAmendDraft(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		in := f.panelAgreement()
		id, err := f.svc.CreateAgreement(ctx, f.dpo, f.partnership, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddSignatory(ctx, f.dpo, id, sharing.SignatoryInput{OrganisationID: f.police, Name: "S", JobTitle: "Chief", SignedOn: start}); err != nil {
			t.Fatal(err)
		}
		in.Parties = []prevent.ID{f.police, f.council}
		in.ReviewDate = start.AddDate(1, 0, 0)
		if err := f.svc.UpdateAgreement(ctx, f.dpo, id, in); err != nil {
			t.Fatal(err)
		}
		a, _ := f.svc.Agreement(ctx, f.dpo, id)
		if !slices.Equal(a.Parties, []prevent.ID{f.council, f.police}) && !slices.Equal(a.Parties, []prevent.ID{f.police, f.council}) || len(a.Signatories) != 0 ||
			!a.ReviewDate.Equal(time.Date(2027, 11, 2, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("amended: %+v", a)
		}
		in.Gateways = []string{"no_such_gateway"}
		if err := f.svc.UpdateAgreement(ctx, f.dpo, id, in); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("unknown gateway: %v", err)
		}
		in.Gateways = []string{"consent"}
		for _, o := range a.Parties {
			if err := f.svc.AddSignatory(ctx, f.dpo, id, sharing.SignatoryInput{OrganisationID: o, Name: "S", JobTitle: "Chief", SignedOn: start}); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.svc.Transition(ctx, f.dpo, id, sharing.Active, ""); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.UpdateAgreement(ctx, f.dpo, id, in); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("amending an active agreement: %v", err)
		}
		// drafted, signed, amended, signed twice, activated
		if n := auditCount(t, db, "admin", "agreement", id); n != 6 {
			t.Errorf("%d audit entries, want 6", n)
		}
	})
}

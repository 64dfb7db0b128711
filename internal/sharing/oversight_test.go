package sharing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// views appends audit consultations by p of each referral id, at the given time.
func views(t *testing.T, db *database.DB, p prevent.Principal, partnershipID prevent.ID, at time.Time, kind string, ids ...prevent.ID) {
	t.Helper()
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		for _, id := range ids {
			e := audit.New(ctx, at, audit.Consult, kind, id)
			e.ActorID, e.ActorOrg, e.PartnershipID = p.PersonID, p.OrganisationID, partnershipID
			e.Purpose, e.Detail = "case work", "viewed"
			if _, err := audit.Append(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func idRange(from, n int) []prevent.ID {
	out := make([]prevent.ID, n)
	for i := range out {
		out[i] = prevent.ID(from + i)
	}
	return out
}

func TestUnusualAccess(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		ps := partnership.New(partnership.Deps{DB: db, Now: f.clock.Now})
		var peers []prevent.Principal
		for i, name := range []string{"Peer One", "Peer Two", "Peer Three"} {
			id, _, err := ps.CreatePerson(ctx, f.admin, f.partnership, partnership.PersonInput{Name: name,
				Email: fmt.Sprintf("peer%d@example.gov.uk", i), OrganisationID: f.council, Roles: []string{string(prevent.PanelMember)}})
			if err != nil {
				t.Fatal(err)
			}
			peers = append(peers, prevent.Principal{PersonID: id, OrganisationID: f.council})
		}
		now := f.clock.Now()
		// Panel members: Hal 0, peers 1, 2, 3, Pam 30 distinct referrals (median 2): Pam is listed.
		for i, p := range peers {
			views(t, db, p, f.partnership, now.Add(-time.Hour), "referral", idRange(100, i+1)...)
		}
		views(t, db, f.probationer, f.partnership, now.AddDate(0, 0, -3), "referral", idRange(100, 30)...)
		// Repeat views of the same records, views outside the window and views of other kinds do not count.
		views(t, db, f.probationer, f.partnership, now.AddDate(0, 0, -2), "referral", idRange(100, 30)...)
		views(t, db, f.probationer, f.partnership, now.AddDate(0, 0, -40), "referral", idRange(500, 50)...)
		views(t, db, f.probationer, f.partnership, now.AddDate(0, 0, -1), "subject_access_request", idRange(900, 50)...)
		// A coordinator alone in the role is compared with nobody but themself: never listed.
		views(t, db, f.coordinator, f.partnership, now.AddDate(0, 0, -1), "referral", idRange(100, 60)...)
		// A panel member under the minimum is not listed however far above the median.
		views(t, db, f.housingLead, f.partnership, now.AddDate(0, 0, -1), "referral", idRange(100, 19)...)

		got, err := f.svc.UnusualAccess(ctx, f.dpo, f.partnership, now, 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("listed %+v, want Pam Probation only", got)
		}
		e := got[0]
		if e.PersonID != f.probationer.PersonID || e.Records != 30 || e.Role != prevent.PanelMember || e.Peers != 5 || e.RoleMedian != 3 || e.Name != "Pam Probation" {
			t.Errorf("entry %+v, want Pam with 30 records, median 3 of 5 panel members", e)
		}
		// A window of 60 days takes in the 50 older views too.
		if got, err := f.svc.UnusualAccess(ctx, f.dpo, f.partnership, now, 60); err != nil || len(got) != 1 || got[0].Records != 80 {
			t.Errorf("60-day window: %+v %v, want Pam with 80", got, err)
		}
		if n := auditCount(t, db, "consult", "audit_log", 0); n != 2 {
			t.Errorf("%d audited reads of the audit log, want 2", n)
		}
		if _, err := f.svc.UnusualAccess(ctx, f.coordinator, f.partnership, now, 30); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("coordinator: %v, want NotFound", err)
		}
		if _, err := f.svc.UnusualAccess(ctx, f.dpo, f.partnership, now, 0); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("window 0: %v, want Invalid", err)
		}
	})
}

func TestLedgerPagesAndFilters(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.activeAgreement(t, f.panelAgreement())
		var ids []prevent.ID
		for i := range 3 {
			in := f.disclosure()
			in.RecordID = prevent.ID(7000 + i)
			id, err := f.disclose(f.probationer, in)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		page, err := f.svc.Ledger(ctx, f.dpo, f.partnership, sharing.LedgerFilter{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 2 || page.Items[0].ID != ids[2] || page.Items[1].ID != ids[1] || page.Next != ids[1] {
			t.Fatalf("first page %v next %d, want %d, %d next %d", ledgerIDs(page), page.Next, ids[2], ids[1], ids[1])
		}
		if page.Items[0].RecordKind != "case" || page.Items[0].RecordID != 7002 || page.Items[0].Gateway != "oma_2007_s14" {
			t.Errorf("row %+v", page.Items[0])
		}
		page, err = f.svc.Ledger(ctx, f.dpo, f.partnership, sharing.LedgerFilter{Limit: 2, Before: page.Next})
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != ids[0] || page.Next != 0 {
			t.Fatalf("second page %v next %d (%v), want %d and no next", ledgerIDs(page), page.Next, err, ids[0])
		}
		today := f.clock.Now()
		for name, c := range map[string]struct {
			f    sharing.LedgerFilter
			want int
		}{
			"gateway used":      {sharing.LedgerFilter{Gateway: "oma_2007_s14"}, 3},
			"gateway not used":  {sharing.LedgerFilter{Gateway: "consent"}, 0},
			"receiving council": {sharing.LedgerFilter{OrganisationID: f.council}, 3},
			"disclosing body":   {sharing.LedgerFilter{OrganisationID: f.probation}, 3},
			"police":            {sharing.LedgerFilter{OrganisationID: f.police}, 0},
			"today":             {sharing.LedgerFilter{From: today, To: today}, 3},
			"yesterday":         {sharing.LedgerFilter{To: today.AddDate(0, 0, -1)}, 0},
			"from tomorrow":     {sharing.LedgerFilter{From: today.AddDate(0, 0, 1)}, 0},
		} {
			page, err := f.svc.Ledger(ctx, f.dpo, f.partnership, c.f)
			if err != nil || len(page.Items) != c.want {
				t.Errorf("%s: %d rows (%v), want %d", name, len(page.Items), err, c.want)
			}
		}
		if _, err := f.svc.Ledger(ctx, f.dpo, f.partnership, sharing.LedgerFilter{From: today, To: today.AddDate(0, 0, -1)}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("end before start: %v, want Invalid", err)
		}
		if _, err := f.svc.Ledger(ctx, f.officer, f.partnership, sharing.LedgerFilter{}); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("police officer: %v, want NotFound", err)
		}
		if n := auditCount(t, db, "consult", "disclosure", 0); n < 10 {
			t.Errorf("%d audited ledger reads, want at least 10", n)
		}
	})
}

func ledgerIDs(p sharing.LedgerPage) []prevent.ID {
	var out []prevent.ID
	for _, d := range p.Items {
		out = append(out, d.ID)
	}
	return out
}

func TestRecordOfProcessing(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.activeAgreement(t, f.panelAgreement())
		// A draft is not yet processing: its parties and purposes stay out of the record.
		draft := f.panelAgreement()
		draft.Title = "Draft mentoring agreement"
		draft.Parties = []prevent.ID{f.council, f.community}
		draft.Purposes = []sharing.Purpose{sharing.SupportDelivery}
		draft.Security = "Draft measures"
		if _, err := f.svc.CreateAgreement(ctx, f.dpo, f.partnership, draft); err != nil {
			t.Fatal(err)
		}
		rec, err := f.svc.RecordOfProcessing(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Partnership != "Northshire Prevent Partnership" || len(rec.Controllers) != 4 {
			t.Errorf("controllers %d of %q, want 4", len(rec.Controllers), rec.Partnership)
		}
		var recipients []prevent.ID
		for _, m := range rec.Recipients {
			recipients = append(recipients, m.ID)
		}
		slices.Sort(recipients)
		want := []prevent.ID{f.council, f.police, f.probation}
		slices.Sort(want)
		if !slices.Equal(recipients, want) {
			t.Errorf("recipients %v, want %v (the draft's community party excluded)", recipients, want)
		}
		if !slices.Equal(rec.Purposes, []sharing.Purpose{sharing.ChannelPanel, sharing.OffenderManagement}) {
			t.Errorf("purposes %v", rec.Purposes)
		}
		if !slices.Contains(rec.Categories, sharing.Family) || !slices.ContainsFunc(rec.DataSubjects, func(s string) bool { return strings.Contains(s, "Family") }) {
			t.Errorf("family data: categories %v, subjects %v", rec.Categories, rec.DataSubjects)
		}
		if len(rec.Security) != 1 || !strings.Contains(rec.Security[0].Measures, "OFFICIAL-SENSITIVE") {
			t.Errorf("security %+v", rec.Security)
		}
		if len(rec.Gateways) != 4 {
			t.Errorf("%d gateways", len(rec.Gateways))
		}
		if len(rec.DataProtectionOfficers) != 1 || !strings.HasPrefix(rec.DataProtectionOfficers[0], "Dee Protection") || !strings.HasSuffix(rec.DataProtectionOfficers[0], "Northshire Council") {
			t.Errorf("data protection officers %q", rec.DataProtectionOfficers)
		}
		if _, err := f.svc.RecordOfProcessing(ctx, f.coordinator, f.partnership); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("coordinator: %v, want NotFound", err)
		}
	})
}

func TestMembersRequestsAndAllGateways(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		if _, err := f.svc.RecordAcknowledgement(ctx, f.dpo, f.partnership, f.community, sharing.AcknowledgementInput{
			AcknowledgedBy: "Mo Mentor, director", AcknowledgedOn: f.clock.Now(), TextVersion: sharing.AcknowledgementText}); err != nil {
			t.Fatal(err)
		}
		ms, err := f.svc.Members(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		acked := 0
		for _, m := range ms {
			if m.Acknowledgement != nil {
				acked++
				if m.ID != f.community || m.Acknowledgement.TextVersion != sharing.AcknowledgementText {
					t.Errorf("acknowledgement on %+v", m)
				}
			}
		}
		if len(ms) != 4 || acked != 1 {
			t.Errorf("%d members, %d acknowledged; want 4 and 1", len(ms), acked)
		}
		if _, err := f.svc.AddGateway(ctx, f.dpo, f.partnership, sharing.GatewayInput{Code: "local_protocol", Name: "Local protocol", Summary: "Local",
			Sectors: []string{"*"}, ValidFrom: date(2026, 1, 1)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddGateway(ctx, f.dpo, f.partnership, sharing.GatewayInput{Code: "local_protocol", Name: "Local protocol", Summary: "Local v2",
			Sectors: []string{"*"}, ValidFrom: date(2026, 6, 1)}); err != nil {
			t.Fatal(err)
		}
		all, err := f.svc.AllGateways(ctx, f.dpo, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		current, err := f.svc.Gateways(ctx, f.dpo, f.partnership, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(current)+1+countEnded(all) {
			t.Errorf("%d versions in all, %d current: the ended local version should be the difference", len(all), len(current))
		}
	})
}

// countEnded counts national versions no longer in force (the local one is counted by the caller).
func countEnded(gs []sharing.Gateway) int {
	n := 0
	for _, g := range gs {
		if g.PartnershipID == 0 && !g.ValidOn(start) {
			n++
		}
	}
	return n
}

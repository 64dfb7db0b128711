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

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestGateways(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		codes := func(on time.Time) []string {
			gs, err := f.svc.Gateways(ctx, f.officer, f.partnership, on)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, g := range gs {
				out = append(out, g.Code)
			}
			return out
		}
		in2010, now := codes(date(2010, 6, 1)), codes(start)
		for _, c := range []string{"cda_1998_s115", "oma_2007_s14", "lga_1972_s111", "lga_2000_s2", "nhs_2006_s251", "common_law_policing", "dpa_1998_s29"} {
			if !slices.Contains(in2010, c) {
				t.Errorf("2009 gateway %s not valid in 2010: %v", c, in2010)
			}
		}
		for _, c := range []string{"uk_gdpr_6_1_e", "uk_gdpr_9_2_g", "dpa_2018_part3", "ctsa_2015_s36_38", "care_act_2014"} {
			if !slices.Contains(now, c) || slices.Contains(in2010, c) {
				t.Errorf("modern gateway %s: valid now %v, in 2010 %v", c, slices.Contains(now, c), slices.Contains(in2010, c))
			}
		}
		if !slices.Contains(now, "children_act_2004") || !slices.Contains(now, "consent") {
			t.Errorf("gateways today: %v", now)
		}
		if slices.Contains(now, "dpa_1998_s29") || slices.Contains(now, "lga_2000_s2") {
			t.Errorf("repealed gateways valid today: %v", now)
		}
		// The DPA 1998 exemption's last day is 24 May 2018.
		if !slices.Contains(codes(date(2018, 5, 24)), "dpa_1998_s29") || slices.Contains(codes(date(2018, 5, 25)), "dpa_1998_s29") {
			t.Error("dpa_1998_s29 must end after 2018-05-24")
		}

		// Administrators add local gateways; a new version ends the previous one.
		in := sharing.GatewayInput{Code: "northshire_protocol", Name: "Northshire information sharing protocol", Summary: "Local protocol",
			Sectors: []string{"community"}, ValidFrom: date(2026, 1, 1)}
		if v, err := f.svc.AddGateway(ctx, f.admin, f.partnership, in); err != nil || v != 1 {
			t.Fatalf("add local gateway: %d %v", v, err)
		}
		in.ValidFrom, in.WithoutConsent = date(2026, 10, 1), true
		if v, err := f.svc.AddGateway(ctx, f.admin, f.partnership, in); err != nil || v != 2 {
			t.Fatalf("second version: %d %v", v, err)
		}
		gs, err := f.svc.Gateways(ctx, f.admin, f.partnership, date(2026, 9, 30))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(gs, func(g sharing.Gateway) bool { return g.Code == "northshire_protocol" })
		if i < 0 || gs[i].Version != 1 || gs[i].WithoutConsent {
			t.Errorf("on 30 September the first version applies: %+v", gs)
		}
		gs, _ = f.svc.Gateways(ctx, f.admin, f.partnership, start)
		i = slices.IndexFunc(gs, func(g sharing.Gateway) bool { return g.Code == "northshire_protocol" })
		if i < 0 || gs[i].Version != 2 || !gs[i].WithoutConsent || !gs[i].For("community") || gs[i].For("police") {
			t.Errorf("today the second version applies: %+v", gs)
		}
		in.Code = "consent"
		if _, err := f.svc.AddGateway(ctx, f.admin, f.partnership, in); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("reusing a national code: %v", err)
		}
		if _, err := f.svc.AddGateway(ctx, f.officer, f.partnership, in); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer adding a gateway: %v", err)
		}
		if n := auditCount(t, db, "admin", "gateway", 0); n != 2 {
			t.Errorf("%d audit entries for gateways, want 2", n)
		}
	})
}

func TestNonPublicBodyNeedsAcknowledgement(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		in := f.panelAgreement()
		in.Parties = []prevent.ID{f.council, f.community}
		in.Gateways = []string{"consent", "uk_gdpr_9_2_g"}
		id, err := f.svc.CreateAgreement(ctx, f.dpo, f.partnership, in)
		if err != nil {
			t.Fatal(err)
		}
		// Nobody signed: refused, naming both parties.
		err = f.svc.Transition(ctx, f.dpo, id, sharing.Active, "")
		if prevent.ErrorKind(err) != prevent.Invalid || !strings.Contains(err.Error(), "Northshire Council has not signed") ||
			!strings.Contains(err.Error(), "Northshire Mentoring Trust is not a public body and has not acknowledged") {
			t.Fatalf("activate unsigned: %v", err)
		}
		for _, o := range in.Parties {
			if err := f.svc.AddSignatory(ctx, f.dpo, id, sharing.SignatoryInput{OrganisationID: o, Name: "Sam Signer", JobTitle: "Director", SignedOn: start}); err != nil {
				t.Fatal(err)
			}
		}
		err = f.svc.Transition(ctx, f.dpo, id, sharing.Active, "")
		fields := prevent.FieldErrors(err)
		if prevent.ErrorKind(err) != prevent.Invalid || len(fields) != 1 || fields[0].Field != "acknowledgements" {
			t.Fatalf("activate without acknowledgement: %v %v", err, fields)
		}
		if a, _ := f.svc.Agreement(ctx, f.dpo, id); a.Status != sharing.Draft {
			t.Fatalf("status after refusal: %s", a.Status)
		}
		if _, err := f.svc.RecordAcknowledgement(ctx, f.dpo, f.partnership, f.community, sharing.AcknowledgementInput{}); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("empty acknowledgement: %v", err)
		}
		ackID, err := f.svc.RecordAcknowledgement(ctx, f.dpo, f.partnership, f.community, sharing.AcknowledgementInput{
			AcknowledgedBy: "Mo Mentor, trustee", AcknowledgedOn: start, TextVersion: sharing.AcknowledgementText})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Transition(ctx, f.dpo, id, sharing.Active, ""); err != nil {
			t.Fatalf("activate after acknowledgement: %v", err)
		}
		a, err := f.svc.Agreement(ctx, f.dpo, id)
		if err != nil || a.Status != sharing.Active || len(a.Signatories) != 2 {
			t.Fatalf("agreement: %+v %v", a, err)
		}
		// The state machine: active cannot go back to draft; suspension needs a reason.
		if err := f.svc.Transition(ctx, f.dpo, id, sharing.Draft, ""); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("active to draft: %v", err)
		}
		if err := f.svc.Transition(ctx, f.dpo, id, sharing.Suspended, ""); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("suspend without reason: %v", err)
		}
		if err := f.svc.Transition(ctx, f.mentor, id, sharing.Suspended, "breach"); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a provider suspending: %v", err)
		}
		// Audit: drafted, two signatures, activated; the acknowledgement.
		if n := auditCount(t, db, "admin", "agreement", id); n != 4 {
			t.Errorf("%d audit entries for the agreement, want 4", n)
		}
		if n := auditCount(t, db, "admin", "acknowledgement", ackID); n != 1 {
			t.Errorf("%d audit entries for the acknowledgement, want 1", n)
		}
	})
}

func TestDisclose(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		agreement := f.activeAgreement(t, f.panelAgreement())
		audited := func() int { return auditCount(t, db, "disclose", "case", 4242) }

		cases := []struct {
			name   string
			by     prevent.Principal
			change func(*sharing.DisclosureInput)
			field  string
			says   string
		}{
			{"no agreement", f.probationer, func(in *sharing.DisclosureInput) { in.ToOrg, in.Recipients = f.community, nil },
				"agreement", "there is no information sharing agreement between Northshire Probation and Northshire Mentoring Trust"},
			{"purpose not covered", f.probationer, func(in *sharing.DisclosureInput) { in.Purpose = sharing.ChannelScreening },
				"purpose", `does not cover the purpose "Channel screening and information gathering"`},
			{"category not covered", f.probationer, func(in *sharing.DisclosureInput) {
				in.Categories = []sharing.Category{sharing.Identity, sharing.Health}
			}, "categories", "does not cover the data categories health"},
			{"gateway not valid today", f.probationer, func(in *sharing.DisclosureInput) { in.Gateway = "dpa_1998_s29" },
				"gateway", "is not valid on 2026-11-02 (valid from 2000-03-01 to 2018-05-24)"},
			{"gateway not for the sector", f.officer, func(in *sharing.DisclosureInput) { in.FromOrg, in.Gateway = f.police, "lga_1972_s111" },
				"gateway", "cannot be relied on by Northshire Police (a police organisation)"},
			{"consent refused with a consent-only gateway", f.probationer, func(in *sharing.DisclosureInput) {
				in.Gateway, in.Consent, in.ConsentReason = "consent", sharing.ConsentRefused, "He declined to share with housing"
			}, "consent", "consent was refused and the legal gateway Consent of the individual does not permit sharing without consent"},
			{"consent not sought without a reason", f.probationer, func(in *sharing.DisclosureInput) { in.Consent = sharing.ConsentNotSought },
				"consent-reason", "the reason consent was not sought is not given"},
			{"missing necessity statement", f.probationer, func(in *sharing.DisclosureInput) { in.Necessity = "  " },
				"necessity", "the necessity and proportionality statement is missing"},
			{"gateway not in the agreement", f.probationer, func(in *sharing.DisclosureInput) { in.Gateway = "cda_1998_s115" },
				"gateway", "does not rely on the legal gateway cda_1998_s115"},
			{"on behalf of another organisation", f.officer, func(*sharing.DisclosureInput) {},
				"from", "you can share only on behalf of your own organisation"},
			{"recipient outside the receiving organisation", f.probationer, func(in *sharing.DisclosureInput) { in.Recipients = []prevent.ID{f.officer.PersonID} },
				"recipients", "every recipient must work for Northshire Council"},
		}
		for _, c := range cases {
			in := f.disclosure()
			c.change(&in)
			_, err := f.disclose(c.by, in)
			if prevent.ErrorKind(err) != prevent.Invalid {
				t.Errorf("%s: %v, want Invalid", c.name, err)
				continue
			}
			if !strings.Contains(err.Error(), c.says) || !strings.HasPrefix(err.Error(), "This information cannot be shared: ") {
				t.Errorf("%s: message %q does not say %q", c.name, err.Error(), c.says)
			}
			if !slices.ContainsFunc(prevent.FieldErrors(err), func(fe prevent.FieldError) bool { return fe.Field == c.field }) {
				t.Errorf("%s: no field error for %s in %v", c.name, c.field, prevent.FieldErrors(err))
			}
			if len(prevent.FieldErrors(err)) != 1 {
				t.Errorf("%s: %d field errors, want exactly the missing element: %v", c.name, len(prevent.FieldErrors(err)), prevent.FieldErrors(err))
			}
		}
		// Several gaps at once are all named.
		in := f.disclosure()
		in.Purpose, in.Necessity, in.ExpectedOutcome = sharing.ChannelScreening, "", ""
		_, err := f.disclose(f.probationer, in)
		if fe := prevent.FieldErrors(err); len(fe) != 3 {
			t.Errorf("three gaps: %v", fe)
		}
		if n := audited(); n != 0 {
			t.Fatalf("%d disclose entries after refusals", n)
		}

		// With everything: allowed, in the ledger, one audit entry naming the recipient.
		id, err := f.disclose(f.probationer, f.disclosure())
		if err != nil {
			t.Fatalf("complete disclosure: %v", err)
		}
		// Consent refused, under a gateway that permits sharing without consent.
		in = f.disclosure()
		in.Consent, in.ConsentReason, in.Gateway = sharing.ConsentRefused, "Declined", "uk_gdpr_6_1_e"
		in.Categories, in.Fields = []sharing.Category{sharing.CriminalOffence}, nil
		if _, err := f.disclose(f.probationer, in); err != nil {
			t.Fatalf("consent refused under public task: %v", err)
		}
		if n := audited(); n != 2 {
			t.Fatalf("%d disclose entries, want 2", n)
		}
		var recipient, actor prevent.ID
		var detail string
		if err := db.Read().QueryRowContext(ctx, `SELECT recipient_org, actor_id, detail FROM audit_entries WHERE action = 'disclose' ORDER BY seq LIMIT 1`).
			Scan(&recipient, &actor, &detail); err != nil {
			t.Fatal(err)
		}
		if recipient != f.council || actor != f.probationer.PersonID || !strings.Contains(detail, "oma_2007_s14") {
			t.Errorf("audit entry: recipient %d actor %d detail %q", recipient, actor, detail)
		}
		orgs, fields, err := sharing.DisclosedTo(ctx, db.Read(), "case", 4242)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"subject.name", "subject.address", "household.members", "category:criminal-offence"}
		if !slices.Equal(orgs, []prevent.ID{f.council}) || !slices.Equal(fields[f.council], want) {
			t.Errorf("disclosed to %v with %v", orgs, fields)
		}
		ledger, err := f.svc.Disclosures(ctx, f.dpo, f.partnership, "case", 4242)
		if err != nil || len(ledger) != 2 || ledger[0].ID != id || ledger[0].AgreementID != agreement ||
			ledger[0].Consent != sharing.ConsentGiven || !slices.Equal(ledger[0].Recipients, []prevent.ID{f.housingLead.PersonID}) {
			t.Fatalf("ledger: %+v %v", ledger, err)
		}
		if _, err := f.svc.Disclosures(ctx, f.officer, f.partnership, "case", 4242); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("the ledger for a police officer: %v", err)
		}

		// A disclosure rolls back with the caller's transaction.
		err = db.WithTx(ctx, func(tx *database.Tx) error {
			if _, err := f.svc.Disclose(ctx, tx, f.probationer, f.disclosure()); err != nil {
				return err
			}
			return prevent.Errorf(prevent.Conflict, "the domain action failed")
		})
		if prevent.ErrorKind(err) != prevent.Conflict || audited() != 2 {
			t.Errorf("rolled back: %v, %d entries", err, audited())
		}

		// Suspension blocks the sharing, and resuming restores it.
		if err := f.svc.Transition(ctx, f.dpo, agreement, sharing.Suspended, "Data breach under investigation"); err != nil {
			t.Fatal(err)
		}
		_, err = f.disclose(f.probationer, f.disclosure())
		if !strings.Contains(prevent.PublicMessage(err), "is suspended") {
			t.Errorf("suspended: %v", err)
		}
		if err := f.svc.Transition(ctx, f.dpo, agreement, sharing.Active, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.disclose(f.probationer, f.disclosure()); err != nil {
			t.Errorf("resumed: %v", err)
		}

		// Expiry by the review date, with the injected clock.
		f.clock.Set(date(2027, 11, 1).Add(9 * time.Hour))
		_, err = f.disclose(f.probationer, f.disclosure())
		if !strings.Contains(prevent.PublicMessage(err), "expired (review date 2027-10-31)") {
			t.Errorf("expired: %v", err)
		}
		if n := audited(); n != 3 {
			t.Errorf("%d disclose entries, want 3", n)
		}
	})
}

func TestAlerts(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		a := f.activeAgreement(t, f.panelAgreement())
		in := f.panelAgreement()
		in.Title, in.ReviewDate = "Short agreement", start.AddDate(0, 0, 10)
		b := f.activeAgreement(t, in)
		alerts, err := f.svc.Alerts(ctx, f.dpo, start)
		if err != nil || len(alerts) != 0 {
			t.Fatalf("alerts at the start: %v %v", alerts, err)
		}
		if err := f.svc.Transition(ctx, f.dpo, a, sharing.Suspended, "Review of a breach"); err != nil {
			t.Fatal(err)
		}
		later := start.AddDate(0, 0, 11)
		alerts, err = f.svc.Alerts(ctx, f.dpo, later)
		if err != nil || len(alerts) != 2 {
			t.Fatalf("alerts: %+v %v", alerts, err)
		}
		kinds := map[prevent.ID]sharing.AlertKind{}
		for _, al := range alerts {
			kinds[al.AgreementID] = al.Kind
		}
		if kinds[a] != sharing.AlertSuspended || kinds[b] != sharing.AlertExpired {
			t.Errorf("alert kinds: %v", kinds)
		}
		if alerts, _ := f.svc.Alerts(ctx, f.officer, later); len(alerts) != 0 {
			t.Errorf("a police officer sees alerts: %v", alerts)
		}
		// An expired agreement cannot be resumed.
		f.clock.Set(later)
		if err := f.svc.Transition(ctx, f.dpo, b, sharing.Active, ""); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("resume expired: %v", err)
		}
		if err := f.svc.Transition(ctx, f.dpo, b, sharing.Expired, "Lapsed at review"); err != nil {
			t.Errorf("record expiry: %v", err)
		}
	})
}

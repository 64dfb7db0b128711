package demo

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// TestDemoSharing checks the demo's information-sharing governance and that its cases are disclosed to
// exactly the organisations that work on them: agreements in each state, every panel case disclosed to every
// panel member organisation and its members assigned, every disclosure a checked one, and the subject
// access request register.
func TestDemoSharing(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
		if _, _, err := Load(ctx, deps(db, c)); err != nil {
			t.Fatal(err)
		}
		now := c.now()
		pid, err := partnershipID(ctx, db.Read())
		if err != nil {
			t.Fatal(err)
		}
		q := db.Read()
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := q.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return n
		}
		svc := sharing.New(sharing.Deps{DB: db, Now: c.now})
		dpo, err := principalWithRole(ctx, db, pid, prevent.DataProtection, now)
		if err != nil {
			t.Fatal(err)
		}
		coord, err := principalWithRole(ctx, db, pid, prevent.Coordinator, now)
		if err != nil {
			t.Fatal(err)
		}

		// The Annex 1 accounts: an offender manager who refers, and a housing officer on the panel.
		for _, a := range []struct {
			title, org string
			role       prevent.Role
		}{{"Offender manager", "Elmshire Probation Delivery Unit", prevent.Referrer},
			{"Housing options team leader", "Marlowbridge District Council", prevent.PanelMember}} {
			if n := count(`SELECT count(*) FROM people p JOIN organisations o ON o.id = p.organisation_id
				JOIN memberships m ON m.person_id = p.id AND m.partnership_id = $1
				WHERE p.job_title = $2 AND o.name = $3 AND m.role = $4`, pid, a.title, a.org, string(a.role)); n != 1 {
				t.Errorf("%d %s accounts at %s with role %s, want 1", n, a.title, a.org, a.role)
			}
		}

		// The agreements, one in each state the data protection officer meets.
		all, err := svc.Agreements(ctx, dpo, pid)
		if err != nil {
			t.Fatal(err)
		}
		byTitle := map[string]sharing.Agreement{}
		for _, a := range all {
			byTitle[a.Title] = a
		}
		var public []prevent.ID
		if err := func() error {
			rows, err := q.QueryContext(ctx, `SELECT o.id FROM organisations o JOIN partnership_organisations po ON po.organisation_id = o.id
				WHERE po.partnership_id = $1 AND o.public_body ORDER BY o.id`, pid)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id prevent.ID
				if err := rows.Scan(&id); err != nil {
					return err
				}
				public = append(public, id)
			}
			return rows.Err()
		}(); err != nil {
			t.Fatal(err)
		}
		main := byTitle[MainAgreementTitle]
		if main.StatusOn(now) != sharing.Active || !slices.Equal(main.Parties, public) || len(main.Signatories) != len(public) {
			t.Errorf("main agreement: status %s, parties %v (want the %d public members %v), %d signatories",
				main.StatusOn(now), main.Parties, len(public), public, len(main.Signatories))
		}
		if days := main.ReviewDate.Sub(now).Hours() / 24; days < 300 || days > 400 {
			t.Errorf("main agreement due for review in %.0f days, want about a year", days)
		}
		for _, g := range []string{"uk_gdpr_6_1_e", "uk_gdpr_9_2_g", "dpa_2018_part3", "ctsa_2015_s36_38", "cda_1998_s115",
			"oma_2007_s14", "lga_1972_s111", "children_act_2004", "care_act_2014"} {
			if !slices.Contains(main.Gateways, g) {
				t.Errorf("main agreement lacks the gateway %s", g)
			}
		}
		for _, x := range []sharing.Purpose{sharing.ReferralTriage, sharing.ChannelScreening, sharing.ChannelPanel, sharing.SupportDelivery} {
			if !slices.Contains(main.Purposes, x) {
				t.Errorf("main agreement lacks the purpose %s", x)
			}
		}
		if len(main.Categories) != len(sharing.Categories) {
			t.Errorf("main agreement covers %d categories, want all %d", len(main.Categories), len(sharing.Categories))
		}
		for title, want := range map[string]sharing.Status{ProviderAgreementTitle: sharing.Active, ReferralAgreementTitle: sharing.Active,
			ExpiringAgreementTitle: sharing.Active, SuspendedAgreementTitle: sharing.Suspended, DraftAgreementTitle: sharing.Draft} {
			if a, ok := byTitle[title]; !ok || a.StatusOn(now) != want {
				t.Errorf("%s: status %s (found %t), want %s", title, a.StatusOn(now), ok, want)
			}
		}
		if n := count(`SELECT count(*) FROM sharing_acknowledgements WHERE partnership_id = $1`, pid); n != 2 {
			t.Errorf("%d acknowledgements, want 2 (the provider and the community trust)", n)
		}
		ov, err := svc.Overview(ctx, dpo, pid, now, 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(ov.Expiring) != 1 || ov.Expiring[0].Title != ExpiringAgreementTitle {
			t.Errorf("agreements due for review within 30 days: %+v, want only %q", ov.Expiring, ExpiringAgreementTitle)
		}
		if len(ov.Alerts) != 1 || ov.Alerts[0].Kind != sharing.AlertSuspended || ov.Alerts[0].Title != SuspendedAgreementTitle {
			t.Errorf("alerts: %+v, want the suspended agreement", ov.Alerts)
		}

		// The subject access request register: one overdue, one extended, one completed; retention at the defaults.
		due, err := services(db, c).Rights(c.now).RequestsDue(ctx, dpo, pid, now, 30)
		if err != nil {
			t.Fatal(err)
		}
		overdue, extended := 0, 0
		for _, r := range due {
			if r.Overdue {
				overdue++
			}
			if r.Extended {
				extended++
			}
		}
		if overdue != 1 || count(`SELECT count(*) FROM subject_access_requests WHERE partnership_id = $1 AND extended`, pid) != 1 ||
			count(`SELECT count(*) FROM subject_access_requests WHERE partnership_id = $1 AND status = 'completed'`, pid) != 1 {
			t.Errorf("register: %d overdue (want 1), due soon %+v", overdue, due)
		}
		if n := count(`SELECT count(*) FROM retention_rules WHERE partnership_id = $1`, pid); n != 0 {
			t.Errorf("%d partnership retention rules, want the defaults only", n)
		}

		// Every disclosure went through Disclose: it names the agreement in force that covers it, and has its
		// audit entry.
		disclosures := count(`SELECT count(*) FROM sharing_disclosures WHERE partnership_id = $1`, pid)
		if disclosures < 200 {
			t.Errorf("%d disclosures, want hundreds", disclosures)
		}
		if n := count(`SELECT count(*) FROM audit_entries WHERE action = 'disclose' AND partnership_id = $1`, pid); n != disclosures {
			t.Errorf("%d disclose audit entries for %d disclosures", n, disclosures)
		}
		agreements := map[prevent.ID]sharing.Agreement{}
		for _, a := range all {
			agreements[a.ID] = a
		}
		type row struct {
			id, agreement, from, to, record prevent.ID
			recipients, categories, purpose string
			gateway, consent, reason        string
			at                              time.Time
		}
		var ledger []row
		func() {
			rows, err := q.QueryContext(ctx, `SELECT id, agreement_id, from_org, to_org, record_id, recipients, categories, purpose, gateway_code,
				consent, consent_reason, disclosed_at FROM sharing_disclosures WHERE partnership_id = $1 AND record_kind = 'referral' ORDER BY id`, pid)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.agreement, &r.from, &r.to, &r.record, &r.recipients, &r.categories, &r.purpose, &r.gateway,
					&r.consent, &r.reason, &r.at); err != nil {
					t.Fatal(err)
				}
				ledger = append(ledger, r)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}()
		if len(ledger) != disclosures {
			t.Fatalf("%d referral disclosures of %d", len(ledger), disclosures)
		}
		notSought := 0
		for _, d := range ledger {
			a, ok := agreements[d.agreement]
			if !ok || a.StatusOn(now) != sharing.Active || !slices.Contains(a.Parties, d.from) || !slices.Contains(a.Parties, d.to) ||
				!slices.Contains(a.Purposes, sharing.Purpose(d.purpose)) || !slices.Contains(a.Gateways, d.gateway) {
				t.Errorf("disclosure %d (%s, gateway %s, %d to %d) is not covered by agreement %d %q", d.id, d.purpose, d.gateway, d.from, d.to, d.agreement, a.Title)
			}
			if d.at.After(now) {
				t.Errorf("disclosure %d dated %s, after loading", d.id, d.at)
			}
			// Consent claimed is consent recorded, before the sharing.
			if d.consent == string(sharing.ConsentGiven) && count(`SELECT count(*) FROM consent_records WHERE referral_id = $1
				AND scope = 'information_sharing' AND decision = 'given' AND decided_at <= $2`, d.record, d.at) == 0 {
				t.Errorf("disclosure %d of referral %d says consent was given, but none is recorded before it", d.id, d.record)
			}
			if d.consent == string(sharing.ConsentNotSought) {
				notSought++
				if d.reason == "" || d.gateway == "consent" {
					t.Errorf("disclosure %d: consent not sought, reason %q, gateway %s", d.id, d.reason, d.gateway)
				}
			}
		}
		t.Logf("%d disclosures, %d without consent sought", len(ledger), notSought)
		if notSought == 0 || notSought*2 > len(ledger) {
			t.Errorf("%d of %d disclosures without consent sought, want some but not most", notSought, len(ledger))
		}
		disclosed := func(record, to prevent.ID, purpose sharing.Purpose) []row {
			var out []row
			for _, d := range ledger {
				if d.record == record && d.to == to && d.purpose == string(purpose) {
					out = append(out, d)
				}
			}
			return out
		}

		// Every case listed at the panel is disclosed to each member organisation other than the
		// coordinator's, naming its members, and every member is assigned to it; a member of each of those
		// organisations may then see the case.
		type seat struct {
			person, org prevent.ID
			role        string
		}
		var seats []seat
		func() {
			rows, err := q.QueryContext(ctx, `SELECT person_id, organisation_id, panel_role FROM panel_members ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var s seat
				if err := rows.Scan(&s.person, &s.org, &s.role); err != nil {
					t.Fatal(err)
				}
				seats = append(seats, s)
			}
		}()
		var listed []prevent.ID
		func() {
			rows, err := q.QueryContext(ctx, `SELECT referral_id FROM case_panels ORDER BY referral_id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id prevent.ID
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				listed = append(listed, id)
			}
		}()
		t.Logf("%d cases listed at the panel", len(listed))
		if len(listed) < 20 {
			t.Fatalf("%d cases listed at the panel", len(listed))
		}
		orgs := map[prevent.ID]bool{}
		for _, s := range seats {
			if s.org != coord.OrganisationID {
				orgs[s.org] = true
			}
		}
		if len(orgs) < 5 {
			t.Fatalf("panel members from %d organisations besides the coordinator's", len(orgs))
		}
		panelMembers := map[prevent.ID]prevent.Principal{}
		for _, s := range seats {
			if _, ok := panelMembers[s.org]; !ok && s.role == "member" {
				p, err := auth.LoadPrincipal(ctx, q, s.person, now)
				if err != nil {
					t.Fatal(err)
				}
				p.MFA = true
				panelMembers[s.org] = p
			}
		}
		for _, id := range listed {
			for _, s := range seats {
				if n := count(`SELECT count(*) FROM case_assignments WHERE referral_id = $1 AND person_id = $2`, id, s.person); n == 0 {
					t.Errorf("referral %d: panel member %d is not assigned", id, s.person)
				}
			}
			for org := range orgs {
				ds := disclosed(id, org, sharing.ChannelPanel)
				if len(ds) != 1 {
					t.Errorf("referral %d: %d panel disclosures to organisation %d, want 1", id, len(ds), org)
					continue
				}
				for _, s := range seats {
					if s.org == org && !slices.Contains(strings.Fields(ds[0].recipients), strconv.FormatInt(s.person, 10)) {
						t.Errorf("referral %d: the panel pack to organisation %d does not name its member %d (%q)", id, org, s.person, ds[0].recipients)
					}
				}
				if ds[0].categories != "identity concern assessment" {
					t.Errorf("referral %d: panel pack categories %q", id, ds[0].categories)
				}
			}
			var owner prevent.ID
			if err := q.QueryRowContext(ctx, `SELECT referrer_org_id FROM referrals WHERE id = $1`, id).Scan(&owner); err != nil {
				t.Fatal(err)
			}
			var assigned []prevent.ID
			for _, s := range seats {
				assigned = append(assigned, s.person)
			}
			to, _, err := sharing.DisclosedTo(ctx, q, "referral", id)
			if err != nil {
				t.Fatal(err)
			}
			for org, p := range panelMembers {
				r := access.Resource{Kind: "referral", PartnershipID: pid, OwnerOrg: owner, Personal: true, Assigned: assigned, DisclosedTo: to}
				if d := access.Decide(p, access.CaseView, r, now); !d.Allow {
					t.Errorf("referral %d: the panel member of organisation %d may not see it: %s", id, org, d.Reason)
				}
			}
		}

		// Every intervention is disclosed to its provider, and every information request to the partner asked.
		for _, x := range []struct {
			what, query string
			purpose     sharing.Purpose
		}{
			{"intervention", `SELECT i.referral_id, ip.organisation_id FROM interventions i JOIN intervention_providers ip ON ip.id = i.provider_id`, sharing.SupportDelivery},
			{"information request", `SELECT referral_id, to_org_id FROM information_requests`, sharing.ChannelScreening},
		} {
			n := 0
			func() {
				rows, err := q.QueryContext(ctx, x.query)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var id, org prevent.ID
					if err := rows.Scan(&id, &org); err != nil {
						t.Fatal(err)
					}
					if org == coord.OrganisationID {
						continue
					}
					n++
					if len(disclosed(id, org, x.purpose)) == 0 {
						t.Errorf("referral %d: %s not disclosed to organisation %d", id, x.what, org)
					}
				}
			}()
			if n == 0 {
				t.Errorf("no %s to another organisation", x.what)
			}
		}
	})
}

// BenchmarkLoad measures loading the whole demo partnership into a new SQLite database, as `serve --demo`
// does on an empty data directory (the migrations are outside the timing), and reports the disclosures
// written through sharing.Disclose.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	var disclosures int
	for b.Loop() {
		b.StopTimer()
		db := dbtest.NewSQLite(b)
		b.StartTimer()
		if _, _, err := Load(ctx, deps(db, c)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM sharing_disclosures`).Scan(&disclosures); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(disclosures), "disclosures/op")
}

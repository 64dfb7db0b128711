package rights_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// sharedCase is a referral by school A shared by the coordinator with the police under consent and with
// school B without consent (not sought).
type sharedCase struct {
	id                  prevent.ID
	toPolice, toSchoolB prevent.ID
	policeShare, bShare sharing.DisclosureInput
}

func (f *fixture) sharedCase(t *testing.T) sharedCase {
	t.Helper()
	var sc sharedCase
	sc.id, _ = f.submit(t, f.referrer, input("Sam", "Smith", time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)))
	if _, err := f.casework.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
		GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentGiven}); err != nil {
		t.Fatal(err)
	}
	var err error
	sc.policeShare = share(sharing.ChannelScreening)
	sc.policeShare.ToOrg, sc.policeShare.Consent, sc.policeShare.ConsentReason = f.police, sharing.ConsentGiven, ""
	if sc.toPolice, err = f.casework.Share(ctx, f.coordinator, sc.id, sc.policeShare); err != nil {
		t.Fatal(err)
	}
	sc.bShare = share(sharing.ChannelScreening)
	sc.bShare.ToOrg = f.schoolB
	if sc.toSchoolB, err = f.casework.Share(ctx, f.coordinator, sc.id, sc.bShare); err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestSubjectAccessBundle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		// A second referral of the same person, linked by the police.
		in := input("Sam", "Smith", time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC))
		in.Concern.Contacts = "His cousin Jo Bloggs, who lives nearby"
		second, _ := f.submit(t, f.referrerB, in)
		first, err := f.casework.Referral(ctx, f.officer, sc.id)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.casework.LinkSubject(ctx, f.officer, second, first.SubjectID); err != nil {
			t.Fatal(err)
		}
		share2 := share(sharing.ReferralTriage)
		share2.ToOrg = f.police
		if _, err := f.casework.Share(ctx, f.coordinator, second, share2); err != nil {
			t.Fatal(err)
		}
		for _, p := range []prevent.Principal{f.coordinator, f.officer} {
			if _, err := f.casework.Referral(ctx, p, second); err != nil {
				t.Fatal(err)
			}
		}
		req, err := f.svc.RegisterRequest(ctx, f.dpo, f.partnership, rights.SubjectAccessInput{Received: start, Requester: "Sam Smith",
			Subject: "Sam Smith, born 4 March 1990", Regime: rights.UKGDPR})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SubjectAccessBundle(ctx, f.dpo, req, false)
		wantKind(t, err, prevent.Conflict) // no subject chosen yet
		ms, err := f.svc.FindSubjects(ctx, f.dpo, f.partnership, "smith sam", time.Time{})
		if err != nil || len(ms) != 1 || len(ms[0].References) != 2 {
			t.Fatalf("find subjects: %+v %v", ms, err)
		}
		_, err = f.svc.FindSubjects(ctx, f.coordinator, f.partnership, "smith", time.Time{})
		wantKind(t, err, prevent.NotFound)
		wantKind(t, f.svc.LinkRequestSubject(ctx, f.coordinator, req, ms[0].SubjectID), prevent.NotFound)
		wantKind(t, f.svc.LinkRequestSubject(ctx, f.dpo, req, ms[0].SubjectID+999), prevent.Invalid)
		if err := f.svc.LinkRequestSubject(ctx, f.dpo, req, ms[0].SubjectID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SubjectAccessBundle(ctx, f.coordinator, req, false)
		wantKind(t, err, prevent.NotFound)

		// What the bundle must hold: every disclosure of both records and every consultation of them so far.
		var wantDisclosures, wantViews int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM sharing_disclosures WHERE record_kind = 'referral' AND record_id IN ($1, $2)`,
			sc.id, second).Scan(&wantDisclosures); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = 'consult' AND
			((record_kind = 'referral' AND record_id IN ($1, $2)) OR (record_kind IN ('intervention', 'information_request') AND record_id IN
			(SELECT id FROM interventions WHERE referral_id IN ($1, $2) UNION SELECT id FROM information_requests WHERE referral_id IN ($1, $2))))`,
			sc.id, second).Scan(&wantViews); err != nil {
			t.Fatal(err)
		}
		b, err := f.svc.SubjectAccessBundle(ctx, f.dpo, req, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Records) != 2 || b.Records[0].ReferralID != sc.id || b.Records[1].ReferralID != second {
			t.Fatalf("records %+v", b.Records)
		}
		if wantDisclosures != 3 || len(b.Disclosures) != wantDisclosures {
			t.Fatalf("%d disclosures in the bundle, %d in the ledger (want 3)", len(b.Disclosures), wantDisclosures)
		}
		for _, d := range b.Disclosures {
			if d.To == "" || d.From != "Northshire Council" || d.LegalBasis == "" || d.Purpose == "" || d.Necessity == "" || len(d.Categories) == 0 || d.By == "" {
				t.Errorf("disclosure without who, what, why or basis: %+v", d)
			}
		}
		if wantViews < 3 || len(b.Access) != wantViews {
			t.Fatalf("%d views in the bundle, %d consultations in the audit log", len(b.Access), wantViews)
		}
		named := false
		for _, v := range b.Access {
			if v.Who == "Olu Officer" && v.Organisation == "Northshire Police" && v.Reference != "" {
				named = true
			}
		}
		if !named {
			t.Errorf("the officer's view is not named with their organisation: %+v", b.Access)
		}
		// The sections: the person, the concern, consent and the timeline at least.
		var titles []string
		for _, s := range b.Records[0].Sections {
			titles = append(titles, s.Title)
		}
		for _, want := range []string{"About the person", "The concern", "Consent", "Timeline"} {
			if !slices.Contains(titles, want) {
				t.Errorf("record sections %v lack %q", titles, want)
			}
		}

		// Redaction: the cousin's name (third-party data) and one view are withheld with a recorded exemption.
		contacts := "referral:" + strconv.FormatInt(second, 10) + ":concern.contacts"
		view := b.Access[0].Key
		wantKind(t, f.svc.Redact(ctx, f.dpo, req, []string{contacts}, "made_up", "x"), prevent.Invalid)
		wantKind(t, f.svc.Redact(ctx, f.coordinator, req, []string{contacts}, rights.ExemptThirdParty, "x"), prevent.NotFound)
		if err := f.svc.Redact(ctx, f.dpo, req, []string{contacts, view}, rights.ExemptThirdParty, "Names his cousin"); err != nil {
			t.Fatal(err)
		}
		draft, err := f.svc.SubjectAccessBundle(ctx, f.dpo, req, true)
		if err != nil {
			t.Fatal(err)
		}
		item := findItem(draft, contacts)
		if item == nil || !item.Withheld || !strings.Contains(item.Value, "Jo Bloggs") {
			t.Fatalf("draft item %+v: want flagged with its value", item)
		}
		final, err := f.svc.SubjectAccessBundle(ctx, f.dpo, req, false)
		if err != nil {
			t.Fatal(err)
		}
		item = findItem(final, contacts)
		if item == nil || !item.Withheld || item.Value != "" || !strings.Contains(item.Exemption, "Schedule 2 Part 3 paragraph 16") {
			t.Fatalf("final item %+v: want withheld under the third-party exemption", item)
		}
		js, err := final.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(js), "Jo Bloggs") {
			t.Error("the withheld third-party name is in the JSON bundle")
		}
		if !strings.Contains(string(js), "Sam") || !strings.Contains(string(js), "Shared violent material") {
			t.Error("the JSON bundle lacks the person's own data")
		}
		if len(final.Redactions) != 2 || final.Redactions[0].Note != "" || final.Redactions[0].By == "" || final.Redactions[0].Item != contacts {
			t.Fatalf("final redactions %+v: want the items and exemptions, without the working note", final.Redactions)
		}
		if len(draft.Redactions) != 2 || draft.Redactions[0].Note != "Names his cousin" {
			t.Fatalf("draft redactions %+v: want the note", draft.Redactions)
		}
		withheldViews := 0
		for _, v := range final.Access {
			if v.Key == view && v.Withheld && v.Who == "" {
				withheldViews++
			}
		}
		if withheldViews != 1 {
			t.Errorf("the withheld view is shown: %+v", final.Access)
		}
		// Producing it was audited on the request and on each record.
		if c := auditCount(t, db, "consult", "subject_access_request"); c < 3 {
			t.Errorf("%d bundle audit entries on requests", c)
		}
		// Releasing a withheld item shows it again.
		if err := f.svc.Unredact(ctx, f.dpo, req, contacts); err != nil {
			t.Fatal(err)
		}
		again, err := f.svc.SubjectAccessBundle(ctx, f.dpo, req, false)
		if err != nil {
			t.Fatal(err)
		}
		if it := findItem(again, contacts); it == nil || it.Withheld || !strings.Contains(it.Value, "Jo Bloggs") {
			t.Fatalf("released item %+v", it)
		}
	})
}

func findItem(b rights.Bundle, key string) *rights.BundleItem {
	for _, it := range b.Items() {
		if it.Key == key {
			return &it
		}
	}
	return nil
}

// BenchmarkSubjectAccessBundle produces the bundle of a demo person with 50 records: the demo partnership's
// first 50 submitted referrals (every Channel stage, with their assessments, decisions, consent, support and
// timelines) linked to one subject, each viewed by the coordinator and shared with the police.
//
//	go test -run '^$' -bench SubjectAccessBundle -benchtime 10x ./internal/rights/
func BenchmarkSubjectAccessBundle(b *testing.B) {
	for name, open := range engines(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			e := newBenchEnv(b, open(b))
			q := e.db.Read()
			var subject prevent.ID
			var ids []prevent.ID
			rows, err := q.QueryContext(ctx, `SELECT id, subject_id FROM referrals WHERE partnership_id = $1 AND submitted_at IS NOT NULL
				AND subject_id IS NOT NULL ORDER BY id LIMIT 50`, e.pid)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var id, s prevent.ID
				if err := rows.Scan(&id, &s); err != nil {
					b.Fatal(err)
				}
				if subject == 0 {
					subject = s
				}
				ids = append(ids, id)
			}
			rows.Close()
			if len(ids) != 50 {
				b.Fatalf("%d referrals", len(ids))
			}
			var police, agreement prevent.ID
			if err := q.QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, e.officer.PersonID).Scan(&police); err != nil {
				b.Fatal(err)
			}
			err = e.db.WithTx(ctx, func(tx *database.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE referrals SET subject_id = $1 WHERE id IN (SELECT id FROM referrals
					WHERE partnership_id = $2 AND submitted_at IS NOT NULL AND subject_id IS NOT NULL ORDER BY id LIMIT 50)`, subject, e.pid); err != nil {
					return err
				}
				if err := tx.QueryRowContext(ctx, `INSERT INTO sharing_agreements (partnership_id, title, purposes, categories, gateways, retention,
					disposal, security, review_date, status, status_at, created_by, created_at, updated_at) VALUES ($1, 'Bench agreement',
					'channel_screening', 'identity concern', 'uk_gdpr_6_1_e', 'Six years', 'Deletion', 'OFFICIAL-SENSITIVE', '2030-01-01',
					'active', $2, $3, $2, $2) RETURNING id`, e.pid, benchNow, e.coordinator.PersonID).Scan(&agreement); err != nil {
					return err
				}
				for _, id := range ids {
					if _, err := tx.ExecContext(ctx, `INSERT INTO sharing_disclosures (partnership_id, agreement_id, from_org, to_org, recipients,
						record_kind, record_id, categories, fields, purpose, expected_outcome, gateway_code, gateway_version, consent,
						consent_reason, necessity, disclosed_by, disclosed_at) VALUES ($1, $2, $3, $4, '', 'referral', $5, 'identity concern', '',
						'channel_screening', 'Screening', 'uk_gdpr_6_1_e', 1, 'not_sought', 'Would alert', 'Needed to screen', $6, $7)`,
						e.pid, agreement, e.coordinator.OrganisationID, police, id, e.coordinator.PersonID, benchNow); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for _, id := range ids {
				if _, err := e.casework.Referral(ctx, e.coordinator, id); err != nil {
					b.Fatal(err)
				}
			}
			var dpoID prevent.ID
			if err := q.QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1 AND role = $2 ORDER BY person_id LIMIT 1`,
				e.pid, string(prevent.DataProtection)).Scan(&dpoID); err != nil {
				b.Fatal(err)
			}
			dpo, err := auth.LoadPrincipal(ctx, q, dpoID, benchNow)
			if err != nil {
				b.Fatal(err)
			}
			dpo.MFA = true
			req, err := e.svc.RegisterRequest(ctx, dpo, e.pid, rights.SubjectAccessInput{Received: benchNow, Requester: "The person",
				Subject: "The person", Regime: rights.UKGDPR})
			if err != nil {
				b.Fatal(err)
			}
			if err := e.svc.LinkRequestSubject(ctx, dpo, req, subject); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			var bundle rights.Bundle
			for b.Loop() {
				if bundle, err = e.svc.SubjectAccessBundle(ctx, dpo, req, false); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// The bundle holds every disclosure of the 50 records and every consultation of them (and of their
			// interventions and information requests) made before it.
			var wantDisclosures, wantViews int
			if err := q.QueryRowContext(ctx, `SELECT count(*) FROM sharing_disclosures WHERE record_kind = 'referral' AND record_id IN
				(SELECT id FROM referrals WHERE subject_id = $1)`, subject).Scan(&wantDisclosures); err != nil {
				b.Fatal(err)
			}
			if err := q.QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = 'consult' AND (
				(record_kind = 'referral' AND record_id IN (SELECT id FROM referrals WHERE subject_id = $1)) OR
				(record_kind = 'intervention' AND record_id IN (SELECT i.id FROM interventions i JOIN referrals r ON r.id = i.referral_id WHERE r.subject_id = $1)) OR
				(record_kind = 'information_request' AND record_id IN (SELECT q.id FROM information_requests q JOIN referrals r ON r.id = q.referral_id WHERE r.subject_id = $1)))`,
				subject).Scan(&wantViews); err != nil {
				b.Fatal(err)
			}
			if bundle, err = e.svc.SubjectAccessBundle(ctx, dpo, req, false); err != nil {
				b.Fatal(err)
			}
			if len(bundle.Records) != 50 || len(bundle.Disclosures) != wantDisclosures || len(bundle.Access) != wantViews || wantDisclosures < 50 {
				b.Fatalf("bundle of %d records, %d disclosures (ledger %d), %d views (audit log %d)", len(bundle.Records),
					len(bundle.Disclosures), wantDisclosures, len(bundle.Access), wantViews)
			}
			b.ReportMetric(float64(len(bundle.Items())), "items")
			b.ReportMetric(float64(len(bundle.Access)), "views")
			if os.Getenv("PREVENT_BENCH_VERBOSE") != "" {
				b.Logf("%d records, %d items, %d disclosures, %d views", len(bundle.Records), len(bundle.Items()), len(bundle.Disclosures), len(bundle.Access))
			}
		})
	}
}

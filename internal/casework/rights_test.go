package casework_test

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
	if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
		GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "In person", Decision: casework.ConsentGiven}); err != nil {
		t.Fatal(err)
	}
	var err error
	sc.policeShare = share(sharing.ChannelScreening)
	sc.policeShare.ToOrg, sc.policeShare.Consent, sc.policeShare.ConsentReason = f.police, sharing.ConsentGiven, ""
	if sc.toPolice, err = f.svc.Share(ctx, f.coordinator, sc.id, sc.policeShare); err != nil {
		t.Fatal(err)
	}
	sc.bShare = share(sharing.ChannelScreening)
	sc.bShare.ToOrg = f.schoolB
	if sc.toSchoolB, err = f.svc.Share(ctx, f.coordinator, sc.id, sc.bShare); err != nil {
		t.Fatal(err)
	}
	return sc
}

func noticeOrgs(ns []sharing.Notice) []prevent.ID {
	var out []prevent.ID
	for _, n := range ns {
		out = append(out, n.ToOrg)
	}
	slices.Sort(out)
	return out
}

func TestWithdrawalNotifiesRecipientsUnderConsent(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		// Before withdrawal nobody has a notice.
		if ns, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); err != nil || len(ns) != 0 {
			t.Fatalf("notices before withdrawal: %v %v", ns, err)
		}
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
			GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "Letter", Decision: casework.ConsentWithdrawnBy,
			Reason: "He no longer wants the police told"}); err != nil {
			t.Fatal(err)
		}
		all, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		// Exactly the police received data under consent: not school B (consent not sought), not the council
		// (the withdrawing organisation), not school A (the owner, never disclosed to).
		if got := noticeOrgs(all); !slices.Equal(got, []prevent.ID{f.police}) {
			t.Fatalf("notified %v, want only the police %d", got, f.police)
		}
		n := all[0]
		if n.Kind != sharing.NoticeConsentWithdrawn || n.Status != sharing.NoticeOpen || !slices.Equal(n.Disclosures, []prevent.ID{sc.toPolice}) ||
			n.RecordID != sc.id || n.RecordLabel == "" || n.FromOrg != f.council {
			t.Fatalf("notice %+v", n)
		}
		if strings.Contains(n.Message, "Sam") || strings.Contains(n.Message, "Smith") {
			t.Errorf("the notice names the person: %q", n.Message)
		}
		// School B sees none, and cannot see or complete the police's.
		if ns, err := f.sharing.Notices(ctx, f.referrerB, f.partnership, f.schoolB, true); err != nil || len(ns) != 0 {
			t.Fatalf("school B notices: %v %v", ns, err)
		}
		_, err = f.sharing.Notices(ctx, f.referrerB, f.partnership, f.police, true)
		wantKind(t, err, prevent.NotFound)
		wantKind(t, f.sharing.CompleteNotice(ctx, f.referrerB, n.ID, "Deleted it"), prevent.NotFound)
		wantKind(t, f.sharing.CompleteNotice(ctx, f.dpo, n.ID, "Deleted it"), prevent.NotFound)
		// The police see it as a task, and complete it with a note.
		mine, err := f.sharing.Notices(ctx, f.officer, f.partnership, f.police, true)
		if err != nil || len(mine) != 1 || mine[0].ID != n.ID {
			t.Fatalf("police open notices: %v %v", mine, err)
		}
		if c, err := f.sharing.CountOpenNotices(ctx, f.officer, f.partnership); err != nil || c != 1 {
			t.Fatalf("open count %d %v", c, err)
		}
		wantKind(t, f.sharing.CompleteNotice(ctx, f.officer, n.ID, "  "), prevent.Invalid)
		f.clock.Set(start.Add(48 * time.Hour))
		if err := f.sharing.CompleteNotice(ctx, f.officer, n.ID, "Stopped sharing; deleted the copy in the intelligence system"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, f.sharing.CompleteNotice(ctx, f.officer, n.ID, "Again"), prevent.Conflict)
		got, err := f.sharing.Notice(ctx, f.dpo, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != sharing.NoticeCompleted || got.CompletedBy != f.officer.PersonID || got.CompletedByName != "Olu Officer" ||
			!got.CompletedAt.Equal(start.Add(48*time.Hour)) || !strings.Contains(got.CompletedNote, "deleted the copy") {
			t.Fatalf("completed notice %+v", got)
		}
		if open, _ := f.sharing.Notices(ctx, f.officer, f.partnership, f.police, true); len(open) != 0 {
			t.Fatalf("completed notice still open: %v", open)
		}
		if c := auditCount(t, db, "collect", "sharing_notice"); c != 1 {
			t.Errorf("%d notice audit entries, want 1", c)
		}
		if c := auditCount(t, db, "alter", "sharing_notice"); c != 1 {
			t.Errorf("%d completion audit entries, want 1", c)
		}
		// A share claiming consent after the withdrawal is refused (H1's consistency check), and withdrawing
		// again notifies nobody twice for the same disclosures.
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
			GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "Letter", Decision: casework.ConsentWithdrawnBy,
			Reason: "Confirmed in writing"}); err != nil {
			t.Fatal(err)
		}
		if all, _ := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); len(all) != 1 {
			t.Fatalf("second withdrawal sent %d notices in all, want still 1", len(all))
		}
	})
}

func TestRefusalAfterConsentNotifiesAsWithdrawal(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		if _, err := f.svc.RecordConsent(ctx, f.coordinator, sc.id, casework.ConsentInput{Scope: casework.ScopeInformationSharing,
			GiverName: "Sam Smith", GiverRole: casework.GiverSelf, Method: "Phone", Decision: casework.ConsentRefusedBy,
			Reason: "Does not want the police to hold it"}); err != nil {
			t.Fatal(err)
		}
		ns, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := noticeOrgs(ns); !slices.Equal(got, []prevent.ID{f.police}) || ns[0].Kind != sharing.NoticeConsentWithdrawn {
			t.Fatalf("notices after refusal %v", ns)
		}
		// Consent to support is another matter: its refusal tells nobody about information sharing (and on a
		// case not adopted by a panel it is refused outright).
		id, _ := f.submit(t, f.referrer, input("Kim", "Lee", time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)))
		_, err = f.svc.RecordConsent(ctx, f.coordinator, id, casework.ConsentInput{Scope: casework.ScopeSupport,
			GiverName: "Kim Lee", GiverRole: casework.GiverSelf, Method: "Phone", Decision: casework.ConsentRefusedBy, Reason: "No"})
		wantKind(t, err, prevent.Conflict)
		if ns, _ := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); len(ns) != 1 {
			t.Fatalf("support refusal sent notices: %v", ns)
		}
	})
}

func TestNoticeOverdue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		if err := f.svc.Rectify(ctx, f.coordinator, sc.id, casework.RectifyInput{Field: "postcode", Value: "NS2 2BB", Reason: "Moved"}); err != nil {
			t.Fatal(err)
		}
		all, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, true)
		if err != nil || len(all) != 2 {
			t.Fatalf("notices %v %v", all, err)
		}
		if all[0].Overdue(start.AddDate(0, 0, sharing.NoticeDueDays)) {
			t.Error("overdue on its due day")
		}
		if !all[0].Overdue(start.AddDate(0, 0, sharing.NoticeDueDays+1)) {
			t.Error("not overdue the day after its due day")
		}
	})
}

func TestRectifyNotifiesPriorRecipients(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		// Only those who hold cases across the partnership correct them.
		wantKind(t, f.svc.Rectify(ctx, f.referrer, sc.id, casework.RectifyInput{Field: "family_name", Value: "Smyth", Reason: "Passport"}), prevent.NotFound)
		wantKind(t, f.svc.Rectify(ctx, f.coordinator, sc.id, casework.RectifyInput{Field: "concern", Value: "x", Reason: "y"}), prevent.Invalid)
		wantKind(t, f.svc.Rectify(ctx, f.coordinator, sc.id, casework.RectifyInput{Field: "date_of_birth", Value: "2099-01-01", Reason: "y"}), prevent.Invalid)
		wantKind(t, f.svc.Rectify(ctx, f.coordinator, sc.id, casework.RectifyInput{Field: "family_name", Value: "Smyth"}), prevent.Invalid)
		if ns, _ := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false); len(ns) != 0 {
			t.Fatalf("refused corrections sent notices: %v", ns)
		}
		if err := f.svc.Rectify(ctx, f.coordinator, sc.id, casework.RectifyInput{Field: "family_name", Value: "Smyth",
			Reason: "He showed his passport"}); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Rectify(ctx, f.officer, sc.id, casework.RectifyInput{Field: "date_of_birth", Value: "1991-03-04",
			Reason: "Birth certificate"}); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Referral(ctx, f.coordinator, sc.id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Details.Person.FamilyName != "Smyth" || !r.Details.Person.DateOfBirth.Equal(time.Date(1991, 3, 4, 0, 0, 0, 0, time.UTC)) ||
			r.Details.Person.GivenNames != "Sam" || r.Details.Concern.WhatHappened == "" {
			t.Fatalf("after rectification: %+v", r.Details)
		}
		// The subject record follows, so that the subject access search finds the corrected name.
		ms, err := f.svc.FindSubjects(ctx, f.dpo, f.partnership, "Sam Smyth", time.Date(1991, 3, 4, 0, 0, 0, 0, time.UTC))
		if err != nil || len(ms) != 1 {
			t.Fatalf("find corrected subject: %v %v", ms, err)
		}
		ns, err := f.sharing.Notices(ctx, f.dpo, f.partnership, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		// Each correction told both prior recipients (police and school B), never the council that made the
		// first one; the officer's correction told school B but not the police themselves.
		var byCoordinator, byOfficer []sharing.Notice
		for _, n := range ns {
			if n.Kind != sharing.NoticeRectified {
				t.Fatalf("kind %s", n.Kind)
			}
			if n.FromOrg == f.council {
				byCoordinator = append(byCoordinator, n)
			} else {
				byOfficer = append(byOfficer, n)
			}
		}
		if got := noticeOrgs(byCoordinator); !slices.Equal(got, sortedIDs(f.police, f.schoolB)) {
			t.Errorf("coordinator's correction notified %v", got)
		}
		if got := noticeOrgs(byOfficer); !slices.Equal(got, []prevent.ID{f.schoolB}) {
			t.Errorf("officer's correction notified %v", got)
		}
		tl, err := f.svc.Timeline(ctx, f.coordinator, sc.id)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, e := range tl {
			if e.Kind == "rectified" {
				found++
			}
		}
		if found != 2 {
			t.Errorf("%d rectified events on the timeline, want 2", found)
		}
	})
}

func sortedIDs(ids ...prevent.ID) []prevent.ID { slices.Sort(ids); return ids }

func TestSubjectAccessBundle(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		sc := f.sharedCase(t)
		// A second referral of the same person, linked by the police.
		in := input("Sam", "Smith", time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC))
		in.Concern.Contacts = "His cousin Jo Bloggs, who lives nearby"
		second, _ := f.submit(t, f.referrerB, in)
		first, err := f.svc.Referral(ctx, f.officer, sc.id)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.LinkSubject(ctx, f.officer, second, first.SubjectID); err != nil {
			t.Fatal(err)
		}
		share2 := share(sharing.ReferralTriage)
		share2.ToOrg = f.police
		if _, err := f.svc.Share(ctx, f.coordinator, second, share2); err != nil {
			t.Fatal(err)
		}
		for _, p := range []prevent.Principal{f.coordinator, f.officer} {
			if _, err := f.svc.Referral(ctx, p, second); err != nil {
				t.Fatal(err)
			}
		}
		req, err := f.sharing.RegisterRequest(ctx, f.dpo, f.partnership, sharing.SubjectAccessInput{Received: start, Requester: "Sam Smith",
			Subject: "Sam Smith, born 4 March 1990", Regime: sharing.UKGDPR})
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
		wantKind(t, f.sharing.Redact(ctx, f.dpo, req, []string{contacts}, "made_up", "x"), prevent.Invalid)
		wantKind(t, f.sharing.Redact(ctx, f.coordinator, req, []string{contacts}, sharing.ExemptThirdParty, "x"), prevent.NotFound)
		if err := f.sharing.Redact(ctx, f.dpo, req, []string{contacts, view}, sharing.ExemptThirdParty, "Names his cousin"); err != nil {
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
		if err := f.sharing.Unredact(ctx, f.dpo, req, contacts); err != nil {
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

func findItem(b casework.Bundle, key string) *casework.BundleItem {
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
//	go test -run '^$' -bench SubjectAccessBundle -benchtime 10x ./internal/casework/
func BenchmarkSubjectAccessBundle(b *testing.B) {
	for name, open := range engines(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			e := newBenchEnv(b, open(b), 0)
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
				if _, err := e.svc.Referral(ctx, e.coordinator, id); err != nil {
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
			sh := sharing.New(sharing.Deps{DB: e.db, Now: func() time.Time { return benchNow }})
			req, err := sh.RegisterRequest(ctx, dpo, e.pid, sharing.SubjectAccessInput{Received: benchNow, Requester: "The person",
				Subject: "The person", Regime: sharing.UKGDPR})
			if err != nil {
				b.Fatal(err)
			}
			if err := e.svc.LinkRequestSubject(ctx, dpo, req, subject); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			var bundle casework.Bundle
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

// auditCount counts audit entries of an action on a record kind.
func auditCount(t *testing.T, db *database.DB, action, kind string) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE action = $1 AND record_kind = $2`, action, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

package casework_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// equalityCanaries are the distinctive equality monitoring answers the tests record, in every form they could
// leak in: code, label and list name.
var equalityCanaries = []string{"white_roma", "Roma", "prefer_not_to_say", "Prefer not to say", "mental_health", "ethnicity", "Ethnicity"}

func monitored(given string) casework.ReferralInput {
	in := input(given, "Canary", time.Date(2009, 3, 4, 0, 0, 0, 0, time.UTC))
	in.Monitoring = &casework.EqualityMonitoring{Ethnicity: "white_roma", MentalHealth: "prefer_not_to_say"}
	return in
}

// assertNoEquality fails if any canary appears in v, printed or as JSON.
func assertNoEquality(t *testing.T, what string, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	for _, s := range []string{fmt.Sprintf("%+v", v), string(b)} {
		for _, c := range equalityCanaries {
			if strings.Contains(s, c) {
				t.Errorf("%s shows the equality monitoring answer %q: %s", what, c, s)
			}
		}
	}
}

// The equality monitoring answers are sealed, and no read of a case, a draft, a list, a search, a match, a
// timeline or the caseload gives them back; only the audited statistics read returns them, as codes.
func TestEqualityMonitoringIsNeverReadBack(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, monitored("Zebedee"))
		if err != nil {
			t.Fatal(err)
		}
		draft, err := f.svc.Draft(ctx, f.referrer, id)
		if err != nil {
			t.Fatal(err)
		}
		if draft.Monitoring != nil {
			t.Errorf("the draft gave back its equality monitoring: %+v", draft.Monitoring)
		}
		assertNoEquality(t, "Draft", draft)
		drafts, err := f.svc.Drafts(ctx, f.referrer, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		assertNoEquality(t, "Drafts", drafts)
		// Saving another page of the draft (Monitoring nil) keeps the answers.
		draft.Person.Setting = "Northshire College"
		if _, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, id, draft); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Submit(ctx, f.referrer, id); err != nil {
			t.Fatal(err)
		}
		// A second referral of the same person, so that matching runs.
		id2, _ := f.submit(t, f.referrer, monitored("Zebedee"))

		var details string
		var sealed []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT details, sealed_monitoring FROM referrals WHERE id = $1`, id).Scan(&details, &sealed); err != nil {
			t.Fatal(err)
		}
		if len(sealed) == 0 {
			t.Fatal("no sealed equality monitoring stored")
		}
		for _, c := range equalityCanaries {
			if strings.Contains(details, c) || strings.Contains(string(sealed), c) {
				t.Errorf("%q stored in plain text", c)
			}
		}

		for _, p := range []prevent.Principal{f.officer, f.coordinator} {
			r, err := f.svc.Referral(ctx, p, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Details.Monitoring != nil {
				t.Errorf("Referral gave back the equality monitoring")
			}
			assertNoEquality(t, "Referral", r)
		}
		sent, err := f.svc.SentReferral(ctx, f.referrer, id)
		if err != nil {
			t.Fatal(err)
		}
		assertNoEquality(t, "SentReferral", sent)
		st, err := f.svc.ReferralStatus(ctx, f.referrer, id)
		if err != nil {
			t.Fatal(err)
		}
		assertNoEquality(t, "ReferralStatus", st)
		list, _, err := f.svc.List(ctx, f.coordinator, casework.ListFilter{PartnershipID: f.partnership, Limit: 50})
		if err != nil || len(list) < 2 {
			t.Fatalf("List = %d, %v", len(list), err)
		}
		assertNoEquality(t, "List", list)
		found, err := f.svc.Search(ctx, f.coordinator, f.partnership, "Zebedee")
		if err != nil || len(found) < 2 {
			t.Fatalf("Search = %d, %v", len(found), err)
		}
		assertNoEquality(t, "Search", found)
		events, err := f.svc.Timeline(ctx, f.officer, id)
		if err != nil {
			t.Fatal(err)
		}
		assertNoEquality(t, "Timeline", events)
		matches, err := f.svc.Matches(ctx, f.officer, id2)
		if err != nil {
			t.Fatal(err)
		}
		assertNoEquality(t, "Matches", matches)
		load, err := f.svc.Caseload(ctx, f.coordinator, f.partnership, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		assertNoEquality(t, "Caseload", load)

		// The person's own subject access bundle holds their answers, as labels: they are their data.
		var subject prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT subject_id FROM referrals WHERE id = $1`, id).Scan(&subject); err != nil {
			t.Fatal(err)
		}
		recs, err := f.svc.SubjectRecords(ctx, db.Read(), partnership.NewNames(ctx, db.Read()), f.partnership, subject)
		if err != nil {
			t.Fatal(err)
		}
		var answers []string
		for _, rec := range recs {
			for _, sec := range rec.Sections {
				for _, it := range sec.Items {
					if strings.Contains(it.Key, ":monitoring.") {
						answers = append(answers, it.Label+": "+it.Value)
					}
				}
			}
		}
		if len(recs) == 0 || len(answers) != 2*len(recs) || answers[0] != "Ethnicity: White: Roma" || answers[1] != "Mental health need or neurodiversity recorded: Prefer not to say" {
			t.Errorf("subject access bundle answers %q", answers)
		}

		// The statistics read: codes only, for those who prepare returns.
		from, to := start.AddDate(0, -1, 0), start.AddDate(0, 1, 0)
		if _, err := f.svc.EqualityCodes(ctx, f.referrer, f.partnership, from, to); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a referrer read the equality monitoring: %v", err)
		}
		if _, err := f.svc.EqualityCodes(ctx, f.officer, f.partnership, from, to); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a police officer read the equality monitoring: %v", err)
		}
		codes, err := f.svc.EqualityCodes(ctx, f.coordinator, f.partnership, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := casework.EqualityMonitoring{Ethnicity: "white_roma", MentalHealth: "prefer_not_to_say"}
		if len(codes) != 2 || codes[id] != want || codes[id2] != want {
			t.Errorf("EqualityCodes = %+v", codes)
		}
		var audited int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_entries WHERE record_kind = 'equality_monitoring' AND actor_id = $1`,
			f.coordinator.PersonID).Scan(&audited); err != nil || audited != 1 {
			t.Errorf("statistics reads audited: %d, %v", audited, err)
		}
	})
}

func TestEqualityMonitoringRefusesUnknownCodes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		for _, m := range []casework.EqualityMonitoring{{Ethnicity: "martian"}, {MentalHealth: "maybe"}} {
			in := input("Wrong", "Code", time.Time{})
			in.Monitoring = &m
			_, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, in)
			wantKind(t, err, prevent.Invalid)
			field := casework.FieldEthnicity
			if m.MentalHealth != "" {
				field = casework.FieldMentalHealth
			}
			fe := prevent.FieldErrors(err)
			if len(fe) != 1 || fe[0].Field != field {
				t.Errorf("%+v: errors %+v", m, fe)
			}
		}
		// Every code offered is accepted.
		for _, list := range []casework.List{casework.Ethnicities, casework.MentalHealthRecorded} {
			items, err := f.svc.Reference(ctx, list, start)
			if err != nil || len(items) == 0 {
				t.Fatalf("%s: %d, %v", list, len(items), err)
			}
			for _, it := range items {
				in := input("Right", "Code", time.Time{})
				in.Monitoring = &casework.EqualityMonitoring{Ethnicity: it.Code}
				if list == casework.MentalHealthRecorded {
					in.Monitoring = &casework.EqualityMonitoring{MentalHealth: it.Code}
				}
				if _, err := f.svc.SaveDraft(ctx, f.referrer, f.partnership, 0, in); err != nil {
					t.Errorf("%s %s: %v", list, it.Code, err)
				}
			}
		}
		if items, _ := f.svc.Reference(ctx, casework.Ethnicities, start); len(items) != 21 {
			t.Errorf("%d ethnicity categories, want the 19 of the 2021 Census, Prefer not to say and Not known", len(items))
		}
	})
}

// Erasing the case shreds the key the answers are sealed under, and blanks them.
func TestEqualityMonitoringErased(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrer, monitored("Gone"))
		if _, err := f.svc.RecordDeconfliction(ctx, f.officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Note: "n", Marking: prevent.OfficialSensitive}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvCloseNFA, Reason: "context_explains"}); err != nil {
			t.Fatal(err)
		}
		var sealed []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT sealed_monitoring FROM referrals WHERE id = $1`, id).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		at := start.AddDate(3, 0, 1)
		f.clock.Set(at)
		if n := f.eraseClosed(t, at); n != 1 {
			t.Fatalf("erased %d cases, want 1", n)
		}
		var after []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT sealed_monitoring FROM referrals WHERE id = $1`, id).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if len(after) != 0 {
			t.Error("the equality monitoring of an erased case was kept")
		}
		// Put back, the old ciphertext does not open: its key is shredded.
		if _, err := db.Writer().ExecContext(ctx, `UPDATE referrals SET sealed_monitoring = $1, erased_at = NULL WHERE id = $2`, sealed, id); err != nil {
			t.Fatal(err)
		}
		codes, err := f.svc.EqualityCodes(ctx, f.coordinator, f.partnership, start.AddDate(0, -1, 0), start.AddDate(0, 1, 0))
		if err != nil || len(codes) != 0 {
			t.Errorf("after erasure EqualityCodes = %+v, %v", codes, err)
		}
	})
}

package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// triaged submits a referral and closes it at police triage with decision at the fixture clock's time.
func (f *fixture) triaged(t *testing.T, given string, decision casework.Event, note string) prevent.ID {
	t.Helper()
	ctx := context.Background()
	in := input(given, "Erasure", time.Date(2010, 5, 17, 0, 0, 0, 0, time.UTC))
	in.Concern.Fears = "canary-fears-" + given
	in.Person.AdditionalNeeds = "canary-needs-" + given
	id, _ := f.submit(t, f.referrer, in)
	if _, err := f.svc.RecordDeconfliction(ctx, f.officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Note: note, Marking: prevent.OfficialSensitive}); err != nil {
		t.Fatalf("deconfliction: %v", err)
	}
	if decision == "" {
		return id
	}
	ti := casework.TriageInput{Decision: decision}
	switch decision {
	case casework.EvCloseNFA:
		ti.Reason = "context_explains"
	case casework.EvSignpost:
		ti.Service = "camhs"
	default:
		ti.Rationale = "Managed by the police"
	}
	if _, err := f.svc.Triage(ctx, f.officer, id, ti); err != nil {
		t.Fatalf("triage %s: %v", decision, err)
	}
	return id
}

func erasedIDs(t *testing.T, db *database.DB) map[prevent.ID]bool {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT id FROM referrals WHERE erased_at IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[prevent.ID]bool{}
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id] = true
	}
	return out
}

// certificates returns the details of the erasure certificates in the audit log.
func certificates(t *testing.T, db *database.DB) []string {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT detail FROM audit_entries WHERE action = 'erase' AND purpose = 'retention' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestSealedReferralFields(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		id := f.triaged(t, "Sealy", "", "canary-note-sealy")
		var details string
		var sealed []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT details, sealed_details FROM referrals WHERE id = $1`, id).Scan(&details, &sealed); err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"Shared violent material", "canary-fears-Sealy", "canary-needs-Sealy", "Seen by a teacher"} {
			if strings.Contains(details, plain) || strings.Contains(string(sealed), plain) {
				t.Errorf("%q stored in plain text", plain)
			}
		}
		if !strings.Contains(details, "Sealy") {
			t.Errorf("the name should stay plain for matching: %s", details)
		}
		var note string
		var noteSealed []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT note, note_sealed FROM deconfliction_notes WHERE referral_id = $1`, id).Scan(&note, &noteSealed); err != nil {
			t.Fatal(err)
		}
		if note != "" || len(noteSealed) == 0 || strings.Contains(string(noteSealed), "canary-note") {
			t.Errorf("deconfliction note not sealed: note %q, %d sealed bytes", note, len(noteSealed))
		}
		r, err := f.svc.Referral(ctx, f.officer, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Details.Concern.WhatHappened != "Shared violent material in class" || r.Details.Concern.Fears != "canary-fears-Sealy" ||
			r.Details.Person.AdditionalNeeds != "canary-needs-Sealy" {
			t.Errorf("sealed fields not opened: %+v", r.Details)
		}
		notes, err := f.svc.DeconflictionNotes(ctx, f.officer, id)
		if err != nil || len(notes) != 1 || notes[0].Note != "canary-note-sealy" {
			t.Fatalf("notes = %+v, %v", notes, err)
		}
		// A ciphertext moved to another row does not open.
		other := f.triaged(t, "Other", "", "other note")
		if _, err := db.Writer().ExecContext(ctx, `UPDATE referrals SET sealed_details = $1 WHERE id = $2`, sealed, other); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Referral(ctx, f.officer, other); err == nil {
			t.Error("a sealed field copied to another referral opened")
		}
	})
}

func TestEraseDue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		nfa := f.triaged(t, "Nfa", casework.EvCloseNFA, "note nfa")
		nfa2 := f.triaged(t, "Nfatwo", casework.EvCloseNFA, "note nfa two")
		sign := f.triaged(t, "Signed", casework.EvSignpost, "note signposted")
		police := f.triaged(t, "Policed", casework.EvPoliceLed, "note police")
		held := f.triaged(t, "Held", casework.EvCloseNFA, "note held")
		open := f.triaged(t, "Open", "", "note open")
		f.clock.Set(start.AddDate(2, 0, 0))
		late := f.triaged(t, "Late", casework.EvCloseNFA, "note late")
		placeHold := func(p prevent.Principal, reason string) (prevent.ID, error) {
			var id prevent.ID
			err := db.WithTx(ctx, func(tx *database.Tx) error {
				var err error
				id, err = f.sharing.PlaceHold(ctx, tx, p, f.partnership, sharing.HoldInput{RecordKind: sharing.HoldCase, RecordID: held, Reason: reason})
				return err
			})
			return id, err
		}
		hold, err := placeHold(f.dpo, "Civil claim")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := placeHold(f.officer, "x"); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("an officer placed a hold: %v", err)
		}

		// Just before three years nothing is due.
		res, err := f.svc.EraseDue(ctx, start.AddDate(3, 0, 0).Add(-time.Minute))
		if err != nil || res.Erased != 0 {
			t.Fatalf("before retention: %+v, %v", res, err)
		}
		// After three years: the no-further-action and signposted cases, but not the held one, the police-led
		// one (six years), the one closed two years later, or the open one.
		at := start.AddDate(3, 0, 1)
		f.clock.Set(at)
		// The data protection officer sees the counts before the run; an officer may not.
		if due, kept, err := f.svc.ErasureDue(ctx, f.dpo, f.partnership, at); err != nil || due != 3 || kept != 1 {
			t.Errorf("ErasureDue = %d due, %d held, %v; want 3 and 1", due, kept, err)
		}
		if _, _, err := f.svc.ErasureDue(ctx, f.officer, f.partnership, at); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("an officer read the erasure counts: %v", err)
		}
		res, err = f.svc.EraseDue(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if res.Erased != 3 || res.Held != 1 {
			t.Fatalf("erased %d, held %d; want 3 and 1", res.Erased, res.Held)
		}
		got := erasedIDs(t, db)
		for _, id := range []prevent.ID{nfa, nfa2, sign} {
			if !got[id] {
				t.Errorf("case %d past retention was not erased", id)
			}
		}
		for _, id := range []prevent.ID{police, held, open, late} {
			if got[id] {
				t.Errorf("case %d was erased before its time", id)
			}
		}
		certs := certificates(t, db)
		if len(certs) != 2 {
			t.Fatalf("certificates = %q", certs)
		}
		wantCert := map[string]string{"outcome no_further_action": "2 records", "outcome signposted": "1 records"}
		for _, c := range certs {
			ok := false
			for outcome, count := range wantCert {
				if strings.Contains(c, "class case") && strings.Contains(c, outcome) && strings.Contains(c, count) &&
					strings.Contains(c, "36 months") && strings.Contains(c, "Independent Review of Prevent") {
					ok = true
				}
			}
			if !ok {
				t.Errorf("certificate %q does not name the class, outcome, count and rule", c)
			}
		}

		// The erased case: sealed text gone, plain personal text blank, statistics kept.
		r, err := f.svc.Referral(ctx, f.officer, nfa)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != casework.Deleted || r.Details.Concern.Fears != "" || r.Details.Person.FullName() != "" || r.SubjectID != 0 {
			t.Errorf("erased referral still holds data: %+v", r)
		}
		var note string
		var sealed []byte
		if err := db.Read().QueryRowContext(ctx, `SELECT note, note_sealed FROM deconfliction_notes WHERE referral_id = $1`, nfa).Scan(&note, &sealed); err != nil {
			t.Fatal(err)
		}
		if note != "" || sealed != nil {
			t.Errorf("deconfliction note kept: %q, %d bytes", note, len(sealed))
		}
		var names int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM case_subjects WHERE family_name = 'Erasure' AND given_names IN ('Nfa', 'Nfatwo', 'Signed')`).Scan(&names); err != nil {
			t.Fatal(err)
		}
		if names != 0 {
			t.Errorf("%d erased people still named", names)
		}
		var stats int
		var band, types, stage, outcome string
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*), MIN(age_band), MIN(concern_types), MIN(stage_reached), MIN(outcome) FROM case_statistics WHERE partnership_id = $1`,
			f.partnership).Scan(&stats, &band, &types, &stage, &outcome); err != nil {
			t.Fatal(err)
		}
		if stats != 3 || band != "15_17" || types != "extreme_right_wing" || stage != "referral" || outcome != "no_further_action" {
			t.Errorf("statistics: %d rows, band %s, types %s, stage %s, outcome %s", stats, band, types, stage, outcome)
		}

		// Idempotent.
		if res, err := f.svc.EraseDue(ctx, at); err != nil || res.Erased != 0 {
			t.Fatalf("second run: %+v, %v", res, err)
		}

		// Six years on: the police-led case and the later one; the held one stays until released.
		at = start.AddDate(6, 0, 1)
		f.clock.Set(at)
		if res, err = f.svc.EraseDue(ctx, at); err != nil || res.Erased != 2 || res.Held != 1 {
			t.Fatalf("six years: %+v, %v", res, err)
		}
		if err := f.sharing.ReleaseHold(ctx, f.dpo, f.partnership, hold, "Claim settled"); err != nil {
			t.Fatal(err)
		}
		if res, err = f.svc.EraseDue(ctx, at); err != nil || res.Erased != 1 || res.Held != 0 {
			t.Fatalf("after release: %+v, %v", res, err)
		}
		got = erasedIDs(t, db)
		if len(got) != 6 || got[open] {
			t.Errorf("erased %v; want all but the open case %d", got, open)
		}
		holds, err := f.sharing.Holds(ctx, f.dpo, f.partnership)
		if err != nil || len(holds) != 1 || holds[0].InForce() {
			t.Errorf("holds = %+v, %v", holds, err)
		}
	})
}

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

// eraseClosed erases, at at, every closed case of the fixture's partnership through casework's side of
// erasure (ClosedCases and EraseCase; the retention rules and holds are internal/rights'), and returns how
// many it erased.
func (f *fixture) eraseClosed(t *testing.T, at time.Time) int {
	t.Helper()
	ctx := context.Background()
	cs, err := f.svc.ClosedCases(ctx, f.partnership)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := f.db.WithTx(ctx, func(tx *database.Tx) error {
		for _, c := range cs {
			ok, err := f.svc.EraseCase(ctx, tx, c, at)
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
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

// Casework's side of erasure: the closed cases with the outcome they closed with, and the erasure of one
// case inside the caller's transaction. The run, its rules and holds are tested in internal/rights.
func TestEraseCase(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		nfa := f.triaged(t, "Nfa", casework.EvCloseNFA, "note nfa")
		police := f.triaged(t, "Policed", casework.EvPoliceLed, "note police")
		open := f.triaged(t, "Open", "", "note open")
		cs, err := f.svc.ClosedCases(ctx, f.partnership)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 || cs[0].ID != nfa || cs[0].Outcome != casework.OutcomeNoFurtherAction || cs[1].ID != police || cs[1].Outcome != casework.OutcomePoliceLed ||
			!cs[0].ClosedAt.Equal(start) || cs[0].PartnershipID != f.partnership {
			t.Fatalf("closed cases = %+v; want %d (no further action) and %d (police-led), not %d", cs, nfa, police, open)
		}
		if other, err := f.svc.ClosedCases(ctx, f.partnership+1000); err != nil || len(other) != 0 {
			t.Errorf("another partnership's closed cases = %+v, %v", other, err)
		}
		at := start.AddDate(3, 0, 1)
		erase := func(c casework.ClosedCase) bool {
			var ok bool
			if err := db.WithTx(ctx, func(tx *database.Tx) error {
				var err error
				ok, err = f.svc.EraseCase(ctx, tx, c, at)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		// A case that changed state since it was listed is left alone.
		moved := cs[1]
		moved.State = casework.ClosedNFA
		if erase(moved) {
			t.Error("a case erased although its state changed since it was listed")
		}
		if !erase(cs[0]) {
			t.Fatal("the closed case was not erased")
		}
		if erase(cs[0]) {
			t.Error("a case erased twice")
		}
		if got := erasedIDs(t, db); len(got) != 1 || !got[nfa] {
			t.Errorf("erased %v, want only %d", got, nfa)
		}
		r, err := f.svc.Referral(ctx, f.officer, nfa)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != casework.Deleted || r.Details.Concern.Fears != "" || r.Details.Person.FullName() != "" || r.SubjectID != 0 {
			t.Errorf("erased referral still holds data: %+v", r)
		}
		var stats int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM case_statistics WHERE partnership_id = $1 AND outcome = 'no_further_action'`,
			f.partnership).Scan(&stats); err != nil || stats != 1 {
			t.Errorf("%d statistics rows, %v; want 1", stats, err)
		}
		if cs, err := f.svc.ClosedCases(ctx, f.partnership); err != nil || len(cs) != 1 || cs[0].ID != police {
			t.Errorf("closed cases after erasure = %+v, %v", cs, err)
		}
	})
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

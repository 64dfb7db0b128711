package rights_test

import (
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

// The erasure run and its counts, through rights (TestEraseDue covers the rules in detail).
func TestEraseDueThroughRights(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrer, input("Sam", "Smith", start.AddDate(-15, 0, 0)))
		if _, err := f.casework.RecordDeconfliction(ctx, f.officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Note: "Nothing known",
			Marking: prevent.OfficialSensitive}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.casework.Triage(ctx, f.officer, id, casework.TriageInput{Decision: casework.EvCloseNFA, Reason: "context_explains"}); err != nil {
			t.Fatal(err)
		}
		at := start.AddDate(3, 0, 1)
		f.clock.Set(at)
		if due, held, err := f.svc.ErasureDue(ctx, f.dpo, f.partnership, at); err != nil || due != 1 || held != 0 {
			t.Errorf("ErasureDue = %d due, %d held, %v; want 1 and 0", due, held, err)
		}
		_, _, err := f.svc.ErasureDue(ctx, f.officer, f.partnership, at)
		wantKind(t, err, prevent.NotFound)
		res, err := f.svc.EraseDue(ctx, at)
		if err != nil || res.Erased != 1 || len(res.Certificates) != 1 || res.Certificates[0].Outcome != "no_further_action" {
			t.Fatalf("EraseDue = %+v, %v", res, err)
		}
		if n := auditCount(t, db, "erase", "case"); n != 1 {
			t.Errorf("%d erasure certificates, want 1", n)
		}
		if due, _, err := f.svc.ErasureDue(ctx, f.dpo, f.partnership, at); err != nil || due != 0 {
			t.Errorf("after the run: %d due, %v", due, err)
		}
	})
}

// triaged submits a referral and closes it at police triage with decision at the fixture clock's time.
func (f *fixture) triaged(t *testing.T, given string, decision casework.Event, note string) prevent.ID {
	t.Helper()
	in := input(given, "Erasure", time.Date(2010, 5, 17, 0, 0, 0, 0, time.UTC))
	in.Concern.Fears = "canary-fears-" + given
	in.Person.AdditionalNeeds = "canary-needs-" + given
	id, _ := f.submit(t, f.referrer, in)
	if _, err := f.casework.RecordDeconfliction(ctx, f.officer, id, casework.DeconflictionInput{Result: casework.NoTrace, Note: note, Marking: prevent.OfficialSensitive}); err != nil {
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
	if _, err := f.casework.Triage(ctx, f.officer, id, ti); err != nil {
		t.Fatalf("triage %s: %v", decision, err)
	}
	return id
}

func erasedIDs(t *testing.T, db *database.DB) map[prevent.ID]bool {
	t.Helper()
	rows, err := db.Read().QueryContext(ctx, `SELECT id FROM referrals WHERE erased_at IS NOT NULL`)
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
	rows, err := db.Read().QueryContext(ctx, `SELECT detail FROM audit_entries WHERE action = 'erase' AND purpose = 'retention' ORDER BY seq`)
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

func TestEraseDue(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
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
			return f.svc.PlaceHold(ctx, p, f.partnership, rights.HoldInput{RecordKind: rights.HoldCase, RecordID: held, Reason: reason})
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
		r, err := f.casework.Referral(ctx, f.officer, nfa)
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
		if err := f.svc.ReleaseHold(ctx, f.dpo, f.partnership, hold, "Claim settled"); err != nil {
			t.Fatal(err)
		}
		if res, err = f.svc.EraseDue(ctx, at); err != nil || res.Erased != 1 || res.Held != 0 {
			t.Fatalf("after release: %+v, %v", res, err)
		}
		got = erasedIDs(t, db)
		if len(got) != 6 || got[open] {
			t.Errorf("erased %v; want all but the open case %d", got, open)
		}
		holds, err := f.svc.Holds(ctx, f.dpo, f.partnership)
		if err != nil || len(holds) != 1 || holds[0].InForce() {
			t.Errorf("holds = %+v, %v", holds, err)
		}
	})
}

package rights_test

import (
	"testing"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The erasure run and its counts, through rights (casework's TestEraseDue covers the rules in detail).
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

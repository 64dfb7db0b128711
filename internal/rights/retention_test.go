package rights_test

import (
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
)

func TestRetentionSummary(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		now := f.clock.Now()
		// Three referrals: one erased a week ago, one erased a year ago, one not erased; one hold in force and
		// one released.
		for i, erased := range []any{now.AddDate(0, 0, -7), now.AddDate(-1, 0, 0), nil} {
			var id prevent.ID
			if err := db.WithTx(ctx, func(tx *database.Tx) error {
				return tx.QueryRowContext(ctx, `INSERT INTO referrals (partnership_id, state, author_id, referrer_org_id, referrer_sector,
					details, marking, created_at, updated_at, erased_at) VALUES ($1, 'closed_nfa', $2, $3, 'local_authority', '', 1, $4, $4, $5) RETURNING id`,
					f.partnership, f.coordinator.PersonID, f.council, now.AddDate(-3, 0, 0), erased).Scan(&id)
			}); err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				for _, released := range []any{nil, now} {
					if _, err := db.Writer().ExecContext(ctx, `INSERT INTO sharing_legal_holds (partnership_id, record_kind, record_id, reason, placed_by, placed_at, released_by, released_at)
						VALUES ($1, 'case', $2, 'Complaint to the ICO', $3, $4, $5, $6)`, f.partnership, id, f.dpo.PersonID, now, nilIf(released, f.dpo.PersonID), released); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		got, err := f.svc.RetentionSummary(ctx, f.dpo, f.partnership, now, 30)
		if err != nil {
			t.Fatal(err)
		}
		if got.ErasedInWindow != 1 || got.ErasedTotal != 2 || got.HoldsInForce != 1 {
			t.Errorf("summary %+v, want 1 erased in the window, 2 in all, 1 hold in force", got)
		}
		if _, err := f.svc.RetentionSummary(ctx, f.coordinator, f.partnership, now, 30); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("coordinator: %v, want NotFound", err)
		}
	})
}

// nilIf is v when x is not nil, else nil.
func nilIf(x any, v any) any {
	if x == nil {
		return nil
	}
	return v
}

func TestPlaceHold(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		id, _ := f.submit(t, f.referrer, input("Sam", "Smith", start.AddDate(-15, 0, 0)))
		hold := func(p prevent.Principal, partnership, record prevent.ID, reason string) (prevent.ID, error) {
			return f.svc.PlaceHold(ctx, p, partnership, rights.HoldInput{RecordKind: rights.HoldCase, RecordID: record, Reason: reason})
		}
		// Only the data protection officer places holds, and only on a case of the partnership.
		_, err := hold(f.officer, f.partnership, id, "Civil claim")
		wantKind(t, err, prevent.NotFound)
		_, err = hold(f.dpo, f.partnership+1000, id, "Civil claim")
		wantKind(t, err, prevent.NotFound)
		fields := func(err error) []string {
			var out []string
			for _, fe := range prevent.FieldErrors(err) {
				out = append(out, fe.Field+": "+fe.Message)
			}
			return out
		}
		for _, c := range []struct {
			in   rights.HoldInput
			want string
		}{
			{rights.HoldInput{RecordKind: "person", RecordID: id, Reason: "x"}, "record-kind: Select the kind of record to hold"},
			{rights.HoldInput{RecordKind: rights.HoldCase, Reason: "x"}, "record: Enter the record to hold"},
			{rights.HoldInput{RecordKind: rights.HoldCase, RecordID: id, Reason: "  "}, "reason: Enter why the record must be kept"},
			{rights.HoldInput{RecordKind: rights.HoldCase, RecordID: id + 999, Reason: "x"}, "record: There is no such case in this partnership"},
		} {
			_, err := f.svc.PlaceHold(ctx, f.dpo, f.partnership, c.in)
			if got := fields(err); len(got) != 1 || got[0] != c.want {
				t.Errorf("%+v: %v (%v), want %q", c.in, got, err, c.want)
			}
		}
		// A case of another partnership is no such case here.
		otherPartnership, err := partnership.New(partnership.Deps{DB: db, Now: f.clock.Now}).Bootstrap(ctx, "Southshire Prevent Partnership", "Southshire", "South West")
		if err != nil {
			t.Fatal(err)
		}
		var otherCase prevent.ID
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			return tx.QueryRowContext(ctx, `INSERT INTO referrals (partnership_id, state, author_id, referrer_org_id, referrer_sector,
				details, marking, created_at, updated_at) VALUES ($1, 'closed_nfa', $2, $3, 'local_authority', '', 1, $4, $4) RETURNING id`,
				otherPartnership, f.coordinator.PersonID, f.council, start).Scan(&otherCase)
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := hold(f.dpo, f.partnership, otherCase, "Civil claim"); len(fields(err)) != 1 || fields(err)[0] != "record: There is no such case in this partnership" {
			t.Errorf("a hold on another partnership's case: %v", err)
		}
		if n := auditCount(t, db, "admin", "legal_hold"); n != 0 {
			t.Fatalf("%d hold entries after refusals", n)
		}
		hid, err := hold(f.dpo, f.partnership, id, "  Civil claim  ")
		if err != nil {
			t.Fatal(err)
		}
		hs, err := f.svc.Holds(ctx, f.dpo, f.partnership)
		if err != nil || len(hs) != 1 || hs[0].ID != hid || hs[0].RecordID != id || hs[0].Reason != "Civil claim" || !hs[0].InForce() {
			t.Fatalf("holds %+v, %v", hs, err)
		}
		if n := auditCount(t, db, "admin", "legal_hold"); n != 1 {
			t.Errorf("%d hold entries, want 1", n)
		}
		if err := f.svc.ReleaseHold(ctx, f.dpo, f.partnership, hid, "Claim settled"); err != nil {
			t.Fatal(err)
		}
		if hs, err := f.svc.Holds(ctx, f.dpo, f.partnership); err != nil || len(hs) != 1 || hs[0].InForce() {
			t.Errorf("after release: %+v, %v", hs, err)
		}
	})
}

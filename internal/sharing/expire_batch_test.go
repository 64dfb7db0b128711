package sharing_test

import (
	"fmt"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// TestExpireDueInBoundedRuns: a run bounded below the agreements due expires that many and says there are
// more; the next run expires the rest, each with its audit entry, and a run after that has nothing to do.
func TestExpireDueInBoundedRuns(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		var ids []int64
		for i := range 5 {
			in := f.panelAgreement()
			in.Title = fmt.Sprintf("Panel agreement %d", i)
			ids = append(ids, int64(f.activeAgreement(t, in)))
		}
		at := date(2027, 11, 1)
		n, more, err := f.svc.ExpireDueUpTo(ctx, at, 2)
		if err != nil || n != 2 || !more {
			t.Fatalf("bounded run: %d expired, more %v, %v; want 2 and more", n, more, err)
		}
		n, more, err = f.svc.ExpireDueUpTo(ctx, at, 0)
		if err != nil || n != 3 || more {
			t.Fatalf("second run: %d expired, more %v, %v; want 3 and no more", n, more, err)
		}
		var expired, entries int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM sharing_agreements WHERE status = 'expired' AND status_reason = 'review date passed'`).Scan(&expired); err != nil {
			t.Fatal(err)
		}
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE record_kind = 'agreement' AND detail LIKE '%review date passed'`).Scan(&entries); err != nil {
			t.Fatal(err)
		}
		if expired != 5 || entries != 5 {
			t.Errorf("%d agreements expired with %d audit entries; want 5 and 5 (agreements %v)", expired, entries, ids)
		}
		if n, err := f.svc.ExpireDue(ctx, at); err != nil || n != 0 {
			t.Errorf("run after: %d, %v", n, err)
		}
	})
}

package rights_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// closedWorld makes a partnership with n cases closed at now and before, none past retention: closed with no
// further action or signposted in the last 35 months (kept 36), police-led in the last 71 (kept 72), each
// with its closing event, and a tenth as many erased years ago. It returns the erasure and casework services.
func closedWorld(tb testing.TB, db *database.DB, n int, now time.Time) (*rights.Service, *casework.Service) {
	tb.Helper()
	ctx := context.Background()
	clock := func() time.Time { return now }
	ps := partnership.New(partnership.Deps{DB: db, Now: clock})
	pid, err := ps.Bootstrap(ctx, "Bench Prevent Partnership", "Benchshire", "North West")
	if err != nil {
		tb.Fatal(err)
	}
	admin, _, err := ps.BootstrapAdministrator(ctx, pid, partnership.OrganisationInput{Name: "Benchshire Council", Sector: "local_authority", PublicBody: "yes"},
		"Ada Admin", "ada@benchshire.example.gov.uk")
	if err != nil {
		tb.Fatal(err)
	}
	var org prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT organisation_id FROM people WHERE id = $1`, admin).Scan(&org); err != nil {
		tb.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	err = db.WithTx(ctx, func(tx *database.Tx) error {
		const batch = 500
		total := n + n/10
		for i := 0; i < total; i += batch {
			var sb strings.Builder
			var args []any
			sb.WriteString(`INSERT INTO referrals (partnership_id, state, author_id, referrer_org_id, referrer_sector, details, marking,
				created_at, updated_at, erased_at) VALUES `)
			for j := i; j < min(total, i+batch); j++ {
				if j > i {
					sb.WriteString(", ")
				}
				var state string
				var closed time.Time
				var erased any
				switch k := rnd.IntN(20); {
				case j >= n:
					state, closed = "deleted", now.AddDate(-4, 0, -rnd.IntN(1500))
					erased = closed.AddDate(3, 0, 1)
				case k < 12:
					state, closed = "closed_nfa", now.AddDate(0, 0, -rnd.IntN(35*30))
				case k < 16:
					state, closed = "signposted", now.AddDate(0, 0, -rnd.IntN(35*30))
				default:
					state, closed = "police_led_management", now.AddDate(0, 0, -rnd.IntN(71*30))
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, 'local_authority', '{}', 1, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7)
				args = append(args, pid, state, admin, org, closed.AddDate(0, 0, -30), closed, erased)
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
			SELECT id, updated_at, $2, 'close', 'police_triage', state, '' FROM referrals WHERE partnership_id = $1`, pid, admin)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if db.Dialect == database.Postgres {
		if _, err := db.Writer().ExecContext(ctx, `ANALYZE referrals; ANALYZE case_events`); err != nil {
			tb.Fatal(err)
		}
	}
	sh := sharing.New(sharing.Deps{DB: db, Now: clock})
	cw := casework.New(casework.Deps{DB: db, Now: clock, Sharing: sh})
	return rights.New(rights.Deps{DB: db, Now: clock, Casework: cw, Sharing: sh}), cw
}

// TestEraseDueFindsWhatEveryClosedCaseGave: in the benchmark's world nothing is due at first; then, at
// later times (ends of months among them, where AddMonths clamps), each run erases exactly the cases that
// listing every closed case and testing its rule (as the run did before the index) finds due.
func TestEraseDueFindsWhatEveryClosedCaseGave(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		now := time.Date(2029, 11, 2, 10, 0, 0, 0, time.UTC)
		svc, cw := closedWorld(t, db, 2_000, now)
		res, err := svc.EraseDue(ctx, now)
		if err != nil || res.Erased != 0 || res.Held != 0 || res.More {
			t.Fatalf("EraseDue = %+v, %v; want nothing done", res, err)
		}
		total := 0
		for _, at := range []time.Time{
			time.Date(2030, 2, 28, 10, 0, 0, 0, time.UTC),
			time.Date(2030, 3, 31, 23, 59, 0, 0, time.UTC),
			time.Date(2030, 5, 30, 0, 0, 0, 0, time.UTC),
			time.Date(2031, 1, 31, 12, 0, 0, 0, time.UTC),
		} {
			closed, err := cw.ClosedCases(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := map[prevent.ID]bool{}
			for _, c := range closed {
				due, err := rights.Due(ctx, db.Read(), c.PartnershipID, rights.CaseRecords, rights.Outcome(c.Outcome), c.ClosedAt, at)
				if err != nil {
					t.Fatal(err)
				}
				if due {
					want[c.ID] = true
				}
			}
			before := erasedIDs(t, db)
			res, err := svc.EraseDue(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			got := map[prevent.ID]bool{}
			for id := range erasedIDs(t, db) {
				if !before[id] {
					got[id] = true
				}
			}
			if len(want) == 0 || res.Erased != len(want) || !maps.Equal(got, want) {
				t.Errorf("at %s: erased %d (%d reported), want %d", at, len(got), res.Erased, len(want))
			}
			total += len(got)
		}
		t.Logf("%d erased in all", total)
	})
}

// BenchmarkEraseDueNothingDue is an erasure run with nothing due in a partnership of 1,000 closed cases and in
// one of 20,000, and the ratio of the two times per run: finding the cases due through the retention index,
// it should be close to 1.
//
//	go test -run '^$' -bench EraseDueNothingDue -benchtime 100x ./internal/rights/
//
// (with PREVENT_TEST_POSTGRES set for PostgreSQL too)
func BenchmarkEraseDueNothingDue(b *testing.B) {
	engines := map[string]func(testing.TB) *database.DB{"sqlite": dbtest.NewSQLite}
	if os.Getenv(dbtest.PostgresEnv) != "" {
		engines["postgres"] = dbtest.NewPostgres
	}
	ctx := context.Background()
	now := time.Date(2029, 11, 2, 10, 0, 0, 0, time.UTC)
	const small, large = 1_000, 20_000
	for name, open := range engines {
		b.Run(name, func(b *testing.B) {
			run := func(svc *rights.Service) time.Duration {
				t0 := time.Now()
				res, err := svc.EraseDue(ctx, now)
				if err != nil || res.Erased != 0 {
					b.Fatalf("EraseDue = %+v, %v", res, err)
				}
				return time.Since(t0)
			}
			svcSmall, _ := closedWorld(b, open(b), small, now)
			svcLarge, _ := closedWorld(b, open(b), large, now)
			run(svcSmall)
			run(svcLarge)
			var ts, tl time.Duration
			for b.Loop() {
				ts += run(svcSmall)
				tl += run(svcLarge)
			}
			b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "1k-ns/op")
			b.ReportMetric(float64(tl.Nanoseconds())/float64(b.N), "20k-ns/op")
			b.ReportMetric(float64(tl)/float64(ts), "ratio")
		})
	}
}

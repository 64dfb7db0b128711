package returns

// Benchmarks of the annual return and the caseload dashboard, over ten years of referrals. The return of one year
// is measured against the raw SQL aggregates it needs (the count of each table's referrals and stages, grouped in
// the database), in the same run, as a ratio; the dashboard of one year at 100,000 referrals in all against
// 10,000 (and at 1,000,000 with PREVENT_BENCH_LARGE=1: building it takes minutes).
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/returns/
//	PREVENT_BENCH_LARGE=1 go test -run '^$' -bench Dashboard -timeout 60m ./internal/returns/

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

var benchTypes = []string{"CT_ISLAMIST", "CT_XRW", "CT_NO_IDEOLOGY", "CT_MIXED", "CT_OTHER"}
var benchSectors = []string{"education", "police", "health", "local_authority", "community"}

// bulkLoad writes n referrals to the fixture's partnership, submitted evenly over the financial years from
// 2015/16 to 2024/25, in one transaction, with a type of concern each, the steps a plausible share of them reach
// (a tenth discussed, about half of those adopted) and consent to support for those adopted.
func bulkLoad(b *testing.B, f *fixture, n int) {
	b.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, uint64(n)))
	err := f.db.WithTx(ctx, func(tx *database.Tx) error {
		for i := range n {
			f.n++
			start := time.Date(2015+i%10, 4, 1, 9, 0, 0, 0, time.UTC)
			at := start.Add(time.Duration(r.IntN(360*24)) * time.Hour)
			var subject int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO case_subjects (partnership_id, given_names, family_name, name_key, date_of_birth, gender, created_at, updated_at)
				VALUES ($1, 'A', 'Person', 'a person', $2, $3, $4, $4) RETURNING id`, f.pid, fmt.Sprintf("%d-06-15", 1960+r.IntN(55)),
				[]string{"male", "female", "male"}[r.IntN(3)], at).Scan(&subject); err != nil {
				return err
			}
			steps := []casework.State{casework.PoliceTriage}
			switch k := r.IntN(20); {
			case k < 8:
				steps = append(steps, casework.ClosedNFA)
			case k < 14:
				steps = append(steps, casework.Signposted)
			case k < 17:
				steps = append(steps, casework.ChannelScreening, casework.ClosedNFA)
			case k < 18:
				steps = append(steps, casework.ChannelScreening, casework.PanelListed, casework.Discussed, casework.NotAdopted)
			default:
				steps = append(steps, casework.ChannelScreening, casework.PanelListed, casework.Discussed, casework.Adopted, casework.SupportActive)
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO referrals (partnership_id, reference, state, author_id, referrer_org_id, referrer_sector,
				subject_id, details, marking, submitted_at, triaged_at, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', 2, $8, $9, $8, $9) RETURNING id`,
				f.pid, fmt.Sprintf("PRV-B-%d-%d", f.pid, f.n), string(steps[len(steps)-1]), f.person, f.org, benchSectors[i%len(benchSectors)],
				subject, at, at.Add(72*time.Hour)).Scan(&id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO referral_concern_types (referral_id, code) VALUES ($1, $2)`, id, benchTypes[r.IntN(len(benchTypes))]); err != nil {
				return err
			}
			from := casework.Submitted
			for j, s := range steps {
				if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (referral_id, at, actor_id, kind, from_state, to_state, detail)
					VALUES ($1, $2, $3, 'transition', $4, $5, '')`, id, at.Add(time.Duration(j+1)*72*time.Hour), f.person, string(from), string(s)); err != nil {
					return err
				}
				from = s
			}
			if steps[len(steps)-1] == casework.SupportActive {
				if _, err := tx.ExecContext(ctx, `INSERT INTO consent_records (referral_id, scope, giver_name, giver_role, capacity_notes, method,
					evidence, decision, reason, decided_at, under_18, recorded_by, recorded_at)
					VALUES ($1, 'support', 'A Person', 'self', '', 'in person', '', 'given', '', $2, FALSE, $3, $2)`, id, at.Add(20*24*time.Hour), f.person); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func benchEngines(b *testing.B) map[string]*database.DB {
	out := map[string]*database.DB{"sqlite": dbtest.NewSQLite(b)}
	if os.Getenv("PREVENT_TEST_POSTGRES") != "" {
		out["postgres"] = dbtest.NewPostgres(b)
	}
	return out
}

// rawAggregates runs the aggregates the return needs, grouped in the database: referrals and each stage by type
// of concern, by sector, by gender and by quarter, and the age of each person referred.
func rawAggregates(ctx context.Context, q database.Querier, pid prevent.ID, y FinancialYear) error {
	from, to := y.Start(), y.End()
	// Each referral's stages, from its timeline and its state, in one pass over the year's events.
	const st = `WITH yr AS (SELECT id, state, referrer_sector, subject_id, submitted_at FROM referrals
			WHERE partnership_id = $1 AND submitted_at >= $2 AND submitted_at < $3 AND erased_at IS NULL),
		st AS (SELECT yr.id,
			MAX(CASE WHEN e.to_state IN ('discussed', 'adopted') OR yr.state IN ('discussed', 'adopted') THEN 1 ELSE 0 END) AS d,
			MAX(CASE WHEN e.to_state = 'adopted' OR yr.state = 'adopted' THEN 1 ELSE 0 END) AS a,
			MAX(CASE WHEN e.to_state = 'closed_nfa' OR yr.state = 'closed_nfa' THEN 1 ELSE 0 END) AS n,
			MAX(CASE WHEN e.to_state = 'signposted' OR yr.state = 'signposted' THEN 1 ELSE 0 END) AS s
			FROM yr LEFT JOIN case_events e ON e.referral_id = yr.id GROUP BY yr.id) `
	const sums = `COUNT(*), SUM(st.d), SUM(st.a), SUM(st.n), SUM(st.s)`
	queries := []string{
		st + `SELECT c.code, ` + sums + ` FROM yr JOIN st ON st.id = yr.id JOIN referral_concern_types c ON c.referral_id = yr.id GROUP BY c.code`,
		st + `SELECT yr.referrer_sector, ` + sums + ` FROM yr JOIN st ON st.id = yr.id GROUP BY yr.referrer_sector`,
		st + `SELECT s.gender, ` + sums + ` FROM yr JOIN st ON st.id = yr.id JOIN case_subjects s ON s.id = yr.subject_id GROUP BY s.gender`,
		st + `SELECT CASE WHEN yr.submitted_at < $4 THEN 1 WHEN yr.submitted_at < $5 THEN 2 WHEN yr.submitted_at < $6 THEN 3 ELSE 4 END, ` + sums + `
			FROM yr JOIN st ON st.id = yr.id GROUP BY 1`,
		st + `SELECT s.date_of_birth, ` + sums + ` FROM yr JOIN st ON st.id = yr.id JOIN case_subjects s ON s.id = yr.subject_id GROUP BY s.date_of_birth`,
		// The adopted cases by the last decision on consent to support.
		st + `SELECT (SELECT c.decision FROM consent_records c WHERE c.referral_id = yr.id AND c.scope = 'support' ORDER BY c.decided_at DESC, c.id DESC LIMIT 1),
			COUNT(*) FROM yr JOIN st ON st.id = yr.id WHERE st.a = 1 GROUP BY 1`,
	}
	for i, sql := range queries {
		args := []any{pid, from, to}
		if i == 3 {
			args = append(args, y.quarterStart(2), y.quarterStart(3), y.quarterStart(4))
		}
		rows, err := q.QueryContext(ctx, sql, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// rawReads fetches the rows the return is made from, with the three queries it runs, and does nothing with them:
// the floor under any way of computing it in Go.
func rawReads(ctx context.Context, q database.Querier, pid prevent.ID, y FinancialYear) error {
	from, to := y.Start(), y.End()
	for _, sql := range []string{
		`SELECT r.id, r.submitted_at, r.referrer_sector, r.state, s.date_of_birth, s.approximate_age, s.created_at, s.gender
			FROM referrals r LEFT JOIN case_subjects s ON s.id = r.subject_id
			WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL ORDER BY r.id`,
		`SELECT c.referral_id, c.code FROM referral_concern_types c JOIN referrals r ON r.id = c.referral_id
			WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL`,
		`SELECT DISTINCT e.referral_id, e.to_state FROM case_events e JOIN referrals r ON r.id = e.referral_id
			WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL
			AND e.to_state IN ('discussed', 'adopted', 'closed_nfa', 'signposted')`,
		`SELECT c.referral_id, c.decision FROM consent_records c JOIN referrals r ON r.id = c.referral_id
			WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL AND c.scope = 'support'
			ORDER BY c.referral_id, c.decided_at, c.id`,
	} {
		rows, err := q.QueryContext(ctx, sql, pid, from, to)
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		for rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkReturn computes a partnership's return for 2024/25 out of ten years of 8,778 referrals each (the national
// total of 2024/25, as if one partnership had them all) under suppress-below-5, against the raw aggregates and
// against the bare reads of its rows, in turn, so that all three meet the same state of the database.
func BenchmarkReturn(b *testing.B) {
	for name, db := range benchEngines(b) {
		b.Run(name, func(b *testing.B) {
			f := newFixture(b, db, "Benchshire", "South West")
			bulkLoad(b, f, 87780)
			s := New(Deps{DB: db, Now: clock("2026-01-10T09:00:00Z"), DigestKey: testKey})
			ctx, p := context.Background(), f.principal(prevent.Coordinator)
			var ts, tr, tq time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := s.Compute(ctx, p, Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5}); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := rawAggregates(ctx, db.Read(), f.pid, 2024); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if err := rawReads(ctx, db.Read(), f.pid, 2024); err != nil {
					b.Fatal(err)
				}
				ts, tr, tq = ts+t1.Sub(t0), tr+t2.Sub(t1), tq+time.Since(t2)
			}
			b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "return-ns/op")
			b.ReportMetric(float64(tr.Nanoseconds())/float64(b.N), "sql-ns/op")
			b.ReportMetric(float64(tq.Nanoseconds())/float64(b.N), "reads-ns/op")
			b.ReportMetric(float64(ts)/float64(tr), "ratio-to-sql")
			b.ReportMetric(float64(ts)/float64(tq), "ratio-to-reads")
		})
	}
}

// BenchmarkDashboard computes the coordinator's dashboard of 2024/25 with 10,000 and 100,000 referrals over ten
// years (1,000,000 with PREVENT_BENCH_LARGE=1); compare the ns/op of the sizes. The year holds a tenth of them.
func BenchmarkDashboard(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("PREVENT_BENCH_LARGE") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for name, db := range benchEngines(b) {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				db := db
				if n != sizes[0] {
					db = map[string]func(testing.TB) *database.DB{"sqlite": dbtest.NewSQLite, "postgres": dbtest.NewPostgres}[name](b)
				}
				f := newFixture(b, db, fmt.Sprintf("Dash%d", n), "South West")
				bulkLoad(b, f, n)
				s := New(Deps{DB: db, Now: clock("2025-10-10T09:00:00Z"), DigestKey: testKey})
				ctx, p := context.Background(), f.principal(prevent.Coordinator)
				for b.Loop() {
					if _, err := s.ComputeDashboard(ctx, p, DashboardRequest{PartnershipID: f.pid, Period: Period{Year: 2024}}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

package casework

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// matchSubjects makes a partnership with n subjects spread over twenty years of dates of birth, 500 postcodes
// and a few streets, and returns its id.
func matchSubjects(tb testing.TB, db *database.DB, n int) prevent.ID {
	tb.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	given := []string{"Sam", "Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Robin", "Charlie"}
	family := []string{"Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Roberts"}
	rnd := rand.New(rand.NewPCG(1, 2))
	var pid prevent.ID
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO partnerships (name, area, region, created_at, updated_at)
			VALUES ('Match partnership', 'Northshire', 'North West', $1, $1) RETURNING id`, now).Scan(&pid); err != nil {
			return err
		}
		const batch = 500
		for i := 0; i < n; i += batch {
			var sb strings.Builder
			var args []any
			sb.WriteString(`INSERT INTO case_subjects (partnership_id, given_names, family_name, name_key, date_of_birth,
				address_line1, postcode, created_at, updated_at) VALUES `)
			for j := i; j < min(n, i+batch); j++ {
				if j > i {
					sb.WriteString(", ")
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+8)
				g, f := given[rnd.IntN(len(given))], family[rnd.IntN(len(family))]
				dob := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rnd.IntN(20*365)).Format(dateLayout)
				args = append(args, pid, g, f, NormaliseName(g+" "+f), dob,
					normaliseAddress(fmt.Sprintf("%d %s Road", 1+rnd.IntN(40), family[rnd.IntN(len(family))])),
					NormalisePostcode(fmt.Sprintf("NS%d %dAB", rnd.IntN(50), rnd.IntN(10))), now)
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if db.Dialect == database.Postgres {
		if _, err := db.Writer().ExecContext(ctx, `ANALYZE case_subjects`); err != nil {
			tb.Fatal(err)
		}
	}
	return pid
}

// TestMatchCandidatesUseIndexes checks that each candidate lookup of a submission reads case_subjects through
// its index, not by walking the partnership's subjects.
func TestMatchCandidatesUseIndexes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		pid := matchSubjects(t, db, 2000)
		for _, c := range []struct {
			name, query, index string
			args               []any
		}{
			{"date of birth", matchByBirthSQL, "case_subjects_dob", []any{pid, "2010-05-01", 1}},
			{"address", matchByAddressSQL, "case_subjects_address", []any{pid, "NS123AB", "12 smith road", 1}},
		} {
			plan := dbtest.Explain(t, db, c.query, c.args...)
			var ok bool
			switch db.Dialect {
			case database.SQLite:
				ok = !strings.Contains(plan, "SCAN case_subjects") &&
					(strings.Contains(plan, "USING INDEX "+c.index) || strings.Contains(plan, "USING COVERING INDEX "+c.index))
			default:
				ok = !strings.Contains(plan, "Seq Scan") &&
					(strings.Contains(plan, "Index Scan using "+c.index) || strings.Contains(plan, "Bitmap Index Scan on "+c.index))
			}
			if !ok {
				t.Errorf("%s: the plan does not read case_subjects through %s:\n%s", c.name, c.index, plan)
			}
		}
	})
}

// BenchmarkMatchCandidates is the candidate lookup of a submission (both bases, with the name comparison) in
// a partnership of 1,000 subjects and in one of 20,000, and the ratio of the two times per lookup: reading
// through the indexes, it should be close to 1.
//
//	go test -run '^$' -bench MatchCandidates -benchtime 200x ./internal/casework/
//
// (with PREVENT_TEST_POSTGRES set for PostgreSQL too)
func BenchmarkMatchCandidates(b *testing.B) {
	engines := map[string]func(testing.TB) *database.DB{"sqlite": dbtest.NewSQLite}
	if os.Getenv(dbtest.PostgresEnv) != "" {
		engines["postgres"] = dbtest.NewPostgres
	}
	ctx := context.Background()
	d := PersonDetails{GivenNames: "Sam", FamilyName: "Smith", Postcode: "NS12 3AB", AddressLine1: "12 Smith Road"}
	const dob, small, large = "2010-05-01", 1_000, 20_000
	for name, open := range engines {
		b.Run(name, func(b *testing.B) {
			lookup := func(db *database.DB, pid prevent.ID) time.Duration {
				// Only the lookup is timed, not the start and commit of its transaction.
				var took time.Duration
				err := db.WithTx(ctx, func(tx *database.Tx) error {
					t0 := time.Now()
					_, err := matchCandidates(ctx, tx, pid, 0, d, dob, NormalisePostcode(d.Postcode), normaliseAddress(d.AddressLine1))
					took = time.Since(t0)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				return took
			}
			dbSmall, dbLarge := open(b), open(b)
			pidSmall, pidLarge := matchSubjects(b, dbSmall, small), matchSubjects(b, dbLarge, large)
			lookup(dbSmall, pidSmall)
			lookup(dbLarge, pidLarge)
			var ts, tl time.Duration
			for b.Loop() {
				ts += lookup(dbSmall, pidSmall)
				tl += lookup(dbLarge, pidLarge)
			}
			b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "1k-ns/op")
			b.ReportMetric(float64(tl.Nanoseconds())/float64(b.N), "20k-ns/op")
			b.ReportMetric(float64(tl)/float64(ts), "ratio")
		})
	}
}

package casework_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/testworld"
)

// searchEnv is the demo partnership grown to n referrals, all but searchOwn of them written by the
// coordinator: the demo's referrer (a school's) sees the same few cases at any size, as a teacher would in a
// national service, while the partnership grows around them.
type searchEnv struct {
	svc                   *casework.Service
	pid                   prevent.ID
	referrer, coordinator prevent.Principal
}

// The names of the synthetic people referred: common ones, and one rare name held by searchRare people at any
// size, spread over the whole range of ids.
var (
	searchGiven  = []string{"Sam", "Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Robin", "Charlie"}
	searchFamily = []string{"Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Roberts"}
)

// searchRare people have the rare name at any size; the first searchOwn synthetic referrals (one of the rare
// name, nine Smiths) are the referrer's own, the rest the coordinator's.
const searchRare, searchOwn = 30, 20

func newSearchEnv(b *testing.B, dialect database.Dialect, n int) *searchEnv {
	b.Helper()
	ctx := context.Background()
	now := func() time.Time { return benchNow }
	db := testworld.DemoDB(b, dialect, now)
	w := testworld.LoadDemo(b, db, now)
	e := &searchEnv{svc: casework.New(casework.Deps{DB: db, Now: now, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})}),
		pid: w.PartnershipID, referrer: w.Roles[prevent.Referrer], coordinator: w.Roles[prevent.Coordinator]}
	var have int
	if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM referrals`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	add := n - have
	if add < searchRare {
		b.Fatalf("the demo already holds %d referrals", have)
	}
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		var subj, ref prevent.ID
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM case_subjects`).Scan(&subj); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM referrals`).Scan(&ref); err != nil {
			return err
		}
		const batch = 400
		for i := 0; i < add; i += batch {
			var subjects, referrals strings.Builder
			var sargs, rargs []any
			subjects.WriteString(`INSERT INTO case_subjects (id, partnership_id, given_names, family_name, name_key, created_at, updated_at) VALUES `)
			referrals.WriteString(`INSERT INTO referrals (id, partnership_id, reference, state, author_id, referrer_org_id, referrer_sector,
				subject_id, details, marking, submitted_at, created_at, updated_at) VALUES `)
			for j := i; j < min(add, i+batch); j++ {
				if j > i {
					subjects.WriteString(", ")
					referrals.WriteString(", ")
				}
				subj++
				ref++
				g, f := searchGiven[j%len(searchGiven)], searchFamily[(j/len(searchGiven))%len(searchFamily)]
				if j%(add/searchRare) == 0 && j/(add/searchRare) < searchRare {
					g, f = "Quentin", "Fairweather"
				}
				k := len(sargs)
				fmt.Fprintf(&subjects, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+6)
				sargs = append(sargs, subj, e.pid, g, f, casework.NormaliseName(g+" "+f), benchNow)
				k = len(rargs)
				fmt.Fprintf(&referrals, "($%d, $%d, $%d, 'submitted', $%d, $%d, 'local_authority', $%d, '{}', 1, $%d, $%d, $%d)",
					k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+7, k+7)
				author := e.coordinator
				if j < searchOwn {
					author = e.referrer
				}
				rargs = append(rargs, ref, e.pid, fmt.Sprintf("PRV-2026-B%06d", j), author.PersonID, author.OrganisationID, subj, benchNow)
			}
			if _, err := tx.ExecContext(ctx, subjects.String(), sargs...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, referrals.String(), rargs...); err != nil {
				return err
			}
		}
		if tx.Dialect == database.Postgres {
			for _, t := range []string{"case_subjects", "referrals"} {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if dialect == database.Postgres {
		if _, err := db.Writer().ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

// BenchmarkSearch is case search by name for the demo's referrer (a school's, who sees only their own few
// cases) and for a coordinator (who sees every case), in a partnership of 1,000 referrals and in one of
// 20,000, and the ratio of the two times per search: read through indexes, a search should cost about the
// same at any size (goal: a ratio of at most 1.2). "rare" is a name 30 people have at either size, "common" a
// surname one person in ten has.
//
//	go test -run '^$' -bench Search -benchtime 20x ./internal/casework/
//
// (with PREVENT_TEST_POSTGRES set for PostgreSQL too)
func BenchmarkSearch(b *testing.B) {
	dialects := []database.Dialect{database.SQLite}
	if os.Getenv(dbtest.PostgresEnv) != "" {
		dialects = append(dialects, database.Postgres)
	}
	ctx := context.Background()
	for _, d := range dialects {
		b.Run(string(d), func(b *testing.B) {
			small, large := newSearchEnv(b, d, 1_000), newSearchEnv(b, d, 20_000)
			for _, c := range []struct {
				name  string
				who   func(*searchEnv) prevent.Principal
				query string
			}{
				{"referrer/rare", func(e *searchEnv) prevent.Principal { return e.referrer }, "Quentin Fairweather"},
				{"referrer/common", func(e *searchEnv) prevent.Principal { return e.referrer }, "Smith"},
				{"coordinator/rare", func(e *searchEnv) prevent.Principal { return e.coordinator }, "Quentin Fairweather"},
				{"coordinator/common", func(e *searchEnv) prevent.Principal { return e.coordinator }, "Smith"},
			} {
				b.Run(c.name, func(b *testing.B) {
					search := func(e *searchEnv) (time.Duration, int) {
						t0 := time.Now()
						got, err := e.svc.Search(ctx, c.who(e), e.pid, c.query)
						if err != nil {
							b.Fatal(err)
						}
						return time.Since(t0), len(got)
					}
					_, ns := search(small)
					_, nl := search(large)
					var ts, tl time.Duration
					for b.Loop() {
						d, _ := search(small)
						ts += d
						d, _ = search(large)
						tl += d
					}
					b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "1k-ns/op")
					b.ReportMetric(float64(tl.Nanoseconds())/float64(b.N), "20k-ns/op")
					b.ReportMetric(float64(tl)/float64(ts), "ratio")
					b.ReportMetric(float64(ns), "found-1k")
					b.ReportMetric(float64(nl), "found-20k")
				})
			}
		})
	}
}

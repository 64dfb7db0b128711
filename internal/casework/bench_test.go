package casework_test

// Benchmarks of the case page and the work list against the raw SQL they run, on the demo partnership with
// synthetic referrals from the demo generator's batched loader. SQLite always; PostgreSQL too when
// PREVENT_TEST_POSTGRES is set. The 200k-referral list runs only with PREVENT_BENCH_LARGE=1: building it
// takes more than a minute.
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/casework/
//	PREVENT_BENCH_LARGE=1 go test -run '^$' -bench ListScale -benchtime 2s -timeout 30m ./internal/casework/

import (
	"context"
	"database/sql"
	"math"
	"os"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/demo"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
	"github.com/preventplatform/prevent/internal/testworld"
	_ "github.com/preventplatform/prevent/internal/testworld" // the services the demo loads through
	"github.com/preventplatform/prevent/internal/work"
)

var benchNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// benchEnv is the demo partnership with n referrals in all.
type benchEnv struct {
	db          *database.DB
	svc         *casework.Service
	pid         prevent.ID
	officer     prevent.Principal
	coordinator prevent.Principal
	caseID      prevent.ID // the case with the longest timeline
	deepAfter   prevent.ID // a keyset cursor near the oldest referral
}

func engines(b *testing.B) map[string]func(testing.TB) *database.DB {
	out := map[string]func(testing.TB) *database.DB{"sqlite": dbtest.NewSQLite}
	if os.Getenv("PREVENT_TEST_POSTGRES") != "" {
		out["postgres"] = dbtest.NewPostgres
	}
	return out
}

func newBenchEnv(b *testing.B, db *database.DB, n int) *benchEnv {
	b.Helper()
	ctx := context.Background()
	now := func() time.Time { return benchNow }
	start := time.Now()
	testworld.LoadDemo(b, db, now)
	e := &benchEnv{db: db, svc: casework.New(casework.Deps{DB: db, Now: now, Sharing: sharing.New(sharing.Deps{DB: db, Now: now})})}
	q := db.Read()
	if err := q.QueryRowContext(ctx, `SELECT id FROM partnerships`).Scan(&e.pid); err != nil {
		b.Fatal(err)
	}
	if n > demo.DefaultReferrals {
		if _, err := demo.GenerateReferrals(ctx, db, e.pid, demo.ReferralOptions{Count: n - demo.DefaultReferrals, Seed: 42, End: benchNow, Batch: 5000, Casework: e.svc}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("built %d referrals on %s in %s", n, db.Dialect, time.Since(start).Round(time.Millisecond))
	principal := func(role prevent.Role) prevent.Principal {
		var id prevent.ID
		if err := q.QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1 AND role = $2 ORDER BY person_id LIMIT 1`,
			e.pid, string(role)).Scan(&id); err != nil {
			b.Fatal(err)
		}
		p, err := auth.LoadPrincipal(ctx, q, id, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		p.MFA = true
		return p
	}
	e.officer, e.coordinator = principal(prevent.PoliceOfficer), principal(prevent.Coordinator)
	if err := q.QueryRowContext(ctx, `SELECT referral_id FROM case_events GROUP BY referral_id ORDER BY count(*) DESC, referral_id LIMIT 1`).Scan(&e.caseID); err != nil {
		b.Fatal(err)
	}
	if err := q.QueryRowContext(ctx, `SELECT id FROM referrals ORDER BY id LIMIT 1 OFFSET 120`).Scan(&e.deepAfter); err != nil {
		b.Fatal(err)
	}
	return e
}

// appendAudit writes the consultation entry the service writes, so that both sides pay for it.
func appendAudit(ctx context.Context, tx *database.Tx, p prevent.Principal, id, pid prevent.ID, detail string) error {
	e := audit.New(ctx, benchNow, audit.Consult, "referral", id)
	e.ActorID, e.ActorOrg, e.PartnershipID, e.Purpose, e.Detail = p.PersonID, p.OrganisationID, pid, "Prevent casework", detail
	_, err := audit.Append(ctx, tx, e)
	return err
}

// rawLoadCase is the access read the service makes before each case read.
func rawLoadCase(ctx context.Context, tx *database.Tx, id prevent.ID) (prevent.ID, error) {
	var rid, pid, author, org, subject sql.NullInt64
	var state string
	var marking int
	var submitted sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT id, partnership_id, state, author_id, referrer_org_id, marking, subject_id, submitted_at
		FROM referrals WHERE id = $1`, id).Scan(&rid, &pid, &state, &author, &org, &marking, &subject, &submitted); err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT person_id FROM case_assignments WHERE referral_id = $1 ORDER BY person_id`, id)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var p prevent.ID
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return 0, err
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// The disclosures of the case, for access and minimisation.
	rows, err = tx.QueryContext(ctx, `SELECT to_org, categories, fields FROM sharing_disclosures
		WHERE record_kind = $1 AND record_id = $2 ORDER BY id`, "referral", id)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var org prevent.ID
		var cats, fields string
		if err := rows.Scan(&org, &cats, &fields); err != nil {
			return 0, err
		}
	}
	return pid.Int64, rows.Err()
}

// rawCasePage runs the statements of Referral and Timeline, in the same two transactions, scanning every column.
func rawCasePage(ctx context.Context, e *benchEnv, p prevent.Principal, id prevent.ID) error {
	err := e.db.WithTx(ctx, func(tx *database.Tx) error {
		pid, err := rawLoadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		var ref sql.NullString
		var subject, triagedBy, rid, rpid, author, org sql.NullInt64
		var submitted, due, triagedAt sql.NullTime
		var created, updated time.Time
		var state, sector, details, outcome, reason, service, grounds, rationale string
		var marking int
		if err := tx.QueryRowContext(ctx, `SELECT id, partnership_id, reference, state, author_id, referrer_org_id, referrer_sector, subject_id,
			marking, details, created_at, updated_at, submitted_at, triage_due_at, triage_outcome, triage_reason, signpost_service,
			reasonable_grounds, triage_rationale, triaged_by, triaged_at FROM referrals WHERE id = $1`, id).Scan(
			&rid, &rpid, &ref, &state, &author, &org, &sector, &subject, &marking, &details, &created, &updated, &submitted, &due,
			&outcome, &reason, &service, &grounds, &rationale, &triagedBy, &triagedAt); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, reference, submitted_at, state, triage_outcome FROM referrals
			WHERE subject_id = $1 AND id <> $2 AND submitted_at IS NOT NULL ORDER BY submitted_at, id`, subject.Int64, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var pid prevent.ID
			var r, s, o string
			var at time.Time
			if err := rows.Scan(&pid, &r, &at, &s, &o); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		return appendAudit(ctx, tx, p, id, pid, "case viewed")
	})
	if err != nil {
		return err
	}
	return e.db.WithTx(ctx, func(tx *database.Tx) error {
		pid, err := rawLoadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT at, actor_id, kind, from_state, to_state, detail FROM case_events
			WHERE referral_id = $1 ORDER BY id`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var at time.Time
			var actor prevent.ID
			var kind, from, to, detail string
			if err := rows.Scan(&at, &actor, &kind, &from, &to, &detail); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		return appendAudit(ctx, tx, p, id, pid, "timeline viewed")
	})
}

// rawList runs the list's statement (the scope and keyset of casework.List, first page of 50) and its audit entry.
func rawList(ctx context.Context, e *benchEnv, p prevent.Principal, after prevent.ID) (int, error) {
	if after <= 0 {
		after = math.MaxInt64
	}
	n := 0
	err := e.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.reference, r.state, r.submitted_at, r.triage_due_at, r.updated_at, r.author_id, r.referrer_org_id, r.marking,
		COALESCE(cs.given_names, ''), COALESCE(cs.family_name, ''), COALESCE(pe.name, '')
		FROM referrals r LEFT JOIN case_subjects cs ON cs.id = r.subject_id LEFT JOIN people pe ON pe.id = r.case_officer_id
		WHERE r.partnership_id = $1 AND r.state <> 'draft' AND ($4 OR ((r.referrer_org_id = $3
		OR EXISTS (SELECT 1 FROM sharing_disclosures sd WHERE sd.record_kind = 'referral' AND sd.record_id = r.id AND sd.to_org = $3))
	AND (r.author_id = $2 OR EXISTS (SELECT 1 FROM case_assignments a WHERE a.referral_id = r.id AND a.person_id = $2)))) AND r.id < $5 ORDER BY r.id DESC LIMIT $6`,
			e.pid, p.PersonID, p.OrganisationID, true, after, 51)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, author, org prevent.ID
			var ref sql.NullString
			var state, given, family, officer string
			var submitted, due sql.NullTime
			var updated time.Time
			var marking int
			if err := rows.Scan(&id, &ref, &state, &submitted, &due, &updated, &author, &org, &marking, &given, &family, &officer); err != nil {
				rows.Close()
				return err
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, p, 0, e.pid, "listed cases")
	})
	return n, err
}

// paired runs the service and the raw SQL alternately, so that both meet the same state of the database
// (the audit log grows by every call), and reports each one's time per operation and their ratio.
func paired(b *testing.B, service, raw func() error) {
	var ts, tr time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := service(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := raw(); err != nil {
			b.Fatal(err)
		}
		ts, tr = ts+t1.Sub(t0), tr+time.Since(t1)
	}
	b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), "service-ns/op")
	b.ReportMetric(float64(tr.Nanoseconds())/float64(b.N), "sql-ns/op")
	b.ReportMetric(float64(ts)/float64(tr), "ratio")
}

func BenchmarkCasePage(b *testing.B) {
	for name, open := range engines(b) {
		b.Run(name, func(b *testing.B) {
			e := newBenchEnv(b, open(b), 10_000)
			ctx := context.Background()
			paired(b, func() error {
				if _, err := e.svc.Referral(ctx, e.officer, e.caseID); err != nil {
					return err
				}
				_, err := e.svc.Timeline(ctx, e.officer, e.caseID)
				return err
			}, func() error { return rawCasePage(ctx, e, e.officer, e.caseID) })
		})
	}
}

func benchList(b *testing.B, e *benchEnv) {
	ctx := context.Background()
	for _, page := range []struct {
		name  string
		after prevent.ID
	}{{"first", 0}, {"deep", e.deepAfter}} {
		b.Run(page.name, func(b *testing.B) {
			paired(b, func() error {
				got, _, err := e.svc.List(ctx, e.coordinator, casework.ListFilter{PartnershipID: e.pid, After: page.after, Limit: 50})
				if err == nil && len(got) != 50 {
					b.Fatalf("list: %d", len(got))
				}
				return err
			}, func() error {
				n, err := rawList(ctx, e, e.coordinator, page.after)
				if err == nil && n != 51 {
					b.Fatalf("raw list: %d", n)
				}
				return err
			})
		})
	}
}

func BenchmarkList(b *testing.B) {
	for name, open := range engines(b) {
		b.Run(name, func(b *testing.B) { benchList(b, newBenchEnv(b, open(b), 10_000)) })
	}
}

// BenchmarkListScale is the list at 10k and at 200k referrals: keyset pagination should not care.
func BenchmarkListScale(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("PREVENT_BENCH_LARGE") == "1" {
		sizes = append(sizes, 200_000)
	}
	for name, open := range engines(b) {
		for _, n := range sizes {
			b.Run(name+"/"+itoa(n), func(b *testing.B) {
				e := newBenchEnv(b, open(b), n)
				ctx := context.Background()
				for _, page := range []struct {
					name  string
					after prevent.ID
				}{{"first", 0}, {"deep", e.deepAfter}} {
					b.Run(page.name, func(b *testing.B) {
						for b.Loop() {
							if _, _, err := e.svc.List(ctx, e.coordinator, casework.ListFilter{PartnershipID: e.pid, After: page.after, Limit: 50}); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			})
		}
	}
}

func itoa(n int) string {
	if n%1000 == 0 {
		return fmtInt(n/1000) + "k"
	}
	return fmtInt(n)
}

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// BenchmarkMyWork is a coordinator's My work (a page of tasks with the counts) against the raw SQL it runs, at
// 10k referrals, and at 200k too with PREVENT_BENCH_LARGE=1 (a page should cost the same at any size):
//
//	PREVENT_BENCH_LARGE=1 go test -run '^$' -bench MyWork -benchtime 2s -timeout 60m ./internal/casework/
func BenchmarkMyWork(b *testing.B) {
	sizes := []int{10_000}
	if os.Getenv("PREVENT_BENCH_LARGE") == "1" {
		sizes = append(sizes, 200_000)
	}
	for name, open := range engines(b) {
		for _, n := range sizes {
			b.Run(name+"/"+itoa(n), func(b *testing.B) {
				e := newBenchEnv(b, open(b), n)
				ctx := context.Background()
				svc := work.New(work.Deps{DB: e.db, Now: func() time.Time { return benchNow }})
				var tasks int
				paired(b, func() error {
					pg, err := svc.Mine(ctx, e.coordinator, work.Filter{})
					if err == nil && len(pg.Tasks) != 50 {
						b.Fatalf("my work: %d tasks on the first page", len(pg.Tasks))
					}
					tasks = pg.Counts.Mine + pg.Counts.Unassigned
					return err
				}, func() error { return rawMyWork(ctx, e, svc) })
				b.ReportMetric(float64(tasks), "tasks")
			})
		}
	}
}

// rawMyWork runs the statements My work runs, scanning every column, and appends the same audit entry.
func rawMyWork(ctx context.Context, e *benchEnv, svc *work.Service) error {
	return e.db.WithTx(ctx, func(tx *database.Tx) error {
		for _, st := range svc.MineSQL(e.coordinator, work.Filter{}) {
			rows, err := tx.QueryContext(ctx, st.SQL, st.Args...)
			if err != nil {
				return err
			}
			cols, err := rows.Columns()
			if err != nil {
				rows.Close()
				return err
			}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		e := audit.New(ctx, benchNow, audit.Consult, "task", 0)
		e.ActorID, e.ActorOrg, e.Purpose, e.Detail = 0, 0, "Prevent casework", "my work: 50 tasks listed"
		_, err := audit.Append(ctx, tx, e)
		return err
	})
}

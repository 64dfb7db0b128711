package casework

import (
	"context"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Query plan tests of what a reader runs most: search, the work list (which the API's case list runs too) and
// the case page's reads. Each statement must read referrals, case_subjects and audit_entries through an index,
// never by walking the whole table, on both engines; SQLite's plan names an index or the primary key
// (SEARCH), PostgreSQL's has no Seq Scan of them with sequential scans priced out (see explain).

// fullScan matches a plan step that reads a whole table (or its alias here: r, cs) of those that grow with
// the service: SQLite's "SCAN t" (an FTS5 lookup is "SCAN t VIRTUAL TABLE INDEX", and case_subjects_names is
// another table) and PostgreSQL's "Seq Scan on t".
var fullScan = regexp.MustCompile(`(?m)(^|\s)SCAN (referrals|case_subjects|audit_entries|r|cs)( |$)|Seq Scan on (referrals|case_subjects|audit_entries)\b`)

// partnershipWalk matches a SQLite step that reads referrals or case_subjects through an index constrained
// by the partnership alone: every referral or person of the partnership, which at national scale is most of
// the table. (The work list's keyset "partnership_id=? AND id<?" stops at its page and is not one.)
var partnershipWalk = regexp.MustCompile(`(?m)SEARCH (referrals|r|case_subjects|cs) USING (COVERING )?INDEX \S+ \(partnership_id=\?\)`)

// assertIndexed fails when the plan of query walks a whole table, or does not use every index named.
func assertIndexed(t *testing.T, db *database.DB, name, query string, indexes []string, args ...any) {
	t.Helper()
	plan := dbtest.Explain(t, db, query, args...)
	m := fullScan.FindString(plan)
	if m == "" {
		m = partnershipWalk.FindString(plan)
	}
	if m == "" {
		m = dbtest.IndexWalk(plan, "referrals", "case_subjects", "audit_entries")
	}
	if m != "" {
		t.Errorf("%s: the plan reads a whole table (%s):\n%s", name, strings.TrimSpace(m), plan)
		return
	}
	for _, ix := range indexes {
		if !strings.Contains(plan, ix) {
			t.Errorf("%s: the plan does not use %s:\n%s", name, ix, plan)
		}
	}
	if testing.Verbose() {
		t.Logf("%s:\n%s", name, plan)
	}
}

// listSelect is the statement of listRows up to its WHERE (a copy: listRows builds it inline), to which the
// tests add the real scope and the condition of the read.
const listSelect = `SELECT r.id, r.reference, r.state, r.submitted_at, r.triage_due_at, r.updated_at, r.author_id, r.referrer_org_id, r.marking,
		COALESCE(cs.given_names, ''), COALESCE(cs.family_name, ''), COALESCE(pe.name, '')
		FROM referrals r LEFT JOIN case_subjects cs ON cs.id = r.subject_id LEFT JOIN people pe ON pe.id = r.case_officer_id
		WHERE `

// planReferrals gives each of the partnership's subjects a referral, written by a person of an organisation
// made for them, and returns that person and organisation; on PostgreSQL it then refreshes the statistics.
func planReferrals(tb testing.TB, db *database.DB, pid prevent.ID) (person, org prevent.ID) {
	tb.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO organisations (name, sector, public_body, created_at, updated_at)
			VALUES ('Plan School', 'education', TRUE, $1, $1) RETURNING id`, now).Scan(&org); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO people (organisation_id, name, email, created_at, updated_at)
			VALUES ($1, 'Pat Plan', 'pat@plan.example', $2, $2) RETURNING id`, org, now).Scan(&person); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO referrals (partnership_id, reference, state, author_id, referrer_org_id, referrer_sector,
			subject_id, details, marking, submitted_at, created_at, updated_at)
			SELECT partnership_id, 'PRV-2026-' || id, 'submitted', $2, $3, 'education', id, '{}', 1, $4, $4, $4
			FROM case_subjects WHERE partnership_id = $1`, pid, person, org, now)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if db.Dialect == database.Postgres {
		if _, err := db.Writer().ExecContext(ctx, `ANALYZE`); err != nil {
			tb.Fatal(err)
		}
	}
	return person, org
}

// nameIndex is the name index's name in each engine's plan.
func nameIndex(db *database.DB) string {
	if db.Dialect == database.SQLite {
		return "case_subjects_names VIRTUAL TABLE"
	}
	return "case_subjects_names"
}

func TestSearchUsesIndexes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		pid := matchSubjects(t, db, 20000)
		planReferrals(t, db, pid)
		for _, c := range []struct {
			name         string
			coordinating bool
			query        string
			indexes      []string
		}{
			// 20,000 people: with 2,000, reading every name costs PostgreSQL less than its trigram index
			// (whose cost it overestimates), and it rightly walks the table.
			{"coordinator, a name", true, "Quentin Fairweather", []string{nameIndex(db)}},
			{"coordinator, a name and an initial", true, "Q Fairweather", []string{nameIndex(db)}},
			{"coordinator, a reference", true, "PRV-2026-000012", []string{"referrals_reference"}},
			{"coordinator, punctuation only", true, "--", []string{"referrals_reference"}},
			{"referrer, a name", false, "Sam Smith", []string{"referrals_author", "case_assignments_person"}},
			{"referrer, a short name", false, "Al", []string{"referrals_author", "case_assignments_person"}},
		} {
			where, args := searchWhere(db.Dialect, c.coordinating, c.query)
			args = append([]any{pid, prevent.ID(7), prevent.ID(3), c.coordinating}, args...)
			indexes := c.indexes
			if db.Dialect == database.SQLite {
				// SQLite names a UNIQUE column's index after the table.
				indexes = slicesReplace(indexes, "referrals_reference", "sqlite_autoindex_referrals_")
			} else {
				indexes = slicesReplace(indexes, "referrals_reference", "referrals_reference_key")
			}
			assertIndexed(t, db, "search, "+c.name, listSelect+scope+where, indexes, args...)
		}
		// Signposting's candidates and the subject access request's people, by name, with and without a
		// date of birth.
		for _, dob := range []string{"", "2010-05-01"} {
			q, args := signpostSQL(db.Dialect, pid, []string{"quentin", "fairweather"}, dob)
			assertIndexed(t, db, "signpost, born "+dob, q, []string{nameIndex(db)}, args...)
			var born time.Time
			if dob != "" {
				born, _ = time.Parse(dateLayout, dob)
			}
			q, args = matchSubjectsSQL(db.Dialect, pid, []string{"quentin", "fairweather"}, born)
			assertIndexed(t, db, "subject access, born "+dob, q, []string{"case_subjects_"}, args...)
		}
	})
}

func slicesReplace(s []string, from, to string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = x
		if x == from {
			out[i] = to
		}
	}
	return out
}

// TestListUsesIndexes is the work list's statement (as List builds it: the scope, the keyset cursor, a stage,
// newest first) for a coordinator and for a referrer, first page and a deep one.
func TestListUsesIndexes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		pid := matchSubjects(t, db, 2000)
		planReferrals(t, db, pid)
		for _, c := range []struct {
			name         string
			coordinating bool
			where        string
			extra        []any
		}{
			{"coordinator, first page", true, ` AND r.id < $5 ORDER BY r.id DESC LIMIT $6`, []any{int64(math.MaxInt64), 51}},
			{"coordinator, a deep page", true, ` AND r.id < $5 ORDER BY r.id DESC LIMIT $6`, []any{int64(120), 51}},
			{"coordinator, a stage", true, ` AND r.id < $5 AND r.state IN ($6, $7) ORDER BY r.id DESC LIMIT $8`,
				[]any{int64(math.MaxInt64), "submitted", "police_triage", 51}},
			{"referrer, first page", false, ` AND r.id < $5 ORDER BY r.id DESC LIMIT $6`, []any{int64(math.MaxInt64), 51}},
		} {
			args := append([]any{pid, prevent.ID(7), prevent.ID(3), c.coordinating}, c.extra...)
			assertIndexed(t, db, "list, "+c.name, listSelect+scope+c.where, []string{"referrals_"}, args...)
		}
	})
}

// TestCasePageUsesIndexes is the case page's reads (copies of the statements of loadCase, Referral and
// Timeline). Their audit entries are inserts, which read nothing.
func TestCasePageUsesIndexes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		planReferrals(t, db, matchSubjects(t, db, 2000))
		for _, c := range []struct {
			name, query string
			indexes     []string
			args        []any
		}{
			{"the case", `SELECT id, partnership_id, state, author_id, referrer_org_id, marking, subject_id, submitted_at
				FROM referrals WHERE id = $1`, nil, []any{12}},
			{"its assignments", `SELECT DISTINCT person_id FROM case_assignments WHERE referral_id = $1 ORDER BY person_id`, nil, []any{12}},
			{"the referral", `SELECT id, partnership_id, reference, state, author_id, referrer_org_id, referrer_sector, subject_id,
				marking, details, created_at, updated_at, submitted_at, triage_due_at, triage_outcome, triage_reason, signpost_service,
				reasonable_grounds, triage_rationale, triaged_by, triaged_at, sealed_details FROM referrals WHERE id = $1`, nil, []any{12}},
			{"the case officer", `SELECT r.case_officer_id, COALESCE(pe.name, '') FROM referrals r
				LEFT JOIN people pe ON pe.id = r.case_officer_id WHERE r.id = $1`, nil, []any{12}},
			{"the person's other referrals", `SELECT id, reference, submitted_at, state, triage_outcome FROM referrals
				WHERE subject_id = $1 AND id <> $2 AND submitted_at IS NOT NULL ORDER BY submitted_at, id`, []string{"referrals_subject"}, []any{5, 12}},
			{"the timeline", `SELECT at, actor_id, kind, from_state, to_state, detail FROM case_events
				WHERE referral_id = $1 ORDER BY id`, []string{"case_events_referral"}, []any{12}},
		} {
			assertIndexed(t, db, "case page, "+c.name, c.query, c.indexes, c.args...)
		}
	})
}

// TestSearchIndexFollowsWrites checks that the name index is kept in step with case_subjects when a person is
// added, renamed and removed, so that search finds them by the name they have now and only by it.
func TestSearchIndexFollowsWrites(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		pid := matchSubjects(t, db, 50)
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		find := func(word string) []prevent.ID {
			t.Helper()
			var q string
			var arg any
			if db.Dialect == database.SQLite {
				q, arg = `SELECT rowid FROM case_subjects_names WHERE case_subjects_names MATCH $1 ORDER BY rowid`, `"`+word+`"`
			} else {
				q, arg = `SELECT id FROM case_subjects WHERE name_key LIKE $1 ORDER BY id`, "%"+word+"%"
			}
			rows, err := db.Read().QueryContext(ctx, q, arg)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []prevent.ID
			for rows.Next() {
				var id prevent.ID
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				out = append(out, id)
			}
			return out
		}
		var id prevent.ID
		err := db.WithTx(ctx, func(tx *database.Tx) error {
			return tx.QueryRowContext(ctx, `INSERT INTO case_subjects (partnership_id, given_names, family_name, name_key, created_at, updated_at)
				VALUES ($1, 'Quentin', 'Fairweather', 'quentin fairweather', $2, $2) RETURNING id`, pid, now).Scan(&id)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := find("fairweath"); len(got) != 1 || got[0] != id {
			t.Fatalf("after the insert: %v, want [%d]", got, id)
		}
		if _, err := db.Writer().ExecContext(ctx, `UPDATE case_subjects SET name_key = 'quentin stormcloud' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if got := find("fairweath"); len(got) != 0 {
			t.Errorf("after the rename, the old name finds %v", got)
		}
		if got := find("stormclo"); len(got) != 1 || got[0] != id {
			t.Errorf("after the rename: %v, want [%d]", got, id)
		}
		if _, err := db.Writer().ExecContext(ctx, `DELETE FROM case_subjects WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if got := find("stormclo"); len(got) != 0 {
			t.Errorf("after the delete: %v", got)
		}
		if db.Dialect == database.SQLite {
			// FTS5's own check that the index matches the table it indexes.
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO case_subjects_names (case_subjects_names, rank) VALUES ('integrity-check', 1)`); err != nil {
				t.Errorf("integrity check: %v", err)
			}
		}
	})
}

// TestReferrerListReadsOwnCases is the work list of someone who does not coordinate (a school's referrer):
// they may see only the referrals they wrote or are assigned to, so the list should start from those
// (referrals_author, case_assignments_person) as Search does. Today List walks the partnership's referrals
// newest first (SQLite through referrals_list, PostgreSQL through it or the primary key), testing the
// scope's correlated sub-queries on each, until it has a page: for a referrer with a few cases in a
// partnership of 200,000 that is every referral. The remedy is a candidate condition in List
// (internal/casework/worklist.go, another change's file); until then the test skips, naming the step.
func TestReferrerListReadsOwnCases(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		pid := matchSubjects(t, db, 2000)
		planReferrals(t, db, pid)
		where := ` AND r.id < $5 ORDER BY r.id DESC LIMIT $6`
		args := []any{pid, prevent.ID(7), prevent.ID(3), false, int64(math.MaxInt64), 51}
		plan := dbtest.Explain(t, db, listSelect+scope+where, args...)
		walk := regexp.MustCompile(`SEARCH r USING INDEX referrals_list \(partnership_id=\? AND id<\?\)|Index Scan Backward using referrals_(list|pkey) on referrals r`)
		if m := walk.FindString(plan); m != "" {
			t.Skipf("the referrer's list walks the partnership (%s); see the comment of this test", m)
		}
		if !strings.Contains(plan, "referrals_author") {
			t.Errorf("the referrer's list does not start from their own referrals:\n%s", plan)
		}
	})
}

package casework

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// readsThrough reports whether plan reads the table (by its name or alias) through index and never walks it.
func readsThrough(db *database.DB, plan, table, alias, index string) bool {
	if db.Dialect == database.SQLite {
		scan := regexp.MustCompile(`SCAN (` + table + `|` + alias + `)\b`)
		return !scan.MatchString(plan) &&
			(strings.Contains(plan, "USING INDEX "+index) || strings.Contains(plan, "USING COVERING INDEX "+index))
	}
	return !strings.Contains(plan, "Seq Scan") &&
		(strings.Contains(plan, "Index Scan using "+index) || strings.Contains(plan, "Index Only Scan using "+index) ||
			strings.Contains(plan, "Bitmap Index Scan on "+index))
}

// TestBatchQueriesUseIndexes: the erasure run's look for closed cases past a cutoff reads referrals through
// referrals_retention, and the post-exit review run's look for reviews due reads them through referrals_state
// (and the exits and reviews through theirs), so that a run with nothing due reads a few index entries, not
// every referral.
func TestBatchQueriesUseIndexes(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		pid := matchSubjects(t, db, 10)
		now := time.Date(2029, 11, 2, 10, 0, 0, 0, time.UTC)
		// Times as text, which the plans' generic form takes as literals.
		ts := func(t time.Time) string { return t.Format("2006-01-02 15:04:05-07:00") }
		plan := dbtest.Explain(t, db, closedBeforeSQL, pid, string(ClosedNFA), ts(now.AddDate(-3, 0, 5)), ts(time.Unix(0, 0).UTC()), 0, 500)
		if !readsThrough(db, plan, "referrals", "r", "referrals_retention") {
			t.Errorf("the erasure look-up does not read referrals through referrals_retention:\n%s", plan)
		}
		if !readsThrough(db, plan, "case_events", "e", "case_events_referral") {
			t.Errorf("the erasure look-up does not read case_events through case_events_referral:\n%s", plan)
		}
		plan = dbtest.Explain(t, db, postExitDueSQL, ts(now.AddDate(0, -6, 7)), FirstReviewMonths, SecondReviewMonths)
		if !readsThrough(db, plan, "referrals", "r", "referrals_state") {
			t.Errorf("the post-exit look-up does not read referrals through referrals_state:\n%s", plan)
		}
		if !readsThrough(db, plan, "case_exits", "x", "case_exits_referral") {
			t.Errorf("the post-exit look-up does not read case_exits through case_exits_referral:\n%s", plan)
		}
	})
}

package dbtest

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
)

var errExplained = errors.New("dbtest: explained")

// Explain returns the query plan of query with args, one line per step, for tests that a query is answered
// through an index: SQLite's EXPLAIN QUERY PLAN; on PostgreSQL, EXPLAIN with sequential scans priced out (the
// planner still takes one when no index can answer, so a plan without one shows that an index can, whatever
// the table's size and statistics), followed by its generic plan, the one a prepared statement may run with
// any arguments, which must use the index too. It runs in a transaction that is rolled back.
func Explain(t testing.TB, db *database.DB, query string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		read := func(q string, args ...any) error {
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			cols, err := rows.Columns()
			if err != nil {
				return err
			}
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
				// SQLite's detail is the last column; PostgreSQL's only column is the line of the plan.
				lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
			}
			return rows.Err()
		}
		if db.Dialect == database.SQLite {
			if err := read("EXPLAIN QUERY PLAN "+query, args...); err != nil {
				return err
			}
			return errExplained
		}
		// SET LOCAL lasts until this transaction, which is rolled back, ends.
		if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		if err := read("EXPLAIN "+query, args...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `PREPARE dbtest_plan AS `+query); err != nil {
			return err
		}
		// A prepared statement outlives the transaction on its connection.
		defer tx.ExecContext(ctx, `DEALLOCATE dbtest_plan`) //nolint:errcheck
		lits := make([]string, len(args))
		for i, a := range args {
			switch v := a.(type) {
			case string:
				lits[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
			case time.Time:
				lits[i] = "'" + v.UTC().Format(time.RFC3339Nano) + "'"
			default:
				lits[i] = fmt.Sprint(v)
			}
		}
		if err := read(`EXPLAIN EXECUTE dbtest_plan(` + strings.Join(lits, ", ") + `)`); err != nil {
			return err
		}
		return errExplained
	})
	if !errors.Is(err, errExplained) {
		t.Fatalf("explain: %v\n%s", err, query)
	}
	return strings.Join(lines, "\n")
}

// IndexWalk returns the first step of a PostgreSQL plan that reads one of tables through an index without an
// Index Cond below it: it walks the whole index, which is a full scan in another order (what the planner does
// with sequential scans priced out when no index can answer). It returns "" when there is none.
func IndexWalk(plan string, tables ...string) string {
	step := regexp.MustCompile(`Index (Only )?Scan (Backward )?using \S+ on (` + strings.Join(tables, "|") + `)\b`)
	lines := strings.Split(plan, "\n")
	for i, l := range lines {
		if !step.MatchString(l) {
			continue
		}
		cond := false
		for _, next := range lines[i+1:] {
			if strings.Contains(next, "->") || !strings.HasPrefix(next, " ") {
				break
			}
			cond = cond || strings.Contains(next, "Index Cond:")
		}
		if !cond {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

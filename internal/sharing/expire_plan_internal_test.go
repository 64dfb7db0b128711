package sharing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

var errRollback = errors.New("roll back")

// explainExpire returns the plan of the expiry look-up, with sequential scans priced out on PostgreSQL (it
// then takes one only when no index can answer the query).
func explainExpire(t *testing.T, db *database.DB) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := db.WithTx(ctx, func(tx *database.Tx) error {
		prefix := "EXPLAIN QUERY PLAN "
		if db.Dialect == database.Postgres {
			prefix = "EXPLAIN "
			if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, prefix+expireDueSQL, string(Active), string(Suspended), "2027-11-01")
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
			lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("explain: %v", err)
	}
	return strings.Join(lines, "\n")
}

// TestExpireDueUsesIndex: the expiry run finds the agreements due through sharing_agreements_review, not by
// reading every agreement.
func TestExpireDueUsesIndex(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		plan := explainExpire(t, db)
		var ok bool
		if db.Dialect == database.SQLite {
			ok = !strings.Contains(plan, "SCAN sharing_agreements") && strings.Contains(plan, "INDEX sharing_agreements_review")
		} else {
			ok = !strings.Contains(plan, "Seq Scan") && strings.Contains(plan, "sharing_agreements_review")
		}
		if !ok {
			t.Errorf("the expiry look-up does not read sharing_agreements through sharing_agreements_review:\n%s", plan)
		}
	})
}

package sharing

import (
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

func explainExpire(t *testing.T, db *database.DB) string {
	t.Helper()
	return dbtest.Explain(t, db, expireDueSQL, string(Active), string(Suspended), "2027-11-01")
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

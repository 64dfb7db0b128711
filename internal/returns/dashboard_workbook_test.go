package returns

import (
	"context"
	"testing"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestDashboardWorkbooks: the dashboard's XLSX and ODS hold the same cells, a cover, contents, notes and one sheet
// per table whose figures are the dashboard's, as numbers, with withheld figures as shorthand text (checkReport).
func TestDashboardWorkbooks(t *testing.T) {
	t.Parallel()
	f := dashboardWorld(t, dbtest.NewSQLite(t))
	s := New(Deps{DB: f.db, Now: clock("2026-01-10T09:00:00Z"), DigestKey: testKey})
	for _, role := range []prevent.Role{prevent.Coordinator, prevent.Analyst} {
		d, err := s.ComputeDashboard(context.Background(), f.principal(role), DashboardRequest{PartnershipID: f.pid, Period: Period{Year: 2025, Quarter: 1}})
		if err != nil {
			t.Fatal(err)
		}
		x, err := d.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		o, err := d.ODS()
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, string(role), x, o, d.Tables())
	}
}

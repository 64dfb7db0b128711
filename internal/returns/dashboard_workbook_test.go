package returns

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// TestDashboardWorkbooks: the dashboard's XLSX and ODS hold the same cells, a cover, contents, notes and one sheet
// per table whose figures are the dashboard's, as numbers, with withheld figures as shorthand text.
func TestDashboardWorkbooks(t *testing.T) {
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
		_, fromX := readXLSX(t, x)
		fromO := readODS(t, o)
		if !reflect.DeepEqual(fromX, fromO) {
			t.Errorf("%s: the XLSX and the ODS hold different cells", role)
		}
		tables := d.Tables()
		want := []string{coverSheet, contentsSheet, notesSheet}
		for i := range tables {
			want = append(want, tableSheet(i))
		}
		if !reflect.DeepEqual(fromX.Names, want) {
			t.Fatalf("%s: sheets %v, want %v", role, fromX.Names, want)
		}
		for i, tb := range tables {
			grid := fromX.Sheets[tableSheet(i)]
			for r, row := range tb.Rows {
				got := grid[tableStart+r]
				if got[0].Text != row.Label {
					t.Errorf("%s: %s row %d label %q, want %q", role, tb.ID, r, got[0].Text, row.Label)
				}
				c := row.Cells[0]
				if got[1].Text != fmt.Sprint(map[bool]any{true: c.Value, false: c.Text}[c.Number]) || got[1].Number != c.Number {
					t.Errorf("%s: %s row %q cell %+v, want %+v", role, tb.ID, row.Label, got[1], c)
				}
			}
		}
	}
}

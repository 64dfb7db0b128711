package returns

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// checkReport holds an XLSX and an ODS to one another and to the tables they were written from: the same cells
// in both, a cover, contents, notes and one sheet per table, each cell the table's (a number as a number, any
// other text as text).
func checkReport(t *testing.T, what string, x, o []byte, tables []Table) {
	t.Helper()
	_, fromX := readXLSX(t, x)
	fromO := readODS(t, o)
	if !reflect.DeepEqual(fromX, fromO) {
		t.Errorf("%s: the XLSX and the ODS hold different cells", what)
	}
	want := []string{coverSheet, contentsSheet, notesSheet}
	for i := range tables {
		want = append(want, tableSheet(i))
	}
	if !reflect.DeepEqual(fromX.Names, want) {
		t.Fatalf("%s: sheets %v, want %v", what, fromX.Names, want)
	}
	for i, tb := range tables {
		grid := fromX.Sheets[tableSheet(i)]
		for r, row := range tb.Rows {
			got := grid[tableStart+r]
			if got[0].Text != cellText(row.Label) {
				t.Errorf("%s: %s row %d label %q, want %q", what, tb.ID, r, got[0].Text, row.Label)
			}
			for c, cell := range row.Cells {
				want := cellText(cell.Text)
				if cell.Number {
					want = strconv.Itoa(cell.Value)
				}
				if got[c+1].Text != want || got[c+1].Number != cell.Number {
					t.Errorf("%s: %s row %q column %d: %+v, want %+v", what, tb.ID, row.Label, c+1, got[c+1], cell)
				}
			}
		}
	}
}

// TestMonitoringAndQuarterlyWorkbooks: the interventions monitoring and the quarterly return download as XLSX
// and ODS laid out as the return is, holding their tables' cells; a quarterly return's money is in pounds.
func TestMonitoringAndQuarterlyWorkbooks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("monitoring", func(t *testing.T) {
		db := dbtest.NewSQLite(t)
		f := supportYear(t, db)
		svc := New(Deps{DB: db, Now: clock("2025-06-01T10:00:00Z"), DigestKey: testKey})
		m, err := svc.ComputeMonitoring(ctx, f.principal(prevent.Analyst), MonitoringRequest{PartnershipID: f.pid, Period: Period{Year: 2024, Quarter: 3}, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		x, err := m.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		o, err := m.ODS()
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, "monitoring", x, o, m.Tables)
	})
	t.Run("quarterly", func(t *testing.T) {
		db := dbtest.NewSQLite(t)
		w := newQuarterlyWorld(t, db)
		svc := New(Deps{DB: db, Now: clock("2026-07-15T10:00:00Z"), DigestKey: testKey})
		q, err := svc.GenerateQuarterly(ctx, w.coordinator, w.pid, 2026, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.EditQuarterlyProject(ctx, w.coordinator, w.pid, q.ID, w.projectA, ProjectText{Achievements: "Two schools\nreached", Issues: "None"}); err != nil {
			t.Fatal(err)
		}
		if q, err = svc.Quarterly(ctx, w.coordinator, w.pid, q.ID); err != nil {
			t.Fatal(err)
		}
		if q.Partnership == "" {
			t.Error("the quarterly return does not name its partnership")
		}
		tables := q.Tables()
		if len(tables) != 4 || tables[1].Rows[0].Cells[7].Text != "Two schools\nreached" || tables[1].Rows[len(tables[1].Rows)-1].Label != "Total" {
			t.Fatalf("tables %+v", tables)
		}
		if got, want := tables[1].Rows[0].Cells[4], pounds(q.Figures.Projects[0].AllocatedPence); got != want || !got.Number {
			t.Errorf("allocated %+v, want %+v", got, want)
		}
		x, err := q.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		o, err := q.ODS()
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, "quarterly", x, o, tables)
	})
	if got := pounds(12345650); got.Value != 123457 {
		t.Errorf("£123,456.50 is %d pounds", got.Value)
	}
}

package programme_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
	"github.com/xuri/excelize/v2"
)

// TestFundingExportsMatchPage opens the XLSX export with excelize and reads the CSV export, and checks
// every figure against the funding page's budget tables.
func TestFundingExportsMatchPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	for _, fw := range []programme.Framework{programme.Contest2023, programme.Prevent2009} {
		page := parse(t, serve(t, f, f.coord, "GET", f.path("funding")+"?framework="+string(fw), nil))
		tables := map[string][][]string{}
		page.Find("table").Each(func(_ int, tb *goquery.Selection) {
			name := strings.TrimSpace(tb.Find("caption").Text())
			tb.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
				var row []string
				tr.Find("th, td").Each(func(_ int, c *goquery.Selection) { row = append(row, strings.TrimSpace(c.Text())) })
				tables[name] = append(tables[name], row)
			})
		})
		w := serve(t, f, f.coord, "GET", f.path("funding", "report.xlsx")+"?framework="+string(fw), nil)
		if w.Code != 200 {
			t.Fatalf("xlsx: %d", w.Code)
		}
		x, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatalf("excelize cannot open the export: %v", err)
		}
		sheets := x.GetSheetList()
		if len(sheets) != 3 {
			t.Fatalf("sheets = %v", sheets)
		}
		checked := 0
		for _, name := range sheets {
			want := tables[name]
			if len(want) < 2 {
				t.Fatalf("the page has no table %q (tables: %d)", name, len(tables))
			}
			for i, row := range want {
				for j, cellText := range row {
					ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
					raw, err := x.GetCellValue(name, ref, excelize.Options{RawCellValue: true})
					if err != nil {
						t.Fatal(err)
					}
					if j == 0 {
						if raw != cellText {
							t.Errorf("%s %s = %q, page %q", name, ref, raw, cellText)
						}
						continue
					}
					v, err := strconv.ParseFloat(raw, 64)
					if err != nil {
						t.Fatalf("%s %s = %q is not a number", name, ref, raw)
					}
					if got := programme.Pence(int64(v*100 + 0.5*sign(v))).String(); got != cellText {
						t.Errorf("%s %s = %s in the spreadsheet, %s on the page", name, ref, got, cellText)
					}
					checked++
				}
			}
		}
		if checked < 12 {
			t.Errorf("only %d figures compared", checked)
		}
		_ = x.Close()
		csvw := serve(t, f, f.coord, "GET", f.path("funding", "report.csv")+"?framework="+string(fw), nil)
		total := tables["By stream"][len(tables["By stream"])-1]
		if !strings.Contains(csvw.Body.String(), "Total,"+strings.NewReplacer("£", "", ",", "").Replace(total[1])) {
			t.Errorf("CSV lacks the page's total %v:\n%s", total, csvw.Body.String())
		}
	}
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// TestAllocationRefusedWhenReviewOverdue posts an allocation to the project whose lead organisation's review
// is overdue: the page refuses it with the domain's reason and keeps what was typed.
func TestAllocationRefusedWhenReviewOverdue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	ctx := context.Background()
	var project, stream prevent.ID
	if err := f.db.Read().QueryRowContext(ctx, `SELECT p.id FROM projects p JOIN organisations o ON o.id = p.lead_org_id
		WHERE o.name = 'Elmshire Interfaith Forum'`).Scan(&project); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Read().QueryRowContext(ctx, `SELECT min(id) FROM funding_streams`).Scan(&stream); err != nil {
		t.Fatal(err)
	}
	w := serve(t, f, f.coord, "POST", f.path("funding", "allocations", "new"),
		url.Values{"stream": {fmt.Sprint(stream)}, "project": {fmt.Sprint(project)}, "amount": {"750"}})
	doc := parse(t, w)
	if w.Code != 200 || !strings.Contains(doc.Find(".govuk-error-summary").Text(), "overdue") {
		t.Fatalf("refusal: %d, summary %q", w.Code, doc.Find(".govuk-error-summary").Text())
	}
	if !strings.Contains(doc.Find(".govuk-warning-text").Text(), "Elmshire Interfaith Forum") {
		t.Errorf("warning = %q", doc.Find(".govuk-warning-text").Text())
	}
	if v, _ := doc.Find("#amount").Attr("value"); v != "750" {
		t.Errorf("amount kept = %q", v)
	}
	// The funding page flags the organisation.
	if body := serve(t, f, f.coord, "GET", f.path("funding"), nil).Body.String(); !strings.Contains(body, "is overdue") {
		t.Error("the funding page does not flag the overdue review")
	}
}

package returns

import (
	"fmt"
	"strings"
)

// The dashboard as a workbook, laid out as a return's is (workbook.go): a cover sheet, contents, notes, then one
// table to a worksheet.

func (d *Dashboard) figuresText() string {
	if d.Exact {
		return "Exact figures, for use within the partnership's casework: they are not under disclosure control and must not be shared outside it."
	}
	return d.Policy.String() + ". " + d.Policy.Summary
}

func (d *Dashboard) workbook() workbook {
	tables := d.Tables()
	title := fmt.Sprintf("Caseload dashboard: referrals to Prevent and the Channel pathway, %s, %s", d.Partnership, d.Period)
	if d.Area != "" {
		title = fmt.Sprintf("Caseload dashboard: referrals to Prevent and the Channel pathway, %s (%s), %s", d.Partnership, d.Area, d.Period)
	}
	var notes noteList
	tableNotes := make([][]int, len(tables))
	for i, t := range tables {
		for _, n := range append(append([]string(nil), d.Notes...), t.Notes...) {
			tableNotes[i] = append(tableNotes[i], notes.number(n))
		}
	}
	rows := [][]wbCell{
		{text(title, styleTitle)},
		{text(fmt.Sprintf("This workbook has a cover sheet, a table of contents, a notes sheet and %d tables, one on each worksheet after the notes.", len(tables)), styleParagraph)},
	}
	section := func(heading, body string) {
		rows = append(rows, []wbCell{text(heading, styleSubheading)}, []wbCell{text(body, styleParagraph)})
	}
	section("What the dashboard covers", fmt.Sprintf("Referrals to Prevent submitted to the %s partnership in %s: how many each month, how far they went, how long each step took, and where the partnership's open cases stand now.", d.Partnership, d.Period))
	section("Partnership", d.Partnership)
	section("Period", d.Period.String())
	section("Local authority area", areaText(d.Area))
	section("Figures", d.figuresText())
	section("Query", dashboardQueryVersion)
	section("Generated", ukDate(d.OpenAt.UTC())+" at "+d.OpenAt.UTC().Format("15:04")+" UTC")
	wb := workbook{Title: title, Subject: "Caseload dashboard of the " + d.Partnership + " Prevent partnership for " + d.Period.String(),
		Creator: d.Partnership, Keywords: "Prevent, Channel, referrals, caseload, " + d.Period.String(), Created: d.OpenAt.UTC()}
	var titles []string
	for _, t := range tables {
		titles = append(titles, t.Title+", "+d.Partnership)
	}
	wb.Sheets = append(wb.Sheets, wbSheet{Name: coverSheet, Rows: rows, Widths: []float64{110}}, contentsOf(titles, "dashboard"), notesOf(notes.texts))
	source := fmt.Sprintf("Source: the partnership's case records (%s). %s", dashboardQueryVersion, strings.TrimSuffix(d.figuresText(), "."))
	for i, t := range tables {
		wb.Sheets = append(wb.Sheets, tableSheetOf(i, t, titles[i], tableNotes[i], source+"."))
	}
	return wb
}

// XLSX writes the dashboard as an Excel workbook.
func (d *Dashboard) XLSX() ([]byte, error) { return writeXLSX(d.workbook()) }

// ODS writes the dashboard as an OpenDocument spreadsheet.
func (d *Dashboard) ODS() ([]byte, error) { return writeODS(d.workbook()) }

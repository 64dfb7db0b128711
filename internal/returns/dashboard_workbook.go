package returns

import (
	"fmt"
	"strings"
	"time"
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
	title := fmt.Sprintf("Caseload dashboard: referrals to Prevent and the Channel pathway, %s, %s", d.Partnership, d.Period)
	if d.Area != "" {
		title = fmt.Sprintf("Caseload dashboard: referrals to Prevent and the Channel pathway, %s (%s), %s", d.Partnership, d.Area, d.Period)
	}
	return report{
		Title: title, What: "dashboard", Place: d.Partnership, Notes: d.Notes, Tables: d.Tables(),
		Sections: [][2]string{
			{"What the dashboard covers", fmt.Sprintf("Referrals to Prevent submitted to the %s partnership in %s: how many each month, how far they went, how long each step took, and where the partnership's open cases stand now.", d.Partnership, d.Period)},
			{"Partnership", d.Partnership},
			{"Period", d.Period.String()},
			{"Local authority area", areaText(d.Area)},
			{"Figures", d.figuresText()},
			{"Query", dashboardQueryVersion},
			{"Generated", ukDate(d.OpenAt.UTC()) + " at " + d.OpenAt.UTC().Format("15:04") + " UTC"},
		},
		Source:   fmt.Sprintf("Source: the partnership's case records (%s). %s.", dashboardQueryVersion, strings.TrimSuffix(d.figuresText(), ".")),
		Subject:  "Caseload dashboard of the " + d.Partnership + " Prevent partnership for " + d.Period.String(),
		Keywords: "Prevent, Channel, referrals, caseload, " + d.Period.String(), Created: d.OpenAt.UTC(),
	}.workbook()
}

// report is a set of tables laid out as a workbook the way a return is (a cover sheet with the sections given,
// contents, notes, then one table to a worksheet), for the outputs other than the annual return.
type report struct {
	Title, What, Place string
	Sections           [][2]string // the cover's headings and paragraphs
	Notes              []string    // notes of every table
	Tables             []Table
	Source             string // the line under each table's title
	Subject, Keywords  string
	Created            time.Time
}

func (r report) workbook() workbook {
	var notes noteList
	tableNotes := make([][]int, len(r.Tables))
	for i, t := range r.Tables {
		for _, n := range append(append([]string(nil), r.Notes...), t.Notes...) {
			tableNotes[i] = append(tableNotes[i], notes.number(n))
		}
	}
	rows := [][]wbCell{
		{text(r.Title, styleTitle)},
		{text(fmt.Sprintf("This workbook has a cover sheet, a table of contents, a notes sheet and %d tables, one on each worksheet after the notes.", len(r.Tables)), styleParagraph)},
	}
	for _, sec := range r.Sections {
		rows = append(rows, []wbCell{text(sec[0], styleSubheading)}, []wbCell{text(sec[1], styleParagraph)})
	}
	wb := workbook{Title: r.Title, Subject: r.Subject, Creator: r.Place, Keywords: r.Keywords, Created: r.Created}
	var titles []string
	for _, t := range r.Tables {
		titles = append(titles, t.Title+", "+r.Place)
	}
	wb.Sheets = append(wb.Sheets, wbSheet{Name: coverSheet, Rows: rows, Widths: []float64{110}}, contentsOf(titles, r.What), notesOf(notes.texts))
	for i, t := range r.Tables {
		wb.Sheets = append(wb.Sheets, tableSheetOf(i, t, titles[i], tableNotes[i], r.Source))
	}
	return wb
}

// XLSX writes the dashboard as an Excel workbook.
func (d *Dashboard) XLSX() ([]byte, error) { return writeXLSX(d.workbook()) }

// ODS writes the dashboard as an OpenDocument spreadsheet.
func (d *Dashboard) ODS() ([]byte, error) { return writeODS(d.workbook()) }

package returns

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A return as a workbook, following the Government Analysis Function's guidance on releasing statistics in
// spreadsheets: a cover sheet, a table of contents, a notes sheet, then one table to a worksheet. Every sheet
// has its title in A1 and says in column A, above its table, what it holds; each table has one header row and
// starts at a row the sheet states; there are no merged cells and no blank rows or columns; figures are
// numbers and shorthand is text. The layout is built once (workbook) and written as ODS and as XLSX, so both
// formats hold the same cells.

// cellStyle is what a cell is, for the writers to present it; no style carries meaning on its own.
type cellStyle int

const (
	styleText       cellStyle = iota // text outside a table, free to run over into the empty cells to its right
	styleParagraph                   // text on the cover sheet, wrapped in its wide column
	styleTitle                       // the sheet's title, in A1 (Heading 1)
	styleSubheading                  // a heading on the cover sheet (Heading 2)
	styleHeadLabel                   // the header of the label column
	styleHeadFigure                  // the header of a column of figures
	styleLabel                       // a row label, or text within a table
	styleFigure                      // a number in a table
	styleShorthand                   // a shorthand standing for a figure, such as [c]
	styleLink                        // a link to another sheet of the workbook
)

// wbCell is one cell: text, or a whole number; Link names a sheet the cell links to.
type wbCell struct {
	Text   string
	Value  int
	Number bool
	Style  cellStyle
	Link   string
}

// wbTable marks where a sheet's table is: its header row (0-based), its name and its width.
type wbTable struct {
	Name    string
	Header  int
	Columns int
}

// wbSheet is one worksheet: its rows from A1 down, with no blank rows, and its column widths in characters.
type wbSheet struct {
	Name   string
	Rows   [][]wbCell
	Widths []float64
	Table  *wbTable
}

// workbook is the whole of a return's workbook, with the document properties both formats record.
type workbook struct {
	Title    string
	Subject  string
	Creator  string
	Keywords string
	Created  time.Time
	Sheets   []wbSheet
}

// Sheet names: short, unique, the same in every return so that a reader can find the same table next year.
const (
	coverSheet    = "Cover"
	contentsSheet = "Contents"
	notesSheet    = "Notes"
)

func tableSheet(i int) string { return fmt.Sprintf("Table_%d", i+1) }

// tableStart is the row (1-based, as the sheets state it) where every table sheet's header row is.
const tableStart = 5

// shorthand is every shorthand the tables may use, explained in words on the notes sheet.
var shorthand = []struct{ Symbol, Name, Meaning string }{
	{Confidential, "confidential", "the figure is withheld by disclosure control to protect the people counted. Counts from 1 to 4 are withheld, and so are any other counts from which a withheld count could be worked out; a percentage of a withheld count, or of a withheld number of referrals, is withheld too."},
	{NotApplicable, "not applicable", "there can be no figure: a percentage of no referrals."},
	{NotAvailable, "not available", "the service does not hold the figure."},
}

func isShorthand(s string) bool {
	for _, sh := range shorthand {
		if sh.Symbol == s {
			return true
		}
	}
	return false
}

// The notes every workbook carries, as they apply to a table by its columns.
const (
	noteByReferral = "Referrals are counted in the financial year and quarter in which they were submitted, one row for each referral (a person referred twice counts twice), and by how far each has gone when the return is computed: a return computed later may show more referrals discussed and adopted for the same year, as cases move on."
	notePercent    = "Percentages are of the referrals in the same row, rounded to whole numbers. They are worked out from the figures as shown, so they reveal nothing the counts do not."
	noteLocalUse   = "The columns marked local use (no further action, and signposted to other services) are not part of the national statistics; they show the partnership what happened to the referrals not adopted."
)

// noteList numbers the notes of a workbook: each distinct text once, in the order first met.
type noteList struct {
	texts []string
}

func (n *noteList) number(text string) int {
	for i, t := range n.texts {
		if t == text {
			return i + 1
		}
	}
	n.texts = append(n.texts, text)
	return len(n.texts)
}

// noteMarks writes note references as the guidance has them: "[note 1] [note 3]".
func noteMarks(nums []int) string {
	var b strings.Builder
	for i, n := range nums {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "[note %d]", n)
	}
	return b.String()
}

// placedTitle puts the partnership in a table's title before the year it ends with, as the guidance asks a
// title to name its geography: "…, by sector of referral, Elmshire, 2024/25".
func (r *Return) placedTitle(t Table) string {
	if r.Partnership == "" {
		return t.Title
	}
	if head, ok := strings.CutSuffix(t.Title, ", "+r.Year.String()); ok {
		return head + ", " + r.Partnership + ", " + r.Year.String()
	}
	return t.Title + ", " + r.Partnership
}

// workbookTitle is the title of the whole workbook, in A1 of the cover sheet and in the document properties.
func (r *Return) workbookTitle() string {
	place := r.Partnership
	if place == "" {
		place = "partnership"
	}
	return fmt.Sprintf("Referrals to Prevent, discussions at a Channel panel and adoptions as a Channel case: statistical return, %s, %s", place, r.Year)
}

func text(s string, st cellStyle) wbCell { return wbCell{Text: cellText(s), Style: st} }

// cellText is text as a cell holds it: a tab or a line break becomes a space, as LibreOffice keeps neither
// in a cell of an ODS file, so that both formats hold the same text.
func cellText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// ukDate writes a date as GOV.UK style has it: 1 April 2024.
func ukDate(t time.Time) string { return t.Format("2 January 2006") }

// workbook lays the return out as a workbook.
func (r *Return) workbook() workbook {
	var notes noteList
	tableNotes := make([][]int, len(r.Tables))
	for i, t := range r.Tables {
		var nums []int
		add := func(s string) {
			n := notes.number(s)
			for _, x := range nums {
				if x == n {
					return
				}
			}
			nums = append(nums, n)
		}
		add(noteByReferral)
		for _, h := range t.Headings {
			if strings.Contains(h, "%") {
				add(notePercent)
				break
			}
		}
		for _, h := range t.Headings {
			if strings.Contains(h, "(local use)") {
				add(noteLocalUse)
				break
			}
		}
		for _, n := range r.Provenance.Notes {
			add(n)
		}
		for _, n := range t.Notes {
			add(n)
		}
		tableNotes[i] = nums
	}

	wb := workbook{
		Title:    r.workbookTitle(),
		Subject:  fmt.Sprintf("Statistical return of the %s Prevent partnership for %s", r.Partnership, r.Year),
		Creator:  r.Partnership,
		Keywords: "Prevent, Channel, referrals, statistics, " + r.Year.String(),
		Created:  r.Provenance.GeneratedAt.UTC(),
	}
	wb.Sheets = append(wb.Sheets, r.coverSheet(), r.contentsSheet(), r.notesSheet(notes.texts))
	for i, t := range r.Tables {
		wb.Sheets = append(wb.Sheets, r.tableSheet(i, t, tableNotes[i]))
	}
	return wb
}

func (r *Return) coverSheet() wbSheet {
	start, end := r.Year.Start().Add(time.Hour), r.Year.End().Add(-time.Hour) // days in the UK, away from midnight UTC
	period := ukDate(start) + " to " + ukDate(end)
	p := r.Provenance
	var names []string
	for _, sh := range shorthand {
		names = append(names, sh.Symbol+" "+sh.Name)
	}
	rows := [][]wbCell{
		{text(r.workbookTitle(), styleTitle)},
		{text(fmt.Sprintf("This workbook has a cover sheet, a table of contents, a notes sheet and %d tables, one on each worksheet after the notes.", len(r.Tables)), styleParagraph)},
	}
	section := func(heading, body string) {
		rows = append(rows, []wbCell{text(heading, styleSubheading)}, []wbCell{text(body, styleParagraph)})
	}
	section("What the return covers", fmt.Sprintf("Referrals to Prevent submitted to the %s partnership in the financial year %s (%s), and how far each has gone: discussed at a Channel panel, adopted as a Channel case, closed with no further action or signposted to other services. The tables hold counts only, in the shape of the Home Office's statistics on individuals referred to and supported through the Prevent Programme.", r.Partnership, r.Year, period))
	section("Partnership", r.Partnership)
	section("Prevent Co-ordinator Region", r.Region)
	section("Financial year", r.Year.String())
	section("Period", period)
	section("Disclosure control", p.Policy.String()+". "+p.Policy.Summary)
	section("Shorthand", "Where a figure is not shown, its cell holds a shorthand in square brackets instead: "+strings.Join(names, ", ")+". The notes sheet explains each.")
	section("Lists of categories", strings.Join(p.Lists, "; "))
	section("Query", p.QueryVersion)
	section("Input digest", "HMAC-SHA-256 "+p.InputDigest+". The same records give the same digest; the partnership, which holds the key, can recompute it.")
	section("Generated", ukDate(p.GeneratedAt.UTC())+" at "+p.GeneratedAt.UTC().Format("15:04")+" UTC")
	section("Contact", "The partnership's Prevent co-ordinator. No contact is recorded with a return yet.")
	return wbSheet{Name: coverSheet, Rows: rows, Widths: []float64{110}}
}

func (r *Return) contentsSheet() wbSheet {
	var titles []string
	for _, t := range r.Tables {
		titles = append(titles, r.placedTitle(t))
	}
	return contentsOf(titles, "return")
}

// contentsOf is the table of contents of a workbook whose tables have these titles; what names what the tables
// are of ("return", "dashboard").
func contentsOf(titles []string, what string) wbSheet {
	rows := [][]wbCell{
		{text("Table of contents", styleTitle)},
		{text("This worksheet contains one table, starting in row 3, with one header row: a row for each table of the "+what+", with the name of its worksheet as a link to it. The notes are on the Notes worksheet.", styleText)},
		{text("Sheet name", styleHeadLabel), text("Table title", styleHeadLabel)},
	}
	for i, title := range titles {
		rows = append(rows, []wbCell{{Text: tableSheet(i), Style: styleLink, Link: tableSheet(i)}, text(title, styleLabel)})
	}
	return wbSheet{Name: contentsSheet, Rows: rows, Widths: widths(rows, 2, 12, 110), Table: &wbTable{Name: "Contents", Header: 2, Columns: 2}}
}

func (r *Return) notesSheet(notes []string) wbSheet { return notesOf(notes) }

// notesOf is the notes sheet: the shorthand explained, then the numbered notes.
func notesOf(notes []string) wbSheet {
	header := 3 + len(shorthand) // 0-based: title, description, shorthand lead-in, one row per shorthand
	rows := [][]wbCell{
		{text("Notes", styleTitle)},
		{text(fmt.Sprintf("This worksheet contains one table of notes, starting in row %d, with one header row. The tables refer to a note by its number, as [note 1], in their titles.", header+1), styleText)},
		{text("Where a figure is not shown, a table's cell holds a shorthand in square brackets instead:", styleText)},
	}
	for _, sh := range shorthand {
		rows = append(rows, []wbCell{text(sh.Symbol+" means "+sh.Name+": "+sh.Meaning, styleText)})
	}
	rows = append(rows, []wbCell{text("Note number", styleHeadLabel), text("Note text", styleHeadLabel)})
	for i, n := range notes {
		rows = append(rows, []wbCell{text(fmt.Sprintf("[note %d]", i+1), styleLabel), text(n, styleLabel)})
	}
	return wbSheet{Name: notesSheet, Rows: rows, Widths: []float64{14, 110}, Table: &wbTable{Name: "Notes", Header: header, Columns: 2}}
}

func (r *Return) tableSheet(i int, t Table, notes []int) wbSheet {
	return tableSheetOf(i, t, r.placedTitle(t), notes,
		fmt.Sprintf("Source: the partnership's case records (%s), under disclosure control %s.", r.Provenance.QueryVersion, r.Provenance.Policy))
}

// tableSheetOf is the worksheet of table i, under its title with its notes marked, saying where its figures
// come from.
func tableSheetOf(i int, t Table, placed string, notes []int, source string) wbSheet {
	title := fmt.Sprintf("Table %d: %s", i+1, placed)
	if len(notes) > 0 {
		title += " " + noteMarks(notes)
	}
	var used []string
	for _, sh := range shorthand {
		for _, row := range t.Rows {
			if containsText(row.Cells, sh.Symbol) {
				used = append(used, sh.Symbol+" "+sh.Name)
				break
			}
		}
	}
	lastRow := ""
	if len(t.Rows) > 0 && t.Rows[len(t.Rows)-1].Total {
		lastRow = "; its last row is the total"
	}
	key := "This table uses no shorthand."
	if len(used) > 0 {
		key = "Shorthand in this table: " + strings.Join(used, ", ") + ". The notes sheet explains it."
	}
	rows := [][]wbCell{
		{text(title, styleTitle)},
		{text(fmt.Sprintf("This worksheet contains one table, starting in row %d, with one header row%s. The notes are on the Notes worksheet.", tableStart, lastRow), styleText)},
		{text(key, styleText)},
		{text(source, styleText)},
	}
	head := make([]wbCell, len(t.Headings))
	for c, h := range t.Headings {
		head[c] = text(h, styleHeadFigure)
	}
	if len(head) > 0 {
		head[0].Style = styleHeadLabel
	}
	rows = append(rows, head)
	for _, row := range t.Rows {
		cells := []wbCell{text(row.Label, styleLabel)}
		for _, c := range row.Cells {
			if c.Number {
				cells = append(cells, wbCell{Text: strconv.Itoa(c.Value), Value: c.Value, Number: true, Style: styleFigure})
			} else if isShorthand(c.Text) {
				cells = append(cells, text(c.Text, styleShorthand))
			} else {
				cells = append(cells, text(c.Text, styleLabel))
			}
		}
		rows = append(rows, cells)
	}
	return wbSheet{Name: tableSheet(i), Rows: rows, Widths: widths(rows, tableStart-1, 12, 45),
		Table: &wbTable{Name: tableSheet(i) + "_" + strings.ReplaceAll(t.ID, "-", "_"), Header: tableStart - 1, Columns: len(t.Headings)}}
}

func containsText(cells []Cell, s string) bool {
	for _, c := range cells {
		if !c.Number && c.Text == s {
			return true
		}
	}
	return false
}

// widths sets each column of a table wide enough for its longest figure or label and for its heading on at
// most three lines (headings of figures wrap), between least and most characters; a longer label wraps.
func widths(rows [][]wbCell, header, least, most int) []float64 {
	var w []float64
	for r := header; r < len(rows); r++ {
		for c, cell := range rows[r] {
			for len(w) <= c {
				w = append(w, float64(least))
			}
			n := utf8.RuneCountInString(cell.Text)
			if r == header && c > 0 {
				// A heading wraps onto at most three lines, unless a word is longer than a third of it.
				n = (n + 2) / 3
				for _, word := range strings.Fields(cell.Text) {
					n = max(n, utf8.RuneCountInString(word))
				}
			}
			w[c] = max(w[c], float64(min(n+2, most)))
		}
	}
	return w
}

// lines estimates how many lines text takes when wrapped in a column width characters wide, for row heights
// where the format does not work them out itself. A width is in digits, and text in Arial averages about a
// tenth narrower than its digits.
func lines(text string, width float64) int {
	width *= 1.1
	n, col := 1, 0
	for _, word := range strings.Fields(text) {
		l := utf8.RuneCountInString(word)
		switch {
		case col == 0:
			col = l
		case float64(col+1+l) <= width:
			col += 1 + l
		default:
			n++
			col = l
		}
	}
	return n
}

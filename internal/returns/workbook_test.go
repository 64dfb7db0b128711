package returns

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

// readCell is a cell as read back from a workbook: its text, and whether it is stored as a number.
type readCell struct {
	Text   string
	Number bool
}

// readBook is a workbook as read back: its sheets in order, each a grid from A1 with trailing empty cells
// and trailing empty rows left out.
type readBook struct {
	Names  []string
	Sheets map[string][][]readCell
}

func (b *readBook) add(name string, rows [][]readCell) {
	if b.Sheets == nil {
		b.Sheets = map[string][][]readCell{}
	}
	for i := range rows {
		for len(rows[i]) > 0 && rows[i][len(rows[i])-1] == (readCell{}) {
			rows[i] = rows[i][:len(rows[i])-1]
		}
	}
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	b.Names = append(b.Names, name)
	b.Sheets[name] = rows
}

// fixtureReturn is the return of the package's test partnership for 2024/25, under suppression: it has
// withheld counts, percentages of no referrals, rows not in a list and notes.
func fixtureReturn(t *testing.T) *Return {
	t.Helper()
	db := dbtest.NewSQLite(t)
	f := newFixture(t, db, "Elmshire", "Yorkshire and the Humber")
	year2024(t, f)
	r, err := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey}).Compute(context.Background(),
		f.principal(prevent.Coordinator), Request{PartnershipID: f.pid, Year: 2024, Policy: SuppressBelow5})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// oddReturn is a small return written by hand whose text needs escaping and keeping as it is (ampersands,
// angle brackets, quotes, runs of spaces, a tab) and whose figures need thousands separators.
func oddReturn() *Return {
	n := func(v int) Cell { return Cell{Text: strconv.Itoa(v), Value: v, Number: true} }
	return &Return{
		Partnership: `Smith & Jones <Borough> "East"`,
		Region:      "Wales",
		Year:        2023,
		Tables: []Table{{
			ID:       "odd-figures",
			Title:    "Odd figures, 2023/24",
			Headings: []string{"Label", "Referrals", "Referrals: % of all"},
			Rows: []Row{
				{Label: "  two  spaces & <tags> ", Cells: []Cell{n(12345), n(99)}},
				{Label: "a\ttab and 'quotes'", Cells: []Cell{{Text: Confidential}, {Text: Confidential}}},
				{Label: "none", Cells: []Cell{n(0), {Text: NotApplicable}}},
				{Label: "unknown", Cells: []Cell{{Text: NotAvailable}, {Text: NotAvailable}}},
				{Label: "Total", Total: true, Cells: []Cell{n(12480), n(100)}},
			},
			Notes: []string{"A table's note with <xml> & an ampersand."},
		}},
		Provenance: Provenance{QueryVersion: queryVersion, Lists: []string{"concern_type version 3 (from 2021/22)"}, Policy: SuppressBelow5,
			GeneratedAt: time.Date(2024, 6, 30, 23, 15, 0, 0, time.UTC), InputDigest: strings.Repeat("ab", 32), Notes: []string{"A return's note."}},
	}
}

// readXLSX reads every cell of every sheet with excelize, numbers as they are stored (no number format).
func readXLSX(t *testing.T, data []byte) (*excelize.File, readBook) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize cannot open the workbook: %v", err)
	}
	var book readBook
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		grid := make([][]readCell, len(rows))
		for r, row := range rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				typ, err := f.GetCellType(name, ref)
				if err != nil {
					t.Fatal(err)
				}
				number := v != "" && (typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber)
				grid[r] = append(grid[r], readCell{Text: v, Number: number})
			}
		}
		book.add(name, grid)
	}
	return f, book
}

// readODS reads every cell of every sheet from content.xml, with encoding/xml: a float cell is a number,
// anything else is text (its paragraphs joined by new lines, with text:s and text:tab expanded).
func readODS(t *testing.T, data []byte) readBook {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var content []byte
	for _, f := range zr.File {
		if f.Name == "content.xml" {
			rc, _ := f.Open()
			content, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	attr := func(e xml.StartElement, local string) string {
		for _, a := range e.Attr {
			if a.Name.Local == local {
				return a.Value
			}
		}
		return ""
	}
	var (
		book  readBook
		name  string
		grid  [][]readCell
		cell  *readCell
		text  strings.Builder
		paras int
	)
	d := xml.NewDecoder(bytes.NewReader(content))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("content.xml: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "table":
				name, grid = attr(e, "name"), nil
			case "table-row":
				grid = append(grid, nil)
			case "table-cell":
				cell, paras = &readCell{Number: attr(e, "value-type") == "float"}, 0
				text.Reset()
			case "p":
				if paras > 0 {
					text.WriteByte('\n')
				}
				paras++
			case "s":
				c := 1
				if v := attr(e, "c"); v != "" {
					c, _ = strconv.Atoi(v)
				}
				text.WriteString(strings.Repeat(" ", c))
			case "tab":
				text.WriteByte('\t')
			}
		case xml.CharData:
			if cell != nil {
				text.Write(e)
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "table-cell":
				cell.Text = text.String()
				grid[len(grid)-1] = append(grid[len(grid)-1], *cell)
				cell = nil
			case "table":
				book.add(name, grid)
			}
		}
	}
	return book
}

// statedRow reads the row a sheet says its table starts in ("starting in row 5").
var statedRow = regexp.MustCompile(`starting in row (\d+)`)

// checkBook checks a workbook, as read back, against the return: the sheets, the cover, the contents, the
// notes, and every cell of every table, figures as numbers and shorthand as text.
func checkBook(t *testing.T, what string, r *Return, b readBook) {
	t.Helper()
	want := []string{"Cover", "Contents", "Notes"}
	for i := range r.Tables {
		want = append(want, fmt.Sprintf("Table_%d", i+1))
	}
	if !slices.Equal(b.Names, want) {
		t.Fatalf("%s: sheets %v, want %v", what, b.Names, want)
	}
	// Text is written with tabs and line breaks as spaces (cellText).
	txt := func(s string) readCell { return readCell{Text: cellText(s)} }
	year := r.Year.String()
	placed := func(tb Table) string {
		return cellText(strings.TrimSuffix(tb.Title, ", "+year) + ", " + r.Partnership + ", " + year)
	}
	for _, name := range b.Names {
		rows := b.Sheets[name]
		if len(rows) == 0 || rows[0][0].Text == "" || rows[0][0].Number {
			t.Errorf("%s %s: no title in A1", what, name)
			continue
		}
		width := 0
		for i, row := range rows {
			width = max(width, len(row))
			if len(row) == 0 || row[0].Text == "" {
				t.Errorf("%s %s: row %d is blank, or blank in column A", what, name, i+1)
			}
		}
		for c := range width {
			if !slices.ContainsFunc(rows, func(row []readCell) bool { return c < len(row) && row[c].Text != "" }) {
				t.Errorf("%s %s: column %d is blank", what, name, c+1)
			}
		}
	}

	// The cover: the title, then headings each followed by its text.
	cover := b.Sheets["Cover"]
	if got := cover[0][0].Text; !strings.Contains(got, r.Partnership) || !strings.Contains(got, year) {
		t.Errorf("%s: cover title %q", what, got)
	}
	facts := map[string]string{}
	for i := 2; i+1 < len(cover); i += 2 {
		facts[cover[i][0].Text] = cover[i+1][0].Text
	}
	p := r.Provenance
	start := fmt.Sprintf("1 April %d to 31 March %d", int(r.Year), int(r.Year)+1)
	for k, v := range map[string]string{
		"Partnership": r.Partnership, "Prevent Co-ordinator Region": r.Region, "Financial year": year, "Period": start,
		"Disclosure control": p.Policy.String() + ". " + p.Policy.Summary, "Query": p.QueryVersion, "Lists of categories": strings.Join(p.Lists, "; "),
		"Generated": p.GeneratedAt.Format("2 January 2006 at 15:04 UTC"),
	} {
		if v = cellText(v); facts[k] != v {
			t.Errorf("%s: cover %s is %q, want %q", what, k, facts[k], v)
		}
	}
	if !strings.Contains(facts["Input digest"], p.InputDigest) || facts["Contact"] == "" || !strings.Contains(facts["What the return covers"], start) {
		t.Errorf("%s: cover %v", what, facts)
	}
	for _, sh := range []string{Confidential, NotApplicable, NotAvailable} {
		if !strings.Contains(facts["Shorthand"], sh) {
			t.Errorf("%s: the cover does not name %s", what, sh)
		}
	}

	// The contents: a row for each table, the sheet's name and the table's title.
	contents := b.Sheets["Contents"]
	wantContents := [][]readCell{{txt("Table of contents")}, contents[1], {txt("Sheet name"), txt("Table title")}}
	for i, tb := range r.Tables {
		wantContents = append(wantContents, []readCell{txt(fmt.Sprintf("Table_%d", i+1)), txt(placed(tb))})
	}
	if !slices.EqualFunc(contents, wantContents, slices.Equal) || statedRow.FindString(contents[1][0].Text) != "starting in row 3" {
		t.Errorf("%s: contents %v", what, contents)
	}

	// The notes: the shorthand explained above the table, then a table of numbered notes.
	notes := b.Sheets["Notes"]
	m := statedRow.FindStringSubmatch(notes[1][0].Text)
	if m == nil {
		t.Fatalf("%s: the notes sheet does not say where its table starts: %q", what, notes[1][0].Text)
	}
	header, _ := strconv.Atoi(m[1])
	if header > len(notes) || !slices.Equal(notes[header-1], []readCell{txt("Note number"), txt("Note text")}) {
		t.Fatalf("%s: no notes header in row %d: %v", what, header, notes)
	}
	for _, sh := range shorthand {
		if !slices.ContainsFunc(notes[2:header-1], func(row []readCell) bool {
			return strings.HasPrefix(row[0].Text, sh.Symbol+" means "+sh.Name+": ") && len(row[0].Text) > 40
		}) {
			t.Errorf("%s: the notes sheet does not explain %s", what, sh.Symbol)
		}
	}
	number := map[string]int{}
	for i, row := range notes[header:] {
		if len(row) != 2 || row[0].Text != fmt.Sprintf("[note %d]", i+1) || row[0].Number {
			t.Errorf("%s: notes row %v", what, row)
			continue
		}
		number[row[1].Text] = i + 1
	}

	// Each table: the title with its notes, the rows above it, its header in row 5 and every cell.
	for i, tb := range r.Tables {
		name := fmt.Sprintf("Table_%d", i+1)
		rows := b.Sheets[name]
		title := rows[0][0].Text
		if !strings.HasPrefix(title, fmt.Sprintf("Table %d: %s [note ", i+1, placed(tb))) {
			t.Errorf("%s %s: title %q", what, name, title)
		}
		for _, n := range append(slices.Clone(p.Notes), tb.Notes...) {
			if k, ok := number[cellText(n)]; !ok || !strings.Contains(title, fmt.Sprintf("[note %d]", k)) {
				t.Errorf("%s %s: the title %q does not refer to the note %q", what, name, title, n)
			}
		}
		if statedRow.FindString(rows[1][0].Text) != "starting in row 5" {
			t.Errorf("%s %s: %q", what, name, rows[1][0].Text)
		}
		if len(rows) != 5+len(tb.Rows) {
			t.Errorf("%s %s: %d rows, want %d above the table and %d in it", what, name, len(rows), 4, 1+len(tb.Rows))
			continue
		}
		var head []readCell
		for _, h := range tb.Headings {
			head = append(head, txt(h))
		}
		if !slices.Equal(rows[4], head) {
			t.Errorf("%s %s: header row %v, want %v", what, name, rows[4], head)
		}
		for ri, row := range tb.Rows {
			wantRow := []readCell{txt(row.Label)}
			for _, c := range row.Cells {
				if c.Number {
					wantRow = append(wantRow, readCell{Text: strconv.Itoa(c.Value), Number: true})
				} else {
					if !isShorthand(c.Text) {
						t.Errorf("%s %s: %q is not a shorthand the notes explain", what, name, c.Text)
					}
					wantRow = append(wantRow, txt(c.Text))
					if !strings.Contains(rows[2][0].Text, c.Text) {
						t.Errorf("%s %s: the key above the table does not give %s", what, name, c.Text)
					}
				}
			}
			if got := rows[5+ri]; !slices.Equal(got, wantRow) {
				t.Errorf("%s %s row %d: %v, want %v", what, name, 6+ri, got, wantRow)
			}
		}
	}
}

// sameBook checks that two readings of a workbook hold the same cells.
func sameBook(t *testing.T, what string, got, want readBook) {
	t.Helper()
	if !slices.Equal(got.Names, want.Names) {
		t.Fatalf("%s: sheets %v, want %v", what, got.Names, want.Names)
	}
	for _, name := range want.Names {
		g, w := got.Sheets[name], want.Sheets[name]
		for r := range max(len(g), len(w)) {
			var gr, wr []readCell
			if r < len(g) {
				gr = g[r]
			}
			if r < len(w) {
				wr = w[r]
			}
			if !slices.Equal(gr, wr) {
				t.Errorf("%s %s row %d: %v, want %v", what, name, r+1, gr, wr)
			}
		}
	}
}

func TestWorkbooksHoldTheReturn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		r    *Return
	}{{"fixture", fixtureReturn(t)}, {"odd", oddReturn()}} {
		t.Run(c.name, func(t *testing.T) {
			r := c.r
			x, err := r.XLSX()
			if err != nil {
				t.Fatal(err)
			}
			o, err := r.ODS()
			if err != nil {
				t.Fatal(err)
			}
			f, xb := readXLSX(t, x)
			checkBook(t, "XLSX", r, xb)
			ob := readODS(t, o)
			checkBook(t, "ODS", r, ob)
			sameBook(t, "ODS against XLSX", ob, xb)

			// The XLSX: no merged cells, widths set, each table marked up without filter buttons, links from
			// the contents, and the document's properties.
			for i, name := range f.GetSheetList() {
				if mc, _ := f.GetMergeCells(name); len(mc) > 0 {
					t.Errorf("XLSX %s: merged cells %v", name, mc)
				}
				if w, _ := f.GetColWidth(name, "A"); w < 12 {
					t.Errorf("XLSX %s: column A is %v wide", name, w)
				}
				tables, err := f.GetTables(name)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case i == 0 && len(tables) != 0, i > 0 && len(tables) != 1:
					t.Errorf("XLSX %s: tables %+v", name, tables)
				case i > 2 && !strings.HasPrefix(tables[0].Range, "A5:"):
					t.Errorf("XLSX %s: the table is %s", name, tables[0].Range)
				}
			}
			for i := range r.Tables {
				ok, link, err := f.GetCellHyperLink("Contents", fmt.Sprintf("A%d", 4+i))
				if err != nil || !ok || link != fmt.Sprintf("'Table_%d'!A1", i+1) {
					t.Errorf("XLSX contents row %d: link %v %q %v", 4+i, ok, link, err)
				}
			}
			zr, err := zip.NewReader(bytes.NewReader(x), int64(len(x)))
			if err != nil {
				t.Fatal(err)
			}
			for _, zf := range zr.File {
				if strings.HasPrefix(zf.Name, "xl/tables/") {
					rc, _ := zf.Open()
					b, _ := io.ReadAll(rc)
					rc.Close()
					if bytes.Contains(b, []byte("autoFilter")) {
						t.Errorf("XLSX %s has filter buttons", zf.Name)
					}
				}
			}
			props, err := f.GetDocProps()
			if err != nil {
				t.Fatal(err)
			}
			at := r.Provenance.GeneratedAt.UTC().Format(time.RFC3339)
			if props.Title != xb.Sheets["Cover"][0][0].Text || props.Language != "en-GB" || props.Created != at || props.Modified != at {
				t.Errorf("XLSX properties %+v", props)
			}
			f.Close()

			// The ODS: the mimetype first, stored, with no extra field; the manifest; the metadata.
			zr, err = zip.NewReader(bytes.NewReader(o), int64(len(o)))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, zf := range zr.File {
				names = append(names, zf.Name)
			}
			first := zr.File[0]
			if first.Name != "mimetype" || first.Method != zip.Store || len(first.Extra) != 0 || first.Flags&0x8 != 0 ||
				!bytes.HasPrefix(o[30:], []byte("mimetypeapplication/vnd.oasis.opendocument.spreadsheet")) {
				t.Errorf("ODS: the first entry is %+v", first.FileHeader)
			}
			if !slices.Equal(names, []string{"mimetype", "content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"}) {
				t.Errorf("ODS entries %v", names)
			}
			for _, zf := range zr.File {
				rc, _ := zf.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				if strings.HasSuffix(zf.Name, ".xml") {
					for d := xml.NewDecoder(bytes.NewReader(b)); ; {
						if _, err := d.Token(); err == io.EOF {
							break
						} else if err != nil {
							t.Fatalf("ODS %s: %v", zf.Name, err)
						}
					}
				}
				if zf.Name == "meta.xml" && (!bytes.Contains(b, []byte("<dc:language>en-GB</dc:language>")) ||
					!bytes.Contains(b, []byte("<meta:creation-date>"+at+"</meta:creation-date>")) || !bytes.Contains(b, []byte("<dc:title>"+esc(xb.Sheets["Cover"][0][0].Text)+"</dc:title>"))) {
					t.Errorf("ODS meta.xml: %s", b)
				}
			}

			// The same return gives the same bytes, in both formats.
			x2, err := r.XLSX()
			if err != nil {
				t.Fatal(err)
			}
			o2, err := r.ODS()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(x, x2) {
				t.Error("XLSX: the same return gives different bytes")
			}
			if !bytes.Equal(o, o2) {
				t.Error("ODS: the same return gives different bytes")
			}
		})
	}
}

// requireLibreOffice is the environment variable that makes a missing LibreOffice a failure, not a skip.
const requireLibreOffice = "PREVENT_REQUIRE_LIBREOFFICE"

// soffice finds LibreOffice, or skips the test (fails it when PREVENT_REQUIRE_LIBREOFFICE=1).
func soffice(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "LibreOffice (soffice) is not installed; install it with `apt-get install -y --no-install-recommends libreoffice-calc-nogui`"
	if os.Getenv(requireLibreOffice) == "1" {
		t.Fatal(msg + " (" + requireLibreOffice + "=1 requires it)")
	}
	t.Skip(msg + ", or set " + requireLibreOffice + "=1 to make this a failure")
	return ""
}

// csvFilter has LibreOffice write every sheet to a CSV file of its own (the last field, -1): comma separated,
// double quotes, UTF-8, every text cell quoted (the seventh field) so that numbers and text can be told apart,
// and the values stored, not as formatted.
const csvFilter = `csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,-1`

// readLibreOfficeCSV reads a CSV file LibreOffice wrote with every text cell quoted: a quoted field is text,
// an unquoted one a number (or empty).
func readLibreOfficeCSV(data []byte) ([][]readCell, error) {
	s := string(bytes.TrimPrefix(data, []byte("\uFEFF")))
	var (
		rows [][]readCell
		row  []readCell
	)
	for i := 0; i < len(s); {
		var c readCell
		if s[i] == '"' {
			var b strings.Builder
			for i++; ; i++ {
				if i >= len(s) {
					return nil, errors.New("unterminated quoted field")
				}
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						b.WriteByte('"')
						i++
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
			}
			c.Text = b.String()
		} else {
			j := i
			for j < len(s) && s[j] != ',' && s[j] != '\n' && s[j] != '\r' {
				j++
			}
			c = readCell{Text: s[i:j], Number: j > i}
			i = j
		}
		row = append(row, c)
		switch {
		case i >= len(s):
		case s[i] == ',':
			i++
			if i == len(s) || s[i] == '\n' || s[i] == '\r' {
				row = append(row, readCell{})
			}
			continue
		case s[i] == '\r' || s[i] == '\n':
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			i++
		default:
			return nil, fmt.Errorf("unexpected %q after a field", s[i])
		}
		rows = append(rows, row)
		row = nil
	}
	if row != nil {
		rows = append(rows, row)
	}
	return rows, nil
}

// TestLibreOfficeReadsTheWorkbooks opens both formats of two returns with LibreOffice, in one run of it (each
// start is slow), has it write every sheet as CSV, and compares every cell with the return's tables and with
// the cells the package wrote.
func TestLibreOfficeReadsTheWorkbooks(t *testing.T) {
	t.Parallel()
	bin := soffice(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	returns := map[string]*Return{"fixture": fixtureReturn(t), "odd": oddReturn()}
	var files []string
	written := map[string]readBook{}
	for name, r := range returns {
		x, err := r.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		o, err := r.ODS()
		if err != nil {
			t.Fatal(err)
		}
		written[name] = readODS(t, o)
		for _, f := range []struct {
			file string
			data []byte
		}{{name + ".ods", o}, {name + "x.xlsx", x}} {
			p := filepath.Join(dir, f.file)
			if err := os.WriteFile(p, f.data, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, p)
		}
	}
	slices.Sort(files)
	// A profile and a home of the test's own, so that runs side by side do not share LibreOffice's lock.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"-env:UserInstallation=file://" + filepath.ToSlash(filepath.Join(dir, "profile")),
		"--headless", "--norestore", "--convert-to", csvFilter, "--outdir", out}, files...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+filepath.Join(dir, "home"))
	started := time.Now()
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, output)
	}
	t.Logf("LibreOffice converted %d files in %s", len(files), time.Since(started).Round(time.Millisecond))
	for name, r := range returns {
		for _, base := range []string{name + ".ods", name + "x.xlsx"} {
			what := "LibreOffice reading " + base
			base = strings.TrimSuffix(base, filepath.Ext(base))
			var book readBook
			for _, sheet := range written[name].Names {
				data, err := os.ReadFile(filepath.Join(out, base+"-"+sheet+".csv"))
				if err != nil {
					t.Fatalf("%s: sheet %s was not written: %v\n%s", what, sheet, err, output)
				}
				rows, err := readLibreOfficeCSV(data)
				if err != nil {
					t.Fatalf("%s: sheet %s: %v", what, sheet, err)
				}
				book.add(sheet, rows)
			}
			if extra, _ := filepath.Glob(filepath.Join(out, base+"-*.csv")); len(extra) != len(book.Names) {
				t.Errorf("%s: %d sheets written, want %d", what, len(extra), len(book.Names))
			}
			checkBook(t, what, r, book)
			sameBook(t, what, book, written[name])
		}
	}
}

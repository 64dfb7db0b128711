package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/xuri/excelize/v2"
)

// MaxRows is the most data rows one file may hold.
const MaxRows = 50000

// MaxCell is the longest a cell may be, in bytes.
const MaxCell = 10000

// maxUnzipped bounds what a workbook may unpack to: far more than MaxRows rows of text need.
const maxUnzipped = 256 << 20

// table is a file read into its header and rows: each row is keyed by the header's column names.
type table struct {
	header []string
	rows   []map[string]string
	// numbers are the spreadsheet row numbers of rows (the header is row 1).
	numbers []int
}

// isXLSX reports whether the file is an Office Open XML workbook: by its name, or by its zip signature.
func isXLSX(name string, data []byte) bool {
	return strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04"))
}

// normalise turns a heading as a person might type it ("Date of birth ") into a column name
// ("date_of_birth").
func normalise(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == ' ' || r == '_' || r == '-':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
				b.WriteByte('_')
			}
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}

// readTable reads a CSV or XLSX file (the first sheet). A problem with the file as a whole (not a table,
// too many rows) is returned as an error whose message can be shown; a problem with a cell is a Problem.
func readTable(name string, data []byte) (table, []Problem, error) {
	var records [][]string
	if isXLSX(name, data) {
		// A workbook is a zip: bound what it may unpack to, so a small file cannot expand to exhaust memory.
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped / 4})
		if err != nil && strings.Contains(err.Error(), "unzip size exceeds") {
			return table{}, nil, prevent.Errorf(prevent.Invalid, "The workbook unpacks to more than %d MB: save it as CSV, or split it into smaller files", maxUnzipped>>20)
		}
		if err != nil {
			return table{}, nil, prevent.Errorf(prevent.Invalid, "The file is not a workbook that can be read: save it again as .xlsx or .csv")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return table{}, nil, prevent.Errorf(prevent.Invalid, "The workbook has no sheets")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return table{}, nil, prevent.Errorf(prevent.Invalid, "The workbook's first sheet cannot be read")
		}
		defer rows.Close()
		for rows.Next() {
			cols, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return table{}, nil, prevent.Errorf(prevent.Invalid, "The workbook's first sheet cannot be read")
			}
			records = append(records, cols)
			if len(records) > MaxRows+1 {
				return table{}, nil, prevent.Errorf(prevent.Invalid, "The file has more than %d rows: split it into smaller files", MaxRows)
			}
		}
	} else {
		data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					return table{}, nil, prevent.Errorf(prevent.Invalid, "Row %d of the file is not valid CSV: %s", pe.StartLine, pe.Err)
				}
				return table{}, nil, prevent.Errorf(prevent.Invalid, "The file is not valid CSV")
			}
			records = append(records, rec)
			if len(records) > MaxRows+1 {
				return table{}, nil, prevent.Errorf(prevent.Invalid, "The file has more than %d rows: split it into smaller files", MaxRows)
			}
		}
	}
	if len(records) == 0 {
		return table{}, nil, prevent.Errorf(prevent.Invalid, "The file is empty: its first row must name the columns")
	}
	var t table
	var problems []Problem
	seen := map[string]bool{}
	for _, h := range records[0] {
		c := normalise(h)
		if c != "" && seen[c] {
			problems = append(problems, Problem{Row: 1, Column: c, Message: "This column appears twice"})
		}
		seen[c] = true
		t.header = append(t.header, c)
	}
	for i, rec := range records[1:] {
		row := map[string]string{}
		empty := true
		for j, v := range rec {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			empty = false
			col := ""
			if j < len(t.header) {
				col = t.header[j]
			}
			if col == "" {
				problems = append(problems, Problem{Row: i + 2, Column: fmt.Sprintf("column %d", j+1), Message: "This cell has no column heading: remove it, or name its column"})
				continue
			}
			if msg := cellProblem(v); msg != "" {
				problems = append(problems, Problem{Row: i + 2, Column: col, Message: msg})
				continue
			}
			row[col] = v
		}
		if empty {
			continue
		}
		t.rows = append(t.rows, row)
		t.numbers = append(t.numbers, i+2)
	}
	return t, problems, nil
}

// cellProblem refuses what no field may hold: text that is not UTF-8, control characters other than line
// breaks and tabs, and very long cells.
func cellProblem(v string) string {
	if !utf8.ValidString(v) {
		return "This cell is not valid text: save the file as UTF-8"
	}
	for _, r := range v {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return "This cell holds a control character: remove it"
		}
	}
	if len(v) > MaxCell {
		return fmt.Sprintf("This cell must be %d characters or fewer", MaxCell)
	}
	return ""
}

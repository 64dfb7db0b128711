package importer

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

// TestWorkbookThatUnpacksTooFar: a small workbook that would unpack to more than maxUnzipped is refused as a
// problem with the file, not read into memory.
func TestWorkbookThatUnpacksTooFar(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 300 MB stream into a zip")
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := []byte(strings.Repeat(" ", 1<<20))
	for range 300 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 2<<20 {
		t.Fatalf("the zip is %d bytes; the test wants a small file", b.Len())
	}
	_, _, err = readTable("bomb.xlsx", b.Bytes())
	if err == nil || !strings.Contains(err.Error(), "unpacks to more than 256 MB") {
		t.Fatalf("a workbook unpacking to 300 MB: %v", err)
	}
}

// TestReadTableHeadings: headings are matched as people write them, and a heading given twice is a problem.
func TestReadTableHeadings(t *testing.T) {
	tb, problems, err := readTable("x.csv", []byte("\xEF\xBB\xBFDate of birth , Given-Names,given names\n1990-01-01,Ann,Ann\n,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tb.header[0] != "date_of_birth" || tb.header[1] != "given_names" || len(tb.rows) != 1 || tb.numbers[0] != 2 {
		t.Errorf("table = %+v", tb)
	}
	if len(problems) != 1 || problems[0].Row != 1 || problems[0].Column != "given_names" {
		t.Errorf("problems = %+v", problems)
	}
}

package returns

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// ODS writes the return as an OpenDocument spreadsheet (see workbook.go for its layout), the format the
// guidance prefers for spreadsheets published for people to read. It is a zip of the mimetype (first, stored,
// with no extra field), the manifest, content.xml with the sheets, styles.xml with the few named styles the
// cells use (the titles are Heading 1, the cover's headings Heading 2) and meta.xml with the title, language and
// times. Each table is a named database range with a header row. The same return gives the same bytes: parts
// in a fixed order, every timestamp the same, and the document's times the return's generation time.
func (r *Return) ODS() ([]byte, error) { return writeODS(r.workbook()) }

// writeODS writes a workbook as an OpenDocument spreadsheet.
func writeODS(wb workbook) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	mimetype := []byte(odsMimetype)
	h := zipHeader("mimetype", zip.Store)
	h.CRC32, h.CompressedSize64, h.UncompressedSize64 = crc32.ChecksumIEEE(mimetype), uint64(len(mimetype)), uint64(len(mimetype))
	w, err := zw.CreateRaw(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(mimetype); err != nil {
		return nil, err
	}
	for _, part := range []struct {
		name string
		data string
	}{
		{"content.xml", odsContent(wb)},
		{"styles.xml", odsStyles},
		{"meta.xml", odsMeta(wb)},
		{"META-INF/manifest.xml", odsManifest},
	} {
		w, err := zw.CreateHeader(zipHeader(part.name, zip.Deflate))
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(part.data)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// zipHeader is the header of an entry dated 1 January 1980 (every entry the same) with no extra field: the
// mimetype entry of an ODF package must carry none, and setting Modified would add an extended timestamp.
func zipHeader(name string, method uint16) *zip.FileHeader {
	//lint:ignore SA1019 the MS-DOS date is set directly so that no extra field is written.
	return &zip.FileHeader{Name: name, Method: method, ModifiedDate: zipDate}
}

// zipDate is 1 January 1980, the first day a zip entry can carry, in MS-DOS form.
const zipDate = 1<<5 | 1

const odsMimetype = "application/vnd.oasis.opendocument.spreadsheet"

const odsManifest = xml.Header + `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
`

const odsNamespaces = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.2"`

const odsFonts = `<office:font-face-decls><style:font-face style:name="Arial" svg:font-family="Arial" style:font-family-generic="swiss" style:font-pitch="variable"/></office:font-face-decls>`

// odsStyleNames are the named styles of styles.xml that each kind of cell takes.
var odsStyleNames = map[cellStyle]string{
	styleText:       "Default",
	styleParagraph:  "Paragraph",
	styleTitle:      "Heading_20_1",
	styleSubheading: "Heading_20_2",
	styleHeadLabel:  "Column_20_heading",
	styleHeadFigure: "Column_20_heading_20_figures",
	styleLabel:      "Row_20_label",
	styleFigure:     "Figure",
	styleShorthand:  "Shorthand",
	styleLink:       "Default",
}

// odsStyles are the named styles: the default (Arial 12 point, British English), the headings and the
// styles of a table's cells. Figures have thousands separators; text is in the automatic colour.
const odsStyles = xml.Header + `<office:document-styles ` + odsNamespaces + `>` + odsFonts + `
<office:styles>
 <number:number-style style:name="N3"><number:number number:decimal-places="0" number:min-integer-digits="1" number:grouping="true"/></number:number-style>
 <style:default-style style:family="table-cell"><style:text-properties style:font-name="Arial" fo:font-size="12pt" fo:language="en" fo:country="GB"/></style:default-style>
 <style:style style:name="Default" style:family="table-cell"/>
 <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="table-cell" style:parent-style-name="Default"><style:text-properties fo:font-size="16pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="table-cell" style:parent-style-name="Default"><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
 <style:style style:name="Paragraph" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/></style:style>
 <style:style style:name="Column_20_heading" style:display-name="Column heading" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="bottom" style:text-align-source="fix"/><style:paragraph-properties fo:text-align="start"/><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="Column_20_heading_20_figures" style:display-name="Column heading figures" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="bottom" style:text-align-source="fix"/><style:paragraph-properties fo:text-align="end"/><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="Row_20_label" style:display-name="Row label" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top" style:text-align-source="fix"/><style:paragraph-properties fo:text-align="start"/></style:style>
 <style:style style:name="Figure" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N3"><style:table-cell-properties style:vertical-align="top" style:text-align-source="fix"/><style:paragraph-properties fo:text-align="end"/></style:style>
 <style:style style:name="Shorthand" style:family="table-cell" style:parent-style-name="Default"><style:table-cell-properties style:vertical-align="top" style:text-align-source="fix"/><style:paragraph-properties fo:text-align="end"/></style:style>
</office:styles>
<office:automatic-styles><style:page-layout style:name="pm1"/></office:automatic-styles>
<office:master-styles><style:master-page style:name="Default" style:page-layout-name="pm1"/></office:master-styles>
</office:document-styles>
`

func odsMeta(wb workbook) string {
	var b strings.Builder
	at := wb.Created.UTC().Format("2006-01-02T15:04:05Z")
	b.WriteString(xml.Header + `<office:document-meta ` + odsNamespaces + `><office:meta>`)
	b.WriteString(`<meta:generator>prevent</meta:generator>`)
	fmt.Fprintf(&b, `<dc:title>%s</dc:title><dc:subject>%s</dc:subject><dc:language>%s</dc:language>`, esc(wb.Title), esc(wb.Subject), wbLanguage)
	fmt.Fprintf(&b, `<meta:initial-creator>%s</meta:initial-creator><dc:creator>%s</dc:creator>`, esc(wb.Creator), esc(wb.Creator))
	fmt.Fprintf(&b, `<meta:creation-date>%s</meta:creation-date><dc:date>%s</dc:date>`, at, at)
	for _, k := range strings.Split(wb.Keywords, ", ") {
		fmt.Fprintf(&b, `<meta:keyword>%s</meta:keyword>`, esc(k))
	}
	b.WriteString(`</office:meta></office:document-meta>` + "\n")
	return b.String()
}

// odsColumnWidth converts a width in characters to centimetres, for 12 point Arial.
func odsColumnWidth(chars float64) string {
	return strconv.FormatFloat(chars*0.26+0.2, 'f', 2, 64) + "cm"
}

func odsContent(wb workbook) string {
	var b strings.Builder
	b.WriteString(xml.Header + `<office:document-content ` + odsNamespaces + `>` + odsFonts + "\n<office:automatic-styles>\n")
	b.WriteString(` <style:style style:name="ta1" style:family="table" style:master-page-name="Default"><style:table-properties table:display="true" style:writing-mode="lr-tb"/></style:style>` + "\n")
	b.WriteString(` <style:style style:name="ro1" style:family="table-row"><style:table-row-properties style:use-optimal-row-height="true"/></style:style>` + "\n")
	// One column style for each distinct width, named in the order first used.
	colStyles := map[string]string{}
	var colOrder []string
	for _, sh := range wb.Sheets {
		for _, w := range sh.Widths {
			cw := odsColumnWidth(w)
			if _, ok := colStyles[cw]; !ok {
				colStyles[cw] = "co" + strconv.Itoa(len(colStyles)+1)
				colOrder = append(colOrder, cw)
			}
		}
	}
	for _, cw := range colOrder {
		fmt.Fprintf(&b, ` <style:style style:name="%s" style:family="table-column"><style:table-column-properties fo:break-before="auto" style:column-width="%s"/></style:style>`+"\n", colStyles[cw], cw)
	}
	b.WriteString("</office:automatic-styles>\n<office:body><office:spreadsheet>\n")
	for _, sh := range wb.Sheets {
		fmt.Fprintf(&b, `<table:table table:name="%s" table:style-name="ta1">`+"\n", esc(sh.Name))
		for _, w := range sh.Widths {
			fmt.Fprintf(&b, ` <table:table-column table:style-name="%s" table:default-cell-style-name="Default"/>`+"\n", colStyles[odsColumnWidth(w)])
		}
		for _, row := range sh.Rows {
			b.WriteString(` <table:table-row table:style-name="ro1">`)
			for _, c := range row {
				odsCell(&b, c)
			}
			b.WriteString("</table:table-row>\n")
		}
		b.WriteString("</table:table>\n")
	}
	b.WriteString("<table:database-ranges>\n")
	for _, sh := range wb.Sheets {
		if t := sh.Table; t != nil {
			ref := "'" + strings.ReplaceAll(sh.Name, "'", "''") + "'."
			fmt.Fprintf(&b, ` <table:database-range table:name="%s" table:target-range-address="%s" table:contains-header="true"/>`+"\n",
				esc(t.Name), esc(ref+cellName(0, t.Header)+":"+ref+cellName(t.Columns-1, len(sh.Rows)-1)))
		}
	}
	b.WriteString("</table:database-ranges>\n</office:spreadsheet></office:body></office:document-content>\n")
	return b.String()
}

func odsCell(b *strings.Builder, c wbCell) {
	style := odsStyleNames[c.Style]
	if c.Number {
		fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="float" office:value="%d"><text:p>%d</text:p></table:table-cell>`, style, c.Value, c.Value)
		return
	}
	fmt.Fprintf(b, `<table:table-cell table:style-name="%s" office:value-type="string"><text:p>`, style)
	if c.Link != "" {
		fmt.Fprintf(b, `<text:a xlink:type="simple" xlink:href="%s">`, esc("#"+c.Link+".A1"))
	}
	odsText(b, c.Text)
	if c.Link != "" {
		b.WriteString("</text:a>")
	}
	b.WriteString("</text:p>")
	b.WriteString("</table:table-cell>")
}

// odsText writes text as a paragraph's content. ODF collapses runs of spaces and drops them at either end,
// so every space beyond a single one between words is written as text:s. The workbook's text has no tabs or
// line breaks (cellText).
func odsText(b *strings.Builder, s string) {
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		if rs[i] != ' ' {
			for j < len(rs) && rs[j] != ' ' {
				j++
			}
			b.WriteString(esc(string(rs[i:j])))
			i = j
			continue
		}
		for j < len(rs) && rs[j] == ' ' {
			j++
		}
		n := j - i
		if i > 0 && j < len(rs) {
			b.WriteByte(' ')
			n--
		}
		switch {
		case n == 1:
			b.WriteString(`<text:s/>`)
		case n > 1:
			fmt.Fprintf(b, `<text:s text:c="%d"/>`, n)
		}
		i = j
	}
}

// cellName is the A1-style name of a cell from its 0-based column and row.
func cellName(col, row int) string {
	name := ""
	for col++; col > 0; col = (col - 1) / 26 {
		name = string(rune('A'+(col-1)%26)) + name
	}
	return name + strconv.Itoa(row+1)
}

// esc escapes text for XML character data and attribute values; characters XML cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

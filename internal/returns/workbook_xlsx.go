package returns

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// XLSX writes the return as an Excel workbook (see workbook.go for its layout), with each table marked up as
// an Excel table without filter buttons, and the document's title, language and times set. The same return
// gives the same bytes: the document's times are the return's generation time, and the package is written
// again with its parts in a fixed order and fixed timestamps.
func (r *Return) XLSX() ([]byte, error) { return writeXLSX(r.workbook()) }

// writeXLSX writes a workbook as an Excel workbook.
func writeXLSX(wb workbook) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDefaultFont(wbFont); err != nil {
		return nil, err
	}
	styles, err := xlsxStyles(f)
	if err != nil {
		return nil, err
	}
	for i, sh := range wb.Sheets {
		if i == 0 {
			err = f.SetSheetName("Sheet1", sh.Name)
		} else {
			_, err = f.NewSheet(sh.Name)
		}
		if err != nil {
			return nil, err
		}
		if err := xlsxSheet(f, sh, styles); err != nil {
			return nil, fmt.Errorf("returns: sheet %s: %w", sh.Name, err)
		}
	}
	f.SetActiveSheet(0)
	created := wb.Created.Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: wb.Title, Subject: wb.Subject, Creator: wb.Creator, LastModifiedBy: wb.Creator, Keywords: wb.Keywords,
		Language: wbLanguage, Created: created, Modified: created,
	}); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return normaliseXLSX(b.Bytes())
}

// wbFont and wbLanguage are the workbook's font (sans serif, at least 12 point, as the guidance asks) and
// language.
const (
	wbFont     = "Arial"
	wbFontSize = 12
	wbLanguage = "en-GB"
)

func xlsxStyles(f *excelize.File) (map[cellStyle]int, error) {
	font := func(size float64, bold bool) *excelize.Font {
		return &excelize.Font{Family: wbFont, Size: size, Bold: bold}
	}
	top := func(h string, wrap bool) *excelize.Alignment {
		return &excelize.Alignment{Horizontal: h, Vertical: "top", WrapText: wrap}
	}
	defs := map[cellStyle]*excelize.Style{
		styleText:       {Font: font(wbFontSize, false)},
		styleParagraph:  {Font: font(wbFontSize, false), Alignment: top("left", true)},
		styleTitle:      {Font: font(16, true)},
		styleSubheading: {Font: font(14, true)},
		styleHeadLabel:  {Font: font(wbFontSize, true), Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "bottom", WrapText: true}},
		styleHeadFigure: {Font: font(wbFontSize, true), Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "bottom", WrapText: true}},
		styleLabel:      {Font: font(wbFontSize, false), Alignment: top("left", true)},
		styleFigure:     {Font: font(wbFontSize, false), Alignment: top("right", false), NumFmt: 3}, // #,##0
		styleShorthand:  {Font: font(wbFontSize, false), Alignment: top("right", false)},
		styleLink:       {Font: &excelize.Font{Family: wbFont, Size: wbFontSize, Underline: "single", Color: "0563C1"}, Alignment: top("left", false)},
	}
	out := map[cellStyle]int{}
	for st := styleText; st <= styleLink; st++ {
		id, err := f.NewStyle(defs[st])
		if err != nil {
			return nil, err
		}
		out[st] = id
	}
	return out, nil
}

func xlsxSheet(f *excelize.File, sh wbSheet, styles map[cellStyle]int) error {
	for c, w := range sh.Widths {
		col, err := excelize.ColumnNumberToName(c + 1)
		if err != nil {
			return err
		}
		// Excel measures widths in its default font's digits; the cells' text is a size larger.
		if err := f.SetColWidth(sh.Name, col, col, w*float64(wbFontSize)/11); err != nil {
			return err
		}
	}
	for ri, row := range sh.Rows {
		var height float64
		for ci, c := range row {
			ref, err := excelize.CoordinatesToCellName(ci+1, ri+1)
			if err != nil {
				return err
			}
			if c.Number {
				err = f.SetCellInt(sh.Name, ref, int64(c.Value))
			} else {
				err = f.SetCellStr(sh.Name, ref, c.Text)
			}
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(sh.Name, ref, ref, styles[c.Style]); err != nil {
				return err
			}
			if c.Link != "" {
				display := c.Text
				if err := f.SetCellHyperLink(sh.Name, ref, "'"+c.Link+"'!A1", "Location", excelize.HyperlinkOpts{Display: &display}); err != nil {
					return err
				}
			}
			n := 1
			if wraps(c.Style) && ci < len(sh.Widths) {
				n = lines(c.Text, sh.Widths[ci])
			}
			height = max(height, float64(n)*lineHeight[c.Style])
		}
		// Excel does not work out the height of a row of wrapped text, or of larger text, when it opens a
		// file, so every row's height is set from an estimate of its lines.
		if err := f.SetRowHeight(sh.Name, ri+1, height); err != nil {
			return err
		}
	}
	if t := sh.Table; t != nil {
		last, err := excelize.CoordinatesToCellName(t.Columns, len(sh.Rows))
		if err != nil {
			return err
		}
		first, _ := excelize.CoordinatesToCellName(1, t.Header+1)
		no := false
		if err := f.AddTable(sh.Name, &excelize.Table{Range: first + ":" + last, Name: t.Name, ShowRowStripes: &no}); err != nil {
			return err
		}
	}
	return nil
}

// lineHeight is the height in points of a line of each style's text: 1.3 times its size.
var lineHeight = map[cellStyle]float64{
	styleText: 15.75, styleParagraph: 15.75, styleTitle: 21, styleSubheading: 18.75, styleHeadLabel: 15.75,
	styleHeadFigure: 15.75, styleLabel: 15.75, styleFigure: 15.75, styleShorthand: 15.75, styleLink: 15.75,
}

func wraps(st cellStyle) bool {
	return st == styleParagraph || st == styleHeadLabel || st == styleHeadFigure || st == styleLabel
}

// autoFilter is the filter excelize gives every table; the guidance asks for tables without filter buttons.
var autoFilter = regexp.MustCompile(`<autoFilter\b[^>]*?(?:/>|>.*?</autoFilter>)`)

// normaliseXLSX writes the package again with its parts in the order excelize wrote them (a fixed order),
// every timestamp the same, and the tables' filters taken out.
func normaliseXLSX(in []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(in), int64(len(in)))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(zf.Name, "xl/tables/") {
			data = autoFilter.ReplaceAll(data, nil)
		}
		w, err := zw.CreateHeader(zipHeader(zf.Name, zip.Deflate))
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

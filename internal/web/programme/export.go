package programme

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"

	"github.com/preventplatform/prevent/internal/programme"
	"github.com/xuri/excelize/v2"
)

// exportSheet is an export's table: a title, a header row and rows of cells. The same sheet is written as CSV
// and as XLSX, so both carry the figures the page shows. Money cells hold pence and are written in pounds.
type exportSheet struct {
	Name string
	Head []string
	Rows [][]exportCell
}

// exportCell is a text or an amount of money.
type exportCell struct {
	Text  string
	Money *programme.Pence
}

func sheetText(s string) exportCell { return exportCell{Text: s} }

func sheetMoney(p programme.Pence) exportCell { return exportCell{Money: &p} }

// exportPounds is an amount in pounds as a plain decimal, for CSV and spreadsheets.
func exportPounds(p programme.Pence) string {
	v := int64(p)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// planSheets is the delivery plan as tables: its sections, then its projects.
func planSheets(pl programme.Plan, projects []programme.Project) []exportSheet {
	status, _ := planStatusTag(pl.Status)
	sec := exportSheet{Name: "Delivery plan", Head: []string{"Group", "Section", "Status", "Text"}}
	sec.Rows = append(sec.Rows, []exportCell{sheetText("Plan"), sheetText(pl.Title), sheetText(status), sheetText(fmt.Sprintf("Year %d, version %d, %d of %d sections completed",
		pl.Year, pl.Version, pl.Completed(), len(pl.Sections)))})
	for _, s := range pl.Sections {
		sec.Rows = append(sec.Rows, []exportCell{sheetText(s.Group), sheetText(s.Title), sheetText(s.Status.String()), sheetText(s.Body)})
	}
	prj := exportSheet{Name: "Projects", Head: []string{"Public title", "Internal title", "Lead organisation", "Objectives", "Scope", "Starts", "Ends", "RAG", "RAG reason"}}
	for _, p := range projects {
		objs := ""
		for i, o := range p.Objectives {
			if i > 0 {
				objs += "; "
			}
			objs += o.Tag()
		}
		rag, _ := ragTag(p.RAG)
		prj.Rows = append(prj.Rows, []exportCell{sheetText(p.PublicTitle), sheetText(p.InternalTitle), sheetText(p.Lead.Name), sheetText(objs), sheetText(scopeText(p.Scope)),
			sheetText(p.StartsOn), sheetText(p.EndsOn), sheetText(rag), sheetText(p.RAGReason)})
	}
	return []exportSheet{sec, prj}
}

// reportSheets is the budget report as tables: by stream, by objective and by organisation, each with its total.
func reportSheets(rep programme.Report) []exportSheet {
	part := func(name, what string, lines []programme.Line, awarded bool) exportSheet {
		sh := exportSheet{Name: name, Head: []string{what, "Allocated (£)", "Spent (£)", "Variance (£)"}}
		if awarded {
			sh.Head = []string{what, "Awarded (£)", "Allocated (£)", "Spent (£)", "Variance (£)"}
		}
		row := func(l programme.Line, label string) []exportCell {
			r := []exportCell{sheetText(label)}
			if awarded {
				r = append(r, sheetMoney(l.Awarded))
			}
			return append(r, sheetMoney(l.Allocated), sheetMoney(l.Spent), sheetMoney(l.Variance))
		}
		for _, l := range lines {
			sh.Rows = append(sh.Rows, row(l, l.Name))
		}
		sh.Rows = append(sh.Rows, row(rep.Total, "Total"))
		return sh
	}
	return []exportSheet{
		part("By stream", "Funding stream", rep.ByStream, true),
		part("By objective", "Objective", rep.ByObjective, false),
		part("By organisation", "Lead organisation", rep.ByOrganisation, false),
	}
}

// exportCSV writes the sheets one after another, each headed by its name and separated by a blank line.
func exportCSV(sheets []exportSheet) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for i, sh := range sheets {
		if i > 0 {
			_ = w.Write([]string{})
		}
		_ = w.Write([]string{sh.Name})
		_ = w.Write(sh.Head)
		for _, r := range sh.Rows {
			rec := make([]string, len(r))
			for j, c := range r {
				rec[j] = exportCSVSafe(c)
			}
			_ = w.Write(rec)
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// exportCSVSafe renders a cell, neutralising text a spreadsheet would run as a formula.
func exportCSVSafe(c exportCell) string {
	if c.Money != nil {
		return exportPounds(*c.Money)
	}
	if c.Text != "" && bytes.ContainsAny([]byte{c.Text[0]}, "=+-@\t\r") {
		return "'" + c.Text
	}
	return c.Text
}

// exportXLSX writes each sheet as a worksheet; money as numbers in pounds with a currency format.
func exportXLSX(sheets []exportSheet) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	gbp := "£#,##0.00;-£#,##0.00"
	cur, err := x.NewStyle(&excelize.Style{CustomNumFmt: &gbp})
	if err != nil {
		return nil, err
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sh.Name); err != nil {
				return nil, err
			}
		} else if _, err := x.NewSheet(sh.Name); err != nil {
			return nil, err
		}
		for j, h := range sh.Head {
			ref, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := x.SetCellStr(sh.Name, ref, h); err != nil {
				return nil, err
			}
			_ = x.SetCellStyle(sh.Name, ref, ref, bold)
		}
		for ri, r := range sh.Rows {
			for j, c := range r {
				ref, _ := excelize.CoordinatesToCellName(j+1, ri+2)
				if c.Money != nil {
					f, _ := strconv.ParseFloat(exportPounds(*c.Money), 64)
					if err := x.SetCellFloat(sh.Name, ref, f, 2, 64); err != nil {
						return nil, err
					}
					_ = x.SetCellStyle(sh.Name, ref, ref, cur)
					continue
				}
				// SetCellStr stores text as text: nothing typed into the service becomes a formula.
				if err := x.SetCellStr(sh.Name, ref, c.Text); err != nil {
					return nil, err
				}
			}
		}
	}
	var b bytes.Buffer
	if err := x.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sendExport writes sheets as a download called filename, as CSV or (format "xlsx") as a spreadsheet.
func sendExport(w http.ResponseWriter, format, filename string, sheets []exportSheet) error {
	var (
		body []byte
		err  error
		ct   string
	)
	if format == "xlsx" {
		body, err = exportXLSX(sheets)
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	} else {
		body, err = exportCSV(sheets)
		ct = "text/csv; charset=utf-8"
	}
	if err != nil {
		return fmt.Errorf("programme pages: export %s: %w", filename, err)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+"."+format+`"`)
	_, _ = w.Write(body)
	return nil
}

package returns

import (
	"fmt"
	"strconv"
	"strings"
)

// The interventions monitoring and the quarterly return as workbooks, laid out as the return's (report).

func (m *Monitoring) workbook() workbook {
	p := m.Provenance
	per := m.Period.String()
	figures := p.Policy.String() + ". " + p.Policy.Summary
	return report{
		Title: fmt.Sprintf("Interventions monitoring: Channel interventions, sessions, exits and reviews after leaving, %s, %s", m.Partnership, per),
		What:  "monitoring", Place: m.Partnership, Notes: p.Notes, Tables: m.Tables,
		Sections: [][2]string{
			{"What the monitoring covers", fmt.Sprintf("The interventions the %s partnership's Channel cases received in %s (how many, where, of what type, from which provider, started, completed and ongoing), the sessions planned and whether they were delivered, the exits from Channel and the reviews after leaving that fell due.", m.Partnership, per)},
			{"Partnership", m.Partnership},
			{"Prevent Co-ordinator Region", m.Region},
			{"Period", per},
			{"Disclosure control", figures},
			{"Query", p.QueryVersion},
			{"Input digest", p.InputDigest},
			{"Generated", ukDate(p.GeneratedAt.UTC()) + " at " + p.GeneratedAt.UTC().Format("15:04") + " UTC"},
		},
		Source:   fmt.Sprintf("Source: the partnership's case records (%s). %s", p.QueryVersion, figures),
		Subject:  "Interventions monitoring of the " + m.Partnership + " Prevent partnership for " + per,
		Keywords: "Prevent, Channel, interventions, monitoring, " + per, Created: p.GeneratedAt.UTC(),
	}.workbook()
}

// XLSX writes the monitoring as an Excel workbook.
func (m *Monitoring) XLSX() ([]byte, error) { return writeXLSX(m.workbook()) }

// ODS writes the monitoring as an OpenDocument spreadsheet.
func (m *Monitoring) ODS() ([]byte, error) { return writeODS(m.workbook()) }

// pounds writes an amount in pence as whole pounds, rounded half up, as a number.
func pounds(pence int64) Cell {
	v := int((pence + 50) / 100)
	return Cell{Text: strconv.Itoa(v), Value: v, Number: true}
}

func words(s string) Cell {
	if strings.TrimSpace(s) == "" {
		return Cell{Text: NotAvailable}
	}
	return Cell{Text: s}
}

func decimal(f float64) Cell { return Cell{Text: strconv.FormatFloat(f, 'f', -1, 64)} }

// Tables are the quarterly return as tables: the quarter's casework, each funded project with its money and the
// coordinator's text, its milestones, and its measures.
func (q *Quarterly) Tables() []Table {
	per := q.Period.String()
	f := q.Figures
	out := []Table{{ID: "caseload", Title: "Referrals and adoptions, " + per, Headings: []string{"Measure", "Number"}, Rows: []Row{
		{Label: "Referrals submitted in the quarter", Cells: []Cell{f.Referrals}},
		{Label: "Cases adopted by a Channel panel in the quarter", Cells: []Cell{f.Adopted}},
	}}}
	projects := Table{ID: "projects", Title: "Funded projects, " + per, Headings: []string{"Project", "Status (RAG)", "Reason for the status",
		"Starts", "Ends", "Allocated (£, to the pound)", "Spent in the quarter (£, to the pound)", "Spent to the end of the quarter (£, to the pound)",
		"Achievements", "Issues"}}
	milestones := Table{ID: "milestones", Title: "Milestones of the quarter, " + per, Headings: []string{"Project", "Milestone", "Due", "Done", "Status"}}
	impacts := Table{ID: "measures", Title: "Measures of impact, " + per, Headings: []string{"Project", "Measure", "Unit", "Baseline", "Target", "Actual in the quarter"}}
	var allocated, spent, toDate int64
	for _, p := range f.Projects {
		text := q.Text[p.ProjectID]
		projects.Rows = append(projects.Rows, Row{Label: p.Title, Cells: []Cell{words(p.RAG), words(p.RAGReason), words(p.StartsOn), words(p.EndsOn),
			pounds(p.AllocatedPence), pounds(p.SpentPence), pounds(p.SpentToDatePence), words(text.Achievements), words(text.Issues)}})
		allocated, spent, toDate = allocated+p.AllocatedPence, spent+p.SpentPence, toDate+p.SpentToDatePence
		for _, m := range p.Milestones {
			milestones.Rows = append(milestones.Rows, Row{Label: p.Title, Cells: []Cell{words(m.Title), words(m.DueOn), words(m.DoneOn), words(m.Status)}})
		}
		for _, i := range p.Impacts {
			actual := Cell{Text: NotAvailable}
			if i.Recorded {
				actual = decimal(i.Actual)
			}
			impacts.Rows = append(impacts.Rows, Row{Label: p.Title, Cells: []Cell{words(i.Indicator), words(i.Unit), decimal(i.Baseline), decimal(i.Target), actual}})
		}
	}
	projects.Rows = append(projects.Rows, Row{Label: "Total", Total: true, Cells: []Cell{{Text: NotApplicable}, {Text: NotApplicable}, {Text: NotApplicable},
		{Text: NotApplicable}, pounds(allocated), pounds(spent), pounds(toDate), {Text: NotApplicable}, {Text: NotApplicable}}})
	return append(out, projects, milestones, impacts)
}

func (q *Quarterly) workbook() workbook {
	partnership := q.Partnership
	per := q.Period.String()
	state := "Draft: not approved yet"
	if q.State == QuarterlyApproved {
		state = "Approved on " + ukDate(q.ApprovedAt.UTC())
	}
	f := q.Figures
	return report{
		Title: fmt.Sprintf("Quarterly return for funded areas, %s, %s", partnership, per),
		What:  "quarterly return", Place: partnership, Tables: q.Tables(),
		Sections: [][2]string{
			{"What the return covers", fmt.Sprintf("The %s partnership's funded projects in %s: their status, money allocated and spent, milestones and measures, with what they achieved and the issues met, and the quarter's referrals and adoptions.", partnership, per)},
			{"Partnership", partnership},
			{"Period", per},
			{"State", state},
			{"Disclosure control", "The referrals and adoptions are under " + f.Policy + "; the rest are the partnership's own records of its projects."},
			{"Query", f.QueryVersion},
			{"Generated", ukDate(f.GeneratedAt.UTC()) + " at " + f.GeneratedAt.UTC().Format("15:04") + " UTC"},
		},
		Notes:    []string{"Amounts are in pounds, rounded to the nearest pound; the service records them in pence."},
		Source:   "Source: the partnership's programme records and case records (" + f.QueryVersion + ").",
		Subject:  "Quarterly return of the " + partnership + " Prevent partnership for " + per,
		Keywords: "Prevent, funding, quarterly return, " + per, Created: f.GeneratedAt.UTC(),
	}.workbook()
}

// XLSX writes the quarterly return as an Excel workbook.
func (q *Quarterly) XLSX() ([]byte, error) { return writeXLSX(q.workbook()) }

// ODS writes the quarterly return as an OpenDocument spreadsheet.
func (q *Quarterly) ODS() ([]byte, error) { return writeODS(q.workbook()) }

// CSV writes one of the quarterly return's tables with what it covers above it.
func (q *Quarterly) CSV(t Table) ([]byte, error) {
	state := "Draft: not approved yet"
	if q.State == QuarterlyApproved {
		state = "Approved on " + ukDate(q.ApprovedAt.UTC())
	}
	return tableCSV([][]string{
		{"Title", t.Title},
		{"Partnership", q.Partnership},
		{"Period", q.Period.String()},
		{"State", state},
		{"Disclosure control", "Referrals and adoptions under " + q.Figures.Policy + "; the rest are the partnership's own records of its projects"},
		{"Query", q.Figures.QueryVersion},
	}, t)
}

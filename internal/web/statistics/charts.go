package statistics

import (
	"strings"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/web/chart"
)

// Stage tables' columns: referrals, then discussed, its percentage, adopted, its percentage.
const (
	colReferred  = 0
	colDiscussed = 1
	colAdopted   = 3
)

func point(label string, c returns.Cell) chart.Point {
	return chart.Point{Label: label, Value: c.Value, Shown: c.Number, Text: c.Text}
}

// tableChart is the chart drawn beside a table of the return: referrals by quarter as columns, referrals by
// each other breakdown as bars; none for the cross-tabulation, which is a table only.
func tableChart(t returns.Table) templ.Component {
	if t.ID == "age-by-type-of-concern" || strings.HasPrefix(t.ID, "rates-") {
		return nil // a cross-tabulation, or rates with their intervals: tables only
	}
	c := chart.Chart{ID: "chart-" + t.ID, Caption: "Referrals by " + strings.ToLower(t.Headings[0]), Unit: "referrals", UnitOne: "referral"}
	for _, r := range t.Rows {
		if r.Total || len(r.Cells) == 0 {
			continue
		}
		c.Points = append(c.Points, point(r.Label, r.Cells[colReferred]))
	}
	if t.ID == "quarter" {
		return chart.Columns(c)
	}
	return chart.Bars(c)
}

// funnel is the year's pathway: referred, discussed at a panel, adopted; nil without the total row.
func funnel(r *returns.Return) templ.Component {
	for _, t := range r.Tables {
		if t.ID != "type-of-concern" || len(t.Rows) == 0 {
			continue
		}
		total := t.Rows[len(t.Rows)-1]
		if !total.Total || len(total.Cells) <= colAdopted {
			return nil
		}
		return chart.Funnel(chart.Chart{ID: "chart-pathway", Caption: "From referral to Channel, " + r.Year.String(),
			Unit: "people", UnitOne: "person", Points: []chart.Point{
				point("Referred", total.Cells[colReferred]),
				point("Discussed at a Channel panel", total.Cells[colDiscussed]),
				point("Adopted as a Channel case", total.Cells[colAdopted]),
			}})
	}
	return nil
}

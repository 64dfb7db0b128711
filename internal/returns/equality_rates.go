package returns

import (
	"fmt"
	"math"
)

// Rates. For each equality monitoring characteristic, a return can show the rate of referral per 10,000 of the
// area's population in each category, and the proportion of referrals discussed at a Channel panel and of
// those discussed adopted as a Channel case, each with its 95% confidence interval (Wilson's score interval,
// which stays within 0 to 100% and behaves for small numbers and for 0). The population figures are the
// partnership's own (equality_populations); without any, no rates are shown.
//
// Every rate is worked out from the counts as published, after disclosure control (rounded, where the policy
// rounds), so it tells nothing the published counts do not: a withheld count gives a withheld rate.

// z95 is the standard normal quantile of a two-sided 95% interval.
const z95 = 1.959963984540054

// wilson returns the 95% Wilson score interval of the proportion k of n. ok is false when n is not positive
// or k is outside 0 to n.
func wilson(k, n int64) (lo, hi float64, ok bool) {
	if n <= 0 || k < 0 || k > n {
		return 0, 0, false
	}
	nf, p := float64(n), float64(k)/float64(n)
	z2 := z95 * z95
	den := 1 + z2/nf
	centre := (p + z2/(2*nf)) / den
	half := z95 / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	lo, hi = math.Max(0, centre-half), math.Min(1, centre+half)
	if k == 0 {
		lo = 0
	}
	if k == n {
		hi = 1
	}
	return lo, hi, true
}

// rate is a proportion k of n scaled by per (100 for a percentage, 10,000 for a rate per 10,000), with its
// interval, as printed: each a cell, or the shorthand saying why there is none.
func rate(k, n int64, per float64) (value, interval Cell) {
	lo, hi, ok := wilson(k, n)
	if !ok {
		return Cell{Text: NotAvailable}, Cell{Text: NotAvailable}
	}
	v := float64(k) / float64(n) * per
	return Cell{Text: fmt.Sprintf("%.1f", v)}, Cell{Text: fmt.Sprintf("%.1f to %.1f", lo*per, hi*per)}
}

// rateHeadings are the columns of a rates table.
var rateHeadings = []string{
	"Population",
	"Referrals",
	"Referrals per 10,000 population",
	"Referrals per 10,000 population: 95% confidence interval",
	"Discussed at a Channel panel: % of referrals",
	"Discussed at a Channel panel: 95% confidence interval",
	"Adopted as a Channel case: % of those discussed",
	"Adopted as a Channel case: 95% confidence interval",
}

// ratesNote says how the rates are worked out.
const ratesNote = "Rates and percentages are worked out from the counts as published, after disclosure control; " +
	"the intervals are 95% Wilson score intervals. A rate is shown only for a category with a population figure " +
	"set for the partnership’s area; the area’s population and the people referred may not match exactly."

// noPopulationNote is the note of a return whose partnership has no population figures.
const noPopulationNote = "Rates of referral by ethnicity and by mental health need or neurodiversity are not shown: " +
	"no population figures are set for this partnership (they are set on the statistics pages, under population figures)."

// ratesTable prints the rates of one equality dimension d of the layout under policy p, against the population
// figures pop of its categories (by code).
func (lo *layout) ratesTable(d int, pop map[string]int64, y FinancialYear, p Policy) Table {
	dim := lo.dims[d]
	t := Table{ID: "rates-" + dim.id, Title: fmt.Sprintf("Rates of referral, discussion and adoption by %s, %s", lowerFirst(dim.heading), y),
		Headings: append([]string{dim.heading}, rateHeadings...), Notes: []string{ratesNote, equalityCaveat}}
	for i, k := range dim.rows {
		e := lo.ent[d][i]
		row := Row{Label: k.label}
		n, hasPop := int64(0), false
		if len(k.key) > 2 && k.key[:2] == "c:" {
			n, hasPop = pop[k.key[2:]]
		}
		if hasPop {
			row.Cells = append(row.Cells, Cell{Text: fmt.Sprint(n), Value: int(n), Number: true})
		} else {
			row.Cells = append(row.Cells, Cell{Text: NotAvailable})
		}
		row.Cells = append(row.Cells, lo.cell(e[stReferred], p))
		referred, okR := lo.sys.published(e[stReferred], p)
		discussed, okD := lo.sys.published(e[stDiscussed], p)
		adopted, okA := lo.sys.published(e[stAdopted], p)
		pair := func(ok bool, k, n int64, per float64) []Cell {
			if !ok {
				return []Cell{{Text: Confidential}, {Text: Confidential}}
			}
			if n == 0 {
				return []Cell{{Text: NotApplicable}, {Text: NotApplicable}}
			}
			v, iv := rate(k, n, per)
			return []Cell{v, iv}
		}
		if hasPop && n > 0 {
			row.Cells = append(row.Cells, pair(okR, int64(referred), n, 10000)...)
		} else {
			row.Cells = append(row.Cells, Cell{Text: NotAvailable}, Cell{Text: NotAvailable})
		}
		row.Cells = append(row.Cells, pair(okR && okD, int64(discussed), int64(referred), 100)...)
		row.Cells = append(row.Cells, pair(okD && okA, int64(adopted), int64(discussed), 100)...)
		t.Rows = append(t.Rows, row)
	}
	return t
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	b := []rune(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

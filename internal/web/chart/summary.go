package chart

import (
	"strconv"
	"strings"
)

// noFigures is the summary, and the picture, of a chart with nothing to draw.
const noFigures = "No figures for this period."

// Summarise writes the default one-sentence summary of a bar chart: the
// largest category, the total and how many figures are withheld, such as
// "Education has the most referrals (12 of 40)." The total counts only the
// figures shown, and with figures withheld the sentence says so.
func Summarise(c Chart) string {
	if s, ok := specialCase(c); ok {
		return s
	}
	top := extremes(c.Points, func(a, b int) bool { return a > b })
	total := shownTotal(c.Points)
	verb := "has"
	if len(top) > 1 {
		verb = "have"
	}
	each := ""
	if len(top) > 1 {
		each = " each"
	}
	unit := ""
	if c.Unit != "" {
		unit = " " + c.Unit
	}
	s := names(c.Points, top) + " " + verb + " the most" + unit +
		" (" + c.Points[top[0]].text() + each + " of " + formatInt(total) + ")"
	return withheldClause(c.Points, s)
}

// SummariseSeries writes the default one-sentence summary of a time series:
// the total and the highest and lowest periods, such as "40 referrals in
// total, highest in April 2026 (12) and lowest in June 2026 (1)."
func SummariseSeries(c Chart) string {
	if s, ok := specialCase(c); ok {
		return s
	}
	total := shownTotal(c.Points)
	s := count(c, total) + " in total"
	hi := extremes(c.Points, func(a, b int) bool { return a > b })
	lo := extremes(c.Points, func(a, b int) bool { return a < b })
	if c.Points[hi[0]].value() == c.Points[lo[0]].value() {
		if len(hi) == 1 {
			s += ", all in " + names(c.Points, hi)
		} else {
			s += ", " + c.Points[hi[0]].text() + " in each period shown"
		}
	} else {
		s += ", highest in " + names(c.Points, hi) + " (" + c.Points[hi[0]].text() + ")" +
			" and lowest in " + names(c.Points, lo) + " (" + c.Points[lo[0]].text() + ")"
	}
	return withheldClause(c.Points, s)
}

// SummariseFunnel writes the default one-sentence summary of a funnel: each
// stage's figure and its share of the first stage, such as "Referred 120;
// Discussed at panel 45 (38% of Referred); Adopted 30 (25%)."
func SummariseFunnel(c Chart) string {
	if len(c.Points) == 0 || empty(c.Points) {
		return noFigures
	}
	var parts []string
	first, named := c.Points[0], false
	for i, p := range c.Points {
		part := p.name() + " " + p.text()
		if !p.Shown {
			part += " (withheld)"
		} else if i > 0 {
			if sh, ok := share(first, p); ok {
				if !named {
					sh += " of " + first.name()
					named = true
				}
				part += " (" + sh + ")"
			}
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ") + "."
}

// share is p's share of the first stage as a whole percentage, such as
// "38%", or "<1%" for a share above zero that rounds to zero. There is no
// share when either figure is withheld or the first is zero.
func share(first, p Point) (string, bool) {
	if !first.Shown || !p.Shown || first.value() == 0 {
		return "", false
	}
	v, f := p.value(), first.value()
	pc := (v*200 + f) / (2 * f) // rounded half up
	if pc == 0 && v > 0 {
		return "<1%", true
	}
	return strconv.Itoa(pc) + "%", true
}

// specialCase is the summary of a chart with nothing shown: no figures, or
// every figure withheld or zero.
func specialCase(c Chart) (string, bool) {
	if empty(c.Points) {
		return noFigures, true
	}
	n, withheld, positive := len(c.Points), 0, false
	for _, p := range c.Points {
		if !p.Shown {
			withheld++
		} else if p.value() > 0 {
			positive = true
		}
	}
	switch {
	case positive:
		return "", false
	case withheld == n && n == 1:
		return "The figure is withheld.", true
	case withheld == n:
		return "All " + strconv.Itoa(n) + " figures are withheld.", true
	default:
		return figures(withheld) + " withheld and the others are zero.", true
	}
}

// withheldClause ends the sentence s, saying how many figures are withheld.
func withheldClause(points []Point, s string) string {
	withheld := 0
	for _, p := range points {
		if !p.Shown {
			withheld++
		}
	}
	if withheld == 0 {
		return s + "."
	}
	return "Of the figures shown, " + s + "; " + figures(withheld) + " withheld."
}

// figures is "1 figure is" or "n figures are".
func figures(n int) string {
	if n == 1 {
		return "1 figure is"
	}
	return formatInt(n) + " figures are"
}

// count is n with the chart's unit, such as "40 referrals" or "1 referral".
func count(c Chart, n int) string {
	unit := c.Unit
	if n == 1 && c.UnitOne != "" {
		unit = c.UnitOne
	}
	if unit == "" {
		return formatInt(n)
	}
	return formatInt(n) + " " + unit
}

// shownTotal is the sum of the values shown.
func shownTotal(points []Point) int {
	total := 0
	for _, p := range points {
		total += p.value()
	}
	return total
}

// extremes are the indexes of the shown points whose value beats every other
// shown value by better, ties included, in order.
func extremes(points []Point, better func(a, b int) bool) []int {
	var out []int
	for i, p := range points {
		if !p.Shown {
			continue
		}
		switch {
		case len(out) == 0 || better(p.value(), points[out[0]].value()):
			out = []int{i}
		case p.value() == points[out[0]].value():
			out = append(out, i)
		}
	}
	return out
}

// names lists the names of the points at the indexes: "A", "A and B",
// "A, B and C", or "A, B and 3 others" for more than three.
func names(points []Point, idx []int) string {
	var list []string
	for _, i := range idx {
		list = append(list, points[i].name())
	}
	if len(list) > 3 {
		list = append(list[:2], strconv.Itoa(len(idx)-2)+" others")
	}
	if len(list) == 1 {
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

package chart

import (
	"strings"

	"github.com/a-h/templ"
)

// colourSecond fills the bars of the second series of a grouped chart. It is
// GOV.UK dark blue, much darker than the first series' blue, so the two
// differ in lightness as well as hue.
const colourSecond = "#003078"

// Series is one set of figures of a grouped chart, such as a year's.
type Series struct {
	// Name is shown in the key and the summary, such as "2025 to 2026".
	Name string
	// Points has one point for each of the chart's labels, in the same
	// order; a point's own Label is not used. A missing point is drawn as
	// withheld.
	Points []Point
}

// Groups is a horizontal bar chart comparing two series category by
// category, such as referrals by sector this year and last.
type Groups struct {
	// ID, Caption, Summary, Unit and UnitOne are as for a Chart; the default
	// summary is SummariseGroups'.
	ID, Caption, Summary string
	Unit, UnitOne        string
	// Labels name the categories.
	Labels []string
	// Series are the sets of figures: one or two; a third and later series
	// are not drawn, as the palette has only two bar colours that meet the
	// contrast this package keeps to.
	Series []Series
}

// series are the series drawn, each with a point for every label.
func (g Groups) series() []Series {
	out := make([]Series, 0, 2)
	for _, s := range g.Series[:min(len(g.Series), 2)] {
		points := make([]Point, len(g.Labels))
		for i, label := range g.Labels {
			if i < len(s.Points) {
				points[i] = s.Points[i]
			}
			points[i].Label = label
			points[i].LongLabel = ""
		}
		out = append(out, Series{Name: s.Name, Points: points})
	}
	return out
}

// GroupedBars renders a horizontal bar chart with a bar for each series
// below each category's label, in the order of the series, and a key
// naming the series' colours.
func GroupedBars(g Groups) templ.Component {
	return figure(groupedDrawing(g))
}

func groupedDrawing(g Groups) drawing {
	series := g.series()
	fills := []string{colourBar, colourSecond}
	modifiers := []string{"", "second"}
	var key []keyItem
	for j, s := range series {
		key = append(key, keyItem{name: s.Name, fill: fills[j], modifier: modifiers[j]})
	}
	rows := make([]barRow, len(g.Labels))
	for i, label := range g.Labels {
		rows[i].label = label
		for j, s := range series {
			p := s.Points[i]
			rows[i].bars = append(rows[i].bars, barItem{p: p, value: p.text(), tooltip: label + ", " + s.Name, fill: fills[j], modifier: modifiers[j]})
		}
	}
	desc := or(g.Summary, SummariseGroups(g))
	return barLayout(safeID(g.ID, g.Caption), "grouped", g.Caption, desc, rows, key)
}

// SummariseGroups writes the default one-sentence summary of a grouped bar
// chart: for each series its total and largest category, such as
// "2025: 75 referrals in total, the most in Islamist (40); 2026: 60 referrals
// in total, the most in Extreme right-wing (30)."
func SummariseGroups(g Groups) string {
	series := g.series()
	var all []Point
	var parts []string
	for _, s := range series {
		all = append(all, s.Points...)
		c := Chart{Points: s.Points, Unit: g.Unit, UnitOne: g.UnitOne}
		part := s.Name + ": "
		if special, ok := specialCase(c); ok {
			if special == noFigures {
				part += "none"
			} else {
				part += strings.ToLower(special[:1]) + strings.TrimSuffix(special[1:], ".")
			}
		} else {
			top := extremes(s.Points, func(a, b int) bool { return a > b })
			part += count(c, shownTotal(s.Points)) + " in total, the most in " + names(s.Points, top) + " (" + s.Points[top[0]].text() + ")"
		}
		parts = append(parts, part)
	}
	if empty(all) {
		return noFigures
	}
	return withheldClause(all, strings.Join(parts, "; "))
}

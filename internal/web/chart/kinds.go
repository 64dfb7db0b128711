package chart

import (
	"math"
	"strconv"

	"github.com/a-h/templ"
)

// Bars renders a horizontal bar chart of categories, such as referrals by
// type of concern, in the order given. Each label is above its bar and each
// printed value after it; labels longer than two lines are shortened, with
// the full label as a tooltip.
func Bars(c Chart) templ.Component {
	return figure(barDrawing(c))
}

func barDrawing(c Chart) drawing {
	desc := or(c.Summary, Summarise(c))
	values := make([]string, len(c.Points))
	for i, p := range c.Points {
		values[i] = p.text()
	}
	return barLayout(safeID(c.ID, c.Caption), "bars", c.Caption, desc, singleRows(c.Points, values), nil)
}

// Columns renders a column chart of a time series, such as referrals by
// month, with the periods from left to right in the order given. Labels
// should be short, such as "Apr", with the full name, such as "April 2026",
// as the point's LongLabel.
func Columns(c Chart) templ.Component {
	return figure(columnDrawing(c))
}

func columnDrawing(c Chart) drawing {
	desc := or(c.Summary, SummariseSeries(c))
	values := make([]string, len(c.Points))
	for i, p := range c.Points {
		values[i] = p.text()
	}
	return columnLayout(safeID(c.ID, c.Caption), "columns", c.Caption, desc, c.Points, values, columnOptions{fill: 0.7})
}

// Funnel renders the stages of a process, such as referred, discussed at
// panel, adopted and left, as horizontal bars in the order given, each with
// its printed value and its share of the first stage.
func Funnel(c Chart) templ.Component {
	return figure(funnelDrawing(c))
}

func funnelDrawing(c Chart) drawing {
	desc := or(c.Summary, SummariseFunnel(c))
	values := make([]string, len(c.Points))
	for i, p := range c.Points {
		values[i] = p.text()
		if sh, ok := share(c.Points[0], p); ok {
			values[i] += " (" + sh + ")"
		}
	}
	return barLayout(safeID(c.ID, c.Caption), "funnel", c.Caption, desc, singleRows(c.Points, values), nil)
}

// Bin is one bar of a histogram of durations in days: the count of durations
// d with From ≤ d < To.
type Bin struct {
	From int
	// To is the first day after the bin; a To not above From means the bin
	// has no upper bound, which only the last bin should have.
	To int
	// Label defaults to the range, such as "0–6", "7" or "28+".
	Label string
	// Value, Shown and Text are as for a Point.
	Value int
	Shown bool
	Text  string
}

// Durations is a distribution of durations in days, such as the time from
// referral to a panel's decision, counted in bins the caller chooses.
type Durations struct {
	// ID, Caption, Summary, Unit and UnitOne are as for a Chart; the default
	// summary is SummariseDurations's.
	ID, Caption, Summary string
	Unit, UnitOne        string
	// Bins are drawn as columns of equal width in the order given, so they
	// read best with equal ranges.
	Bins []Bin
	// Median, when not nil, is marked on the chart and given in the summary.
	Median *float64
	// Axis is the title below the bins; it defaults to "Duration in days".
	Axis string
}

// Histogram renders a distribution of durations as touching columns, one for
// each bin, with the median marked when given.
func Histogram(h Durations) templ.Component {
	return figure(histogramDrawing(h))
}

func histogramDrawing(h Durations) drawing {
	points := h.points()
	values := make([]string, len(points))
	for i, p := range points {
		values[i] = p.text()
	}
	o := columnOptions{fill: 1, gap: 2, axisTitle: or(h.Axis, "Duration in days")}
	if h.Median != nil {
		m := *h.Median
		for i, b := range h.Bins {
			open := b.To <= b.From
			if m < float64(b.From) || (!open && m >= float64(b.To)) {
				continue
			}
			frac := 0.0
			if !open {
				frac = (m - float64(b.From)) / float64(b.To-b.From)
			}
			o.median, o.medianX, o.medianLabel = true, float64(i)+frac, "Median: "+days(m)
			break
		}
	}
	desc := or(h.Summary, SummariseDurations(h))
	return columnLayout(safeID(h.ID, h.Caption), "histogram", h.Caption, desc, points, values, o)
}

// points are the bins as points, named for the summary.
func (h Durations) points() []Point {
	out := make([]Point, len(h.Bins))
	for i, b := range h.Bins {
		label, name := b.Label, b.Label
		if label == "" {
			label, name = b.rangeLabel()
		}
		out[i] = Point{Label: label, LongLabel: name, Value: b.Value, Shown: b.Shown, Text: b.Text}
	}
	return out
}

// rangeLabel is the bin's range as a short label, such as "0–6", and in words,
// such as "0 to 6 days".
func (b Bin) rangeLabel() (label, name string) {
	switch {
	case b.To <= b.From:
		return strconv.Itoa(b.From) + "+", days(float64(b.From)) + " or more"
	case b.To == b.From+1:
		return strconv.Itoa(b.From), days(float64(b.From))
	default:
		return strconv.Itoa(b.From) + "–" + strconv.Itoa(b.To-1), strconv.Itoa(b.From) + " to " + days(float64(b.To-1))
	}
}

// days prints a number of days to one decimal place at most: "1 day",
// "6.5 days".
func days(d float64) string {
	s := strconv.FormatFloat(math.Round(d*10)/10, 'f', -1, 64)
	if s == "1" {
		return "1 day"
	}
	return s + " days"
}

// SummariseDurations writes the default one-sentence summary of a
// histogram: the total, the most common range and the median, such as
// "40 cases in total, most often 0 to 6 days (12); the median is 9 days."
func SummariseDurations(h Durations) string {
	points := h.points()
	c := Chart{Points: points, Unit: h.Unit, UnitOne: h.UnitOne}
	s, ok := specialCase(c)
	if !ok {
		top := extremes(points, func(a, b int) bool { return a > b })
		s = withheldClause(points, count(c, shownTotal(points))+" in total, most often "+names(points, top)+" ("+points[top[0]].text()+")")
	}
	if h.Median != nil && s != noFigures {
		s = s[:len(s)-1] + "; the median is " + days(*h.Median) + "."
	}
	return s
}

// or returns the first non-empty string.
func or(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

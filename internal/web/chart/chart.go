// Package chart renders accessible charts for the statistics pages as
// server-side SVG, readable without JavaScript and allowed by the service's
// Content-Security-Policy: the markup has no style attributes, no style
// elements and no scripts, only SVG presentation attributes and class names.
//
// Each chart is a figure holding a visible caption and an SVG image whose
// accessible name is the caption and whose description is a one-sentence
// summary of the figures. The page that shows a chart shows the data table
// beside it; the chart is the picture, not the only place the figures appear.
//
// The kinds are Bars (categories), Columns (a time series), Funnel (the
// stages of a process, each with its share of the first), Histogram (a
// distribution of durations in days, with the median marked) and GroupedBars
// (two series compared category by category). Each writes a default summary
// when the caller gives none; Summarise, SummariseSeries, SummariseFunnel,
// SummariseDurations and SummariseGroups return the same sentences for use
// elsewhere on the page.
//
// Figures may be withheld by disclosure control. A withheld figure draws no
// bar or column, only its printed form (such as "[c]") where the bar would
// start, and the summary says how many figures are withheld; the package never
// draws an estimate of a withheld value.
//
// The charts are for counts: a value below zero is drawn as zero. The same
// input always gives the same bytes, and coordinates have at most one decimal
// place. Colours come from the GOV.UK palette; every colour used for a bar or
// line has a contrast ratio of at least 3:1 against white, and every colour
// used for text at least 4.5:1.
//
// The SVG has no width or height of its own; the service stylesheet makes it
// as wide as its container through the class names app-chart and
// app-chart__svg.
package chart

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Colours from the GOV.UK palette.
const (
	// colourBar fills bars and columns.
	colourBar = "#1d70b8"
	// colourText is the colour of labels and values.
	colourText = "#0b0c0c"
	// colourSecondary is the colour of axis labels, withheld markers and grid lines.
	colourSecondary = "#505a5f"
)

// Point is one figure of a chart: a category, a stage or a period.
type Point struct {
	// Label names the point on the chart, such as "Education" or "Apr".
	Label string
	// LongLabel is the full name, such as "April 2026" for the label "Apr",
	// used in the summary and in the tooltip; it defaults to Label.
	LongLabel string
	// Value is the count; it is drawn only when Shown is set.
	Value int
	// Shown is false when disclosure control withholds the value.
	Shown bool
	// Text is the printed form of the value, such as "1,204" or "[c]". It
	// defaults to Value with thousands separators when shown, and to "[c]"
	// when withheld.
	Text string
}

// Chart is a bar, column or funnel chart.
type Chart struct {
	// ID identifies the figure on the page, so each chart on a page needs
	// its own; the SVG's title and description have the ids ID+"-title" and
	// ID+"-desc". When empty it is made from the caption. Characters other
	// than ASCII letters, digits, "-" and "_" are replaced.
	ID string
	// Caption is the visible caption and the accessible name of the image.
	Caption string
	// Summary is the one-sentence description of the image. When empty the
	// chart writes one: see Summarise, SummariseSeries and SummariseFunnel.
	Summary string
	Points  []Point
	// Unit names what is counted in the plural, such as "referrals".
	Unit string
	// UnitOne is the singular of Unit, such as "referral", used for a count
	// of one; it defaults to Unit.
	UnitOne string
}

// text is the printed form of the point's value.
func (p Point) text() string {
	if p.Text != "" {
		return p.Text
	}
	if !p.Shown {
		return "[c]"
	}
	return formatInt(p.Value)
}

// value is the value drawn: zero when withheld or negative.
func (p Point) value() int {
	if !p.Shown || p.Value < 0 {
		return 0
	}
	return p.Value
}

// name is the point's full name.
func (p Point) name() string {
	if p.LongLabel != "" {
		return p.LongLabel
	}
	return p.Label
}

// empty reports whether there is nothing to draw: no points, or every point
// shown with a value of zero.
func empty(points []Point) bool {
	for _, p := range points {
		if !p.Shown || p.value() > 0 {
			return false
		}
	}
	return true
}

// formatInt prints n with commas between thousands: 1234567 is "1,234,567".
func formatInt(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// coord prints a coordinate rounded to at most one decimal place.
func coord(f float64) string {
	r := math.Round(f*10) / 10
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// textWidth estimates the width of s at the given font size. The estimate is
// generous so that labels fit in the GOV.UK font and its fallbacks.
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * 0.6
}

// wrap breaks s into at most maxLines lines of at most maxChars characters,
// at spaces where it can. When s does not fit, the last line ends in an
// ellipsis and truncated is true.
func wrap(s string, maxChars, maxLines int) (lines []string, truncated bool) {
	maxChars = max(maxChars, 2)
	maxLines = max(maxLines, 1)
	var all [][]rune
	var cur []rune
	for _, w := range strings.Fields(s) {
		r := []rune(w)
		for len(r) > 0 {
			switch {
			case len(cur) == 0:
				// A word longer than a line is cut.
				n := min(len(r), maxChars)
				cur, r = r[:n:n], r[n:]
			case len(cur)+1+len(r) <= maxChars:
				cur, r = append(append(cur, ' '), r...), nil
			default:
				all, cur = append(all, cur), nil
			}
		}
	}
	if len(cur) > 0 {
		all = append(all, cur)
	}
	if len(all) > maxLines {
		truncated = true
		all = all[:maxLines]
		last := all[maxLines-1]
		if len(last) >= maxChars {
			last = last[:maxChars-1]
		}
		all[maxLines-1] = append([]rune(strings.TrimRightFunc(string(last), unicode.IsSpace)), '…')
	}
	for _, l := range all {
		lines = append(lines, string(l))
	}
	return lines, truncated
}

// ticks returns the axis ticks for values up to top: multiples of a step of
// 1, 2 or 5 × 10ⁿ, from zero to the first multiple at or above top, at most
// target+1 of them. With top at zero or below there is one tick, zero.
func ticks(top, target int) []int {
	if top <= 0 {
		return []int{0}
	}
	target = max(target, 1)
	step := top // when no round step fits in an int
search:
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			if mag > math.MaxInt/m {
				break search
			}
			s := m * mag
			if (top-1)/s+1 <= target {
				step = s
				break search
			}
		}
		if mag > math.MaxInt/10 {
			break
		}
	}
	n := (top-1)/step + 1
	if step > math.MaxInt/n {
		step, n = top, 1
	}
	out := make([]int, 0, n+1)
	for i := 0; i <= n; i++ {
		out = append(out, i*step)
	}
	return out
}

// safeID makes id (or, when empty, the caption) usable as an element id.
func safeID(id, caption string) string {
	src := id
	if src == "" {
		src = "chart-" + strings.ToLower(caption)
	}
	var b strings.Builder
	dash := false
	for _, r := range src {
		ok := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-')
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		return "chart"
	}
	if c := out[0]; c >= '0' && c <= '9' {
		out = "chart-" + out
	}
	return out
}

package chart

import (
	"bytes"
	"context"
	"encoding/xml"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// node is an element of the rendered markup.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n node) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n node) get(name string) string {
	v, _ := n.attr(name)
	return v
}

// text is the element's text, its own and its children's but not that of a
// title child.
func (n node) text() string {
	var parts []string
	if s := strings.TrimSpace(n.Text); s != "" {
		parts = append(parts, s)
	}
	for _, c := range n.Nodes {
		if c.XMLName.Local != "title" {
			if s := c.text(); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, " ")
}

// all lists the element and its descendants, in document order.
func (n node) all() []node {
	out := []node{n}
	for _, c := range n.Nodes {
		out = append(out, c.all()...)
	}
	return out
}

// find lists the descendants with the element name and, when class is not
// empty, that among their class names.
func (n node) find(name, class string) []node {
	var out []node
	for _, e := range n.all() {
		if e.XMLName.Local == name && (class == "" || slices.Contains(strings.Fields(e.get("class")), class)) {
			out = append(out, e)
		}
	}
	return out
}

func render(t *testing.T, c templ.Component) (string, node) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	var root node
	if err := xml.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatalf("not well-formed XML: %v\n%s", err, buf.String())
	}
	return buf.String(), root
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}

var (
	categories = Chart{ID: "by-concern", Caption: "Referrals by type of concern", Unit: "referrals", Points: []Point{
		{Label: "Islamist", Value: 40, Shown: true},
		{Label: "Extreme right-wing", Value: 25, Shown: true},
		{Label: "Mixed, unclear or unstable", Value: 10, Shown: true},
		{Label: "School massacre", Value: 0, Shown: true},
		{Label: "Other", Value: 3, Shown: false, Text: "[low]"},
	}}
	months = func() Chart {
		c := Chart{ID: "by-month", Caption: "Referrals by month", Unit: "referrals", UnitOne: "referral"}
		for i, m := range []string{"Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"} {
			c.Points = append(c.Points, Point{Label: m, LongLabel: m + " 2026", Value: 10 + i*7%23, Shown: i != 5})
		}
		return c
	}()
	stages = Chart{ID: "stages", Caption: "Referrals by stage", Unit: "referrals", Points: []Point{
		{Label: "Referred", Value: 120, Shown: true},
		{Label: "Discussed at panel", Value: 45, Shown: true},
		{Label: "Adopted", Value: 30, Shown: true},
		{Label: "Left", Value: 2, Shown: false},
	}}
	sectors = Groups{ID: "sectors", Caption: "Referrals by sector", Unit: "referrals", Labels: []string{"Education", "Police", "Health"}, Series: []Series{
		{Name: "2025", Points: []Point{{Value: 40, Shown: true}, {Value: 22, Shown: true}, {Value: 3, Shown: false}}},
		{Name: "2026", Points: []Point{{Value: 31, Shown: true}, {Value: 0, Shown: true}, {Value: 9, Shown: true}}},
	}}
	median    = 9.5
	durations = Durations{ID: "days", Caption: "Days from referral to panel", Unit: "cases", Median: &median, Bins: []Bin{
		{From: 0, To: 7, Value: 5, Shown: true},
		{From: 7, To: 14, Value: 12, Shown: true},
		{From: 14, To: 21, Value: 8, Shown: true},
		{From: 21, To: 28, Value: 2, Shown: false},
		{From: 28, Value: 3, Shown: true},
	}}
)

// kinds are a chart of each kind, with the id, caption and summary expected.
func kinds() []struct {
	name, id, caption, summary string
	c                          templ.Component
} {
	return []struct {
		name, id, caption, summary string
		c                          templ.Component
	}{
		{"bars", "by-concern", categories.Caption, Summarise(categories), Bars(categories)},
		{"columns", "by-month", months.Caption, SummariseSeries(months), Columns(months)},
		{"funnel", "stages", stages.Caption, SummariseFunnel(stages), Funnel(stages)},
		{"histogram", "days", durations.Caption, SummariseDurations(durations), Histogram(durations)},
		{"grouped", "sectors", sectors.Caption, SummariseGroups(sectors), GroupedBars(sectors)},
		{"empty grouped", "g", "G", noFigures, GroupedBars(Groups{ID: "g", Caption: "G", Labels: []string{"A"}, Series: []Series{{Name: "1", Points: []Point{{Shown: true}}}}})},
		{"empty bars", "nothing", "Nothing", noFigures, Bars(Chart{ID: "nothing", Caption: "Nothing"})},
		{"zero columns", "chart-zero", "Zero", noFigures, Columns(Chart{Caption: "Zero", Points: []Point{{Label: "Apr", Shown: true}}})},
		{"empty funnel", "f", "F", noFigures, Funnel(Chart{ID: "f", Caption: "F"})},
		{"empty histogram", "h", "H", noFigures, Histogram(Durations{ID: "h", Caption: "H", Bins: []Bin{{From: 0, To: 7, Shown: true}}})},
		{"all withheld", "w", "W", "All 2 figures are withheld.", Bars(Chart{ID: "w", Caption: "W", Points: []Point{{Label: "A"}, {Label: "B"}}})},
		{"custom summary", "c", "C", "Mostly A.", Bars(Chart{ID: "c", Caption: "C", Summary: "Mostly A.", Points: []Point{{Label: "A", Value: 3, Shown: true}}})},
	}
}

func TestFigureWiring(t *testing.T) {
	t.Parallel()
	for _, k := range kinds() {
		t.Run(k.name, func(t *testing.T) {
			_, root := render(t, k.c)
			if root.XMLName.Local != "figure" || root.get("id") != k.id {
				t.Fatalf("root is <%s id=%q>, want <figure id=%q>", root.XMLName.Local, root.get("id"), k.id)
			}
			if !strings.Contains(" "+root.get("class")+" ", " app-chart ") {
				t.Errorf("figure class %q lacks app-chart", root.get("class"))
			}
			caps := root.find("figcaption", "")
			if len(caps) != 1 || caps[0].text() != k.caption {
				t.Errorf("figcaption = %+v, want one saying %q", caps, k.caption)
			}
			svgs := root.find("svg", "")
			if len(svgs) != 1 {
				t.Fatalf("%d svg elements, want 1", len(svgs))
			}
			svg := svgs[0]
			if svg.get("role") != "img" {
				t.Errorf("svg role = %q, want img", svg.get("role"))
			}
			if svg.get("class") != "app-chart__svg" {
				t.Errorf("svg class = %q", svg.get("class"))
			}
			if !regexp.MustCompile(`^0 0 \d+ \d+$`).MatchString(svg.get("viewBox")) {
				t.Errorf("viewBox = %q", svg.get("viewBox"))
			}
			for _, a := range []string{"width", "height"} {
				if _, ok := svg.attr(a); ok {
					t.Errorf("svg has a fixed %s", a)
				}
			}
			if got, want := svg.get("aria-labelledby"), k.id+"-title "+k.id+"-desc"; got != want {
				t.Errorf("aria-labelledby = %q, want %q", got, want)
			}
			// The title and description are the svg's first children.
			if len(svg.Nodes) < 2 || svg.Nodes[0].XMLName.Local != "title" || svg.Nodes[1].XMLName.Local != "desc" {
				t.Fatalf("svg does not start with title and desc")
			}
			title, desc := svg.Nodes[0], svg.Nodes[1]
			if title.get("id") != k.id+"-title" || title.text() != k.caption {
				t.Errorf("title = <title id=%q>%s", title.get("id"), title.text())
			}
			if desc.get("id") != k.id+"-desc" || desc.text() != k.summary {
				t.Errorf("desc = <desc id=%q>%s, want %q", desc.get("id"), desc.text(), k.summary)
			}
			// Every id is unique, and each referenced id exists.
			ids := map[string]int{}
			for _, e := range root.all() {
				if id, ok := e.attr("id"); ok {
					ids[id]++
				}
			}
			for id, n := range ids {
				if n > 1 {
					t.Errorf("id %q used %d times", id, n)
				}
			}
			for _, ref := range strings.Fields(svg.get("aria-labelledby")) {
				if ids[ref] != 1 {
					t.Errorf("aria-labelledby names %q, which is not an element", ref)
				}
			}
		})
	}
}

func TestNoStylesOrScripts(t *testing.T) {
	t.Parallel()
	hostile := Chart{ID: "x", Caption: "<style>a{}</style>", Points: []Point{{Label: `<script>alert(1)</script>`, Value: 2, Shown: true}, {Label: `style="x"`, Shown: false, Text: "<script>"}}}
	comps := []templ.Component{Bars(hostile), Columns(hostile), Funnel(hostile)}
	for _, k := range kinds() {
		comps = append(comps, k.c)
	}
	for _, c := range comps {
		out, root := render(t, c)
		if regexp.MustCompile(`(?i)<(style|script)|<[^>]*\sstyle\s*=|javascript:`).MatchString(out) {
			t.Errorf("output has a style or script:\n%s", out)
		}
		for _, e := range root.all() {
			switch e.XMLName.Local {
			case "style", "script", "foreignObject":
				t.Errorf("output has a <%s> element", e.XMLName.Local)
			}
			for _, a := range e.Attrs {
				if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("<%s> has a %s attribute", e.XMLName.Local, a.Name.Local)
				}
			}
		}
	}
}

func TestEscaping(t *testing.T) {
	t.Parallel()
	label := `<script>alert("x")</script> & Sons`
	for _, c := range []templ.Component{
		Bars(Chart{ID: "e", Caption: "A & B <i>", Points: []Point{{Label: label, Value: 3, Shown: true}}}),
		Columns(Chart{ID: "e", Caption: "A & B <i>", Points: []Point{{Label: label, Value: 3, Shown: true}}}),
	} {
		out, root := render(t, c)
		if strings.Contains(out, "<script") || strings.Contains(out, "<i>") || strings.Contains(out, "& ") {
			t.Errorf("unescaped text in output:\n%s", out)
		}
		if !strings.Contains(out, "&lt;script&gt;") || !strings.Contains(out, "&amp; Sons") {
			t.Errorf("escaped label missing:\n%s", out)
		}
		// The parsed text is the label itself, in the tooltip of the bar.
		found := false
		for _, r := range root.find("rect", "app-chart__bar") {
			for _, tt := range r.find("title", "") {
				if tt.Text == label+": 3" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no bar titled %q", label+": 3")
		}
		if got := root.find("figcaption", "")[0].text(); got != "A & B <i>" {
			t.Errorf("caption = %q", got)
		}
	}
}

// bars are the value and length of each bar, by the name in its tooltip.
func bars(t *testing.T, root node, length string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, r := range root.find("rect", "app-chart__bar") {
		titles := r.find("title", "")
		if len(titles) != 1 {
			t.Fatalf("bar without a tooltip")
		}
		name, _, _ := strings.Cut(titles[0].Text, ": ")
		out[name] = num(t, r.get(length))
	}
	return out
}

func checkProportional(t *testing.T, got map[string]float64, want map[string]int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("bars %v, want one for each of %v", got, want)
	}
	// The unit length comes from the longest bar, where rounding matters least.
	ref := ""
	for name, v := range want {
		if ref == "" || v > want[ref] || (v == want[ref] && name < ref) {
			ref = name
		}
	}
	ratio := got[ref] / float64(want[ref])
	for name, v := range want {
		l, ok := got[name]
		if !ok {
			t.Fatalf("no bar for %q", name)
		}
		// Lengths are rounded to 0.1.
		if math.Abs(l-ratio*float64(v)) > 0.1 {
			t.Errorf("bar %q is %v long for %d; at %v a unit it would be %v", name, l, v, ratio, ratio*float64(v))
		}
	}
}

func TestBarLengthsProportional(t *testing.T) {
	t.Parallel()
	_, root := render(t, Bars(categories))
	// No bar for zero, none for the withheld point.
	checkProportional(t, bars(t, root, "width"), map[string]int{"Islamist": 40, "Extreme right-wing": 25, "Mixed, unclear or unstable": 10})

	_, root = render(t, Funnel(stages))
	checkProportional(t, bars(t, root, "width"), map[string]int{"Referred": 120, "Discussed at panel": 45, "Adopted": 30})

	_, root = render(t, Columns(months))
	want := map[string]int{}
	for _, p := range months.Points {
		if p.Shown {
			want[p.LongLabel] = p.Value
		}
	}
	checkProportional(t, bars(t, root, "height"), want)
	// Columns stand on the axis.
	axis := root.find("line", "app-chart__axis")[0]
	for _, r := range root.find("rect", "app-chart__bar") {
		if bottom := num(t, r.get("y")) + num(t, r.get("height")); math.Abs(bottom-num(t, axis.get("y1"))) > 0.11 {
			t.Errorf("column ends at %v, axis at %v", bottom, axis.get("y1"))
		}
	}

	// Both series of a grouped chart share one scale.
	_, root = render(t, GroupedBars(sectors))
	checkProportional(t, bars(t, root, "width"), map[string]int{"Education, 2025": 40, "Police, 2025": 22, "Education, 2026": 31, "Health, 2026": 9})

	_, root = render(t, Histogram(durations))
	checkProportional(t, bars(t, root, "height"), map[string]int{"0 to 6 days": 5, "7 to 13 days": 12, "14 to 20 days": 8, "28 days or more": 3})
}

func TestWithheld(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		comp     templ.Component
		label    string
		text     string
		withheld string
	}{
		{Bars(categories), "Other", "[low]", "1 figure is withheld"},
		{Columns(months), "Sep 2026", "[c]", "1 figure is withheld"},
		{Funnel(stages), "Left", "[c]", "Left [c] (withheld)"},
		{Histogram(durations), "21 to 27 days", "[c]", "1 figure is withheld"},
		{GroupedBars(sectors), "Health, 2025", "[c]", "1 figure is withheld"},
	} {
		out, root := render(t, c.comp)
		if _, ok := bars(t, root, "x")[c.label]; ok {
			t.Errorf("withheld %q has a bar", c.label)
		}
		marks := root.find("text", "app-chart__withheld")
		if len(marks) != 1 || marks[0].text() != c.text {
			t.Errorf("withheld markers %+v, want one saying %q", marks, c.text)
		}
		if desc := root.find("desc", "")[0].text(); !strings.Contains(desc, c.withheld) {
			t.Errorf("summary %q does not say %q", desc, c.withheld)
		}
		_ = out
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	for _, k := range kinds() {
		if k.summary != noFigures {
			continue
		}
		t.Run(k.name, func(t *testing.T) {
			_, root := render(t, k.c)
			if n := len(root.find("rect", "")); n != 0 {
				t.Errorf("%d rects in an empty chart", n)
			}
			msg := root.find("text", "app-chart__empty")
			if len(msg) != 1 || msg[0].text() != "No figures for this period" {
				t.Errorf("empty chart says %+v", msg)
			}
		})
	}
	// A chart whose figures are all withheld is not empty: it shows the markers.
	_, root := render(t, Bars(Chart{ID: "w", Caption: "W", Points: []Point{{Label: "A"}, {Label: "B", Text: "[x]"}}}))
	if n := len(root.find("text", "app-chart__withheld")); n != 2 {
		t.Errorf("%d withheld markers, want 2", n)
	}
	if n := len(root.find("rect", "")); n != 0 {
		t.Errorf("%d bars for withheld figures", n)
	}
}

// isRound reports whether n is 1, 2 or 5 × 10ⁿ.
func isRound(n int) bool {
	for n >= 10 && n%10 == 0 {
		n /= 10
	}
	return n == 1 || n == 2 || n == 5
}

func TestTicks(t *testing.T) {
	t.Parallel()
	for _, top := range []int{1, 2, 3, 7, 10, 12, 40, 99, 100, 101, 123, 999, 1234, 48_000, 987_654, 1_000_001, 3_000_000_000, math.MaxInt / 3} {
		ts := ticks(top, 5)
		if len(ts) < 2 || len(ts) > 6 {
			t.Errorf("ticks(%d) = %v: want 2 to 6 ticks", top, ts)
			continue
		}
		step := ts[1]
		if !isRound(step) {
			t.Errorf("ticks(%d) step %d is not 1, 2 or 5 × 10ⁿ", top, step)
		}
		for i, v := range ts {
			if v != i*step {
				t.Errorf("ticks(%d) = %v: not multiples of %d from zero", top, ts, step)
			}
		}
		last := ts[len(ts)-1]
		if last < top || last-step >= top {
			t.Errorf("ticks(%d) = %v: the last tick should be the first multiple at or above", top, ts)
		}
	}
	if ts := ticks(0, 5); len(ts) != 1 || ts[0] != 0 {
		t.Errorf("ticks(0) = %v, want [0]", ts)
	}

	// The rendered tick labels are round numbers with thousands separators.
	big := Chart{ID: "big", Caption: "Big", Points: []Point{{Label: "A", Value: 1_234_567, Shown: true}, {Label: "B", Value: 87_000, Shown: true}}}
	for _, c := range []templ.Component{Bars(big), Columns(big)} {
		_, root := render(t, c)
		labels := root.find("text", "app-chart__tick-label")
		var got []string
		for _, l := range labels {
			got = append(got, l.text())
		}
		if strings.Join(got, " ") != "0 500,000 1,000,000 1,500,000" {
			t.Errorf("tick labels %q", got)
		}
	}
}

func TestContrast(t *testing.T) {
	t.Parallel()
	// The formula gives the known extremes, and a colour that is too light fails.
	if r := contrast(t, "#000000"); math.Abs(r-21) > 0.01 {
		t.Errorf("black on white = %v, want 21", r)
	}
	if r := contrast(t, "#ffffff"); math.Abs(r-1) > 0.01 {
		t.Errorf("white on white = %v, want 1", r)
	}
	if r := contrast(t, "#b1b4b6"); r >= 3 {
		t.Errorf("GOV.UK mid grey on white = %v, want below 3", r)
	}
	if r := contrast(t, "#1d70b8"); math.Abs(r-5.17) > 0.01 {
		t.Errorf("GOV.UK blue on white = %.2f, want 5.17", r)
	}

	// The palette.
	for _, c := range []struct {
		colour string
		min    float64
	}{{colourBar, 3}, {colourSecond, 3}, {colourText, 4.5}, {colourSecondary, 4.5}} {
		if r := contrast(t, c.colour); r < c.min {
			t.Errorf("%s on white = %.2f, want at least %v", c.colour, r, c.min)
		}
	}

	// Every colour the charts use: 4.5:1 for text, 3:1 for shapes.
	hostile := Chart{ID: "x", Caption: "x", Points: []Point{{Label: strings.Repeat("long ", 40), Value: 2, Shown: true}, {Label: "w"}}}
	comps := []templ.Component{Bars(hostile), Columns(hostile)}
	for _, k := range kinds() {
		comps = append(comps, k.c)
	}
	seen := map[string]bool{}
	for _, c := range comps {
		_, root := render(t, c)
		for _, e := range root.all() {
			min := 3.0
			if e.XMLName.Local == "text" || e.XMLName.Local == "tspan" {
				min = 4.5
			}
			for _, a := range e.Attrs {
				switch a.Name.Local {
				case "fill", "stroke", "color", "stop-color", "flood-color":
				default:
					continue
				}
				if a.Value == "none" {
					continue
				}
				seen[a.Value] = true
				if r := contrast(t, a.Value); r < min {
					t.Errorf("<%s %s=%q> has contrast %.2f against white, want at least %v", e.XMLName.Local, a.Name.Local, a.Value, r, min)
				}
			}
		}
	}
	if len(seen) < 3 {
		t.Errorf("only the colours %v were found", seen)
	}
}

// contrast is the WCAG 2 contrast ratio of the colour #rrggbb against white.
func contrast(t *testing.T, colour string) float64 {
	t.Helper()
	if !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(colour) {
		t.Fatalf("colour %q is not #rrggbb", colour)
	}
	channel := func(hex string) float64 {
		v, _ := strconv.ParseUint(hex, 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	l := 0.2126*channel(colour[1:3]) + 0.7152*channel(colour[3:5]) + 0.0722*channel(colour[5:7])
	return (1 + 0.05) / (l + 0.05)
}

func TestDeterministicAndRounded(t *testing.T) {
	t.Parallel()
	coordinate := regexp.MustCompile(`^-?\d+(\.\d)?$`)
	for _, k := range kinds() {
		a, root := render(t, k.c)
		b, _ := render(t, k.c)
		if a != b {
			t.Errorf("%s: two renderings differ", k.name)
		}
		for _, e := range root.all() {
			for _, at := range e.Attrs {
				switch at.Name.Local {
				case "x", "y", "width", "height", "x1", "x2", "y1", "y2", "dy", "font-size", "stroke-width":
					if !coordinate.MatchString(at.Value) {
						t.Errorf("%s: <%s %s=%q> is not rounded to one decimal", k.name, e.XMLName.Local, at.Name.Local, at.Value)
					}
				}
			}
		}
	}
}

func TestLongLabels(t *testing.T) {
	t.Parallel()
	long := "Concerns about a person's online activity relating to extremist material, including the sharing of propaganda with others in a closed group chat"
	c := Chart{ID: "l", Caption: "L", Points: []Point{{Label: long, Value: 5, Shown: true}, {Label: "Short", Value: 2, Shown: true}}}
	_, root := render(t, Bars(c))
	labels := root.find("text", "app-chart__label")
	if len(labels) != 2 {
		t.Fatalf("%d labels", len(labels))
	}
	lines := labels[0].find("tspan", "")
	if len(lines) != 2 {
		t.Fatalf("long label has %d lines, want 2", len(lines))
	}
	for _, l := range lines {
		if textWidth(l.text(), fontSize) > width-10 {
			t.Errorf("line %q is wider than the chart", l.text())
		}
	}
	if !strings.HasSuffix(lines[1].text(), "…") {
		t.Errorf("shortened label %q does not end with an ellipsis", lines[1].text())
	}
	if titles := labels[0].find("title", ""); len(titles) != 1 || titles[0].Text != long {
		t.Errorf("shortened label has titles %+v, want the full label", titles)
	}
	if titles := labels[1].find("title", ""); len(titles) != 0 {
		t.Errorf("short label has a title")
	}

	// In a column chart a long label is cut to its slot.
	_, root = render(t, Columns(c))
	labels = root.find("text", "app-chart__label")
	if !strings.HasSuffix(labels[0].text(), "…") || len(labels[0].find("title", "")) != 1 {
		t.Errorf("long column label %q is not shortened with a title", labels[0].text())
	}

	// Many columns: the labels are thinned so they do not overlap.
	var many Chart
	for i := range 120 {
		many.Points = append(many.Points, Point{Label: "Mon" + strconv.Itoa(i), Value: i, Shown: true})
	}
	_, root = render(t, Columns(many))
	labels = root.find("text", "app-chart__label")
	if len(labels) >= 120 || len(labels) < 10 {
		t.Errorf("%d labels for 120 columns", len(labels))
	}
	for i := 1; i < len(labels); i++ {
		gap := num(t, labels[i].get("x")) - num(t, labels[i-1].get("x"))
		if w := (textWidth(labels[i].text(), smallSize) + textWidth(labels[i-1].text(), smallSize)) / 2; gap < w {
			t.Errorf("labels %q and %q overlap", labels[i-1].text(), labels[i].text())
		}
	}
}

func TestWrap(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in       string
		chars    int
		lines    int
		want     []string
		truncate bool
	}{
		{"Education", 20, 2, []string{"Education"}, false},
		{"Mixed, unclear or unstable", 10, 3, []string{"Mixed,", "unclear or", "unstable"}, false},
		{"Mixed, unclear or unstable", 10, 2, []string{"Mixed,", "unclear o…"}, true},
		{"Supercalifragilistic", 8, 2, []string{"Supercal", "ifragil…"}, true},
		{"  spaced   out  ", 20, 1, []string{"spaced out"}, false},
		{"", 20, 1, nil, false},
	} {
		got, cut := wrap(c.in, c.chars, c.lines)
		if strings.Join(got, "|") != strings.Join(c.want, "|") || cut != c.truncate {
			t.Errorf("wrap(%q, %d, %d) = %q, %v; want %q, %v", c.in, c.chars, c.lines, got, cut, c.want, c.truncate)
		}
	}
}

func TestFunnelShares(t *testing.T) {
	t.Parallel()
	_, root := render(t, Funnel(stages))
	var got []string
	for _, v := range root.find("text", "app-chart__value") {
		got = append(got, v.text())
	}
	if want := "120 (100%)|45 (38%)|30 (25%)"; strings.Join(got, "|") != want {
		t.Errorf("funnel values %q, want %q", got, want)
	}
	// No shares when the first stage is withheld.
	c := Chart{ID: "f", Caption: "F", Points: []Point{{Label: "Referred"}, {Label: "Adopted", Value: 4, Shown: true}}}
	_, root = render(t, Funnel(c))
	if v := root.find("text", "app-chart__value"); len(v) != 1 || v[0].text() != "4" {
		t.Errorf("funnel values %+v, want only 4", v)
	}
	if s := SummariseFunnel(c); s != "Referred [c] (withheld); Adopted 4." {
		t.Errorf("summary %q", s)
	}
	if s, ok := share(Point{Value: 1000, Shown: true}, Point{Value: 4, Shown: true}); !ok || s != "<1%" {
		t.Errorf("share of 4 in 1000 = %q", s)
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	_, root := render(t, Histogram(durations))
	lines := root.find("line", "app-chart__median")
	if len(lines) != 1 {
		t.Fatalf("%d median lines", len(lines))
	}
	// 9.5 days is 5/14 of the way through the second bin.
	x := num(t, lines[0].get("x1"))
	var cols []float64
	for _, r := range root.find("rect", "app-chart__bar") {
		cols = append(cols, num(t, r.get("x")))
	}
	slot := cols[1] - cols[0]
	if want := cols[1] - 1 + slot*2.5/7; math.Abs(x-want) > 0.2 {
		t.Errorf("median at %v, want %v", x, want)
	}
	if l := root.find("text", "app-chart__median-label"); len(l) != 1 || l[0].text() != "Median: 9.5 days" {
		t.Errorf("median label %+v", l)
	}
	// A median outside the bins is in the summary but not drawn.
	far := 400.0
	d := durations
	d.Median = &far
	d.Bins = d.Bins[:4]
	_, root = render(t, Histogram(d))
	if len(root.find("line", "app-chart__median")) != 0 {
		t.Errorf("median outside the bins is drawn")
	}
	if desc := root.find("desc", "")[0].text(); !strings.HasSuffix(desc, "the median is 400 days.") {
		t.Errorf("summary %q", desc)
	}
}

func TestSummaries(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ got, want string }{
		{Summarise(categories), "Of the figures shown, Islamist has the most referrals (40 of 75); 1 figure is withheld."},
		{Summarise(Chart{Points: []Point{{Label: "A", Value: 3, Shown: true}, {Label: "B", Value: 3, Shown: true}, {Label: "C", Value: 1, Shown: true}}}), "A and B have the most (3 each of 7)."},
		{Summarise(Chart{Points: []Point{{Label: "A", Value: 1, Shown: true}, {Label: "B", Shown: true}}, Unit: "cases"}), "A has the most cases (1 of 1)."},
		{Summarise(Chart{Points: []Point{{Label: "A"}, {Label: "B", Shown: true}}}), "1 figure is withheld and the others are zero."},
		{Summarise(Chart{Points: []Point{{Label: "A"}}}), "The figure is withheld."},
		{Summarise(Chart{}), noFigures},
		{SummariseSeries(months), "Of the figures shown, 215 referrals in total, highest in Jul 2026 (31) and lowest in Apr 2026 (10); 1 figure is withheld."},
		{SummariseSeries(Chart{Unit: "referrals", UnitOne: "referral", Points: []Point{{Label: "Apr", Value: 1, Shown: true}}}), "1 referral in total, all in Apr."},
		{SummariseSeries(Chart{Points: []Point{{Label: "Apr", Value: 2, Shown: true}, {Label: "May", Value: 2, Shown: true}}}), "4 in total, 2 in each period shown."},
		{SummariseSeries(Chart{Points: []Point{{Label: "A", Value: 9, Shown: true}, {Label: "B", Value: 1, Shown: true}, {Label: "C", Value: 1, Shown: true}, {Label: "D", Value: 1, Shown: true}, {Label: "E", Value: 1, Shown: true}}}), "13 in total, highest in A (9) and lowest in B, C and 2 others (1)."},
		{SummariseFunnel(stages), "Referred 120; Discussed at panel 45 (38% of Referred); Adopted 30 (25%); Left [c] (withheld)."},
		{SummariseDurations(durations), "Of the figures shown, 28 cases in total, most often 7 to 13 days (12); 1 figure is withheld; the median is 9.5 days."},
		{SummariseDurations(Durations{Bins: []Bin{{From: 0, To: 1, Value: 4, Shown: true}, {From: 1, To: 2, Value: 2, Shown: true}}}), "6 in total, most often 0 days (4)."},
	} {
		if c.got != c.want {
			t.Errorf("summary\n got %q\nwant %q", c.got, c.want)
		}
	}
}

func TestIDs(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ id, caption, want string }{
		{"by-month", "x", "by-month"},
		{"", "Referrals by month", "chart-referrals-by-month"},
		{`a" onload="x`, "", "a-onload-x"},
		{"", "", "chart"},
		{"2026", "", "chart-2026"},
	} {
		if got := safeID(c.id, c.caption); got != c.want {
			t.Errorf("safeID(%q, %q) = %q, want %q", c.id, c.caption, got, c.want)
		}
	}
}

func TestFormatInt(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 12: "12", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := formatInt(n); got != want {
			t.Errorf("formatInt(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestGrouped(t *testing.T) {
	t.Parallel()
	_, root := render(t, GroupedBars(sectors))
	keys := root.find("rect", "app-chart__key")
	names := root.find("text", "app-chart__key-label")
	if len(keys) != 2 || len(names) != 2 || names[0].text() != "2025" || names[1].text() != "2026" {
		t.Fatalf("key %+v %+v, want 2025 and 2026", keys, names)
	}
	fills := map[string]string{}
	for _, r := range root.find("rect", "app-chart__bar") {
		_, series, _ := strings.Cut(strings.SplitN(r.find("title", "")[0].Text, ": ", 2)[0], ", ")
		if f, ok := fills[series]; ok && f != r.get("fill") {
			t.Errorf("series %s has bars in %s and %s", series, f, r.get("fill"))
		}
		fills[series] = r.get("fill")
	}
	if keys[0].get("class") != "app-chart__key" || keys[1].get("class") != "app-chart__key app-chart__key--second" {
		t.Errorf("key classes %q, %q", keys[0].get("class"), keys[1].get("class"))
	}
	if n := len(root.find("rect", "app-chart__bar--second")); n != 2 {
		t.Errorf("%d bars of the second series have its class, want 2", n)
	}
	if fills["2025"] != keys[0].get("fill") || fills["2026"] != keys[1].get("fill") || fills["2025"] == fills["2026"] {
		t.Errorf("bar colours %v do not match the key %s, %s", fills, keys[0].get("fill"), keys[1].get("fill"))
	}
	// Each category's label comes before its bars.
	var labels []string
	for _, l := range root.find("text", "app-chart__label") {
		labels = append(labels, l.text())
	}
	if strings.Join(labels, "|") != "Education|Police|Health" {
		t.Errorf("labels %q", labels)
	}
	// A short series is drawn as withheld, never as a guess; a third series is not drawn.
	g := Groups{ID: "g", Caption: "G", Labels: []string{"A", "B"}, Series: []Series{
		{Name: "one", Points: []Point{{Value: 5, Shown: true}}},
		{Name: "two", Points: []Point{{Value: 4, Shown: true}, {Value: 2, Shown: true}}},
		{Name: "three", Points: []Point{{Value: 9, Shown: true}, {Value: 9, Shown: true}}},
	}}
	_, root = render(t, GroupedBars(g))
	checkProportional(t, bars(t, root, "width"), map[string]int{"A, one": 5, "A, two": 4, "B, two": 2})
	if n := len(root.find("text", "app-chart__withheld")); n != 1 {
		t.Errorf("%d withheld markers, want 1 for the missing point", n)
	}
	if s := SummariseGroups(sectors); s != "Of the figures shown, 2025: 62 referrals in total, the most in Education (40); 2026: 40 referrals in total, the most in Education (31); 1 figure is withheld." {
		t.Errorf("summary %q", s)
	}
}

package chart

import "strconv"

// Sizes in the units of the SVG's view box, which is width units wide and
// scales with the page.
const (
	width     = 600
	fontSize  = 16 // labels
	smallSize = 14 // values and axis labels
	lineGap   = 20 // between the lines of a wrapped label
	barHeight = 24 // of a bar in a bar chart or funnel
	// groupBarHeight is the height of each bar of a group.
	groupBarHeight = 20
	rowGap         = 16 // below each bar
)

// drawing is a chart laid out, ready for the template. Its parts are drawn
// in order: grid lines, rectangles, marks over them, then text.
type drawing struct {
	ID, Kind, Caption, Desc string
	Height                  int
	Grid                    []line
	Rects                   []rect
	Marks                   []line
	Texts                   []text
}

func (d drawing) viewBox() string {
	return "0 0 " + strconv.Itoa(width) + " " + strconv.Itoa(d.Height)
}

func (d drawing) labelledBy() string {
	return d.ID + "-title " + d.ID + "-desc"
}

// rect is a bar or column, with its name and value as a tooltip.
type rect struct {
	X, Y, W, H, Fill, Class, Title string
}

// keyItem names the colour of a series.
type keyItem struct {
	name, fill string
	// modifier, when set, is added to the class names of the swatch, such
	// as "second" for app-chart__key--second.
	modifier string
}

// line is an axis, a grid line, a tick or the median.
type line struct {
	X1, Y1, X2, Y2, Stroke, Width, Dash, Class string
}

// text is a label; a wrapped label has several lines, each a tspan, and a
// shortened one has the full text as its title.
type text struct {
	X, Y, Anchor, Size, Fill, Weight, Class string
	Lines                                   []string
	Title                                   string
}

// dy is the offset of the second and later lines of a wrapped label.
func (t text) dy() string { return strconv.Itoa(lineGap) }

func newText(x, y float64, anchor string, size int, fill, class string, lines ...string) text {
	return text{X: coord(x), Y: coord(y), Anchor: anchor, Size: strconv.Itoa(size), Fill: fill, Weight: "normal", Class: class, Lines: lines}
}

// modified is the class name with its modifier, such as
// "app-chart__bar app-chart__bar--second", or alone when there is none.
func modified(class, modifier string) string {
	if modifier == "" {
		return class
	}
	return class + " " + class + "--" + modifier
}

// emptyDrawing is the picture of a chart with nothing to draw.
func emptyDrawing(id, kind, caption, desc string) drawing {
	d := drawing{ID: id, Kind: kind, Caption: caption, Desc: desc, Height: 60}
	d.Texts = append(d.Texts, newText(width/2, 36, "middle", fontSize, colourSecondary, "app-chart__empty", "No figures for this period"))
	return d
}

// barRow is a label with one bar below it, or one for each series.
type barRow struct {
	label string
	bars  []barItem
}

// barItem is one bar of a row.
type barItem struct {
	p Point
	// value is the printed value, after the bar.
	value string
	// tooltip names the bar, such as "Education" or "Education, 2026".
	tooltip string
	fill    string
	// modifier, when set, is added to the bar's class names, such as
	// "second" for app-chart__bar--second.
	modifier string
}

// singleRows are the rows of a chart with one series.
func singleRows(points []Point, values []string) []barRow {
	rows := make([]barRow, len(points))
	for i, p := range points {
		rows[i] = barRow{label: p.Label, bars: []barItem{{p: p, value: values[i], tooltip: p.name(), fill: colourBar}}}
	}
	return rows
}

// barLayout draws horizontal bars below their labels, each with its printed
// value after it; a row with several bars is a group, drawn thinner. Withheld
// points have no bar, only their printed value. The key, when given, names
// the colour of each series above the bars.
func barLayout(id, kind, caption, desc string, rows []barRow, key []keyItem) drawing {
	var all []Point
	for _, r := range rows {
		for _, b := range r.bars {
			all = append(all, b.p)
		}
	}
	if empty(all) {
		return emptyDrawing(id, kind, caption, desc)
	}
	d := drawing{ID: id, Kind: kind, Caption: caption, Desc: desc}
	top := 0
	reserve := 40.0
	for _, r := range rows {
		for _, b := range r.bars {
			top = max(top, b.p.value())
			reserve = max(reserve, textWidth(b.value, smallSize)+8)
		}
	}
	reserve = min(reserve, width/3)
	ts := ticks(top, 5)
	axisTop := ts[len(ts)-1]
	left := 10.0
	plot := width - reserve - left
	scale := func(v int) float64 {
		if axisTop == 0 {
			return 0
		}
		return float64(v) / float64(axisTop) * plot
	}
	maxChars := int((width - left) / (fontSize * 0.6))
	y := 0.0
	if len(key) > 0 {
		x := left
		for _, k := range key {
			d.Rects = append(d.Rects, rect{X: coord(x), Y: "3", W: "16", H: "16", Fill: k.fill, Class: modified("app-chart__key", k.modifier)})
			d.Texts = append(d.Texts, newText(x+22, 16, "start", smallSize, colourText, "app-chart__key-label", k.name))
			x += 22 + textWidth(k.name, smallSize) + 24
		}
		y = 36
	}
	for _, r := range rows {
		lines, cut := wrap(r.label, maxChars, 2)
		if len(lines) == 0 {
			lines = []string{""}
		}
		label := newText(left, y+fontSize, "start", fontSize, colourText, "app-chart__label", lines...)
		if cut {
			label.Title = r.label
		}
		d.Texts = append(d.Texts, label)
		y += float64(len(lines)*lineGap) + 6
		h := float64(barHeight)
		if len(r.bars) > 1 {
			h = groupBarHeight
		}
		// The zero line runs beside the bars, clear of the labels.
		height := float64(len(r.bars))*(h+2) - 2
		d.Marks = append(d.Marks, line{X1: coord(left), Y1: coord(y - 4), X2: coord(left), Y2: coord(y + height + 4), Stroke: colourText, Width: "1", Class: "app-chart__axis"})
		for _, b := range r.bars {
			mid := y + h/2 + smallSize*0.35
			if !b.p.Shown {
				d.Texts = append(d.Texts, newText(left+6, mid, "start", smallSize, colourSecondary, "app-chart__withheld", b.value))
			} else {
				w := scale(b.p.value())
				if w > 0 {
					d.Rects = append(d.Rects, rect{X: coord(left), Y: coord(y), W: coord(w), H: coord(h), Fill: b.fill, Class: modified("app-chart__bar", b.modifier), Title: b.tooltip + ": " + b.value})
				}
				v := newText(left+w+6, mid, "start", smallSize, colourText, "app-chart__value", b.value)
				v.Weight = "bold"
				d.Texts = append(d.Texts, v)
			}
			y += h + 2
		}
		y += rowGap - 2
	}
	axis := y - rowGap/2
	d.Marks = append(d.Marks, line{X1: coord(left), Y1: coord(axis), X2: coord(left + plot), Y2: coord(axis), Stroke: colourSecondary, Width: "1", Class: "app-chart__axis"})
	for _, t := range ts {
		x := left + scale(t)
		d.Marks = append(d.Marks, line{X1: coord(x), Y1: coord(axis), X2: coord(x), Y2: coord(axis + 5), Stroke: colourSecondary, Width: "1", Class: "app-chart__tick"})
		d.Texts = append(d.Texts, newText(x, axis+5+smallSize, "middle", smallSize, colourSecondary, "app-chart__tick-label", formatInt(t)))
	}
	d.Height = int(axis) + 5 + smallSize + 8
	return d
}

// columnOptions vary the column layout between a time series and a
// histogram.
type columnOptions struct {
	// fill is the share of each slot the column fills.
	fill float64
	// gap is taken off each column's width.
	gap float64
	// axisTitle, when set, is written below the labels.
	axisTitle string
	// median, when set, is marked at x with the label.
	median      bool
	medianX     float64 // in slots from the left of the plot
	medianLabel string
}

// columnLayout draws vertical columns in equal slots above their labels, with
// a value axis on the left and each printed value above its column when the
// values fit. Withheld points have no column, only their printed value.
func columnLayout(id, kind, caption, desc string, points []Point, values []string, o columnOptions) drawing {
	if empty(points) {
		return emptyDrawing(id, kind, caption, desc)
	}
	d := drawing{ID: id, Kind: kind, Caption: caption, Desc: desc}
	top := 0
	for _, p := range points {
		top = max(top, p.value())
	}
	ts := ticks(top, 5)
	axisTop := ts[len(ts)-1]
	left := 0.0
	for _, t := range ts {
		left = max(left, textWidth(formatInt(t), smallSize))
	}
	left += 10
	plotTop := 28.0
	if o.median {
		plotTop = 52
	}
	const plotHeight = 220.0
	axis := plotTop + plotHeight
	plot := width - 4 - left
	slot := plot / float64(len(points))
	scale := func(v int) float64 {
		if axisTop == 0 {
			return 0
		}
		return float64(v) / float64(axisTop) * plotHeight
	}
	for _, t := range ts {
		y := axis - scale(t)
		if t > 0 {
			d.Grid = append(d.Grid, line{X1: coord(left), Y1: coord(y), X2: coord(left + plot), Y2: coord(y), Stroke: colourSecondary, Width: "1", Dash: "2 4", Class: "app-chart__grid"})
		}
		d.Texts = append(d.Texts, newText(left-6, y+smallSize*0.35, "end", smallSize, colourSecondary, "app-chart__tick-label", formatInt(t)))
	}
	d.Marks = append(d.Marks, line{X1: coord(left), Y1: coord(axis), X2: coord(left + plot), Y2: coord(axis), Stroke: colourText, Width: "1", Class: "app-chart__axis"})
	// Values go above the columns only when every one fits its slot.
	valuesFit := true
	for i, p := range points {
		if p.Shown && textWidth(values[i], smallSize) > slot-2 {
			valuesFit = false
		}
	}
	// Labels go under every column, or every step-th when slots are narrow.
	step := 1
	for slot*float64(step) < textWidth("Mmm", smallSize)+4 {
		step++
	}
	maxChars := max(int((slot*float64(step)-4)/(smallSize*0.6)), 1)
	barW := max(slot*o.fill-o.gap, 1)
	for i, p := range points {
		cx := left + slot*(float64(i)+0.5)
		if !p.Shown {
			d.Texts = append(d.Texts, newText(cx, axis-6, "middle", smallSize, colourSecondary, "app-chart__withheld", values[i]))
		} else {
			h := scale(p.value())
			if h > 0 {
				d.Rects = append(d.Rects, rect{X: coord(cx - barW/2), Y: coord(axis - h), W: coord(barW), H: coord(h), Fill: colourBar, Class: "app-chart__bar", Title: p.name() + ": " + values[i]})
			}
			if valuesFit {
				v := newText(cx, axis-h-6, "middle", smallSize, colourText, "app-chart__value", values[i])
				v.Weight = "bold"
				d.Texts = append(d.Texts, v)
			}
		}
		if i%step == 0 {
			lines, cut := wrap(p.Label, maxChars, 1)
			if len(lines) == 0 {
				lines = []string{""}
			}
			l := newText(cx, axis+6+smallSize, "middle", smallSize, colourText, "app-chart__label", lines...)
			if cut {
				l.Title = p.name()
			}
			d.Texts = append(d.Texts, l)
			d.Marks = append(d.Marks, line{X1: coord(cx), Y1: coord(axis), X2: coord(cx), Y2: coord(axis + 4), Stroke: colourText, Width: "1", Class: "app-chart__tick"})
		}
	}
	bottom := axis + 6 + smallSize + 8
	if o.axisTitle != "" {
		d.Texts = append(d.Texts, newText(left+plot/2, bottom+smallSize, "middle", smallSize, colourText, "app-chart__axis-title", o.axisTitle))
		bottom += smallSize + 8
	}
	if o.median {
		x := left + slot*o.medianX
		d.Marks = append(d.Marks, line{X1: coord(x), Y1: coord(plotTop - 18), X2: coord(x), Y2: coord(axis), Stroke: colourText, Width: "2", Dash: "6 4", Class: "app-chart__median"})
		anchor, tx := "start", x+4
		if x > width*0.6 {
			anchor, tx = "end", x-4
		}
		m := newText(tx, plotTop-24, anchor, smallSize, colourText, "app-chart__median-label", o.medianLabel)
		m.Weight = "bold"
		d.Texts = append(d.Texts, m)
	}
	d.Height = int(bottom + 0.5)
	return d
}

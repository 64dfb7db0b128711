package returns

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/partnership"
)

// Table is one table of a return: a title, the column headings (the first heads the row labels) and rows of
// cells as printed, the last row being the total.
type Table struct {
	ID       string
	Title    string
	Headings []string
	Rows     []Row
	Notes    []string
}

// Row is one row of a table.
type Row struct {
	Label string
	Total bool
	Cells []Cell
}

// Cell is one figure as printed: a number, or a shorthand ([c], [z], [x]) saying why there is none. Value is
// the number printed when Number is true.
type Cell struct {
	Text   string
	Value  int
	Number bool
}

// The stages of the pathway a return counts, in the order of the columns.
const (
	stReferred = iota
	stDiscussed
	stAdopted
	stNFA
	stSignposted
	nStages
)

func (r record) at(stage int) bool {
	switch stage {
	case stReferred:
		return true
	case stDiscussed:
		return r.discussed
	case stAdopted:
		return r.adopted
	case stNFA:
		return r.nfa
	case stSignposted:
		return r.signposted
	}
	return false
}

// stageHeadings are the columns of the tables by one characteristic.
var stageHeadings = []string{
	"Referrals",
	"Discussed at a Channel panel",
	"Discussed at a Channel panel: % of referrals",
	"Adopted as a Channel case",
	"Adopted as a Channel case: % of referrals",
	"No further action (local use)",
	"Signposted to other services (local use)",
}

// rowKey is one row of a table by a characteristic: a category of the list in force, or a service code the list
// has no category for ("not mapped"), which is shown as such and never folded into another row.
type rowKey struct {
	key   string
	label string
	note  string // why the row is not mapped
}

// dimension is a characteristic the return breaks referrals down by.
type dimension struct {
	id, title, heading string
	rows               []rowKey
	of                 func(record) rowKey
}

// rowsOf is the list's categories in order, then the rows not mapped that some record falls in.
func rowsOf(l List, recs []record, of func(record) rowKey) []rowKey {
	var rows []rowKey
	for _, c := range l.Categories {
		rows = append(rows, rowKey{key: "c:" + c.Code, label: c.Label})
	}
	var extra []rowKey
	for _, r := range recs {
		k := of(r)
		if !strings.HasPrefix(k.key, "c:") && !slices.ContainsFunc(extra, func(x rowKey) bool { return x.key == k.key }) {
			extra = append(extra, k)
		}
	}
	slices.SortFunc(extra, func(a, b rowKey) int { return strings.Compare(a.key, b.key) })
	return append(rows, extra...)
}

func mapped(l List, code string) rowKey {
	c, _ := l.Category(code)
	return rowKey{key: "c:" + c.Code, label: c.Label}
}

func notMapped(l List, code, what, reason string) rowKey {
	return rowKey{key: "u:" + code, label: "Not in the " + l.Title + " list: " + what,
		note: "‘" + what + "’ is not in " + l.Ref() + ". " + reason + "."}
}

// concernRow places a referral's types of concern in the list: one type, or several that the list puts in one
// category, map to it; several in different categories go to the list's category for more than one type.
func concernRow(l List, labels map[string]string) func(record) rowKey {
	return func(r record) rowKey {
		if len(r.types) == 0 {
			if l.None != "" {
				return mapped(l, l.None)
			}
			return notMapped(l, "", "no type recorded", "This list has no category for a referral without a type of concern")
		}
		var cats []string
		for _, t := range r.types {
			c, ok, reason := l.MapService(t)
			if !ok {
				if len(r.types) == 1 {
					label := labels[t]
					if label == "" {
						label = t
					}
					return notMapped(l, t, label, reason)
				}
				return notMapped(l, "+several", "more than one type, not all in this list", "A referral with several types counts under one category only when every type is in this list")
			}
			if !slices.Contains(cats, c) {
				cats = append(cats, c)
			}
		}
		if len(cats) == 1 {
			return mapped(l, cats[0])
		}
		if l.Multiple != "" {
			return mapped(l, l.Multiple)
		}
		return notMapped(l, "+several", "more than one type", "This list has no category for a referral with more than one type of concern")
	}
}

// serviceRow maps a service code of the record (its sector, or its gender) through the list.
func serviceRow(l List, codeOf func(record) string, label func(string) string) func(record) rowKey {
	return func(r record) rowKey {
		code := codeOf(r)
		c, ok, reason := l.MapService(code)
		if !ok {
			return notMapped(l, code, label(code), reason)
		}
		return mapped(l, c)
	}
}

func sectorOf(r record) string { return r.sector }

func genderOf(r record) string { return r.gender }

func sectorLabel(code string) string {
	if code == "" {
		return "not recorded"
	}
	return partnership.Sector(code).String()
}

// genderLabels name the answers of the referral form's gender question.
var genderLabels = map[string]string{"female": "Female", "male": "Male", "other": "Uses another term", "not_known": "Not known", "": "Not given"}

func genderLabel(code string) string {
	if l, ok := genderLabels[code]; ok {
		return l
	}
	return code
}

// erasedAgeBands are the bands casework keeps of an erased case instead of its age (casework.AgeBand), as ranges
// of whole years (-1: no upper bound).
var erasedAgeBands = map[string]struct {
	label  string
	lo, hi int
}{
	"under_15": {"under 15", 0, 14},
	"15_17":    {"15 to 17", 15, 17},
	"18_20":    {"18 to 20", 18, 20},
	"21_30":    {"21 to 30", 21, 30},
	"31_40":    {"31 to 40", 31, 40},
	"41_50":    {"41 to 50", 41, 50},
	"over_50":  {"over 50", 51, -1},
}

// ageRow places a referral in an age band: by its age, or for an erased case by the band it kept when the list
// has a band holding all of it. A kept band that the list divides is not shared out; it is shown as not mapped.
func ageRow(l List) func(record) rowKey {
	return func(r record) rowKey {
		if !r.erased || r.erasedBand == "unknown" {
			if code, ok := l.AgeBand(r.age); ok {
				return mapped(l, code)
			}
			return notMapped(l, fmt.Sprint(r.age), "age "+fmt.Sprint(r.age), "No band of this list holds this age")
		}
		b, ok := erasedAgeBands[r.erasedBand]
		if !ok {
			return notMapped(l, "erased:"+r.erasedBand, "erased cases in band "+r.erasedBand, "Not a band casework keeps")
		}
		if code, ok := l.BandOfRange(b.lo, b.hi, false); ok {
			return mapped(l, code)
		}
		return notMapped(l, "erased:"+r.erasedBand, "erased cases aged "+b.label,
			"Erased cases keep the band of age at referral, not the age, and this list divides that band")
	}
}

func quarterRow(r record) rowKey {
	return rowKey{key: "q" + strconv.Itoa(r.quarter), label: fmt.Sprintf("Q%d (%s)", r.quarter, QuarterLabel(r.quarter))}
}

// layout is a return's tables before disclosure control: every count is an entry of one counts system.
type layout struct {
	sys   counts
	grand [nStages]int
	dims  []dimension
	ent   [][][nStages]int // dimension, row, stage
	cross [][]int          // age row, type row
	// consent counts the adopted cases by the last decision on consent to support, in consentRows' order.
	consentRows []rowKey
	consent     []int
}

// lay counts the records by every dimension and stage, and the referrals by age and type together, and ties
// the counts into lines (each breakdown adds up to its total) and links (adopted within discussed within
// referrals; no further action and signposted, which exclude each other, within referrals).
func lay(recs []record, dims []dimension) *layout {
	lo := &layout{dims: dims}
	s := &lo.sys
	for st := range nStages {
		n := 0
		for _, r := range recs {
			if r.at(st) {
				n++
			}
		}
		lo.grand[st] = s.add(n)
	}
	stageLinks := func(e [nStages]int) {
		s.addLink(e[stReferred], e[stDiscussed])
		s.addLink(e[stDiscussed], e[stAdopted])
		s.addLink(e[stReferred], e[stNFA], e[stSignposted])
	}
	stageLinks(lo.grand)
	keys := make([]map[string]int, len(dims))
	for d, dim := range dims {
		keys[d] = map[string]int{}
		rows := make([][nStages]int, len(dim.rows))
		for i, k := range dim.rows {
			keys[d][k.key] = i
		}
		n := make([][nStages]int, len(dim.rows))
		for _, r := range recs {
			i, ok := keys[d][dim.of(r).key]
			if !ok {
				panic("returns: a record falls in no row of " + dim.id)
			}
			for st := range nStages {
				if r.at(st) {
					n[i][st]++
				}
			}
		}
		for i := range dim.rows {
			for st := range nStages {
				rows[i][st] = s.add(n[i][st])
			}
			stageLinks(rows[i])
		}
		for st := range nStages {
			parts := make([]int, len(rows))
			for i := range rows {
				parts[i] = rows[i][st]
			}
			s.addLine(lo.grand[st], parts...)
		}
		lo.ent = append(lo.ent, rows)
	}
	lo.consentRows = consentRowsOf(recs)
	byConsent := make([]int, len(lo.consentRows))
	for _, r := range recs {
		if r.adopted {
			byConsent[slices.IndexFunc(lo.consentRows, func(k rowKey) bool { return k.key == consentRow(r).key })]++
		}
	}
	for _, n := range byConsent {
		lo.consent = append(lo.consent, s.add(n))
	}
	s.addLine(lo.grand[stAdopted], lo.consent...)
	ages, types := dims[ageDim], dims[typeDim]
	n := make([][]int, len(ages.rows))
	for a := range n {
		n[a] = make([]int, len(types.rows))
	}
	for _, r := range recs {
		n[keys[ageDim][ages.of(r).key]][keys[typeDim][types.of(r).key]]++
	}
	lo.cross = make([][]int, len(ages.rows))
	for a := range ages.rows {
		lo.cross[a] = make([]int, len(types.rows))
		for t := range types.rows {
			lo.cross[a][t] = s.add(n[a][t])
		}
		s.addLine(lo.ent[ageDim][a][stReferred], lo.cross[a]...)
	}
	for t := range types.rows {
		col := make([]int, len(ages.rows))
		for a := range ages.rows {
			col[a] = lo.cross[a][t]
		}
		s.addLine(lo.ent[typeDim][t][stReferred], col...)
	}
	return lo
}

// cell prints entry i under policy p.
func (lo *layout) cell(i int, p Policy) Cell {
	if v, ok := lo.sys.published(i, p); ok {
		return Cell{Text: strconv.Itoa(v), Value: v, Number: true}
	}
	return Cell{Text: Confidential}
}

// percent prints num as a whole percentage of den, worked out from the figures printed (rounded, if the policy
// rounds) so that it tells nothing the printed figures do not: [c] if either is withheld, [z] if den is 0.
func (lo *layout) percent(num, den int, p Policy) Cell {
	a, ok1 := lo.sys.published(num, p)
	b, ok2 := lo.sys.published(den, p)
	switch {
	case !ok1 || !ok2:
		return Cell{Text: Confidential}
	case b == 0:
		return Cell{Text: NotApplicable}
	}
	v := (200*a + b) / (2 * b)
	return Cell{Text: strconv.Itoa(v), Value: v, Number: true}
}

func (lo *layout) stageCells(e [nStages]int, p Policy) []Cell {
	return []Cell{
		lo.cell(e[stReferred], p),
		lo.cell(e[stDiscussed], p), lo.percent(e[stDiscussed], e[stReferred], p),
		lo.cell(e[stAdopted], p), lo.percent(e[stAdopted], e[stReferred], p),
		lo.cell(e[stNFA], p), lo.cell(e[stSignposted], p),
	}
}

// tables prints the layout, after disclosure control, as the return's tables.
func (lo *layout) tables(y FinancialYear, p Policy) []Table {
	var out []Table
	for d, dim := range lo.dims {
		t := Table{ID: dim.id, Title: fmt.Sprintf("%s, %s", dim.title, y), Headings: append([]string{dim.heading}, stageHeadings...)}
		for i, k := range dim.rows {
			t.Rows = append(t.Rows, Row{Label: k.label, Cells: lo.stageCells(lo.ent[d][i], p)})
			if k.note != "" {
				t.Notes = append(t.Notes, k.note)
			}
		}
		t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: lo.stageCells(lo.grand, p)})
		out = append(out, t)
	}
	ct := Table{ID: "consent", Title: fmt.Sprintf("Cases adopted as a Channel case, by consent to support, %s", y),
		Headings: []string{"Consent to support (last decision recorded)", "Adopted as a Channel case"}}
	for i, k := range lo.consentRows {
		ct.Rows = append(ct.Rows, Row{Label: k.label, Cells: []Cell{lo.cell(lo.consent[i], p)}})
	}
	ct.Rows = append(ct.Rows, Row{Label: "Total", Total: true, Cells: []Cell{lo.cell(lo.grand[stAdopted], p)}})
	out = append(out, ct)
	ages, types := lo.dims[ageDim], lo.dims[typeDim]
	t := Table{ID: "age-by-type-of-concern", Title: fmt.Sprintf("Referrals by age group and type of concern, %s", y),
		Headings: []string{"Age group"}}
	for _, k := range types.rows {
		t.Headings = append(t.Headings, k.label)
	}
	t.Headings = append(t.Headings, "Total")
	for a, k := range ages.rows {
		r := Row{Label: k.label}
		for tt := range types.rows {
			r.Cells = append(r.Cells, lo.cell(lo.cross[a][tt], p))
		}
		r.Cells = append(r.Cells, lo.cell(lo.ent[ageDim][a][stReferred], p))
		t.Rows = append(t.Rows, r)
	}
	total := Row{Label: "Total", Total: true}
	for tt := range types.rows {
		total.Cells = append(total.Cells, lo.cell(lo.ent[typeDim][tt][stReferred], p))
	}
	total.Cells = append(total.Cells, lo.cell(lo.grand[stReferred], p))
	t.Rows = append(t.Rows, total)
	for _, k := range append(slices.Clone(ages.rows), types.rows...) {
		if k.note != "" {
			t.Notes = append(t.Notes, k.note)
		}
	}
	return append(out, t)
}

// CSV writes one table with the return's provenance above it: a row for each fact ("Disclosure control", its
// name and version), an empty row, then the headings and the rows. The generation time is left out, so that
// the same data gives the same bytes; it is in ProvenanceCSV.
func (r *Return) CSV(t Table) ([]byte, error) {
	meta := [][]string{
		{"Title", t.Title},
		{"Partnership", r.Partnership},
		{"Prevent Co-ordinator Region", r.Region},
		{"Financial year", r.Year.String()},
	}
	meta = append(meta, r.Provenance.rows(false)...)
	return tableCSV(meta, t)
}

// tableCSV writes a table with facts about it above: a row for each fact, a row for each of the table's notes,
// an empty row, then the headings and the rows.
func tableCSV(meta [][]string, t Table) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, n := range t.Notes {
		meta = append(meta, []string{"Note", n})
	}
	meta = append(meta, []string{})
	for _, m := range meta {
		if err := w.Write(m); err != nil {
			return nil, err
		}
	}
	if err := w.Write(t.Headings); err != nil {
		return nil, err
	}
	for _, row := range t.Rows {
		rec := []string{row.Label}
		for _, c := range row.Cells {
			rec = append(rec, c.Text)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// ProvenanceCSV writes the return's provenance, with the time it was generated.
func (r *Return) ProvenanceCSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	rows := [][]string{
		{"Partnership", r.Partnership},
		{"Prevent Co-ordinator Region", r.Region},
		{"Financial year", r.Year.String()},
	}
	rows = append(rows, r.Provenance.rows(true)...)
	for _, t := range r.Tables {
		rows = append(rows, []string{"Table", t.ID, t.Title})
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

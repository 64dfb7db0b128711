package returns

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// Shorthand for a figure that is not shown, following the Government Analysis Function's guidance on
// symbols in tables (docs/returns.md lists them).
const (
	// Confidential marks a figure withheld to protect the people counted.
	Confidential = "[c]"
	// NotApplicable marks a figure that cannot exist, such as a percentage of no referrals.
	NotApplicable = "[z]"
	// NotAvailable marks a figure the service does not hold.
	NotAvailable = "[x]"
)

// Policy is a named, versioned rule for disclosure control. Every return prints the name and version of the
// policy it was made under. A released policy is never changed: a new rule is a new version.
//
// Threshold withholds every count from 1 to Threshold-1, then as many further counts as it takes for none of
// them to be worked out from the totals and the other tables of the return (protect). RoundTo rounds every
// count shown, totals included, to the nearest multiple, each on its own: the rounded figures need not add up
// to the rounded total. MinBase refuses a table whose base population is below it, whatever else the policy
// does. Release is true for the policies whose figures may leave the partnership.
type Policy struct {
	Name      string
	Version   int
	Threshold int
	RoundTo   int
	MinBase   int
	Release   bool
	Summary   string
}

// The policies.
var (
	// SuppressBelow5 withholds counts of 1 to 4 and enough other counts that none can be worked out.
	// Figures shown are exact, so a region can add partnerships' returns up.
	SuppressBelow5 = Policy{Name: "suppress-below-5", Version: 1, Threshold: 5, MinBase: 5, Release: true,
		Summary: "Counts from 1 to 4 are withheld [c], with further counts withheld so that none of them can be worked out from the totals or from the other tables of the return. Other figures are exact."}
	// RoundTo5 rounds every count to the nearest 5. Rounding alone does not protect small counts: rounded
	// totals can pin down the figures they add up (docs/returns.md), so it is for use within the partnership.
	RoundTo5 = Policy{Name: "round-to-5", Version: 1, RoundTo: 5, MinBase: 5, Release: false,
		Summary: "Every count, totals included, is rounded to the nearest 5 on its own, so figures may not add up to the totals shown. For use within the partnership only."}
	// SuppressBelow5RoundTo5 withholds as SuppressBelow5 does, then rounds every count shown to the nearest 5.
	SuppressBelow5RoundTo5 = Policy{Name: "suppress-below-5-round-to-5", Version: 1, Threshold: 5, RoundTo: 5, MinBase: 5, Release: true,
		Summary: "Counts from 1 to 4 are withheld [c], with further counts withheld so that none of them can be worked out; every count shown, totals included, is then rounded to the nearest 5 on its own."}
)

// Policies lists every policy.
func Policies() []Policy { return []Policy{SuppressBelow5, RoundTo5, SuppressBelow5RoundTo5} }

// PolicyNamed returns the policy with that name and version.
func PolicyNamed(name string, version int) (Policy, error) {
	for _, p := range Policies() {
		if p.Name == name && p.Version == version {
			return p, nil
		}
	}
	return Policy{}, invalidf("There is no disclosure control policy %s version %d", name, version)
}

// String names the policy and its version, as every output prints it.
func (p Policy) String() string { return fmt.Sprintf("%s version %d", p.Name, p.Version) }

// CheckBase refuses a filter whose base population is below the policy's minimum: figures about so few people
// cannot be published without identifying them, however they are controlled. what names the base for the
// message ("referrals in 2024/25").
func (p Policy) CheckBase(what string, n int) error {
	if n < p.MinBase {
		return invalidf("There are fewer than %d %s, so no figures can be given for them", p.MinBase, what)
	}
	return nil
}

// round rounds a count to the policy's base, halves upwards (counts are whole, so with a base of 5 nothing
// falls on a half).
func (p Policy) round(v int) int {
	if p.RoundTo <= 1 {
		return v
	}
	return (v + p.RoundTo/2) / p.RoundTo * p.RoundTo
}

// Why a count is withheld.
type status uint8

const (
	shown     status = iota
	primary          // below the threshold
	secondary        // the only withheld count of a line
	linked           // a count within a withheld count (adopted within discussed within referrals)
	audited          // could still be worked out, found by the check
)

// counts is every count of a return as one system, so that withholding is consistent across tables: a count
// that appears in two tables (the referrals of a type of concern, and the total of that type's row of the age
// by type table) is one entry.
//
// A line says that its parts add up to its total: a row or column of a table with its total, or the totals
// themselves with the grand total. A link says that its children, which count disjoint sets, together count no
// more than their parent: the referrals of a type hold those discussed, which hold those adopted.
type counts struct {
	value  []int
	status []status
	lines  []line
	links  []link
}

type line struct {
	total int
	parts []int
}

type link struct {
	parent   int
	children []int
}

func (s *counts) add(v int) int {
	if v < 0 {
		panic("returns: negative count")
	}
	s.value = append(s.value, v)
	s.status = append(s.status, shown)
	return len(s.value) - 1
}

func (s *counts) addLine(total int, parts ...int) {
	sum := 0
	for _, p := range parts {
		sum += s.value[p]
	}
	if sum != s.value[total] {
		panic(fmt.Sprintf("returns: a line adds up to %d, its total is %d", sum, s.value[total]))
	}
	s.lines = append(s.lines, line{total, parts})
}

func (s *counts) addLink(parent int, children ...int) {
	sum := 0
	for _, c := range children {
		sum += s.value[c]
	}
	if sum > s.value[parent] {
		panic("returns: a link's children exceed its parent")
	}
	s.links = append(s.links, link{parent, children})
}

func (s *counts) withheld(i int) bool { return s.status[i] != shown }

// published is the figure shown for entry i, and false if it is withheld.
func (s *counts) published(i int, p Policy) (int, bool) {
	if s.withheld(i) {
		return 0, false
	}
	return p.round(s.value[i]), true
}

// protect withholds counts under policy p.
//
// The rule:
//
//  1. Primary: every count from 1 to Threshold-1 is withheld. Zeros are shown.
//  2. Lines: a line (the parts of a row or column and its total, or the totals and the grand total) in which
//     exactly one count is withheld would give it away by subtraction, so the smallest count above zero that
//     is still shown in that line is withheld as well. A total is a member of its line like any part, so a
//     total that would reveal a single withheld count is itself withheld when no part can be.
//  3. Links: when a count is withheld, the counts within it (discussed and adopted within referrals) are
//     withheld too, or they would bound it from below.
//  4. Steps 2 and 3 are repeated until nothing changes.
//  5. Check: two withheld counts in every line is not always enough (two groups of withheld counts joined by
//     a single count fix that count), so the system of lines is solved for the withheld counts, treating them
//     as unknowns that are at least 1 (zeros are shown, so a reader knows a withheld count is not zero). A
//     withheld count that the lines and links pin to a single value, or that cannot move without another
//     withheld count falling below 1, is recoverable: the smallest count above zero still shown in one of its
//     lines is withheld and the rule starts again from step 2.
//
// Each step only withholds more, so the rule ends; in the worst case every count above zero is withheld,
// which nobody can recover anything from.
func (s *counts) protect(p Policy) error {
	if p.Threshold <= 0 {
		return nil
	}
	for i, v := range s.value {
		if v > 0 && v < p.Threshold {
			s.status[i] = primary
		}
	}
	for {
		if s.lineRule() || s.linkRule() {
			continue
		}
		at := s.recoverable()
		if at < 0 {
			return nil
		}
		c := s.extraFor(at)
		if c < 0 {
			return fmt.Errorf("returns: count %d cannot be protected", at)
		}
		s.status[c] = audited
	}
}

// smallestShown is the smallest count above zero among ids that is still shown, or -1.
func (s *counts) smallestShown(ids []int) int {
	best := -1
	for _, i := range ids {
		if s.withheld(i) || s.value[i] == 0 {
			continue
		}
		if best < 0 || s.value[i] < s.value[best] || (s.value[i] == s.value[best] && i < best) {
			best = i
		}
	}
	return best
}

func (l line) members() []int { return append(append([]int(nil), l.parts...), l.total) }

// lineRule withholds a second count in every line with exactly one withheld, and reports whether it changed
// anything.
func (s *counts) lineRule() bool {
	changed := false
	for _, l := range s.lines {
		m := l.members()
		n := 0
		for _, i := range m {
			if s.withheld(i) {
				n++
			}
		}
		if n != 1 {
			continue
		}
		if c := s.smallestShown(m); c >= 0 {
			s.status[c] = secondary
			changed = true
		}
	}
	return changed
}

// linkRule withholds the counts within a withheld count, and reports whether it changed anything.
func (s *counts) linkRule() bool {
	changed := false
	for _, k := range s.links {
		if !s.withheld(k.parent) {
			continue
		}
		for _, c := range k.children {
			if !s.withheld(c) && s.value[c] > 0 {
				s.status[c] = linked
				changed = true
			}
		}
	}
	return changed
}

// extraFor chooses the count to withhold so that the recoverable count at is not: the smallest count above zero
// still shown in one of its lines, or failing that in any line that holds a withheld count.
func (s *counts) extraFor(at int) int {
	var near, far []int
	for _, l := range s.lines {
		m := l.members()
		has, hasAny := false, false
		for _, i := range m {
			has = has || i == at
			hasAny = hasAny || s.withheld(i)
		}
		if has {
			near = append(near, m...)
		} else if hasAny {
			far = append(far, m...)
		}
	}
	if c := s.smallestShown(near); c >= 0 {
		return c
	}
	return s.smallestShown(far)
}

// recoverable returns a withheld count that a reader of the shown counts could work out or pin down, or -1.
//
// The reader knows the shown counts, that the lines add up, that the links hold, and that a withheld count is
// at least 1 (zeros are shown). The withheld counts are the unknowns. A direction d in which they can all move
// together keeps the lines when it solves their homogeneous equations (d = B y, B a basis of those solutions),
// and keeps the bounds for a small step when it does not lower a withheld count that is already 1 and does not
// break a link that is already tight (y in the cone G y >= 0). A withheld count is safe when some such
// direction moves it. The cone's span is where its tight rows E (those zero throughout the cone) are zero, so
// the safe counts are those that some solution of G_E y = 0 moves; E is read off one point inside the cone,
// found by a linear programme and then checked in exact arithmetic. Every step errs towards calling a count
// recoverable, never the other way.
func (s *counts) recoverable() int {
	var unknown []int
	col := map[int]int{}
	for i := range s.value {
		if s.withheld(i) {
			col[i] = len(unknown)
			unknown = append(unknown, i)
		}
	}
	if len(unknown) == 0 {
		return -1
	}
	var eqs [][]*big.Rat
	for _, l := range s.lines {
		r := zeros(len(unknown))
		nonzero := false
		for _, p := range l.parts {
			if k, ok := col[p]; ok {
				r[k].Add(r[k], one)
				nonzero = true
			}
		}
		if k, ok := col[l.total]; ok {
			r[k].Sub(r[k], one)
			nonzero = true
		}
		if nonzero {
			eqs = append(eqs, r)
		}
	}
	basis := kernel(eqs, len(unknown)) // the columns of B
	k := len(basis)
	bRow := func(i int) []*big.Rat { // row i of B: how each basis direction moves unknown i
		r := make([]*big.Rat, k)
		for f := range basis {
			r[f] = basis[f][i]
		}
		return r
	}
	// The cone's rows: a withheld 1 may not fall, a tight link may not break.
	var cone [][]*big.Rat
	for j, i := range unknown {
		if s.value[i] == 1 {
			cone = append(cone, bRow(j))
		}
	}
	for _, l := range s.links {
		slack := s.value[l.parent]
		r := zeros(k)
		if j, ok := col[l.parent]; ok {
			addTo(r, bRow(j), 1)
		}
		for _, c := range l.children {
			slack -= s.value[c]
			if j, ok := col[c]; ok {
				addTo(r, bRow(j), -1)
			}
		}
		if slack == 0 {
			cone = append(cone, r)
		}
	}
	var tight [][]*big.Rat
	if y, ok := interiorPoint(cone, k); ok {
		for _, g := range cone {
			if dot(g, y).Sign() == 0 {
				tight = append(tight, g)
			}
		}
	} else {
		tight = cone
	}
	span := kernel(tight, k) // directions y that keep every tight row
	for j, i := range unknown {
		b := bRow(j)
		moves := false
		for _, y := range span {
			if dot(b, y).Sign() != 0 {
				moves = true
				break
			}
		}
		if !moves {
			return i
		}
	}
	return -1
}

var one = big.NewRat(1, 1)

func zeros(n int) []*big.Rat {
	r := make([]*big.Rat, n)
	for j := range r {
		r[j] = new(big.Rat)
	}
	return r
}

// addTo adds sgn times b to a.
func addTo(a, b []*big.Rat, sgn int) {
	for j := range a {
		if sgn > 0 {
			a[j].Add(a[j], b[j])
		} else {
			a[j].Sub(a[j], b[j])
		}
	}
}

func dot(a, b []*big.Rat) *big.Rat {
	sum := new(big.Rat)
	for j := range a {
		if a[j].Sign() != 0 && b[j].Sign() != 0 {
			sum.Add(sum, new(big.Rat).Mul(a[j], b[j]))
		}
	}
	return sum
}

// kernel returns a basis of the solutions x of rows·x = 0, by reduced row echelon form over the rationals: one
// basis vector per free unknown. The rows are not changed.
func kernel(rows [][]*big.Rat, n int) [][]*big.Rat {
	m := make([][]*big.Rat, len(rows))
	for r := range rows {
		m[r] = make([]*big.Rat, n)
		for j := range n {
			m[r][j] = new(big.Rat).Set(rows[r][j])
		}
	}
	pivotOf := make([]int, n) // column -> row, or -1
	for j := range pivotOf {
		pivotOf[j] = -1
	}
	rank := 0
	for c := 0; c < n && rank < len(m); c++ {
		p := -1
		for r := rank; r < len(m); r++ {
			if m[r][c].Sign() != 0 {
				p = r
				break
			}
		}
		if p < 0 {
			continue
		}
		m[rank], m[p] = m[p], m[rank]
		inv := new(big.Rat).Inv(m[rank][c])
		for j := c; j < n; j++ {
			m[rank][j].Mul(m[rank][j], inv)
		}
		for r := range m {
			if r == rank || m[r][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(m[r][c])
			for j := c; j < n; j++ {
				if m[rank][j].Sign() != 0 {
					m[r][j].Sub(m[r][j], new(big.Rat).Mul(f, m[rank][j]))
				}
			}
		}
		pivotOf[c] = rank
		rank++
	}
	var basis [][]*big.Rat
	for f := 0; f < n; f++ {
		if pivotOf[f] >= 0 {
			continue
		}
		// The free unknown f moves by 1, each pivot unknown by minus its row's coefficient on f.
		v := zeros(n)
		v[f].SetInt64(1)
		for c := 0; c < n; c++ {
			if r := pivotOf[c]; r >= 0 {
				v[c].Neg(m[r][f])
			}
		}
		basis = append(basis, v)
	}
	return basis
}

// interiorPoint returns a point y of the cone {y : g·y >= 0 for every row g} at which every row that is not
// zero throughout the cone is positive, and false if none was found. It solves, in floating point,
//
//	maximise the sum of t_r subject to g_r·y >= t_r and 0 <= t_r <= 1,
//
// whose optimum has t_r = 1 exactly for the rows some point of the cone makes positive (a cone holds the sum
// of its points), then rounds y to nearby fractions and checks every row in exact arithmetic. A point that
// fails the check is not returned, and the caller then treats every row as tight.
func interiorPoint(rows [][]*big.Rat, k int) ([]*big.Rat, bool) {
	m := len(rows)
	if m == 0 {
		return zeros(k), true
	}
	// Variables: y+ (k), y- (k), t (m), then a slack for each of the 2m constraints.
	nv := 2*k + m + 2*m
	tab := make([][]float64, 2*m+1) // the last row is the objective
	for r := range tab {
		tab[r] = make([]float64, nv+1)
	}
	basic := make([]int, 2*m)
	for r, g := range rows {
		for j := range k {
			v, _ := g[j].Float64()
			tab[r][j] = -v
			tab[r][k+j] = v
		}
		tab[r][2*k+r] = 1
		tab[r][2*k+m+r] = 1
		basic[r] = 2*k + m + r
		tab[m+r][2*k+r] = 1
		tab[m+r][2*k+2*m+r] = 1
		tab[m+r][nv] = 1
		basic[m+r] = 2*k + 2*m + r
	}
	obj := tab[2*m]
	for r := range m {
		obj[2*k+r] = -1 // maximise the sum of t: reduced costs start at -1
	}
	const eps = 1e-9
	for range 100000 {
		enter := -1
		for j := range nv {
			if obj[j] < -eps {
				enter = j // Bland's rule: the first improving column
				break
			}
		}
		if enter < 0 {
			break
		}
		leave := -1
		best := 0.0
		for r := range 2 * m {
			if tab[r][enter] > eps {
				ratio := tab[r][nv] / tab[r][enter]
				if leave < 0 || ratio < best-eps || (ratio < best+eps && basic[r] < basic[leave]) {
					leave, best = r, ratio
				}
			}
		}
		if leave < 0 {
			return nil, false
		}
		p := tab[leave][enter]
		for j := range tab[leave] {
			tab[leave][j] /= p
		}
		for r := range tab {
			if r == leave || tab[r][enter] == 0 {
				continue
			}
			f := tab[r][enter]
			for j := range tab[r] {
				tab[r][j] -= f * tab[leave][j]
			}
		}
		basic[leave] = enter
	}
	x := make([]float64, nv)
	for r, b := range basic {
		x[b] = tab[r][nv]
	}
	y := make([]*big.Rat, k)
	for j := range k {
		y[j] = nearFraction(x[j] - x[k+j])
	}
	for _, g := range rows {
		if dot(g, y).Sign() < 0 {
			return nil, false
		}
	}
	return y, true
}

// nearFraction is a fraction with a small denominator within a millionth of v, or v itself.
func nearFraction(v float64) *big.Rat {
	for den := int64(1); den <= 1000; den++ {
		num := math.Round(v * float64(den))
		if math.Abs(num/float64(den)-v) < 1e-6 {
			return big.NewRat(int64(num), den)
		}
	}
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(v, 'g', -1, 64))
	return r
}

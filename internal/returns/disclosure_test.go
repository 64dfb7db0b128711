package returns

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/prevent"
)

// withholdPrimaryOnly withholds the counts below the threshold and nothing else.
func (s *counts) withholdPrimaryOnly(p Policy) {
	for i, v := range s.value {
		if v > 0 && v < p.Threshold {
			s.status[i] = primary
		}
	}
}

// withholdLinesOnly is the rule without its final check: primary, then a second count in every line with one
// withheld, and the links, to a fixed point.
func (s *counts) withholdLinesOnly(p Policy) {
	s.withholdPrimaryOnly(p)
	for s.lineRule() || s.linkRule() {
	}
}

func anyPinned(t *testing.T, s *counts, p Policy, withheldLo int) (int, bool) {
	a := newAttacker(t, s, p, withheldLo)
	for i := range s.value {
		if s.withheld(i) && a.pinned(i, s.value[i]) {
			return i, true
		}
	}
	return 0, false
}

func TestSuppressionSurvivesTotals(t *testing.T) {
	t.Parallel()
	s := &counts{}
	g := newGrid(s, [][]int{
		{2, 8, 10},
		{7, 1, 12},
		{9, 11, 3},
	})
	if err := s.protect(SuppressBelow5); err != nil {
		t.Fatal(err)
	}
	assertSafe(t, s, SuppressBelow5)
	if s.withheld(g.id[3][3]) {
		t.Error("the grand total is withheld, though no count needs it")
	}
	// Every withheld count can be moved: its interval, for a reader who knows zeros are shown, is wider than
	// one value.
	a := newAttacker(t, s, SuppressBelow5, 1)
	for i := range s.value {
		if s.withheld(i) {
			if lo, hi := a.interval(i); hi <= lo || s.value[i] < lo || s.value[i] > hi {
				t.Errorf("count %d (%d): interval [%d, %d]", i, s.value[i], lo, hi)
			}
		}
	}
}

// The attacker is real: counts withheld below the threshold and nothing more are read straight off the totals.
func TestPrimarySuppressionAloneIsRecovered(t *testing.T) {
	t.Parallel()
	s := &counts{}
	newGrid(s, [][]int{
		{2, 8, 10},
		{7, 1, 12},
		{9, 11, 3},
	})
	s.withholdPrimaryOnly(SuppressBelow5)
	a := newAttacker(t, s, SuppressBelow5, 0)
	for i := range s.value {
		if s.withheld(i) && !a.pinned(i, s.value[i]) {
			t.Errorf("count %d (%d) was not recovered from its row and column", i, s.value[i])
		}
	}
}

// Two withheld counts in every line is not enough: here the rule's lines alone leave the 2 in the corner fixed
// by a chain of rows and columns, and the check finds it and withholds more.
func TestLinesAloneCanLeaveACountRecoverable(t *testing.T) {
	t.Parallel()
	table := [][]int{
		{2, 0, 0, 2},
		{4, 7, 0, 0},
		{0, 0, 0, 9},
		{5, 4, 7, 0},
	}
	s := &counts{}
	newGrid(s, table)
	s.withholdLinesOnly(SuppressBelow5)
	if _, ok := anyPinned(t, s, SuppressBelow5, 0); !ok {
		t.Fatal("the example no longer shows the lines rule failing; choose another")
	}
	s = &counts{}
	newGrid(s, table)
	if err := s.protect(SuppressBelow5); err != nil {
		t.Fatal(err)
	}
	assertSafe(t, s, SuppressBelow5)
}

// Zeros are shown, so a reader knows a withheld count is at least 1; two 1s whose row adds up to 2 are then
// known to be 1 each, though their row and column each hold two withheld counts.
func TestWithheldOnesAreNotPinnedByShownZeros(t *testing.T) {
	t.Parallel()
	table := [][]int{
		{1, 1, 9},
		{1, 1, 9},
		{0, 0, 12},
	}
	s := &counts{}
	newGrid(s, table)
	s.withholdLinesOnly(SuppressBelow5)
	if _, ok := anyPinned(t, s, SuppressBelow5, 1); !ok {
		t.Fatal("the example no longer shows shown zeros pinning withheld counts; choose another")
	}
	s = &counts{}
	newGrid(s, table)
	if err := s.protect(SuppressBelow5); err != nil {
		t.Fatal(err)
	}
	assertSafe(t, s, SuppressBelow5)
}

// A total that equals its only count above zero would give that count away: the total is withheld too.
func TestTotalOfASingleSmallCountIsWithheld(t *testing.T) {
	t.Parallel()
	s := &counts{}
	g := newGrid(s, [][]int{
		{3, 0, 0},
		{6, 9, 7},
		{8, 5, 0},
	})
	if err := s.protect(SuppressBelow5); err != nil {
		t.Fatal(err)
	}
	if !s.withheld(g.id[0][3]) {
		t.Error("the total of the row holding only a 3 is shown")
	}
	assertSafe(t, s, SuppressBelow5)
}

// Rounding to 5 alone does not protect: four counts shown as 0 (each 0 to 2) whose total shows as 10 (8 to
// 12) must each be 2. That is why the rounding policy is not for returns.
func TestRoundingAloneCanBeUndone(t *testing.T) {
	t.Parallel()
	s := &counts{}
	cells := []int{s.add(2), s.add(2), s.add(2), s.add(2)}
	s.addLine(s.add(8), cells...)
	if err := s.protect(RoundTo5); err != nil {
		t.Fatal(err)
	}
	a := newAttacker(t, s, RoundTo5, 0)
	for _, c := range cells {
		if lo, hi := a.interval(c); lo != 2 || hi != 2 {
			t.Errorf("interval [%d, %d], want the count pinned at 2", lo, hi)
		}
	}
	if RoundTo5.Release {
		t.Error("rounding alone is offered for returns")
	}
	// Under the combined policy the 2s are withheld first, and the reader learns nothing exact.
	s = &counts{}
	cells = []int{s.add(2), s.add(2), s.add(2), s.add(2), s.add(9)}
	s.addLine(s.add(17), cells...)
	if err := s.protect(SuppressBelow5RoundTo5); err != nil {
		t.Fatal(err)
	}
	assertSafe(t, s, SuppressBelow5RoundTo5)
}

func TestRoundingIsToTheNearestFiveAndTotalsOnTheirOwn(t *testing.T) {
	t.Parallel()
	for v, want := range map[int]int{0: 0, 1: 0, 2: 0, 3: 5, 7: 5, 8: 10, 12: 10, 13: 15} {
		if got := RoundTo5.round(v); got != want {
			t.Errorf("round(%d) = %d, want %d", v, got, want)
		}
	}
	s := &counts{}
	cells := []int{s.add(6), s.add(6), s.add(6)}
	total := s.add(18)
	s.addLine(total, cells...)
	c, _ := s.published(cells[0], RoundTo5)
	tot, _ := s.published(total, RoundTo5)
	if c != 5 || tot != 20 {
		t.Errorf("rounded %d and total %d, want 5 and 20 (the total rounded on its own)", c, tot)
	}
}

// randomTable draws a small table with many small counts, as a partnership's tables have.
func randomTable(rng *rand.Rand, maxRows, maxCols int) [][]int {
	rows, cols := 2+rng.IntN(maxRows-1), 2+rng.IntN(maxCols-1)
	t := make([][]int, rows)
	for r := range t {
		t[r] = make([]int, cols)
		for c := range t[r] {
			switch x := rng.IntN(10); {
			case x < 3:
			case x < 7:
				t[r][c] = 1 + rng.IntN(4)
			default:
				t[r][c] = 5 + rng.IntN(8)
			}
		}
	}
	return t
}

func TestRandomTablesNoWithheldCountRecoverable(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 1))
	tested := 0
	for range 300 {
		table := randomTable(rng, 4, 4)
		for _, p := range []Policy{SuppressBelow5, SuppressBelow5RoundTo5} {
			s := &counts{}
			g := newGrid(s, table)
			if s.value[g.id[g.rows][g.cols]] < p.MinBase {
				continue
			}
			if err := s.protect(p); err != nil {
				t.Fatalf("%v: %v", table, err)
			}
			before := t.Failed()
			assertSafe(t, s, p)
			if !before && t.Failed() {
				t.Fatalf("table %v under %s", table, p)
			}
			tested++
		}
	}
	if tested < 400 {
		t.Errorf("only %d tables tested", tested)
	}
}

// The tables of one return share counts: the referrals of each type of concern are the column totals of the
// age by type table. Protected one table at a time, the two tables together give the 3 away (the type table
// shows the totals the age by type table withholds); protected as one system, they do not.
func TestTablesSharingMarginsAreProtectedTogether(t *testing.T) {
	t.Parallel()
	cells := [][]int{{10, 0, 0}, {3, 0, 5}, {5, 7, 0}}
	cross := &counts{}
	g := newGrid(cross, cells)
	if err := cross.protect(SuppressBelow5); err != nil {
		t.Fatal(err)
	}
	byType := &counts{}
	var typeIDs []int
	for c := range g.cols {
		typeIDs = append(typeIDs, byType.add(cross.value[g.id[g.rows][c]]))
	}
	byType.addLine(byType.add(cross.value[g.id[g.rows][g.cols]]), typeIDs...)
	if err := byType.protect(SuppressBelow5); err != nil {
		t.Fatal(err)
	}
	// What a reader of both tables knows: a type's referrals shown in either table.
	union := &counts{value: cross.value, status: append([]status(nil), cross.status...), lines: cross.lines}
	for c, id := range typeIDs {
		if !byType.withheld(id) {
			union.status[g.id[g.rows][c]] = shown
		}
	}
	if i, ok := anyPinned(t, union, SuppressBelow5, 0); !ok || union.value[i] >= 5 {
		t.Fatal("the example no longer shows separately protected tables giving a small count away; choose another")
	}

	// The same counts as one return: the type table is the cross table's bottom row, so it cannot differ.
	var recs []record
	ages := []int{30, 16, 45}
	types := []string{"islamist", "extreme_right_wing", "left_wing", "other"}
	for a, row := range cells {
		for ty, n := range row {
			for range n {
				recs = append(recs, record{quarter: 1, types: []string{types[ty]}, sector: "police", age: ages[a], gender: "male"})
			}
		}
	}
	lo := layRecords(t, recs, FinancialYear(2024))
	if err := lo.sys.protect(SuppressBelow5); err != nil {
		t.Fatal(err)
	}
	assertSafe(t, &lo.sys, SuppressBelow5)
}

// layRecords lays records out as a return for the year would.
func layRecords(t *testing.T, recs []record, y FinancialYear) *layout {
	t.Helper()
	lists := map[Kind]List{}
	for _, k := range []Kind{ConcernTypes, AgeBands, Sectors, Genders} {
		l, err := ListFor(k, y)
		if err != nil {
			t.Fatal(err)
		}
		lists[k] = l
	}
	dims := returnDimensions(lists, map[string]string{}, recs)
	return lay(recs, dims)
}

// A whole return's tables, with the stages (discussed within referrals, adopted within discussed) and every
// breakdown sharing its totals, attacked together.
func TestRandomReturnsNoWithheldCountRecoverable(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 2))
	types := []string{"islamist", "extreme_right_wing", "no_ideology"}
	for range 12 {
		var recs []record
		for range 6 + rng.IntN(10) {
			r := record{quarter: 1, types: []string{types[rng.IntN(len(types))]}, sector: "police",
				age: []int{12, 30}[rng.IntN(2)], gender: "male"}
			r.discussed = rng.IntN(3) == 0
			r.adopted = r.discussed && rng.IntN(2) == 0
			r.nfa = !r.discussed && rng.IntN(2) == 0
			recs = append(recs, r)
		}
		lo := layRecords(t, recs, FinancialYear(2024))
		if err := lo.sys.protect(SuppressBelow5); err != nil {
			t.Fatal(err)
		}
		before := t.Failed()
		assertSafe(t, &lo.sys, SuppressBelow5)
		if !before && t.Failed() {
			t.Fatalf("records %+v", recs)
		}
	}
}

// Two returns over overlapping periods, April to December and April to March, would give January to March by
// subtraction: here two referrals of a type in the last quarter, which neither table shows. Returns are
// therefore only for whole financial years (Compute refuses a year not over, and takes no other period), and
// within the year the last quarter's referrals by type are never published.
func TestOverlappingPeriodsWouldGiveAwayTheLastQuarter(t *testing.T) {
	t.Parallel()
	var recs []record
	add := func(n, quarter int, typ string) {
		for range n {
			recs = append(recs, record{quarter: quarter, types: []string{typ}, sector: "police", age: 30, gender: "male"})
		}
	}
	add(7, 1, "extreme_right_wing")
	add(2, 4, "extreme_right_wing")
	add(9, 2, "islamist")
	add(6, 4, "islamist")
	add(8, 3, "no_ideology")
	referralsOf := func(lo *layout, typ string) Cell {
		for i, k := range lo.dims[typeDim].rows {
			if k.key == "c:"+typ {
				return lo.cell(lo.ent[typeDim][i][stReferred], SuppressBelow5)
			}
		}
		t.Fatalf("no row %s", typ)
		return Cell{}
	}
	var toDecember []record
	for _, r := range recs {
		if r.quarter <= 3 {
			toDecember = append(toDecember, r)
		}
	}
	part, whole := layRecords(t, toDecember, 2024), layRecords(t, recs, 2024)
	for _, lo := range []*layout{part, whole} {
		if err := lo.sys.protect(SuppressBelow5); err != nil {
			t.Fatal(err)
		}
	}
	a, b := referralsOf(part, "extreme_right_wing"), referralsOf(whole, "extreme_right_wing")
	if !a.Number || !b.Number || b.Value-a.Value != 2 {
		t.Fatalf("April to December %s, April to March %s: the example no longer gives the last quarter away", a.Text, b.Text)
	}

	// Within the year's return, a reader who tries to place the last quarter's referrals by type (an unknown
	// type by quarter table whose margins are the type table and the quarter table) cannot pin the 2.
	s := &counts{value: clone(whole.sys.value), status: clone(whole.sys.status), lines: whole.sys.lines, links: whole.sys.links}
	typeRows := whole.dims[typeDim].rows
	byQuarter := make([][4]int, len(typeRows))
	erwQ4 := -1
	for ti, k := range typeRows {
		for q := range 4 {
			n := 0
			for _, r := range recs {
				if r.quarter == q+1 && whole.dims[typeDim].of(r).key == k.key {
					n++
				}
			}
			byQuarter[ti][q] = s.add(n)
			s.status[byQuarter[ti][q]] = audited // unknown to the reader
		}
		s.addLine(whole.ent[typeDim][ti][stReferred], byQuarter[ti][:]...)
		if k.key == "c:extreme_right_wing" {
			erwQ4 = byQuarter[ti][3]
		}
	}
	for q := range 4 {
		var parts []int
		for ti := range typeRows {
			parts = append(parts, byQuarter[ti][q])
		}
		s.addLine(whole.ent[quarterDim][q][stReferred], parts...)
	}
	if newAttacker(t, s, SuppressBelow5, 0).pinned(erwQ4, 2) {
		t.Error("the last quarter's extreme right-wing referrals are recovered from the year's return")
	}
}

func clone[T any](s []T) []T { return append([]T(nil), s...) }

func TestBaseBelowThresholdIsRefused(t *testing.T) {
	t.Parallel()
	err := SuppressBelow5.CheckBase("referrals in 2024/25", 4)
	if prevent.ErrorKind(err) != prevent.Invalid || !strings.Contains(prevent.PublicMessage(err), "fewer than 5 referrals in 2024/25") {
		t.Errorf("CheckBase(4) = %v", err)
	}
	if err := SuppressBelow5.CheckBase("referrals", 5); err != nil {
		t.Errorf("CheckBase(5) = %v", err)
	}
}

func TestPolicies(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, p := range Policies() {
		if p.Name == "" || p.Version < 1 || p.Summary == "" || p.MinBase < 1 || seen[p.String()] {
			t.Errorf("policy %+v", p)
		}
		seen[p.String()] = true
		if got, err := PolicyNamed(p.Name, p.Version); err != nil || got != p {
			t.Errorf("PolicyNamed(%s) = %v, %v", p, got, err)
		}
	}
	if _, err := PolicyNamed("suppress-below-5", 99); prevent.ErrorKind(err) != prevent.Invalid {
		t.Errorf("unknown version: %v", err)
	}
}

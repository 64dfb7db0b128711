package returns

import (
	"testing"
)

// attacker is what a reader of a return knows, and tries to use: every count is an unknown whole number
// within bounds (a shown count exactly, a rounded one within the rounding, a withheld one from lo upwards), the
// lines add up and the links hold. It searches exhaustively, so it is independent of the rule that protected
// the counts, and only fit for small tables.
type attacker struct {
	lo, hi []int
	lines  []line
	links  []link
	nodes  int
	budget int
	t      testing.TB
}

// newAttacker builds the reader's problem from controlled counts under policy p. withheldLo is what the reader
// assumes of a withheld count: 0 (no more than that counts are not negative) or 1 (zeros are shown, so a
// withheld count is not zero).
func newAttacker(t testing.TB, s *counts, p Policy, withheldLo int) *attacker {
	a := &attacker{lines: s.lines, links: s.links, budget: 5_000_000, t: t}
	// A withheld count is at most everything there is: the cap only bounds the search, and lies far above any
	// value a solution near the true one needs.
	cap := 10
	for _, v := range s.value {
		cap += v
	}
	for i := range s.value {
		v, ok := s.published(i, p)
		switch {
		case !ok:
			a.lo, a.hi = append(a.lo, withheldLo), append(a.hi, cap)
		case p.RoundTo > 1:
			lo, hi := max(0, v-p.RoundTo/2), v+p.RoundTo/2
			if p.Threshold > 0 {
				// Counts from 1 to the threshold less 1 are withheld, so a count shown is 0 or at least the
				// threshold.
				if v == 0 {
					hi = 0
				} else {
					lo = max(lo, p.Threshold)
				}
			}
			a.lo, a.hi = append(a.lo, lo), append(a.hi, hi)
		default:
			a.lo, a.hi = append(a.lo, v), append(a.hi, v)
		}
	}
	a.tighten()
	return a
}

// tighten narrows the bounds by propagating the lines until nothing changes (sound: it only removes values no
// solution has).
func (a *attacker) tighten() {
	for changed := true; changed; {
		changed = false
		for _, l := range a.lines {
			sumLo, sumHi := 0, 0
			for _, p := range l.parts {
				sumLo += a.lo[p]
				sumHi += a.hi[p]
			}
			if sumHi < a.hi[l.total] {
				a.hi[l.total], changed = sumHi, true
			}
			if sumLo > a.lo[l.total] {
				a.lo[l.total], changed = sumLo, true
			}
			for _, p := range l.parts {
				if h := a.hi[l.total] - (sumLo - a.lo[p]); h < a.hi[p] {
					a.hi[p], changed = h, true
				}
			}
		}
		for _, k := range a.links {
			sumLo := 0
			for _, c := range k.children {
				sumLo += a.lo[c]
			}
			if sumLo > a.lo[k.parent] {
				a.lo[k.parent], changed = sumLo, true
			}
			for _, c := range k.children {
				if h := a.hi[k.parent] - (sumLo - a.lo[c]); h < a.hi[c] {
					a.hi[c], changed = h, true
				}
			}
		}
	}
}

// solvable reports whether some solution has x[i] in want (all of x[i]'s range when want is nil).
func (a *attacker) solvable(i int, want func(int) bool) bool {
	val := make([]int, len(a.lo))
	set := make([]bool, len(a.lo))
	return a.dfs(val, set, i, want)
}

func (a *attacker) dfs(val []int, set []bool, target int, want func(int) bool) bool {
	a.nodes++
	if a.nodes > a.budget {
		a.t.Fatalf("attack inconclusive after %d steps", a.budget)
	}
	var trail []int
	undo := func() {
		for _, i := range trail {
			set[i] = false
		}
	}
	assign := func(i, v int) bool {
		if v < a.lo[i] || v > a.hi[i] || (i == target && want != nil && !want(v)) {
			return false
		}
		val[i], set[i] = v, true
		trail = append(trail, i)
		return true
	}
	for changed := true; changed; {
		changed = false
		for _, l := range a.lines {
			free, sum := -1, 0
			nfree := 0
			loFree, hiFree := 0, 0
			for _, p := range l.parts {
				if set[p] {
					sum += val[p]
				} else {
					nfree++
					free = p
					loFree += a.lo[p]
					hiFree += a.hi[p]
				}
			}
			if set[l.total] {
				switch {
				case nfree == 0 && sum != val[l.total]:
					undo()
					return false
				case nfree == 1:
					if !assign(free, val[l.total]-sum) {
						undo()
						return false
					}
					changed = true
				case sum+loFree > val[l.total] || sum+hiFree < val[l.total]:
					undo()
					return false
				}
			} else if nfree == 0 {
				if !assign(l.total, sum) {
					undo()
					return false
				}
				changed = true
			} else if sum+loFree > a.hi[l.total] || sum+hiFree < a.lo[l.total] {
				undo()
				return false
			}
		}
		for _, k := range a.links {
			sum := 0
			for _, c := range k.children {
				if set[c] {
					sum += val[c]
				} else {
					sum += a.lo[c]
				}
			}
			parent := a.hi[k.parent]
			if set[k.parent] {
				parent = val[k.parent]
			}
			if sum > parent {
				undo()
				return false
			}
		}
	}
	next := -1
	for i := range val {
		if !set[i] && (next < 0 || a.hi[i]-a.lo[i] < a.hi[next]-a.lo[next]) {
			next = i
		}
	}
	if next < 0 {
		return true
	}
	if !set[target] {
		next = target
	}
	for v := a.lo[next]; v <= a.hi[next]; v++ {
		if next == target && want != nil && !want(v) {
			continue
		}
		val[next], set[next] = v, true
		if a.dfs(val, set, target, want) {
			set[next] = false
			undo()
			return true
		}
		set[next] = false
	}
	undo()
	return false
}

// interval is every value x[i] takes in some solution: its least and greatest.
func (a *attacker) interval(i int) (lo, hi int) {
	lo, hi = -1, -1
	for v := a.lo[i]; v <= a.hi[i]; v++ {
		if a.solvable(i, func(x int) bool { return x == v }) {
			if lo < 0 {
				lo = v
			}
			hi = v
		}
	}
	return lo, hi
}

// pinned reports whether the reader can tell x[i] is exactly v: no solution gives it another value.
func (a *attacker) pinned(i, v int) bool {
	return !a.solvable(i, func(x int) bool { return x != v })
}

// assertSafe checks, for each withheld count of s, that the reader cannot pin it, with either assumption about
// withheld counts, and that every count from 1 to the threshold less 1 is withheld.
func assertSafe(t *testing.T, s *counts, p Policy) {
	t.Helper()
	for i, v := range s.value {
		if v > 0 && v < p.Threshold && !s.withheld(i) {
			t.Errorf("count %d (%d) is shown", i, v)
		}
	}
	for _, lo := range []int{0, 1} {
		a := newAttacker(t, s, p, lo)
		for i := range s.value {
			if s.withheld(i) && a.pinned(i, s.value[i]) {
				t.Errorf("withheld count %d (%d) is recovered exactly by a reader who takes withheld counts to be at least %d", i, s.value[i], lo)
			}
		}
	}
}

// grid builds a table of counts with its row totals, column totals and grand total, as one system: cell(r, c)
// is the entry of row r, column c; the row totals are at column len(cols), the column totals at row len(rows).
type grid struct {
	s          *counts
	id         [][]int
	rows, cols int
}

func newGrid(s *counts, cells [][]int) *grid {
	g := &grid{s: s, rows: len(cells), cols: len(cells[0])}
	g.id = make([][]int, g.rows+1)
	colSum := make([]int, g.cols)
	grand := 0
	for r, row := range cells {
		g.id[r] = make([]int, g.cols+1)
		sum := 0
		for c, v := range row {
			g.id[r][c] = s.add(v)
			sum += v
			colSum[c] += v
		}
		g.id[r][g.cols] = s.add(sum)
		grand += sum
	}
	g.id[g.rows] = make([]int, g.cols+1)
	for c := range g.cols {
		g.id[g.rows][c] = s.add(colSum[c])
	}
	g.id[g.rows][g.cols] = s.add(grand)
	for r := 0; r <= g.rows; r++ {
		s.addLine(g.id[r][g.cols], g.id[r][:g.cols]...)
	}
	for c := 0; c <= g.cols; c++ {
		col := make([]int, g.rows)
		for r := range g.rows {
			col[r] = g.id[r][c]
		}
		s.addLine(g.id[g.rows][c], col...)
	}
	return g
}

package rights

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// How the erasure run finds the cases due, without reading every closed case.
//
// For each partnership and closing state (erasurePlan) the run takes the rules in force for the outcomes a
// case resting in that state may have closed with, and from the shortest of them a cutoff: a case closed
// after the cutoff cannot be past any of those rules at now. Casework lists, through the index of the cases
// not erased by partnership, state and creation, the cases closed at or before the cutoff
// (casework.ClosedCasesBefore); the run then tests each exactly as before (its outcome's rule, RetentionRule.DueAt)
// and checks the legal holds. When nothing is due each listing reads a few entries of the index.
//
// The walk goes through the partnerships and states in order and, inside each, in the order of the index; a
// run that stops early keeps its position (erasureCursor) and the next one resumes there, goes to the end,
// then starts again from the beginning up to where it resumed, so that every case is looked at once a run.

// erasureGroup is the closed cases of one partnership and state, with the rules in force for the outcomes they
// may have closed with and the cutoff those rules give at now.
type erasureGroup struct {
	partnership prevent.ID
	state       casework.State
	rules       map[Outcome]RetentionRule
	cutoff      time.Time
}

// cutoffSlack covers what AddMonths gives at the end of a month: a case closed up to three days and a time
// of day after the cutoff of whole months may already be due (31 May + 1 month = 30 June).
const cutoffSlack = 5 * 24 * time.Hour

// erasurePlan lists the groups of cases the erasure run looks through at now, of one partnership or of all
// when partnership is 0, in order. A state whose outcomes have no rule is left out: nothing is erased by
// guesswork.
func (s *Service) erasurePlan(ctx context.Context, partnership prevent.ID, now time.Time) ([]erasureGroup, error) {
	ps := []prevent.ID{partnership}
	if partnership == 0 {
		var err error
		if ps, err = s.casework.RetentionPartnerships(ctx); err != nil {
			return nil, err
		}
	}
	q := s.db.Read()
	var out []erasureGroup
	for _, p := range ps {
		rules := map[Outcome]RetentionRule{}
		for _, o := range outcomesOf[CaseRecords] {
			r, ok, err := rule(ctx, q, p, CaseRecords, o)
			if err != nil {
				return nil, err
			}
			if ok {
				rules[o] = r
			}
		}
		for _, st := range casework.ClosingStates() {
			g := erasureGroup{partnership: p, state: st, rules: rules}
			months := -1
			for _, co := range casework.ClosingOutcomesOf(st) {
				if r, ok := rules[caseOutcomes[co]]; ok && (months < 0 || r.Months < months) {
					months = r.Months
				}
			}
			if months < 0 {
				continue
			}
			g.cutoff = AddMonths(now.UTC(), -months).Add(cutoffSlack)
			out = append(out, g)
		}
	}
	return out, nil
}

// erasurePosition is a place in the walk: a partnership and state, and a place in their index.
type erasurePosition struct {
	partnership prevent.ID
	state       casework.State
	at          casework.ClosedPosition
}

func (p erasurePosition) zero() bool { return p.partnership == 0 }

// String encodes the position for the cursor.
func (p erasurePosition) String() string {
	if p.zero() {
		return ""
	}
	return fmt.Sprintf("%d %s %s %d", p.partnership, string(p.state), p.at.CreatedAt.Format(time.RFC3339Nano), p.at.ID)
}

// parseErasurePosition decodes a cursor; one it cannot read starts the walk from the beginning.
func parseErasurePosition(s string) erasurePosition {
	f := strings.Fields(s)
	if len(f) != 4 {
		return erasurePosition{}
	}
	p, err1 := strconv.ParseInt(f[0], 10, 64)
	at, err2 := time.Parse(time.RFC3339Nano, f[2])
	id, err3 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || p <= 0 {
		return erasurePosition{}
	}
	return erasurePosition{partnership: prevent.ID(p), state: casework.State(f[1]), at: casework.ClosedPosition{CreatedAt: at, ID: prevent.ID(id)}}
}

// compareGroup orders a group against a position's partnership and state.
func compareGroup(g erasureGroup, p erasurePosition) int {
	return cmp.Or(cmp.Compare(g.partnership, p.partnership), cmp.Compare(g.state, p.state))
}

// comparePlace orders two places in one group's index.
func comparePlace(a, b casework.ClosedPosition) int {
	return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
}

// erasurePart is a stretch of the walk: from a place in group gi to the end of group end-1, or, when cap is
// not zero, to the place cap in group end-1.
type erasurePart struct {
	gi    int
	after casework.ClosedPosition
	end   int
	cap   casework.ClosedPosition
}

// erasureWalk goes through the plan from a position to its end, then from its beginning to that position.
type erasureWalk struct {
	s     *Service
	plan  []erasureGroup
	now   time.Time
	parts []erasurePart // parts[0] is being walked
	done  bool
}

func newErasureWalk(s *Service, plan []erasureGroup, now time.Time, from erasurePosition) *erasureWalk {
	w := &erasureWalk{s: s, plan: plan, now: now}
	gi, after := 0, casework.ClosedPosition{}
	if !from.zero() {
		for gi < len(plan) && compareGroup(plan[gi], from) < 0 {
			gi++
		}
		if gi < len(plan) && compareGroup(plan[gi], from) == 0 {
			after = from.at
		}
	}
	w.parts = []erasurePart{{gi: gi, after: after, end: len(plan)}}
	switch {
	case after.ID != 0:
		w.parts = append(w.parts, erasurePart{end: gi + 1, cap: after})
	case gi > 0:
		w.parts = append(w.parts, erasurePart{end: gi})
	}
	w.settle()
	return w
}

// settle moves on to the next part when the one walked is over, and marks the walk done after the last.
func (w *erasureWalk) settle() {
	for len(w.parts) > 0 && w.parts[0].gi >= w.parts[0].end {
		w.parts = w.parts[1:]
	}
	w.done = len(w.parts) == 0
}

// position is where the walk is, for the cursor: "" when it is over.
func (w *erasureWalk) position() string {
	if w.done {
		return ""
	}
	p := w.parts[0]
	g := w.plan[p.gi]
	return erasurePosition{partnership: g.partnership, state: g.state, at: p.after}.String()
}

// next walks on until it has found n cases past retention (those a legal hold keeps among them), or to the
// end, and returns the cases to erase and how many a legal hold keeps.
func (w *erasureWalk) next(ctx context.Context, n int) ([]erasureCandidate, int, error) {
	var due []erasureCandidate
	nHeld := 0
	q := w.s.db.Read()
	for !w.done && len(due)+nHeld < n {
		p := &w.parts[0]
		g := w.plan[p.gi]
		capped := p.cap.ID != 0 && p.gi == p.end-1
		cases, err := w.s.casework.ClosedCasesBefore(ctx, g.partnership, g.state, g.cutoff, p.after, erasureRound)
		if err != nil {
			return nil, 0, err
		}
		finished := len(cases) < erasureRound
		full := false
		for _, c := range cases {
			if capped && comparePlace(c.Place, p.cap) > 0 {
				finished = true
				break
			}
			p.after = c.Place
			if rl, ok := g.rules[caseOutcomes[c.Outcome]]; ok && !w.now.Before(rl.DueAt(c.ClosedAt)) {
				h, err := held(ctx, q, HoldCase, c.ID)
				if err != nil {
					return nil, 0, err
				}
				if h {
					nHeld++
				} else {
					due = append(due, erasureCandidate{ClosedCase: c.ClosedCase, rule: rl})
				}
			}
			if len(due)+nHeld >= n {
				full = true
				break
			}
		}
		if capped && comparePlace(p.after, p.cap) >= 0 {
			finished = true
		}
		if finished && !full {
			p.gi++
			p.after = casework.ClosedPosition{}
		}
		w.settle()
	}
	return due, nHeld, nil
}

package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Finding the closed cases that may be past retention through an index, for the erasure run in
// internal/rights, instead of listing every closed case (ClosedCases) and testing each in Go.
//
// A case closes after it was created, so a case that closed at or before a cutoff was created at or before
// it: the index referrals_retention (partnership, state, created_at, id, of the cases not erased) gives the
// cases of a partnership and state created by the cutoff, and the query keeps those whose closing time (the
// last time they entered their state, or their last update without that event, as in ClosedCases) is at or
// before it. When nothing is due the query reads a few entries of the index, however many cases are closed.

// ClosingStates lists the states a case may rest in at its close, in order, each with the outcomes a case
// resting in it may have closed with (a case not adopted at panel and then closed or signposted keeps the
// not-adopted outcome).
func ClosingStates() []State {
	out := make([]State, 0, len(closingOutcomes))
	for st := range closingOutcomes {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}

// ClosingOutcomesOf lists the outcomes a case resting in the closing state st may have closed with.
func ClosingOutcomesOf(st State) []ClosingOutcome {
	o, ok := closingOutcomes[st]
	if !ok {
		return nil
	}
	if st == ClosedNFA || st == Signposted {
		return []ClosingOutcome{o, OutcomeNotAdopted}
	}
	return []ClosingOutcome{o}
}

// ClosedPosition is a place in the order the retention index lists a partnership's cases of one state.
type ClosedPosition struct {
	CreatedAt time.Time
	ID        prevent.ID
}

// ClosedCandidate is a closed case listed by ClosedCasesBefore, with its place in the index.
type ClosedCandidate struct {
	ClosedCase
	Place ClosedPosition
}

// closedBeforeSQL lists the cases not erased of a partnership ($1) in a state ($2), created and closed at or
// before a cutoff ($3), after a position ($4, $5), in the order of the index, at most $6.
const closedBeforeSQL = `SELECT r.id, r.created_at, r.updated_at FROM referrals r
	WHERE r.partnership_id = $1 AND r.state = $2 AND r.erased_at IS NULL AND r.created_at <= $3
	AND (r.created_at, r.id) > ($4, $5)
	AND COALESCE((SELECT MAX(e.at) FROM case_events e WHERE e.referral_id = r.id AND e.to_state = r.state), r.updated_at) <= $3
	ORDER BY r.created_at, r.id LIMIT $6`

// ClosedCasesBefore lists at most limit cases of the partnership resting in the closing state st, not
// erased, that closed at or before cutoff, after the position after (the zero position for the first), in the
// order of the retention index, each with its place in it. Each is as ClosedCases describes it, read through
// the read pool. Like ClosedCases it decides no access and returns no personal data.
func (s *Service) ClosedCasesBefore(ctx context.Context, partnershipID prevent.ID, st State, cutoff time.Time, after ClosedPosition, limit int) ([]ClosedCandidate, error) {
	if _, ok := closingOutcomes[st]; !ok {
		return nil, fmt.Errorf("casework: %s is not a closing state", st)
	}
	q := s.db.Read()
	from := after.CreatedAt
	if from.IsZero() {
		from = time.Unix(0, 0).UTC()
	}
	rows, err := q.QueryContext(ctx, closedBeforeSQL, partnershipID, string(st), cutoff.UTC(), from, after.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("casework: closed cases: %w", err)
	}
	var out []ClosedCandidate
	for rows.Next() {
		c := ClosedCandidate{ClosedCase: ClosedCase{PartnershipID: partnershipID, State: st}}
		if err := rows.Scan(&c.ID, &c.Place.CreatedAt, &c.ClosedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("casework: closed cases: %w", err)
		}
		c.Place.ID = c.ID
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("casework: closed cases: %w", err)
	}
	for i := range out {
		if err := closedDetail(ctx, q, &out[i].ClosedCase); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// closedDetail sets when the case closed (the last time it entered its state; its last update, read before,
// without that event) and the outcome it closed with, as ClosedCases does.
func closedDetail(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, c *ClosedCase) error {
	var entered time.Time
	err := q.QueryRowContext(ctx, `SELECT at FROM case_events WHERE referral_id = $1 AND to_state = $2 ORDER BY at DESC LIMIT 1`,
		c.ID, string(c.State)).Scan(&entered)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("casework: closed cases: %w", err)
	}
	if err == nil {
		c.ClosedAt = entered
	}
	var notAdopted int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM case_events WHERE referral_id = $1 AND to_state = $2`,
		c.ID, string(NotAdopted)).Scan(&notAdopted); err != nil {
		return fmt.Errorf("casework: closed cases: %w", err)
	}
	c.Outcome = closingOutcomes[c.State]
	if notAdopted > 0 && (c.State == ClosedNFA || c.State == Signposted) {
		c.Outcome = OutcomeNotAdopted
	}
	return nil
}

// RetentionPartnerships lists the partnerships, by id, for the erasure run to look through.
func (s *Service) RetentionPartnerships(ctx context.Context) ([]prevent.ID, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id FROM partnerships ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("casework: partnerships: %w", err)
	}
	defer rows.Close()
	var out []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("casework: partnerships: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

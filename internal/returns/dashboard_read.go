package returns

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The dashboard's reads of casework's tables: instants and states only, no name, no free text.

// journeyStates are the states whose first reaching the dashboard counts and times.
var journeyStates = []casework.State{casework.ClosedNFA, casework.Signposted, casework.PoliceLedManagement, casework.PursueHandover,
	casework.ChannelScreening, casework.Discussed, casework.Adopted, casework.Exited}

// readJourneys returns the referrals submitted to the partnership from from to to (not erased), with when they
// were triaged and when they first reached each of journeyStates, from their timeline and their state.
func readJourneys(ctx context.Context, q database.Querier, pid prevent.ID, from, to time.Time) ([]journey, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, submitted_at, triaged_at, state, updated_at FROM referrals
		WHERE partnership_id = $1 AND submitted_at >= $2 AND submitted_at < $3 AND erased_at IS NULL ORDER BY id`, pid, from, to)
	if err != nil {
		return nil, fmt.Errorf("returns: referrals: %w", err)
	}
	byID := map[int64]*journey{}
	var ids []int64
	for rows.Next() {
		var id int64
		var submitted, updated time.Time
		var triaged *time.Time
		var state string
		if err := rows.Scan(&id, &submitted, &triaged, &state, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("returns: referrals: %w", err)
		}
		j := &journey{id: id, submitted: submitted.UTC(), reached: map[casework.State]time.Time{}}
		if triaged != nil {
			j.triaged = triaged.UTC()
		}
		// The state it is in counts as reached, at its last change, in case its timeline lacks the step.
		j.reached[casework.State(state)] = updated.UTC()
		byID[id] = j
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	args := []any{pid, from, to}
	marks := make([]string, len(journeyStates))
	for i, s := range journeyStates {
		args = append(args, string(s))
		marks[i] = fmt.Sprintf("$%d", i+4)
	}
	rows, err = q.QueryContext(ctx, `SELECT e.referral_id, e.to_state, e.at FROM case_events e JOIN referrals r ON r.id = e.referral_id
		WHERE r.partnership_id = $1 AND r.submitted_at >= $2 AND r.submitted_at < $3 AND r.erased_at IS NULL
			AND e.to_state IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("returns: steps: %w", err)
	}
	for rows.Next() {
		var id int64
		var state string
		var at time.Time
		if err := rows.Scan(&id, &state, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("returns: steps: %w", err)
		}
		j, ok := byID[id]
		if !ok {
			continue
		}
		// The first time it reached the state; the state it is in was set from its last change above.
		if t, seen := j.reached[casework.State(state)]; !seen || at.UTC().Before(t) {
			j.reached[casework.State(state)] = at.UTC()
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]journey, 0, len(ids))
	for _, id := range ids {
		out = append(out, *byID[id])
	}
	return out, nil
}

// openCase is the state of one of the partnership's cases and the local authority recorded of its person.
type openCase struct {
	state casework.State
	area  string
}

// readOpenStates returns the state of each of the partnership's open cases, with its person's local authority.
func readOpenStates(ctx context.Context, q database.Querier, pid prevent.ID) ([]openCase, error) {
	args := []any{pid}
	var marks []string
	for _, st := range casework.OpenStages {
		for _, x := range casework.StageStates[st] {
			args = append(args, string(x))
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT r.state, COALESCE(s.local_authority, '') FROM referrals r LEFT JOIN case_subjects s ON s.id = r.subject_id
		WHERE r.partnership_id = $1 AND r.state IN (`+strings.Join(marks, ", ")+`) AND r.erased_at IS NULL AND r.submitted_at IS NOT NULL`, args...)
	if err != nil {
		return nil, fmt.Errorf("returns: open cases: %w", err)
	}
	defer rows.Close()
	var out []openCase
	for rows.Next() {
		var s, area string
		if err := rows.Scan(&s, &area); err != nil {
			return nil, err
		}
		out = append(out, openCase{state: casework.State(s), area: area})
	}
	return out, rows.Err()
}

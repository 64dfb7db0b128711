package returns

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// This file holds every query the quarterly return for funded areas makes of other domains' tables: the
// programme's projects, milestones, impacts and their actuals, funding allocations and spend, and casework's
// referrals and timeline for the quarter's counts. They only read, and only here, until those packages offer
// aggregate reads of their own. The return's own tables (quarterly_returns, quarterly_return_projects) are
// written in quarterly.go.

// quarterlyQueryVersion names what the queries below read; it changes whenever a query changes what is counted.
const quarterlyQueryVersion = "quarterly-read version 1"

// readProjects returns the partnership's projects that run at some time in the quarter (from and to are its
// first and last days, ISO dates), with their milestones, impacts and money.
func readProjects(ctx context.Context, q database.Querier, pid prevent.ID, y FinancialYear, quarter int, from, to string) ([]ProjectFigures, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, public_title, rag, rag_reason, starts_on, ends_on FROM projects
		WHERE partnership_id = $1 AND starts_on <= $2 AND ends_on >= $3 ORDER BY public_title, id`, pid, to, from)
	if err != nil {
		return nil, fmt.Errorf("returns: projects: %w", err)
	}
	var out []ProjectFigures
	for rows.Next() {
		var p ProjectFigures
		if err := rows.Scan(&p.ProjectID, &p.Title, &p.RAG, &p.RAGReason, &p.StartsOn, &p.EndsOn); err != nil {
			rows.Close()
			return nil, fmt.Errorf("returns: projects: %w", err)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	label := fmt.Sprintf("%d-Q%d", int(y), quarter)
	for i := range out {
		p := &out[i]
		ms, err := q.QueryContext(ctx, `SELECT title, due_on, done_on FROM project_milestones WHERE project_id = $1 ORDER BY due_on, id`, p.ProjectID)
		if err != nil {
			return nil, fmt.Errorf("returns: milestones: %w", err)
		}
		for ms.Next() {
			var m MilestoneFigures
			var done sql.NullString
			if err := ms.Scan(&m.Title, &m.DueOn, &done); err != nil {
				ms.Close()
				return nil, err
			}
			m.DoneOn = done.String
			switch {
			case m.DoneOn != "" && m.DoneOn >= from && m.DoneOn <= to:
				m.Status = "done in the quarter"
			case m.DoneOn != "" && m.DoneOn < from:
				continue // done before: not this quarter's output
			case m.DueOn > to:
				continue // not yet due
			case m.DueOn >= from:
				m.Status = "due in the quarter, not done"
			default:
				m.Status = "overdue"
			}
			p.Milestones = append(p.Milestones, m)
		}
		ms.Close()
		if err := ms.Err(); err != nil {
			return nil, err
		}
		im, err := q.QueryContext(ctx, `SELECT i.indicator, i.unit, i.baseline, i.target, a.value, a.quarter IS NOT NULL
			FROM project_impacts i LEFT JOIN impact_actuals a ON a.impact_id = i.id AND a.quarter = $2
			WHERE i.project_id = $1 ORDER BY i.id`, p.ProjectID, label)
		if err != nil {
			return nil, fmt.Errorf("returns: impacts: %w", err)
		}
		for im.Next() {
			var m ImpactFigures
			var v sql.NullFloat64
			if err := im.Scan(&m.Indicator, &m.Unit, &m.Baseline, &m.Target, &v, &m.Recorded); err != nil {
				im.Close()
				return nil, err
			}
			m.Actual = v.Float64
			p.Impacts = append(p.Impacts, m)
		}
		im.Close()
		if err := im.Err(); err != nil {
			return nil, err
		}
		if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_pence), 0) FROM funding_allocations WHERE project_id = $1`,
			p.ProjectID).Scan(&p.AllocatedPence); err != nil {
			return nil, fmt.Errorf("returns: allocations: %w", err)
		}
		if err := q.QueryRowContext(ctx, `SELECT
				COALESCE(SUM(CASE WHEN s.year = $2 AND s.quarter = $3 THEN s.amount_pence ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN s.year < $2 OR (s.year = $2 AND s.quarter <= $3) THEN s.amount_pence ELSE 0 END), 0)
			FROM funding_spend s JOIN funding_allocations a ON a.id = s.allocation_id WHERE a.project_id = $1`,
			p.ProjectID, int(y), quarter).Scan(&p.SpentPence, &p.SpentToDatePence); err != nil {
			return nil, fmt.Errorf("returns: spend: %w", err)
		}
	}
	return out, nil
}

// readQuarterCases returns how many referrals were submitted to the partnership in [from, to), and how many
// cases its panels adopted then, erased cases left out.
func readQuarterCases(ctx context.Context, q database.Querier, pid prevent.ID, from, to time.Time) (referrals, adopted int, err error) {
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE partnership_id = $1 AND submitted_at >= $2 AND submitted_at < $3
		AND erased_at IS NULL`, pid, from, to).Scan(&referrals); err != nil {
		return 0, 0, fmt.Errorf("returns: quarter referrals: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT count(DISTINCT e.referral_id) FROM case_events e JOIN referrals r ON r.id = e.referral_id
		WHERE r.partnership_id = $1 AND r.erased_at IS NULL AND e.to_state = $4 AND e.from_state <> $4 AND e.at >= $2 AND e.at < $3`,
		pid, from, to, string(casework.Adopted)).Scan(&adopted); err != nil {
		return 0, 0, fmt.Errorf("returns: quarter adoptions: %w", err)
	}
	return referrals, adopted, nil
}

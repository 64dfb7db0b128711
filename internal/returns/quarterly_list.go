package returns

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// QuarterlyReturns lists the partnership's quarterly returns, the latest quarter first, for reaching one: each
// has its period, state and times, but not its figures or text (read those with Quarterly). Reading is
// access.StatisticsView, as for one return.
func (s *Service) QuarterlyReturns(ctx context.Context, p prevent.Principal, pid prevent.ID) ([]*Quarterly, error) {
	if !s.allow(p, pid, quarterlyRead...) {
		return nil, access.NotFound("Partnership")
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, year, quarter, state, created_by, updated_at, approved_by, approved_at
		FROM quarterly_returns WHERE partnership_id = $1 ORDER BY year DESC, quarter DESC, id DESC`, pid)
	if err != nil {
		return nil, fmt.Errorf("returns: quarterly returns: %w", err)
	}
	defer rows.Close()
	var out []*Quarterly
	for rows.Next() {
		q := &Quarterly{PartnershipID: pid, Text: map[prevent.ID]ProjectText{}}
		var year int
		var state string
		var approvedBy sql.NullInt64
		var approvedAt sql.NullTime
		if err := rows.Scan(&q.ID, &year, &q.Period.Quarter, &state, &q.CreatedBy, &q.UpdatedAt, &approvedBy, &approvedAt); err != nil {
			return nil, fmt.Errorf("returns: quarterly returns: %w", err)
		}
		q.Period.Year, q.State = FinancialYear(year), QuarterlyState(state)
		q.ApprovedBy, q.ApprovedAt = approvedBy.Int64, approvedAt.Time
		out = append(out, q)
	}
	return out, rows.Err()
}

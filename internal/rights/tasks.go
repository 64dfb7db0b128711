package rights

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

// taskPrefix is the scope prefix of the subject access tasks. It keeps the scopes the tasks had when sharing
// derived them ("sharing:sar:<id>"), so that the open tasks of a running service carry on; sharing reconciles
// only its own prefixes beside it.
const taskPrefix = "sharing:sar:"

// Tasks derives the subject access steps open at now: each open request, due on its statutory deadline,
// for the data protection officer.
func Tasks(ctx context.Context, q database.Querier, now time.Time) ([]work.Task, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM subject_access_requests WHERE status = $1 ORDER BY id`, string(RequestOpen))
	if err != nil {
		return nil, fmt.Errorf("rights: tasks: %w", err)
	}
	var ids []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []work.Task
	for _, id := range ids {
		r, err := loadRequest(ctx, q, id)
		if err != nil {
			return nil, err
		}
		scope := taskPrefix + strconv.FormatInt(r.ID, 10)
		out = append(out, work.Task{Key: scope, Scope: scope, Kind: work.SubjectAccess, PartnershipID: r.PartnershipID, ItemID: r.ID,
			Action: access.SubjectAccessManage, Due: r.Due.AddDate(0, 0, 1)})
	}
	return out, nil
}

// SyncTasks makes the subject access tasks match the register at now: new requests appear, and those
// answered close. It runs on a schedule, beside sharing's information governance tasks.
func (s *Service) SyncTasks(ctx context.Context, now time.Time) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		ts, err := Tasks(ctx, tx, now)
		if err != nil {
			return err
		}
		return work.SyncPrefix(ctx, tx, taskPrefix, ts, now)
	})
}

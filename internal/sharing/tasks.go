package sharing

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

// AgreementReviewNotice is how long before an agreement's review date its review becomes a task.
const AgreementReviewNotice = 30 * 24 * time.Hour

// taskPrefix is the scope prefix of information governance tasks. Sharing reconciles the scopes of its own
// kinds (taskKinds); the subject access tasks ("sharing:sar:") are internal/rights'.
const taskPrefix = "sharing:"

// taskKinds are the kinds of scope sharing derives, each reconciled under taskPrefix + kind + ":".
var taskKinds = []string{"notice", "agreement"}

// Tasks derives the information governance steps that are open at now: each open notice, due on its date, for
// the organisation it was sent to; and each agreement in force within AgreementReviewNotice of its review date,
// for those who manage agreements. (Each open subject access request is the data protection officer's task,
// derived by internal/rights.)
func Tasks(ctx context.Context, q database.Querier, now time.Time) ([]work.Task, error) {
	var out []work.Task
	add := func(kind work.Kind, key string, pid, item, org prevent.ID, action access.Action, due time.Time) {
		scope := taskPrefix + key + ":" + strconv.FormatInt(item, 10)
		out = append(out, work.Task{Key: scope, Scope: scope, Kind: kind, PartnershipID: pid, ItemID: item, OrgID: org, Action: action, Due: due})
	}
	rows, err := q.QueryContext(ctx, `SELECT id, partnership_id, to_org, due_on FROM sharing_notices WHERE status = $1 ORDER BY id`, string(NoticeOpen))
	if err != nil {
		return nil, fmt.Errorf("sharing: tasks: %w", err)
	}
	for rows.Next() {
		var id, pid, org prevent.ID
		var due string
		if err := rows.Scan(&id, &pid, &org, &due); err != nil {
			rows.Close()
			return nil, err
		}
		add(work.Notice, "notice", pid, id, org, access.NoticeWork, parseDay(due).AddDate(0, 0, 1))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, partnership_id, review_date FROM sharing_agreements WHERE status = $1 ORDER BY id`, string(Active))
	if err != nil {
		return nil, fmt.Errorf("sharing: tasks: %w", err)
	}
	for rows.Next() {
		var id, pid prevent.ID
		var review string
		if err := rows.Scan(&id, &pid, &review); err != nil {
			rows.Close()
			return nil, err
		}
		if due := parseDay(review); !due.IsZero() && now.Add(AgreementReviewNotice).After(due) {
			add(work.AgreementReview, "agreement", pid, id, 0, access.AgreementManage, due)
		}
	}
	rows.Close()
	return out, rows.Err()
}

// SyncTasks makes the information governance tasks match the registers at now: new notices and reviews
// appear, and those completed or reviewed close. It runs on a schedule.
func (s *Service) SyncTasks(ctx context.Context, now time.Time) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		ts, err := Tasks(ctx, tx, now)
		if err != nil {
			return err
		}
		for _, kind := range taskKinds {
			prefix := taskPrefix + kind + ":"
			var want []work.Task
			for _, t := range ts {
				if strings.HasPrefix(t.Scope, prefix) {
					want = append(want, t)
				}
			}
			if err := work.SyncPrefix(ctx, tx, prefix, want, now); err != nil {
				return err
			}
		}
		return nil
	})
}

package sharing

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

// AgreementReviewNotice is how long before an agreement's review date its review becomes a task.
const AgreementReviewNotice = 30 * 24 * time.Hour

// taskPrefix is the scope prefix of information governance tasks.
const taskPrefix = "sharing:"

// Tasks derives the information governance steps that are open at now: each open subject access request, due
// on its statutory deadline, for the data protection officer; each open notice, due on its date, for the
// organisation it was sent to; and each agreement in force within AgreementReviewNotice of its review date, for
// those who manage agreements.
func Tasks(ctx context.Context, q database.Querier, now time.Time) ([]work.Task, error) {
	var out []work.Task
	add := func(kind work.Kind, key string, pid, item, org prevent.ID, action access.Action, due time.Time) {
		scope := taskPrefix + key + ":" + strconv.FormatInt(item, 10)
		out = append(out, work.Task{Key: scope, Scope: scope, Kind: kind, PartnershipID: pid, ItemID: item, OrgID: org, Action: action, Due: due})
	}
	rows, err := q.QueryContext(ctx, `SELECT id FROM subject_access_requests WHERE status = $1 ORDER BY id`, string(RequestOpen))
	if err != nil {
		return nil, fmt.Errorf("sharing: tasks: %w", err)
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
	for _, id := range ids {
		r, err := loadRequest(ctx, q, id)
		if err != nil {
			return nil, err
		}
		add(work.SubjectAccess, "sar", r.PartnershipID, r.ID, 0, access.SubjectAccessManage, r.Due.AddDate(0, 0, 1))
	}
	rows, err = q.QueryContext(ctx, `SELECT id, partnership_id, to_org, due_on FROM sharing_notices WHERE status = $1 ORDER BY id`, string(NoticeOpen))
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

// SyncTasks makes the information governance tasks match the registers at now: new requests, notices and
// reviews appear, and those answered, completed or reviewed close. It runs on a schedule.
func (s *Service) SyncTasks(ctx context.Context, now time.Time) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		ts, err := Tasks(ctx, tx, now)
		if err != nil {
			return err
		}
		return work.SyncPrefix(ctx, tx, taskPrefix, ts, now)
	})
}

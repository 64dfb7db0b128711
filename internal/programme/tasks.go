package programme

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

// DueDiligenceReviewNotice is how long before a funded group's due-diligence review is due it becomes a task.
const DueDiligenceReviewNotice = 30 * 24 * time.Hour

const taskPrefix = "programme:"

// Tasks derives the programme's open steps at now: each organisation whose latest due-diligence review falls due
// within DueDiligenceReviewNotice, for those who record reviews.
func Tasks(ctx context.Context, q database.Querier, now time.Time) ([]work.Task, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.partnership_id, r.organisation_id, r.review_due FROM due_diligence_reviews r
		WHERE r.id = (SELECT MAX(x.id) FROM due_diligence_reviews x WHERE x.partnership_id = r.partnership_id AND x.organisation_id = r.organisation_id)
		ORDER BY r.partnership_id, r.organisation_id`)
	if err != nil {
		return nil, fmt.Errorf("programme: tasks: %w", err)
	}
	defer rows.Close()
	var out []work.Task
	for rows.Next() {
		var pid, org prevent.ID
		var due string
		if err := rows.Scan(&pid, &org, &due); err != nil {
			return nil, err
		}
		d, err := time.Parse(DateLayout, due)
		if err != nil || !now.Add(DueDiligenceReviewNotice).After(d) {
			continue
		}
		scope := taskPrefix + "due-diligence:" + strconv.FormatInt(pid, 10) + ":" + strconv.FormatInt(org, 10)
		out = append(out, work.Task{Key: scope, Scope: scope, Kind: work.DueDiligence, PartnershipID: pid, ItemID: org,
			Action: access.DueDiligenceEdit, Due: d.UTC()})
	}
	return out, rows.Err()
}

// SyncTasks makes the programme's tasks match its records at now. It runs on a schedule.
func SyncTasks(ctx context.Context, db *database.DB, now time.Time) error {
	return db.WithTx(ctx, func(tx *database.Tx) error {
		ts, err := Tasks(ctx, tx, now)
		if err != nil {
			return err
		}
		return work.SyncPrefix(ctx, tx, taskPrefix, ts, now)
	})
}

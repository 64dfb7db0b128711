package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/database"
)

// Bounded runs. A periodic task that may have a large backlog (the erasure at the end of retention, for
// example) works in batches of a bounded size, one transaction each, and stops before its run's deadline with
// the rest left for its next run; where it stopped is kept in batch_cursors under a name of its own.

// Budget returns a function that says whether a run begun now may start another batch: while less than three
// quarters of the time to ctx's deadline has passed, so that the batch under way when that time comes still
// has a quarter of the run's time to commit. Without a deadline it always may.
func Budget(ctx context.Context) func() bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return func() bool { return ctx.Err() == nil }
	}
	start := time.Now()
	stop := start.Add(deadline.Sub(start) * 3 / 4)
	return func() bool { return ctx.Err() == nil && time.Now().Before(stop) }
}

// Cursor returns where the named run stopped, or "" when it has no cursor.
func Cursor(ctx context.Context, q database.Querier, name string) (string, error) {
	var pos string
	err := q.QueryRowContext(ctx, `SELECT position FROM batch_cursors WHERE name = $1`, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("jobs: cursor %s: %w", name, err)
	}
	return pos, nil
}

// SetCursor keeps where the named run stopped, in tx; an empty position removes the cursor.
func SetCursor(ctx context.Context, tx *database.Tx, name, pos string, at time.Time) error {
	var err error
	if pos == "" {
		_, err = tx.ExecContext(ctx, `DELETE FROM batch_cursors WHERE name = $1`, name)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO batch_cursors (name, position, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`, name, pos, at.UTC())
	}
	if err != nil {
		return fmt.Errorf("jobs: cursor %s: %w", name, err)
	}
	return nil
}

// More is what a task's run returns after a bounded run that reported more work left and err: ErrMore when
// there is more and no error, else err.
func More(more bool, err error) error {
	if err == nil && more {
		return ErrMore
	}
	return err
}

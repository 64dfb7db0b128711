package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/jobs"
)

// TestTaskRunsAtStartOnlyWhenItsIntervalHasPassed: a task that succeeded less than its interval ago does not
// run when the queue starts; one whose last success is older, or that never ran, does, and its success is
// recorded. A task whose run returns ErrMore runs again soon after, and only its finished run is recorded.
func TestTaskRunsAtStartOnlyWhenItsIntervalHasPassed(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		for name, at := range map[string]time.Time{"recent": now.Add(-time.Hour), "stale": now.Add(-25 * time.Hour)} {
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO task_runs (name, succeeded_at) VALUES ($1, $2)`, name, at); err != nil {
				t.Fatal(err)
			}
		}
		var recent, stale, fresh, more atomic.Int32
		count := func(n *atomic.Int32) func(context.Context) error {
			return func(context.Context) error { n.Add(1); return nil }
		}
		q, err := jobs.New(ctx, jobs.Deps{DB: db, Tasks: []jobs.Task{
			{Name: "recent", Every: 24 * time.Hour, Run: count(&recent)},
			{Name: "stale", Every: 24 * time.Hour, Run: count(&stale)},
			{Name: "fresh", Every: 24 * time.Hour, Run: count(&fresh)},
			{Name: "more", Every: 24 * time.Hour, Timeout: time.Minute, Run: func(context.Context) error {
				if more.Add(1) == 1 {
					return jobs.ErrMore
				}
				return nil
			}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = q.Stop(stopCtx)
		}()
		waitFor(t, "the stale and fresh tasks to run at start", func() bool { return stale.Load() >= 1 && fresh.Load() >= 1 })
		waitFor(t, "the task with more work to run again", func() bool { return more.Load() >= 2 })
		time.Sleep(300 * time.Millisecond)
		if n := recent.Load(); n != 0 {
			t.Errorf("the task that succeeded an hour ago ran %d times at start", n)
		}
		for _, name := range []string{"fresh", "more"} {
			var at time.Time
			if err := db.Read().QueryRowContext(ctx, `SELECT succeeded_at FROM task_runs WHERE name = $1`, name).Scan(&at); err != nil {
				t.Fatalf("the %s task's success was not recorded: %v", name, err)
			}
			if at.Before(now.Add(-time.Minute)) {
				t.Errorf("the %s task's success is recorded at %s", name, at)
			}
		}
	})
}

// TestBudget: without a deadline a run may always go on; with one, until three quarters of it has passed.
func TestBudget(t *testing.T) {
	if !jobs.Budget(context.Background())() {
		t.Error("no deadline, yet no budget")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	ok := jobs.Budget(ctx)
	if !ok() {
		t.Error("no budget at the start")
	}
	time.Sleep(320 * time.Millisecond)
	if ok() {
		t.Error("still budget after four fifths of the time")
	}
}

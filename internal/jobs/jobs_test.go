package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/jobs"
)

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestTasksRunOnScheduleAndOnlyAfterCommit(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		var daily, onDemand atomic.Int32
		q, err := jobs.New(ctx, jobs.Deps{DB: db, Tasks: []jobs.Task{
			{Name: "daily", Every: 24 * time.Hour, Run: func(context.Context) error { daily.Add(1); return nil }},
			{Name: "on-demand", Every: 24 * time.Hour, Run: func(context.Context) error { onDemand.Add(1); return nil }},
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
		// Periodic tasks run once at start.
		waitFor(t, "the daily task to run at start", func() bool { return daily.Load() >= 1 })
		waitFor(t, "the on-demand task to run at start", func() bool { return onDemand.Load() >= 1 })
		base := onDemand.Load()
		// A run enqueued in a transaction that rolls back never happens; one that commits does.
		boom := errors.New("boom")
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			if err := q.RunTask(ctx, tx, "on-demand"); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return q.RunTask(ctx, tx, "on-demand") }); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the committed run", func() bool { return onDemand.Load() >= base+1 })
		time.Sleep(300 * time.Millisecond)
		if got := onDemand.Load(); got != base+1 {
			t.Errorf("on-demand runs after one commit and one rollback = %d, want %d", got-base, 1)
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return q.RunTask(ctx, tx, "nonsense") }); err == nil {
			t.Error("an unknown task was enqueued")
		}
	})
}

package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/jobs"
)

// TestJobIsRetriedAfterAFailure: a job enqueued in a committed transaction runs with its argument; when the
// first attempt fails River runs it again, and the run says which attempt it is and whether it is the last.
// A job enqueued in a transaction that rolls back never runs.
func TestJobIsRetriedAfterAFailure(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		var runs []jobs.Run
		q, err := jobs.New(ctx, jobs.Deps{DB: db, Jobs: []jobs.Job{{Name: "flaky", MaxAttempts: 3,
			Run: func(_ context.Context, r jobs.Run) error {
				mu.Lock()
				defer mu.Unlock()
				runs = append(runs, r)
				if r.Attempt == 1 {
					return errors.New("refused")
				}
				return nil
			}}}})
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
		boom := errors.New("boom")
		if err := db.WithTx(ctx, func(tx *database.Tx) error {
			if err := q.Enqueue(ctx, tx, "flaky", "rolled-back"); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return q.Enqueue(ctx, tx, "flaky", "42") }); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the second attempt", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(runs) >= 2
		})
		mu.Lock()
		defer mu.Unlock()
		for i, r := range runs {
			if r.Arg != "42" {
				t.Errorf("run %d has argument %q, want 42 (the rolled-back job ran?)", i+1, r.Arg)
			}
			if r.Attempt != i+1 {
				t.Errorf("run %d is attempt %d", i+1, r.Attempt)
			}
			if r.Final {
				t.Errorf("run %d of 3 says it is the last", i+1)
			}
		}
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return q.Enqueue(ctx, tx, "nonsense", "") }); err == nil {
			t.Error("an unknown job was enqueued")
		}
	})
}

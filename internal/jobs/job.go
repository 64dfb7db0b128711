package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/riverqueue/river"
)

// Job is a named kind of one-off work that a domain package enqueues in its own transaction, such as sending
// one email. A failed run is retried with River's back-off (about 1 s, 16 s, 81 s, 4 min, 10 min… after each
// failure) until MaxAttempts runs have failed; the job is then discarded.
type Job struct {
	Name string
	// MaxAttempts is how many runs are tried in all; zero means River's default (25).
	MaxAttempts int
	Run         func(ctx context.Context, run Run) error
}

// Run is one attempt at a job: the argument it was enqueued with, and which attempt this is.
type Run struct {
	// Arg is what the enqueuer passed: a reference such as a row id, never personal data.
	Arg string
	// Attempt counts from 1; Final is true on the last attempt that will be made.
	Attempt int
	Final   bool
}

// jobArgs is the second job kind: run the named job with its argument.
type jobArgs struct {
	Job string `json:"job"`
	Arg string `json:"arg"`
}

// Kind is the River job kind.
func (jobArgs) Kind() string { return "job" }

type jobWorker struct {
	river.WorkerDefaults[jobArgs]
	jobs   map[string]Job
	logger *slog.Logger
}

func (w *jobWorker) Work(ctx context.Context, job *river.Job[jobArgs]) error {
	j, ok := w.jobs[job.Args.Job]
	if !ok {
		return river.JobCancel(fmt.Errorf("jobs: unknown job %q", job.Args.Job))
	}
	start := time.Now()
	err := j.Run(ctx, Run{Arg: job.Args.Arg, Attempt: job.Attempt, Final: job.Attempt >= job.MaxAttempts})
	w.logger.InfoContext(ctx, "job run", "job", j.Name, "attempt", job.Attempt,
		"duration", time.Since(start).Round(time.Millisecond).String(), "ok", err == nil)
	return err
}

// Enqueue adds one run of the named job inside tx: it exists only if tx commits.
func (q *Queue) Enqueue(ctx context.Context, tx *database.Tx, name, arg string) error {
	j, ok := q.jobs[name]
	if !ok {
		return fmt.Errorf("jobs: unknown job %q", name)
	}
	var opts *river.InsertOpts
	if j.MaxAttempts > 0 {
		opts = &river.InsertOpts{MaxAttempts: j.MaxAttempts}
	}
	if _, err := q.client.InsertTx(ctx, tx.Tx, jobArgs{Job: name, Arg: arg}, opts); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", name, err)
	}
	return nil
}

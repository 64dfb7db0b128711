// Package jobs is the platform's durable job queue and schedule, on River over the same database as everything
// else: a job enqueued in a transaction exists exactly when that transaction commits. Handlers are registered by
// cmd, so this package never imports a domain package.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Task is a named piece of scheduled work, such as creating post-exit review tasks each day.
type Task struct {
	Name string
	// Every is how often it runs. It also runs once when the queue starts if it has not succeeded within
	// Every before (task_runs keeps when it last succeeded), so that restarts do not repeat work.
	Every time.Duration
	// Timeout bounds one run: its context's deadline is then. Zero means River's default (one minute). A
	// task that works through a backlog takes its budget from that deadline (Budget) and returns ErrMore
	// when it stopped with work left.
	Timeout time.Duration
	Run     func(ctx context.Context) error
}

// ErrMore is what a task's run returns when it stopped within its budget with work left: the run is not a
// failure (it is not retried with back-off) and the task runs again shortly (after moreDelay) to carry on,
// instead of at its next interval; only a run that finishes is recorded as its last success.
var ErrMore = errors.New("jobs: more work left")

// moreDelay is how soon a task that returned ErrMore runs again.
const moreDelay = 5 * time.Second

// Deps are what the queue needs.
type Deps struct {
	DB     *database.DB
	Logger *slog.Logger
	// Tasks are run on their schedule by whichever process holds River's leadership.
	Tasks []Task
	// Jobs are the kinds of one-off work that domain packages enqueue (Queue.Enqueue), retried on failure.
	Jobs []Job
}

// Queue is the running job queue.
type Queue struct {
	client *river.Client[*sql.Tx]
	tasks  map[string]Task
	jobs   map[string]Job
}

// taskArgs is the one job kind: run the named task.
type taskArgs struct {
	Task string `json:"task"`
}

// Kind is the River job kind.
func (taskArgs) Kind() string { return "task" }

type taskWorker struct {
	river.WorkerDefaults[taskArgs]
	db     *database.DB
	tasks  map[string]Task
	logger *slog.Logger
}

// Timeout is the task's own timeout, or River's default.
func (w *taskWorker) Timeout(job *river.Job[taskArgs]) time.Duration {
	if t, ok := w.tasks[job.Args.Task]; ok && t.Timeout > 0 {
		return t.Timeout
	}
	return 0
}

func (w *taskWorker) Work(ctx context.Context, job *river.Job[taskArgs]) error {
	t, ok := w.tasks[job.Args.Task]
	if !ok {
		return river.JobCancel(fmt.Errorf("jobs: unknown task %q", job.Args.Task))
	}
	start := time.Now()
	err := t.Run(ctx)
	more := errors.Is(err, ErrMore)
	ok = err == nil || more
	w.logger.InfoContext(ctx, "task run", "task", t.Name, "duration", time.Since(start).Round(time.Millisecond).String(), "ok", ok, "more", more)
	if !ok {
		return err
	}
	if more {
		// Not a failure, but not done either: the snoozed run is kept in River's table, so it carries on
		// after a restart too.
		return river.JobSnooze(moreDelay)
	}
	if err := w.succeeded(ctx, t.Name, start); err != nil {
		w.logger.WarnContext(ctx, "task run not recorded", "task", t.Name, "error", err.Error())
	}
	return nil
}

// succeeded records that the task's run begun at start succeeded.
func (w *taskWorker) succeeded(ctx context.Context, name string, start time.Time) error {
	ctx = context.WithoutCancel(ctx)
	return w.db.WithTx(ctx, func(tx *database.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO task_runs (name, succeeded_at) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET succeeded_at = excluded.succeeded_at`, name, start.UTC())
		return err
	})
}

// lastSucceeded returns when each task last succeeded.
func lastSucceeded(ctx context.Context, db *database.DB) (map[string]time.Time, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT name, succeeded_at FROM task_runs`)
	if err != nil {
		return nil, fmt.Errorf("jobs: task runs: %w", err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name string
		var at time.Time
		if err := rows.Scan(&name, &at); err != nil {
			return nil, fmt.Errorf("jobs: task runs: %w", err)
		}
		out[name] = at
	}
	return out, rows.Err()
}

func driver(db *database.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == database.SQLite {
		return riversqlite.New(db.Writer())
	}
	return riverdatabasesql.New(db.Writer())
}

// Migrate applies River's own migrations.
func Migrate(ctx context.Context, db *database.DB) error {
	m, err := rivermigrate.New(driver(db), nil)
	if err != nil {
		return fmt.Errorf("jobs: migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// New migrates River's tables and returns a queue that runs the tasks once started.
func New(ctx context.Context, d Deps) (*Queue, error) {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if err := Migrate(ctx, d.DB); err != nil {
		return nil, err
	}
	q := &Queue{tasks: map[string]Task{}, jobs: map[string]Job{}}
	last, err := lastSucceeded(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	var periodic []*river.PeriodicJob
	for _, t := range d.Tasks {
		if t.Name == "" || t.Run == nil || t.Every <= 0 {
			return nil, errors.New("jobs: a task needs a name, a function and an interval")
		}
		q.tasks[t.Name] = t
		name := t.Name
		// A task that succeeded less than its interval ago waits for its interval instead of running at once.
		at, ran := last[name]
		onStart := !ran || time.Since(at) >= t.Every
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(t.Every),
			func() (river.JobArgs, *river.InsertOpts) { return taskArgs{Task: name}, nil },
			&river.PeriodicJobOpts{RunOnStart: onStart, ID: name}))
	}
	river.AddWorker(workers, &taskWorker{db: d.DB, tasks: q.tasks, logger: d.Logger})
	for _, j := range d.Jobs {
		if j.Name == "" || j.Run == nil {
			return nil, errors.New("jobs: a job needs a name and a function")
		}
		q.jobs[j.Name] = j
	}
	river.AddWorker(workers, &jobWorker{jobs: q.jobs, logger: d.Logger})
	client, err := river.NewClient(driver(d.DB), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:      workers,
		PeriodicJobs: periodic,
		Logger:       d.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: client: %w", err)
	}
	q.client = client
	return q, nil
}

// Start begins working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish, then stops.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// RunTask enqueues one run of a named task inside tx: it runs only if tx commits.
func (q *Queue) RunTask(ctx context.Context, tx *database.Tx, name string) error {
	if _, ok := q.tasks[name]; !ok {
		return fmt.Errorf("jobs: unknown task %q", name)
	}
	if _, err := q.client.InsertTx(ctx, tx.Tx, taskArgs{Task: name}, nil); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", name, err)
	}
	return nil
}

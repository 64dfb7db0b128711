-- +goose Up
-- The periodic tasks (internal/jobs) work in bounded batches. task_runs keeps when each task last succeeded, so
-- that starting the server runs a task at once only when its interval has passed since; batch_cursors keeps
-- where a task that ran out of time stopped, so that its next run resumes there (docs/operations.md).
CREATE TABLE task_runs (
    name          TEXT PRIMARY KEY,
    succeeded_at  TIMESTAMP NOT NULL
);
CREATE TABLE batch_cursors (
    name        TEXT PRIMARY KEY,
    position    TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- The erasure run finds the closed cases of a partnership and state that may be past retention by when they
-- were created (a case closes after it is created), among the cases not erased only.
CREATE INDEX referrals_retention ON referrals (partnership_id, state, created_at, id) WHERE erased_at IS NULL;
-- The post-exit review run finds the cases resting in a post-exit state.
CREATE INDEX referrals_state ON referrals (state, id);
-- The expiry run finds the agreements in force whose review date has passed.
CREATE INDEX sharing_agreements_review ON sharing_agreements (status, review_date);

-- +goose Down
DROP INDEX sharing_agreements_review;
DROP INDEX referrals_state;
DROP INDEX referrals_retention;
DROP TABLE batch_cursors;
DROP TABLE task_runs;

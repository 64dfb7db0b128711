-- +goose Up
-- Tasks (internal/work): every step of the work has an owner and a due date. A task is for one person
-- (person_id), or for the people of an organisation (org_id; 0 for any organisation of the partnership) whose
-- role permits action. Tasks are derived from the records they are about and kept in step with them in the
-- same transactions; scope names what a task belongs to (for example "case:12"), so that the set of a
-- record's open tasks can be replaced at once. A task holds references only, never personal data.
CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    task_key       TEXT NOT NULL,
    scope          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    partnership_id INTEGER NOT NULL,
    referral_id    INTEGER NOT NULL DEFAULT 0,
    reference      TEXT NOT NULL DEFAULT '',
    item_id        INTEGER NOT NULL DEFAULT 0,
    person_id      INTEGER NOT NULL DEFAULT 0,
    org_id         INTEGER NOT NULL DEFAULT 0,
    action         TEXT NOT NULL,
    due_at         TIMESTAMP NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    closed_at      TIMESTAMP
);
CREATE UNIQUE INDEX tasks_open_key ON tasks (task_key) WHERE closed_at IS NULL;
CREATE INDEX tasks_open_scope ON tasks (scope) WHERE closed_at IS NULL;
CREATE INDEX tasks_open_person ON tasks (person_id, due_at, id) WHERE closed_at IS NULL;
CREATE INDEX tasks_open_pool ON tasks (partnership_id, action, org_id, due_at, id) WHERE closed_at IS NULL AND person_id = 0;
CREATE INDEX tasks_open_reference ON tasks (reference) WHERE closed_at IS NULL;
CREATE INDEX tasks_open_referral ON tasks (referral_id) WHERE closed_at IS NULL;

-- Which version of each domain's task rules the open tasks were derived with: a newer version derives
-- every open record's tasks again, once.
CREATE TABLE task_rules (
    source  TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

-- The case officer: the person who holds a Channel case, chosen by the coordinator.
ALTER TABLE referrals ADD COLUMN case_officer_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX referrals_case_officer ON referrals (partnership_id, case_officer_id, state);

-- +goose Down
DROP INDEX referrals_case_officer;
ALTER TABLE referrals DROP COLUMN case_officer_id;
DROP TABLE task_rules;
DROP TABLE tasks;

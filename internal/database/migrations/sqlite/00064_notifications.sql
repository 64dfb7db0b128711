-- +goose Up
-- Notifications (internal/notify): people are told of their open tasks in the service and by email. Nothing here
-- holds personal data or a case reference: people are named by id, a task by a SHA-256 hash of its key, and
-- messages by counts only. An email's address is looked up when it is sent and never stored.

-- How often a person wants email: 'immediate' (after each scan that finds something new) or 'daily' (one digest a
-- day). No row means the default, daily.
CREATE TABLE notification_preferences (
    person_id  INTEGER PRIMARY KEY,
    email_when TEXT NOT NULL CHECK (email_when IN ('immediate', 'daily')),
    updated_at TIMESTAMP NOT NULL
);

-- What each person has been told about each task: stage is 'new', 'due_soon' or 'overdue', told once each.
-- email_pending is true until the telling has gone into an email. Rows of tasks that are no longer open are
-- deleted by the next scan.
CREATE TABLE notification_told (
    person_id     INTEGER NOT NULL,
    task_hash     TEXT NOT NULL,
    stage         TEXT NOT NULL CHECK (stage IN ('new', 'due_soon', 'overdue')),
    told_at       TIMESTAMP NOT NULL,
    email_pending BOOLEAN NOT NULL,
    PRIMARY KEY (person_id, task_hash, stage)
);
CREATE INDEX notification_told_email ON notification_told (person_id) WHERE email_pending;

-- In-service notifications: "You have 2 new tasks".
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL,
    stage      TEXT NOT NULL CHECK (stage IN ('new', 'due_soon', 'overdue')),
    tasks      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP
);
CREATE INDEX notifications_person ON notifications (person_id, id);
CREATE INDEX notifications_unread ON notifications (person_id) WHERE read_at IS NULL;

-- The email outbox and log: one row per email, with the counts it carries. digest_day is the UTC day
-- (YYYY-MM-DD) of a daily digest, '' for an immediate email; at most one digest a day. status is 'queued',
-- 'retrying', 'sent', 'failed' (gave up) or 'cancelled' (the account is inactive, or email was turned off);
-- last_error is a short failure class such as "smtp 451", never the server's text.
CREATE TABLE notification_emails (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL,
    digest_day     TEXT NOT NULL,
    new_tasks      INTEGER NOT NULL,
    due_soon_tasks INTEGER NOT NULL,
    overdue_tasks  INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('queued', 'retrying', 'sent', 'failed', 'cancelled')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    sent_at        TIMESTAMP
);
CREATE UNIQUE INDEX notification_emails_digest ON notification_emails (person_id, digest_day) WHERE digest_day <> '';
CREATE INDEX notification_emails_person ON notification_emails (person_id, id);

-- +goose Down
DROP TABLE notification_emails;
DROP TABLE notifications;
DROP TABLE notification_told;
DROP TABLE notification_preferences;

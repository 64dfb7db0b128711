-- +goose Up
-- Wrong second-factor codes entered in one session; the session is ended at the fifth.
ALTER TABLE sessions ADD COLUMN mfa_failures INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sessions DROP COLUMN mfa_failures;

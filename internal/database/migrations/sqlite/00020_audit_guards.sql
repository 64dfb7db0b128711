-- +goose Up
-- audit_head only grows: Append adds one; nothing shrinks the log or removes the head.
CREATE TRIGGER audit_head_grow_only BEFORE UPDATE ON audit_head
WHEN NEW.size < OLD.size OR NEW.id <> OLD.id
BEGIN SELECT RAISE(ABORT, 'the audit head only grows'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head only grows'); END;

-- The audit pages filter by time and by partnership.
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_partnership ON audit_entries (partnership_id, seq);

-- +goose Down
DROP INDEX audit_entries_partnership;
DROP INDEX audit_entries_at;
DROP TRIGGER audit_head_no_delete;
DROP TRIGGER audit_head_grow_only;

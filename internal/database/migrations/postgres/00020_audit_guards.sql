-- +goose Up
-- audit_head only grows: Append adds one; nothing shrinks the log or removes the head.
-- +goose StatementBegin
CREATE FUNCTION audit_head_grow_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.size < OLD.size OR NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'the audit head only grows';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_head_grow_only BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_grow_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_hashes_no_truncate BEFORE TRUNCATE ON audit_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- The audit pages filter by time and by partnership.
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_partnership ON audit_entries (partnership_id, seq);

-- +goose Down
DROP INDEX audit_entries_partnership;
DROP INDEX audit_entries_at;
DROP TRIGGER audit_hashes_no_truncate ON audit_hashes;
DROP TRIGGER audit_head_no_truncate ON audit_head;
DROP TRIGGER audit_head_grow_only ON audit_head;
DROP FUNCTION audit_head_grow_only();

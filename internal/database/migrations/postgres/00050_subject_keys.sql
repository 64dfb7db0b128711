-- +goose Up
-- One data key per subject (a person whose personal data we hold), wrapped under the master key that lives
-- outside the database (internal/keyring). Shredding sets wrapped_keyset to NULL and destroyed_at; a shredded
-- key is never restored and the row is never deleted, so the subject reference cannot be given a fresh key.
CREATE TABLE subject_keys (
    subject_ref    TEXT PRIMARY KEY CHECK (length(subject_ref) BETWEEN 1 AND 200),
    wrapped_keyset BYTEA,
    created_at     TIMESTAMPTZ NOT NULL,
    rewrapped_at   TIMESTAMPTZ,
    destroyed_at   TIMESTAMPTZ,
    CHECK ((wrapped_keyset IS NULL) = (destroyed_at IS NOT NULL))
);
-- +goose StatementBegin
CREATE FUNCTION subject_keys_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'subject keys are shredded, not deleted';
    END IF;
    IF OLD.destroyed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a shredded subject key cannot be restored';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER subject_keys_guard BEFORE UPDATE OR DELETE ON subject_keys
    FOR EACH ROW EXECUTE FUNCTION subject_keys_guard();

-- +goose Down
DROP TRIGGER subject_keys_guard ON subject_keys;
DROP FUNCTION subject_keys_guard();
DROP TABLE subject_keys;

-- +goose Up
-- One data key per subject (a person whose personal data we hold), wrapped under the master key that lives
-- outside the database (internal/keyring). Shredding sets wrapped_keyset to NULL and destroyed_at; a shredded
-- key is never restored and the row is never deleted, so the subject reference cannot be given a fresh key.
CREATE TABLE subject_keys (
    subject_ref    TEXT PRIMARY KEY CHECK (length(subject_ref) BETWEEN 1 AND 200),
    wrapped_keyset BLOB,
    created_at     TIMESTAMP NOT NULL,
    rewrapped_at   TIMESTAMP,
    destroyed_at   TIMESTAMP,
    CHECK ((wrapped_keyset IS NULL) = (destroyed_at IS NOT NULL))
);
CREATE TRIGGER subject_keys_shredded_stay_shredded BEFORE UPDATE ON subject_keys
WHEN OLD.destroyed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a shredded subject key cannot be restored'); END;
CREATE TRIGGER subject_keys_no_delete BEFORE DELETE ON subject_keys
BEGIN SELECT RAISE(ABORT, 'subject keys are shredded, not deleted'); END;

-- +goose Down
DROP TRIGGER subject_keys_no_delete;
DROP TRIGGER subject_keys_shredded_stay_shredded;
DROP TABLE subject_keys;

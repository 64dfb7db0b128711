-- +goose Up
-- The answers to API requests sent with an Idempotency-Key header (internal/idempotency), one row per account
-- and key. A row is claimed (status NULL) while its first request runs, then holds that request's answer,
-- sealed with the keyring because it may hold personal data, until it expires a day later. fingerprint is the
-- SHA-256 of the request's method, path and body, so that the key reused for another request is refused.
CREATE TABLE idempotency_keys (
    account_id   INTEGER NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    claim        TEXT NOT NULL,
    claimed_at   TIMESTAMP NOT NULL,
    status       INTEGER,
    answer       BLOB,
    expires_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);
-- The periodic task deletes the expired rows.
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP INDEX idempotency_keys_expiry;
DROP TABLE idempotency_keys;

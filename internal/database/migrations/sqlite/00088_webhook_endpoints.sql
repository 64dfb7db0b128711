-- +goose Up
-- A partnership's webhook endpoints (internal/webhooks, docs/webhooks.md): where its administrator wants to be
-- told that something happened, and which events. The signing secret is shown once when it is made and kept
-- only sealed by the keyring under the endpoint's own subject key, which is shredded when the endpoint is
-- deleted.
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    secret_sealed   BLOB NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_by      INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    secret_made_at  TIMESTAMP NOT NULL
);
CREATE INDEX webhook_endpoints_partnership ON webhook_endpoints (partnership_id, active);

-- +goose Down
DROP INDEX webhook_endpoints_partnership;
DROP TABLE webhook_endpoints;

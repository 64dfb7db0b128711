-- +goose Up
-- One delivery is one event told to one endpoint, under one message id that its retries keep; its body is the
-- exact JSON sent (event type, the resource's API path and id, the partnership and the time: no personal
-- data). Each try is kept in webhook_attempts, the endpoint's delivery log.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    partnership_id  INTEGER NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    event_type      TEXT NOT NULL,
    audit_seq       INTEGER NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'retrying', 'delivered', 'failed', 'cancelled')),
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (endpoint_id, audit_seq, event_type)
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    at           TIMESTAMP NOT NULL,
    status_code  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);

-- +goose Down
DROP INDEX webhook_attempts_delivery;
DROP TABLE webhook_attempts;
DROP INDEX webhook_deliveries_endpoint;
DROP TABLE webhook_deliveries;

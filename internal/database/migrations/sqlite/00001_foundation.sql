-- +goose Up
CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    sector      TEXT NOT NULL,
    public_body BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX organisations_name ON organisations (lower(name));

CREATE TABLE partnerships (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    area       TEXT NOT NULL,
    region     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX partnerships_name ON partnerships (lower(name));

CREATE TABLE partnership_organisations (
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    joined_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (partnership_id, organisation_id)
);

CREATE TABLE people (
    id                  INTEGER PRIMARY KEY,
    organisation_id     INTEGER NOT NULL REFERENCES organisations (id),
    name                TEXT NOT NULL,
    email               TEXT NOT NULL,
    job_title           TEXT NOT NULL DEFAULT '',
    disabled_at         TIMESTAMP,
    password_hash       TEXT NOT NULL DEFAULT '',
    password_changed_at TIMESTAMP,
    failed_sign_ins     INTEGER NOT NULL DEFAULT 0,
    locked_until        TIMESTAMP,
    demo_mfa_exempt     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX people_email ON people (lower(email));
CREATE INDEX people_organisation ON people (organisation_id);

CREATE TABLE memberships (
    id             INTEGER PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people (id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    role           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (person_id, partnership_id, role)
);
CREATE INDEX memberships_partnership ON memberships (partnership_id);

CREATE TABLE vetting_records (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    level      TEXT NOT NULL,
    granted_on TIMESTAMP NOT NULL,
    expires_on TIMESTAMP,
    sponsor    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX vetting_records_person ON vetting_records (person_id);

CREATE TABLE totp_secrets (
    person_id    INTEGER PRIMARY KEY REFERENCES people (id),
    secret       TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step    INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE webauthn_credentials (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people (id),
    credential_id BLOB NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    credential    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    mfa_at       TIMESTAMP,
    challenge    TEXT NOT NULL DEFAULT '',
    ended_at     TIMESTAMP
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO audit_head (id, size) VALUES (1, 0);

CREATE TABLE audit_entries (
    seq             INTEGER PRIMARY KEY,
    at              TIMESTAMP NOT NULL,
    actor_id        INTEGER NOT NULL,
    actor_org       INTEGER NOT NULL,
    action          TEXT NOT NULL,
    record_kind     TEXT NOT NULL,
    record_id       INTEGER NOT NULL,
    partnership_id  INTEGER NOT NULL,
    purpose         TEXT NOT NULL,
    recipient_org   INTEGER NOT NULL,
    request_id      TEXT NOT NULL,
    detail          TEXT NOT NULL,
    leaf_hash       BLOB NOT NULL
);
CREATE INDEX audit_entries_actor ON audit_entries (actor_id, seq);
CREATE INDEX audit_entries_record ON audit_entries (record_kind, record_id, seq);

-- The Merkle tree's stored hashes (golang.org/x/mod/sumdb/tlog), filled by the checkpointer.
CREATE TABLE audit_hashes (
    idx  INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

-- The audit tables are append-only: the application never updates or deletes them.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
CREATE TRIGGER audit_hashes_no_update BEFORE UPDATE ON audit_hashes
BEGIN SELECT RAISE(ABORT, 'audit hashes are append-only'); END;
CREATE TRIGGER audit_hashes_no_delete BEFORE DELETE ON audit_hashes
BEGIN SELECT RAISE(ABORT, 'audit hashes are append-only'); END;

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
SELECT 'the foundation cannot be migrated down';

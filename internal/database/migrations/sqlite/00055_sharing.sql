-- +goose Up
-- Information-sharing governance (internal/sharing): legal gateways, information sharing agreements,
-- data protection acknowledgements of non-public bodies, the disclosure ledger, subject access requests
-- and retention rules. Dates that are days (valid dates, review dates, receipt of a request) are ISO
-- 'YYYY-MM-DD' text; moments are timestamps.

-- Legal gateways: versioned reference data. partnership_id 0 holds the national list seeded below
-- (00056); any other value is a partnership's local gateway added by its administrator. A version is valid
-- from valid_from (inclusive) until valid_to (exclusive; NULL while current). sectors is a space-separated
-- list of organisation sectors that may rely on the gateway, or '*' for any.
CREATE TABLE sharing_gateways (
    partnership_id  INTEGER NOT NULL,
    code            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    name            TEXT NOT NULL,
    era             TEXT NOT NULL,
    summary         TEXT NOT NULL,
    without_consent BOOLEAN NOT NULL,
    sectors         TEXT NOT NULL,
    valid_from      TEXT NOT NULL,
    valid_to        TEXT,
    created_by      INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (partnership_id, code, version)
);

-- Information sharing agreements. purposes, categories and gateways are space-separated codes.
CREATE TABLE sharing_agreements (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    title          TEXT NOT NULL,
    purposes       TEXT NOT NULL,
    categories     TEXT NOT NULL,
    gateways       TEXT NOT NULL,
    retention      TEXT NOT NULL,
    disposal       TEXT NOT NULL,
    security       TEXT NOT NULL,
    review_date    TEXT NOT NULL,
    status         TEXT NOT NULL,
    status_at      TIMESTAMP NOT NULL,
    status_reason  TEXT NOT NULL DEFAULT '',
    created_by     INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX sharing_agreements_partnership ON sharing_agreements (partnership_id, status);

CREATE TABLE sharing_agreement_parties (
    agreement_id    INTEGER NOT NULL REFERENCES sharing_agreements (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (agreement_id, organisation_id)
);
CREATE INDEX sharing_agreement_parties_org ON sharing_agreement_parties (organisation_id);

CREATE TABLE sharing_agreement_signatories (
    id              INTEGER PRIMARY KEY,
    agreement_id    INTEGER NOT NULL REFERENCES sharing_agreements (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    job_title       TEXT NOT NULL,
    signed_on       TEXT NOT NULL,
    recorded_by     INTEGER NOT NULL,
    recorded_at     TIMESTAMP NOT NULL
);
CREATE INDEX sharing_agreement_signatories_agreement ON sharing_agreement_signatories (agreement_id);

-- A non-public body's acknowledgement of its own data protection duties: who acknowledged, when, and
-- which version of the acknowledgement text they saw.
CREATE TABLE sharing_acknowledgements (
    id              INTEGER PRIMARY KEY,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    acknowledged_by TEXT NOT NULL,
    acknowledged_on TEXT NOT NULL,
    text_version    TEXT NOT NULL,
    recorded_by     INTEGER NOT NULL,
    recorded_at     TIMESTAMP NOT NULL
);
CREATE INDEX sharing_acknowledgements_org ON sharing_acknowledgements (organisation_id);

-- The disclosure ledger: one row per disclosure of a record to an organisation. categories, fields and
-- recipients (person ids) are space-separated.
CREATE TABLE sharing_disclosures (
    id               INTEGER PRIMARY KEY,
    partnership_id   INTEGER NOT NULL REFERENCES partnerships (id),
    agreement_id     INTEGER NOT NULL REFERENCES sharing_agreements (id),
    from_org         INTEGER NOT NULL REFERENCES organisations (id),
    to_org           INTEGER NOT NULL REFERENCES organisations (id),
    recipients       TEXT NOT NULL,
    record_kind      TEXT NOT NULL,
    record_id        INTEGER NOT NULL,
    categories       TEXT NOT NULL,
    fields           TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    expected_outcome TEXT NOT NULL,
    gateway_code     TEXT NOT NULL,
    gateway_version  INTEGER NOT NULL,
    consent          TEXT NOT NULL,
    consent_reason   TEXT NOT NULL,
    necessity        TEXT NOT NULL,
    disclosed_by     INTEGER NOT NULL,
    disclosed_at     TIMESTAMP NOT NULL
);
CREATE INDEX sharing_disclosures_record ON sharing_disclosures (record_kind, record_id);
CREATE INDEX sharing_disclosures_partnership ON sharing_disclosures (partnership_id, disclosed_at);

-- The subject access request register.
CREATE TABLE subject_access_requests (
    id               INTEGER PRIMARY KEY,
    partnership_id   INTEGER NOT NULL REFERENCES partnerships (id),
    received_on      TEXT NOT NULL,
    requester        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    regime           TEXT NOT NULL,
    status           TEXT NOT NULL,
    extended         BOOLEAN NOT NULL DEFAULT FALSE,
    extension_reason TEXT NOT NULL DEFAULT '',
    completed_on     TEXT,
    created_by       INTEGER NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX subject_access_requests_partnership ON subject_access_requests (partnership_id, status);

-- Retention rules per record class and outcome, versioned. partnership_id 0 holds the defaults (00056);
-- a partnership's data protection officer sets its own versions, and the highest version applies.
CREATE TABLE retention_rules (
    partnership_id INTEGER NOT NULL,
    record_class   TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    months         INTEGER NOT NULL,
    source         TEXT NOT NULL,
    set_by         INTEGER NOT NULL DEFAULT 0,
    set_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (partnership_id, record_class, outcome, version)
);

-- +goose Down
DROP TABLE retention_rules;
DROP TABLE subject_access_requests;
DROP TABLE sharing_disclosures;
DROP TABLE sharing_acknowledgements;
DROP TABLE sharing_agreement_signatories;
DROP TABLE sharing_agreement_parties;
DROP TABLE sharing_agreements;
DROP TABLE sharing_gateways;

-- +goose Up
-- Approval of the annual return, its signed bundle, and the import of other partnerships' bundles by a region or
-- nation (internal/returns).
--
-- An annual return is drafted (its tables and provenance computed and kept in snapshot, as JSON), checked by a
-- second person and approved by a third; from approval nothing of it changes. A later approval for the same
-- partnership and year supersedes it: the earlier one is kept, marked superseded. bundle_id is the random
-- identity of its signed bundle, given at approval; revision counts the drafts, so that a check or an approval
-- applies to the figures the checker or approver read. At most one return per partnership and year is open (draft
-- or checked) and at most one is approved (the current one).
CREATE TABLE annual_returns (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    year           INTEGER NOT NULL,
    policy_name    TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('draft', 'checked', 'approved', 'superseded')),
    snapshot       TEXT NOT NULL,
    drafted_by     INTEGER NOT NULL REFERENCES people (id),
    drafted_at     TIMESTAMP NOT NULL,
    checked_by     INTEGER REFERENCES people (id),
    checked_at     TIMESTAMP,
    approved_by    INTEGER REFERENCES people (id),
    approved_at    TIMESTAMP,
    bundle_id      TEXT UNIQUE,
    revision       INTEGER NOT NULL DEFAULT 1,
    superseded_by  INTEGER REFERENCES annual_returns (id),
    superseded_at  TIMESTAMP,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX annual_returns_open ON annual_returns (partnership_id, year) WHERE state IN ('draft', 'checked');
CREATE UNIQUE INDEX annual_returns_current ON annual_returns (partnership_id, year) WHERE state = 'approved';

-- The tier a partnership works at for returns: local (the default, when it has no row), region or nation. A
-- region or nation imports other partnerships' bundles.
CREATE TABLE return_tiers (
    partnership_id INTEGER PRIMARY KEY REFERENCES partnerships (id),
    tier           TEXT NOT NULL CHECK (tier IN ('local', 'region', 'nation')),
    updated_by     INTEGER NOT NULL REFERENCES people (id),
    updated_at     TIMESTAMP NOT NULL
);

-- Senders a region or nation trusts: an instance's name and the public key (golang.org/x/mod/sumdb/note verifier
-- key text) its bundles are signed with.
CREATE TABLE return_senders (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    name           TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    created_by     INTEGER NOT NULL REFERENCES people (id),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, public_key)
);

-- Bundles imported by a region or nation: the identity of each, who approved it at the source, and its figures
-- (the tables as published, JSON). Nothing about a person is kept. source_partnership_id is the partnership's id
-- at the sender, not a reference to this instance's partnerships.
CREATE TABLE return_imports (
    id                    INTEGER PRIMARY KEY,
    partnership_id        INTEGER NOT NULL REFERENCES partnerships (id),
    sender_id             INTEGER NOT NULL REFERENCES return_senders (id),
    bundle_id             TEXT NOT NULL,
    source_partnership_id INTEGER NOT NULL,
    source_partnership    TEXT NOT NULL,
    source_region         TEXT NOT NULL,
    year                  INTEGER NOT NULL,
    policy_name           TEXT NOT NULL,
    policy_version        INTEGER NOT NULL,
    approved_at           TIMESTAMP NOT NULL,
    checked_by            TEXT NOT NULL,
    approved_by           TEXT NOT NULL,
    manifest_sha256       TEXT NOT NULL,
    lists                 TEXT NOT NULL,
    figures               TEXT NOT NULL,
    imported_by           INTEGER NOT NULL REFERENCES people (id),
    imported_at           TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, bundle_id)
);
CREATE INDEX return_imports_source ON return_imports (partnership_id, sender_id, source_partnership_id, year);

-- +goose Down
DROP TABLE return_imports;
DROP TABLE return_senders;
DROP TABLE return_tiers;
DROP TABLE annual_returns;

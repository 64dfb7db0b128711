-- +goose Up
-- Notices to organisations that received a record's data (internal/sharing): when consent to share
-- information is withdrawn, every organisation that received the data under that consent is told; when a
-- record is rectified, every prior recipient is told. Each notice is a task for the receiving organisation,
-- open until someone there records what they did. The notice names the record and what changed, never the
-- personal data itself. disclosures lists the ledger rows (sharing_disclosures ids) it is about, space-separated.
CREATE TABLE sharing_notices (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    kind           TEXT NOT NULL CHECK (kind IN ('consent_withdrawn', 'rectified')),
    record_kind    TEXT NOT NULL,
    record_id      INTEGER NOT NULL,
    record_label   TEXT NOT NULL,
    from_org       INTEGER NOT NULL REFERENCES organisations (id),
    to_org         INTEGER NOT NULL REFERENCES organisations (id),
    disclosures    TEXT NOT NULL,
    message        TEXT NOT NULL,
    sent_by        INTEGER NOT NULL,
    sent_at        TIMESTAMP NOT NULL,
    due_on         TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'completed')),
    completed_note TEXT NOT NULL DEFAULT '',
    completed_by   INTEGER,
    completed_at   TIMESTAMP
);
CREATE INDEX sharing_notices_to ON sharing_notices (partnership_id, to_org, status, id);
CREATE INDEX sharing_notices_record ON sharing_notices (record_kind, record_id);

-- +goose Down
DROP TABLE sharing_notices;

-- +goose Up
-- Safety guards of Channel support (internal/casework, internal/sharing).
-- An intervention added before consent to support is a draft: draft_disclosure holds, as JSON, the
-- disclosure to the provider's organisation that is made when consent is given (NULL once made, and for
-- interventions added while support is in progress); disclosed_at is when the intervention was disclosed
-- to its provider and its worker assigned. Interventions added before this migration were disclosed when
-- they were added.
ALTER TABLE interventions ADD COLUMN draft_disclosure TEXT;
ALTER TABLE interventions ADD COLUMN disclosed_at TIMESTAMP;
UPDATE interventions SET disclosed_at = created_at;

-- An alert to the partnership's data protection officers that an organisation party to its agreements is
-- no longer marked as a public body, so that sharing with it needs its acknowledgement of its own data
-- protection duties. agreements is the space-separated ids of the agreements affected when it was raised.
-- It is open until resolved_at: an acknowledgement recorded, or the organisation marked a public body again.
CREATE TABLE sharing_acknowledgement_alerts (
    id              INTEGER PRIMARY KEY,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    agreements      TEXT NOT NULL,
    raised_by       INTEGER NOT NULL,
    raised_at       TIMESTAMP NOT NULL,
    resolved_at     TIMESTAMP,
    resolution      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sharing_acknowledgement_alerts_open ON sharing_acknowledgement_alerts (partnership_id, resolved_at);
CREATE INDEX sharing_acknowledgement_alerts_org ON sharing_acknowledgement_alerts (organisation_id);

-- +goose Down
DROP TABLE sharing_acknowledgement_alerts;
ALTER TABLE interventions DROP COLUMN disclosed_at;
ALTER TABLE interventions DROP COLUMN draft_disclosure;

-- +goose Up
-- The subject access bundle (internal/casework, internal/sharing): a request is linked to the person it is
-- about (case_subjects id; 0 until the data protection officer chooses), and each item withheld from the
-- bundle is stored with the exemption relied on. item is the bundle's stable key of the item (for example
-- "referral:12:concern.contacts").
ALTER TABLE subject_access_requests ADD COLUMN subject_id INTEGER NOT NULL DEFAULT 0;

CREATE TABLE subject_access_redactions (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES subject_access_requests (id),
    item        TEXT NOT NULL,
    exemption   TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (request_id, item)
);

-- +goose Down
DROP TABLE subject_access_redactions;
ALTER TABLE subject_access_requests DROP COLUMN subject_id;

-- +goose Up
-- Legal holds: a record under a hold (litigation, an inquiry, a complaint to the Information Commissioner)
-- is not erased by the retention job until the hold is released. Placed and released by the data
-- protection officer (internal/sharing/holds.go). record_kind is 'case' with the referral id.
CREATE TABLE sharing_legal_holds (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    record_kind    TEXT NOT NULL,
    record_id      INTEGER NOT NULL,
    reason         TEXT NOT NULL,
    placed_by      INTEGER NOT NULL,
    placed_at      TIMESTAMP NOT NULL,
    released_by    INTEGER,
    released_at    TIMESTAMP,
    release_reason TEXT NOT NULL DEFAULT '',
    CHECK ((released_by IS NULL) = (released_at IS NULL))
);
CREATE INDEX sharing_legal_holds_record ON sharing_legal_holds (record_kind, record_id);
CREATE INDEX sharing_legal_holds_partnership ON sharing_legal_holds (partnership_id, placed_at);

-- +goose Down
DROP TABLE sharing_legal_holds;

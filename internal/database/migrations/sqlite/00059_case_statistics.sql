-- +goose Up
-- What is left of a case once the retention job has erased it: anonymous facts for the statistical returns,
-- with nothing that links back to the case or the person (no referral id, no reference, no dates finer than
-- the quarter of referral). Concern types are the sorted codes joined with commas.
CREATE TABLE case_statistics (
    id               INTEGER PRIMARY KEY,
    partnership_id   INTEGER NOT NULL REFERENCES partnerships (id),
    referral_year    INTEGER NOT NULL,
    referral_quarter INTEGER NOT NULL CHECK (referral_quarter BETWEEN 1 AND 4),
    area             TEXT NOT NULL DEFAULT '',
    concern_types    TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL,
    age_band         TEXT NOT NULL,
    referrer_sector  TEXT NOT NULL DEFAULT '',
    stage_reached    TEXT NOT NULL
);
CREATE INDEX case_statistics_period ON case_statistics (partnership_id, referral_year, referral_quarter);

-- +goose Down
DROP TABLE case_statistics;

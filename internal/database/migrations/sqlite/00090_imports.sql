-- +goose Up
-- One import is one file brought in from a spreadsheet or another case system: its kind (people or cases),
-- its name, the SHA-256 of its bytes (a file already imported is refused, not imported twice), who ran it and
-- how far it got (updated_at moves with every record written, so a run whose process stopped is seen to have
-- stopped). A check made from the administrator's pages is kept too, with its report: rows, columns and
-- messages, never what the cells held. imported_cases maps each case written to the file's row and the reference the case had in
-- the system it came from, which is unique in the partnership so the same case is not brought in twice from
-- two files.
CREATE TABLE imports (
    id              INTEGER PRIMARY KEY,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    kind            TEXT NOT NULL CHECK (kind IN ('people', 'cases')),
    file_name       TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    row_count       INTEGER NOT NULL,
    written         INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('checked', 'running', 'done', 'failed')),
    report          TEXT NOT NULL DEFAULT '',
    actor_id        INTEGER NOT NULL REFERENCES people (id),
    started_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP
);
-- A file that failed part-way may be run again; one that is running or done may not.
CREATE UNIQUE INDEX imports_file ON imports (partnership_id, kind, sha256) WHERE status IN ('running', 'done');
CREATE INDEX imports_partnership ON imports (partnership_id, id);
CREATE TABLE imported_cases (
    import_id         INTEGER NOT NULL REFERENCES imports (id),
    row_number        INTEGER NOT NULL,
    partnership_id    INTEGER NOT NULL,
    source_reference  TEXT NOT NULL,
    referral_id       INTEGER NOT NULL REFERENCES referrals (id),
    PRIMARY KEY (import_id, row_number),
    UNIQUE (partnership_id, source_reference)
);

-- +goose Down
DROP TABLE imported_cases;
DROP INDEX imports_partnership;
DROP INDEX imports_file;
DROP TABLE imports;

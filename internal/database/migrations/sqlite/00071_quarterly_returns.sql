-- +goose Up
-- Quarterly returns for funded areas (internal/returns): per funded project, outputs, achievements, issues and
-- expenditure for a quarter of a financial year (named by the year it starts in; quarter 1 is April to June).
-- figures holds the figures as generated (JSON); a coordinator edits the free text of each project while the
-- return is a draft; once approved, by a named approver, nothing of it changes.
CREATE TABLE quarterly_returns (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    year           INTEGER NOT NULL,
    quarter        INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'approved')),
    figures        TEXT NOT NULL,
    created_by     INTEGER NOT NULL REFERENCES people (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    approved_by    INTEGER REFERENCES people (id),
    approved_at    TIMESTAMP,
    UNIQUE (partnership_id, year, quarter)
);

-- A project's free text in a quarterly return.
CREATE TABLE quarterly_return_projects (
    return_id    INTEGER NOT NULL REFERENCES quarterly_returns (id),
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    achievements TEXT NOT NULL DEFAULT '',
    issues       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (return_id, project_id)
);

-- +goose Down
DROP TABLE quarterly_return_projects;
DROP TABLE quarterly_returns;

-- +goose Up
-- Where a partnership's population figures for a characteristic come from (for example "ONS Census 2021, table
-- TS021, Elmshire"), and who set them when: printed beside the rates they are the denominators of.
CREATE TABLE equality_population_sources (
    partnership_id INTEGER   NOT NULL REFERENCES partnerships (id),
    characteristic TEXT      NOT NULL,
    source         TEXT      NOT NULL,
    updated_by     INTEGER   NOT NULL REFERENCES people (id),
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (partnership_id, characteristic)
);

-- +goose Down
DROP TABLE equality_population_sources;

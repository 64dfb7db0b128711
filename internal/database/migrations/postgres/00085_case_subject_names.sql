-- +goose Up
-- Case search finds people referred by any part of their name or an alias (every word of the search a
-- substring of case_subjects.name_key). A trigram index on name_key answers name_key LIKE '%word%' for a
-- word of three letters or more, so that the word is looked up in the index instead of being compared with
-- every name of the partnership. PostgreSQL maintains it with the table, and building it indexes the people
-- referred before this migration. SQLite has a full-text (FTS5 trigram) table instead.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
-- fastupdate off: new names go straight into the index rather than into a pending list that every search
-- would read through until (auto)vacuum merged it; people are referred a few at a time, searched often.
CREATE INDEX case_subjects_names ON case_subjects USING gin (name_key gin_trgm_ops) WITH (fastupdate = off);

-- +goose Down
DROP INDEX case_subjects_names;
-- The extension stays: dropping it could break anything else that came to use it.

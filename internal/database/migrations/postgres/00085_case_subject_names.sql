-- +goose Up
-- Case search finds people referred by any part of their name or an alias (every word of the search a
-- substring of case_subjects.name_key). A trigram index on name_key answers name_key LIKE '%word%' for a
-- word of three letters or more, so that the word is looked up in the index instead of being compared with
-- every name of the partnership. PostgreSQL maintains it with the table, and building it indexes the people
-- referred before this migration. SQLite has a full-text (FTS5 trigram) table instead.
--
-- pg_trgm may already be installed in a schema that is not on the search path (by a database administrator,
-- or in a schema that was renamed), so its operator class is named with the schema it is in.
-- fastupdate off: new names go straight into the index rather than into a pending list that every search
-- would read through until (auto)vacuum merged it; people are referred a few at a time, searched often.
-- +goose StatementBegin
DO $$
DECLARE
	trgm name;
BEGIN
	SELECT n.nspname INTO trgm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
	IF trgm IS NULL THEN
		CREATE EXTENSION pg_trgm;
		SELECT n.nspname INTO trgm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
	END IF;
	EXECUTE format('CREATE INDEX case_subjects_names ON case_subjects USING gin (name_key %I.gin_trgm_ops) WITH (fastupdate = off)', trgm);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX case_subjects_names;
-- The extension stays: dropping it could break anything else that came to use it.

-- +goose Up
-- Case search finds people referred by any part of their name or an alias (every word of the search a
-- substring of case_subjects.name_key). case_subjects_names is a full-text index of name_key cut into
-- trigrams, so that a word of three letters or more is looked up in the index instead of being compared with
-- every name of the partnership. It holds no copy of the names (external content: it reads case_subjects),
-- and the triggers below keep it in step in the same transaction as every write of case_subjects. Its
-- shadow tables (case_subjects_names_data, _idx, _docsize, _config) belong to SQLite's FTS5; PostgreSQL has
-- a trigram index on name_key instead (see the schema parity test).
CREATE VIRTUAL TABLE case_subjects_names USING fts5 (name_key, content = 'case_subjects', content_rowid = 'id', tokenize = 'trigram');
-- The people referred before this migration.
INSERT INTO case_subjects_names (case_subjects_names) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER case_subjects_names_insert AFTER INSERT ON case_subjects BEGIN
    INSERT INTO case_subjects_names (rowid, name_key) VALUES (new.id, new.name_key);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER case_subjects_names_delete AFTER DELETE ON case_subjects BEGIN
    INSERT INTO case_subjects_names (case_subjects_names, rowid, name_key) VALUES ('delete', old.id, old.name_key);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER case_subjects_names_update AFTER UPDATE OF id, name_key ON case_subjects BEGIN
    INSERT INTO case_subjects_names (case_subjects_names, rowid, name_key) VALUES ('delete', old.id, old.name_key);
    INSERT INTO case_subjects_names (rowid, name_key) VALUES (new.id, new.name_key);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER case_subjects_names_update;
DROP TRIGGER case_subjects_names_delete;
DROP TRIGGER case_subjects_names_insert;
DROP TABLE case_subjects_names;

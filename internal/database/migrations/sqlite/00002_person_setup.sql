-- +goose Up
ALTER TABLE people ADD COLUMN setup_token_hash BLOB;
ALTER TABLE people ADD COLUMN setup_expires_at TIMESTAMP;
CREATE UNIQUE INDEX people_setup_token ON people (setup_token_hash);

-- +goose Down
DROP INDEX people_setup_token;
ALTER TABLE people DROP COLUMN setup_expires_at;
ALTER TABLE people DROP COLUMN setup_token_hash;

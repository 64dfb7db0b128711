-- +goose Up
-- A referral's possible repeat referrals are looked for among the partnership's subjects at the same address
-- (postcode and first line): without this index the lookup would read every subject of the postcode, or of
-- the partnership.
CREATE INDEX case_subjects_address ON case_subjects (partnership_id, postcode, address_line1);

-- +goose Down
DROP INDEX case_subjects_address;

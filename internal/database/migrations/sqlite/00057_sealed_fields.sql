-- +goose Up
-- Special-category and criminal-offence free text is sealed under the referral's data key (internal/keyring,
-- subject reference "referral:<id>"): the concern text and the person's needs from the referral details, and
-- the deconfliction note. The plaintext columns keep only what is not sealed. Rows written before this
-- migration keep their plaintext until erased.
ALTER TABLE referrals ADD COLUMN sealed_details BLOB;
-- When the retention job erased the record's personal data (casework.EraseDue).
ALTER TABLE referrals ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE deconfliction_notes ADD COLUMN note_sealed BLOB;

-- +goose Down
ALTER TABLE deconfliction_notes DROP COLUMN note_sealed;
ALTER TABLE referrals DROP COLUMN erased_at;
ALTER TABLE referrals DROP COLUMN sealed_details;

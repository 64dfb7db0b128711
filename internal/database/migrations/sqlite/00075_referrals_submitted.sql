-- +goose Up
-- The statistics read a partnership's referrals of one period (a year or a quarter) by when they were submitted:
-- without this index they would read every referral of the partnership, of every year.
CREATE INDEX referrals_submitted ON referrals (partnership_id, submitted_at);

-- +goose Down
DROP INDEX referrals_submitted;

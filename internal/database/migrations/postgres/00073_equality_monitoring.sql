-- +goose Up
-- Equality monitoring: the person's ethnicity (the ONS 2021 Census categories for England and Wales) and
-- whether a mental health need or neurodiversity was recorded. Both are optional and kept only to be counted
-- in the annual return; they are sealed under the referral's data key (subject reference "referral:<id>"),
-- bound to this column, so that erasing the person shreds them, and no read of a case returns them.
ALTER TABLE referrals ADD COLUMN sealed_monitoring BYTEA;

-- The categories offered, as versioned reference lists; valid_to is exclusive.
INSERT INTO case_reference (list, code, version, label, valid_from, valid_to, sort) VALUES
('ethnicity', 'asian_indian', 1, 'Asian, Asian British or Asian Welsh: Indian', '2024-04-01', NULL, 10),
('ethnicity', 'asian_pakistani', 1, 'Asian, Asian British or Asian Welsh: Pakistani', '2024-04-01', NULL, 20),
('ethnicity', 'asian_bangladeshi', 1, 'Asian, Asian British or Asian Welsh: Bangladeshi', '2024-04-01', NULL, 30),
('ethnicity', 'asian_chinese', 1, 'Asian, Asian British or Asian Welsh: Chinese', '2024-04-01', NULL, 40),
('ethnicity', 'asian_other', 1, 'Asian, Asian British or Asian Welsh: Any other Asian background', '2024-04-01', NULL, 50),
('ethnicity', 'black_caribbean', 1, 'Black, Black British, Black Welsh, Caribbean or African: Caribbean', '2024-04-01', NULL, 60),
('ethnicity', 'black_african', 1, 'Black, Black British, Black Welsh, Caribbean or African: African', '2024-04-01', NULL, 70),
('ethnicity', 'black_other', 1, 'Black, Black British, Black Welsh, Caribbean or African: Any other Black, Black British, or Caribbean background', '2024-04-01', NULL, 80),
('ethnicity', 'mixed_white_black_caribbean', 1, 'Mixed or Multiple ethnic groups: White and Black Caribbean', '2024-04-01', NULL, 90),
('ethnicity', 'mixed_white_black_african', 1, 'Mixed or Multiple ethnic groups: White and Black African', '2024-04-01', NULL, 100),
('ethnicity', 'mixed_white_asian', 1, 'Mixed or Multiple ethnic groups: White and Asian', '2024-04-01', NULL, 110),
('ethnicity', 'mixed_other', 1, 'Mixed or Multiple ethnic groups: Any other Mixed or Multiple background', '2024-04-01', NULL, 120),
('ethnicity', 'white_british', 1, 'White: English, Welsh, Scottish, Northern Irish or British', '2024-04-01', NULL, 130),
('ethnicity', 'white_irish', 1, 'White: Irish', '2024-04-01', NULL, 140),
('ethnicity', 'white_gypsy_traveller', 1, 'White: Gypsy or Irish Traveller', '2024-04-01', NULL, 150),
('ethnicity', 'white_roma', 1, 'White: Roma', '2024-04-01', NULL, 160),
('ethnicity', 'white_other', 1, 'White: Any other White background', '2024-04-01', NULL, 170),
('ethnicity', 'other_arab', 1, 'Other ethnic group: Arab', '2024-04-01', NULL, 180),
('ethnicity', 'other_any', 1, 'Other ethnic group: Any other ethnic group', '2024-04-01', NULL, 190),
('ethnicity', 'prefer_not_to_say', 1, 'Prefer not to say', '2024-04-01', NULL, 200),
('ethnicity', 'not_known', 1, 'Not known', '2024-04-01', NULL, 210),
('mental_health_recorded', 'yes', 1, 'Yes', '2024-04-01', NULL, 10),
('mental_health_recorded', 'no', 1, 'No', '2024-04-01', NULL, 20),
('mental_health_recorded', 'not_known', 1, 'Not known', '2024-04-01', NULL, 30),
('mental_health_recorded', 'prefer_not_to_say', 1, 'Prefer not to say', '2024-04-01', NULL, 40);

-- The population of the partnership's area in each category of a characteristic, the denominators of the
-- rates of referral in the annual return. No rows: no rates are shown.
CREATE TABLE equality_populations (
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    characteristic TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    population     BIGINT NOT NULL CHECK (population >= 0),
    PRIMARY KEY (partnership_id, characteristic, category)
);

-- +goose Down
DROP TABLE equality_populations;
DELETE FROM case_reference WHERE list IN ('ethnicity', 'mental_health_recorded');
ALTER TABLE referrals DROP COLUMN sealed_monitoring;

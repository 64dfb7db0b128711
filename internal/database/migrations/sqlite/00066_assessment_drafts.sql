-- +goose Up
-- An assessor's unfinished assessment of a case, kept so that they can come back to it. One draft per case and
-- assessor; it is nobody else's to read, counts for nothing (no task, guard or statistic looks at it), and is
-- deleted when that assessor records the assessment. The whole draft (factors, evidence, formulation) is
-- sealed under the referral's data key, so erasing the case shreds it with the rest.
CREATE TABLE assessment_drafts (
    referral_id      INTEGER NOT NULL REFERENCES referrals (id),
    assessor_id      INTEGER NOT NULL,
    template_code    TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    body_sealed      BLOB NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (referral_id, assessor_id)
);

-- +goose Down
DROP TABLE assessment_drafts;

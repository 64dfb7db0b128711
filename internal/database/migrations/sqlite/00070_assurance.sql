-- +goose Up
-- A partnership's self-assessment of its own delivery (internal/assurance): the frameworks it assesses itself
-- against, as versioned reference data, and its yearly assessments against one framework version, with a rating,
-- a narrative, evidence and improvement actions for each section. Years are financial years, named by the year
-- they start in (2026 is April 2026 to March 2027); dates are ISO 'YYYY-MM-DD' text; timestamps are UTC.

-- One version of a framework. partnership_id 0 is a national version, seeded below; any other value is a
-- partnership's own revision, made by its administrator from an earlier version (based_on). A version that an
-- assessment uses is never changed: a revision is a new row. applies_from is the first financial year the
-- version may be used for.
CREATE TABLE assurance_frameworks (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL,
    code           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    name           TEXT NOT NULL,
    applies_from   INTEGER NOT NULL,
    note           TEXT NOT NULL,
    based_on       INTEGER REFERENCES assurance_frameworks (id),
    created_by     INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, code, version)
);

-- A version's sections (NI35's strands) in order. A section keeps its code from version to version, which is
-- what lets ratings be compared across versions.
CREATE TABLE assurance_framework_sections (
    framework_id INTEGER NOT NULL REFERENCES assurance_frameworks (id),
    code         TEXT NOT NULL,
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    PRIMARY KEY (framework_id, code)
);

-- A version's rating scale: levels 1 to n, higher is better.
CREATE TABLE assurance_framework_levels (
    framework_id INTEGER NOT NULL REFERENCES assurance_frameworks (id),
    level        INTEGER NOT NULL,
    label        TEXT NOT NULL,
    description  TEXT NOT NULL,
    PRIMARY KEY (framework_id, level)
);

-- A partnership's assessment of one financial year against one framework version: one per partnership,
-- framework (by code, whatever the version) and year. status is draft, submitted or approved.
CREATE TABLE assurance_assessments (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    framework_id   INTEGER NOT NULL REFERENCES assurance_frameworks (id),
    framework_code TEXT NOT NULL,
    year           INTEGER NOT NULL,
    status         TEXT NOT NULL,
    copied_from    INTEGER REFERENCES assurance_assessments (id),
    submitted_by   INTEGER REFERENCES people (id),
    submitted_at   TIMESTAMP,
    approved_by    INTEGER REFERENCES people (id),
    approved_at    TIMESTAMP,
    returned_by    INTEGER REFERENCES people (id),
    returned_at    TIMESTAMP,
    return_reason  TEXT NOT NULL DEFAULT '',
    created_by     INTEGER NOT NULL REFERENCES people (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, framework_code, year)
);

-- One row for each section of the assessment's framework version; level is NULL until the section is rated.
CREATE TABLE assurance_ratings (
    assessment_id INTEGER NOT NULL REFERENCES assurance_assessments (id),
    framework_id  INTEGER NOT NULL,
    section_code  TEXT NOT NULL,
    level         INTEGER,
    narrative     TEXT NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (assessment_id, section_code),
    FOREIGN KEY (framework_id, section_code) REFERENCES assurance_framework_sections (framework_id, code),
    FOREIGN KEY (framework_id, level) REFERENCES assurance_framework_levels (framework_id, level)
);

-- Evidence for a section: a document in the partnership's library or one of its programme's projects, exactly
-- one of the two.
CREATE TABLE assurance_evidence (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL,
    section_code  TEXT NOT NULL,
    document_id   INTEGER REFERENCES library_documents (id),
    project_id    INTEGER REFERENCES projects (id),
    added_by      INTEGER NOT NULL,
    added_at      TIMESTAMP NOT NULL,
    FOREIGN KEY (assessment_id, section_code) REFERENCES assurance_ratings (assessment_id, section_code),
    CHECK ((document_id IS NULL) <> (project_id IS NULL))
);
CREATE INDEX assurance_evidence_assessment ON assurance_evidence (assessment_id);

-- Improvement actions for a section. carried_from is the action of an earlier year's assessment it was copied from.
CREATE TABLE assurance_actions (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL,
    section_code  TEXT NOT NULL,
    description   TEXT NOT NULL,
    owner_org_id  INTEGER NOT NULL REFERENCES organisations (id),
    due_on        TEXT NOT NULL,
    carried_from  INTEGER REFERENCES assurance_actions (id),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    FOREIGN KEY (assessment_id, section_code) REFERENCES assurance_ratings (assessment_id, section_code)
);
CREATE INDEX assurance_actions_assessment ON assurance_actions (assessment_id);

-- The national frameworks: NI35 (2008) and the Prevent duty toolkit for local authorities (2024). See docs/assurance.md.
INSERT INTO assurance_frameworks (id, partnership_id, code, version, name, applies_from, note, based_on, created_by, created_at) VALUES
 (1, 0, 'ni35', 1, 'NI35 Building resilience to violent extremism', 2008,
  'The strand and level wording is as recalled from the 2008 guidance for local partners and has not been checked against the published text: revise it as a new version where it differs. Strand 1 is framed around one faith community, narrower than today''s scope of every ideology: a partnership using this framework today should consider revising it.', NULL, 0, '2026-12-01 00:00:00'),
 (2, 0, 'prevent-duty-toolkit', 1, 'Prevent duty toolkit for local authorities', 2023,
  'Non-statutory good practice for local authorities, published by the Home Office in February 2024. The sections are the toolkit''s; the descriptions and the rating scale are this service''s own summary.', NULL, 0, '2026-12-01 00:00:00');

INSERT INTO assurance_framework_sections (framework_id, code, position, title, description) VALUES
 (1, 'strand-1', 1, 'Understanding of, and engagement with, Muslim communities',
  'How well the partnership understands the communities of its area and works with them.'),
 (1, 'strand-2', 2, 'Knowledge and understanding of the drivers and causes of violent extremism and the Prevent objectives',
  'What partners know about why people are drawn into violent extremism, and about the Prevent objectives.'),
 (1, 'strand-3', 3, 'Development of a risk-based preventing violent extremism action plan, in support of delivery of the Prevent objectives',
  'Whether the partnership''s plan of action follows from an assessment of local risk.'),
 (1, 'strand-4', 4, 'Effective oversight, delivery and evaluation of projects and actions',
  'How projects and actions are overseen, delivered and evaluated.'),
 (2, 'partnership-group', 1, 'Multi-agency partnership group',
  'A group of the partners with Prevent duties that oversees delivery, meets regularly and holds its members to account.'),
 (2, 'risk-assessment', 2, 'Local risk assessment',
  'An assessment of the local risk of radicalisation, drawn from the counter-terrorism local profile and partners'' knowledge, and kept up to date.'),
 (2, 'partnership-plan', 3, 'Partnership plan',
  'A plan of action that follows from the risk assessment, with owners, timescales and a measure of progress.'),
 (2, 'referral-pathway', 4, 'Referral pathway',
  'A clear route for staff and the public to raise a concern, known across partners and joined up with safeguarding.'),
 (2, 'channel-panel', 5, 'Channel panel',
  'A Channel panel chaired by the local authority, with the members the Counter-Terrorism and Security Act 2015 requires, that meets and decides as it should.'),
 (2, 'training', 6, 'Training',
  'Staff with Prevent duties trained for their role, with completion monitored.'),
 (2, 'permissive-environments', 7, 'Reducing permissive environments',
  'Steps that stop extremist speakers, material, premises or funding from drawing people into terrorism.'),
 (2, 'communications', 8, 'Communications and engagement',
  'Explaining Prevent locally, engaging communities, and handling local news and misinformation.');

INSERT INTO assurance_framework_levels (framework_id, level, label, description) VALUES
 (1, 1, 'Level 1', 'Least developed.'),
 (1, 2, 'Level 2', ''),
 (1, 3, 'Level 3', ''),
 (1, 4, 'Level 4', ''),
 (1, 5, 'Level 5', 'Most developed and embedded.'),
 (2, 1, 'Not in place', 'Nothing is in place yet.'),
 (2, 2, 'Partly in place', 'Some of it is in place, or it is in place but not yet working as intended.'),
 (2, 3, 'In place', 'It is in place and working.'),
 (2, 4, 'Embedded', 'It is in place, working, and reviewed and improved as part of routine practice.');

-- +goose Down
DROP TABLE assurance_actions;
DROP TABLE assurance_evidence;
DROP TABLE assurance_ratings;
DROP TABLE assurance_assessments;
DROP TABLE assurance_framework_levels;
DROP TABLE assurance_framework_sections;
DROP TABLE assurance_frameworks;

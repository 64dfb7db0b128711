-- +goose Up
-- The partnership's programme of action (internal/programme). Dates are ISO 'YYYY-MM-DD' text; money is in
-- whole pence; timestamps are UTC.

-- Objective frameworks as versioned reference data: a code is valid from valid_from (inclusive) until valid_to
-- (exclusive; NULL while current). An activity may be tagged under any framework, current or not.
CREATE TABLE programme_objectives (
    framework  TEXT NOT NULL,
    code       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    sort       INTEGER NOT NULL,
    PRIMARY KEY (framework, code)
);
INSERT INTO programme_objectives (framework, code, kind, title, valid_from, valid_to, sort) VALUES
 ('prevent-2009', 'O1', 'objective', 'Challenge the ideology behind violent extremism and support mainstream voices', '2008-06-01', '2011-06-07', 1),
 ('prevent-2009', 'O2', 'objective', 'Disrupt those who promote violent extremism and support the places where they operate', '2008-06-01', '2011-06-07', 2),
 ('prevent-2009', 'O3', 'objective', 'Support individuals who are vulnerable to recruitment, or have already been recruited, by violent extremists', '2008-06-01', '2011-06-07', 3),
 ('prevent-2009', 'O4', 'objective', 'Increase the resilience of communities to violent extremism', '2008-06-01', '2011-06-07', 4),
 ('prevent-2009', 'O5', 'objective', 'Address the grievances which ideologues are exploiting', '2008-06-01', '2011-06-07', 5),
 ('prevent-2009', 'E1', 'enabler', 'Develop supporting intelligence, analysis and information', '2008-06-01', '2011-06-07', 6),
 ('prevent-2009', 'E2', 'enabler', 'Improve strategic communications', '2008-06-01', '2011-06-07', 7),
 ('contest-2023', 'A', 'objective', 'Tackle the ideological causes of terrorism', '2023-07-18', NULL, 1),
 ('contest-2023', 'B', 'objective', 'Intervene early to stop people from becoming terrorists or supporting terrorism', '2023-07-18', NULL, 2),
 ('contest-2023', 'C', 'objective', 'Enable people who have already engaged in terrorism to disengage and rehabilitate', '2023-07-18', NULL, 3);

CREATE TABLE delivery_plans (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    year           INTEGER NOT NULL,
    title          TEXT NOT NULL,
    status         TEXT NOT NULL,
    version        INTEGER NOT NULL,
    approved_by    INTEGER REFERENCES people (id),
    approved_at    TIMESTAMP,
    activated_at   TIMESTAMP,
    closed_at      TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, year)
);

CREATE TABLE delivery_plan_sections (
    plan_id    INTEGER NOT NULL REFERENCES delivery_plans (id),
    section    TEXT NOT NULL,
    body       TEXT NOT NULL,
    status     TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (plan_id, section)
);

-- One snapshot (JSON object of field name to value) per save.
CREATE TABLE delivery_plan_versions (
    plan_id  INTEGER NOT NULL REFERENCES delivery_plans (id),
    version  INTEGER NOT NULL,
    saved_by INTEGER NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    note     TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    PRIMARY KEY (plan_id, version)
);

CREATE TABLE projects (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    plan_id        INTEGER REFERENCES delivery_plans (id),
    public_title   TEXT NOT NULL,
    internal_title TEXT NOT NULL,
    lead_org_id    INTEGER NOT NULL REFERENCES organisations (id),
    scope          TEXT NOT NULL,
    areas          TEXT NOT NULL,
    institutions   TEXT NOT NULL,
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    rag            TEXT NOT NULL,
    rag_reason     TEXT NOT NULL,
    risks          TEXT NOT NULL,
    eval_why       TEXT NOT NULL DEFAULT '',
    eval_what      TEXT NOT NULL DEFAULT '',
    eval_questions TEXT NOT NULL DEFAULT '',
    eval_success   TEXT NOT NULL DEFAULT '',
    eval_data      TEXT NOT NULL DEFAULT '',
    eval_analysis  TEXT NOT NULL DEFAULT '',
    eval_use       TEXT NOT NULL DEFAULT '',
    eval_resources TEXT NOT NULL DEFAULT '',
    findings       TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX projects_partnership ON projects (partnership_id);

CREATE TABLE project_partners (
    project_id      INTEGER NOT NULL REFERENCES projects (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (project_id, organisation_id)
);

CREATE TABLE project_objectives (
    project_id INTEGER NOT NULL REFERENCES projects (id),
    framework  TEXT NOT NULL,
    code       TEXT NOT NULL,
    PRIMARY KEY (project_id, framework, code),
    FOREIGN KEY (framework, code) REFERENCES programme_objectives (framework, code)
);

CREATE TABLE project_milestones (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    title      TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    done_on    TEXT
);

CREATE TABLE project_impacts (
    id         INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id),
    indicator  TEXT NOT NULL,
    unit       TEXT NOT NULL,
    baseline   REAL NOT NULL,
    target     REAL NOT NULL,
    evidence   TEXT NOT NULL
);

CREATE TABLE impact_actuals (
    impact_id INTEGER NOT NULL REFERENCES project_impacts (id),
    quarter   TEXT NOT NULL,
    value     REAL NOT NULL,
    evidence  TEXT NOT NULL,
    PRIMARY KEY (impact_id, quarter)
);

CREATE TABLE lessons (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    project_id     INTEGER REFERENCES projects (id),
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    author_id      INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE board_meetings (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    held_on        TEXT NOT NULL,
    title          TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE board_attendance (
    meeting_id INTEGER NOT NULL REFERENCES board_meetings (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    present    BOOLEAN NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE board_decisions (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES board_meetings (id),
    text       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE board_actions (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    meeting_id     INTEGER REFERENCES board_meetings (id),
    description    TEXT NOT NULL,
    owner_id       INTEGER NOT NULL REFERENCES people (id),
    due_on         TEXT NOT NULL,
    status         TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE funding_streams (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    funder         TEXT NOT NULL,
    name           TEXT NOT NULL,
    year           INTEGER NOT NULL,
    amount_pence   INTEGER NOT NULL CHECK (amount_pence >= 0),
    conditions     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE funding_allocations (
    id           INTEGER PRIMARY KEY,
    stream_id    INTEGER NOT NULL REFERENCES funding_streams (id),
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
    allocated_on TEXT NOT NULL,
    allocated_by INTEGER NOT NULL,
    note         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX funding_allocations_stream ON funding_allocations (stream_id);

CREATE TABLE funding_spend (
    id            INTEGER PRIMARY KEY,
    allocation_id INTEGER NOT NULL REFERENCES funding_allocations (id),
    year          INTEGER NOT NULL,
    quarter       INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    amount_pence  INTEGER NOT NULL,
    recorded_by   INTEGER NOT NULL,
    recorded_at   TIMESTAMP NOT NULL
);
CREATE INDEX funding_spend_allocation ON funding_spend (allocation_id);

CREATE TABLE commissioning_decisions (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    project_id     INTEGER REFERENCES projects (id),
    decision       TEXT NOT NULL,
    decided_by     INTEGER NOT NULL REFERENCES people (id),
    decided_on     TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE due_diligence_reviews (
    id              INTEGER PRIMARY KEY,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    basis           TEXT NOT NULL,
    indicators      TEXT NOT NULL,
    evidence        TEXT NOT NULL,
    decision        TEXT NOT NULL,
    decided_by      INTEGER NOT NULL REFERENCES people (id),
    second_reviewer INTEGER REFERENCES people (id),
    decided_on      TEXT NOT NULL,
    review_due      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX due_diligence_reviews_org ON due_diligence_reviews (partnership_id, organisation_id);

CREATE TABLE due_diligence_findings (
    review_id INTEGER NOT NULL REFERENCES due_diligence_reviews (id),
    item      TEXT NOT NULL,
    result    TEXT NOT NULL,
    note      TEXT NOT NULL,
    PRIMARY KEY (review_id, item)
);

CREATE TABLE training_courses (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE training_completions (
    id           INTEGER PRIMARY KEY,
    course_id    INTEGER NOT NULL REFERENCES training_courses (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    completed_on TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (course_id, person_id, completed_on)
);

CREATE TABLE training_targets (
    course_id       INTEGER NOT NULL REFERENCES training_courses (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    target          INTEGER NOT NULL CHECK (target >= 0),
    PRIMARY KEY (course_id, organisation_id)
);

CREATE TABLE library_documents (
    id              INTEGER PRIMARY KEY,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    marking         INTEGER NOT NULL,
    originator      TEXT NOT NULL,
    audience        TEXT NOT NULL,
    review_on       TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_by      INTEGER NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX library_documents_partnership ON library_documents (partnership_id, marking);

CREATE TABLE library_versions (
    document_id  INTEGER NOT NULL REFERENCES library_documents (id),
    version      INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL,
    uploaded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (document_id, version)
);

-- Public questions and answers. Rows without a partnership are the service's defaults; a partnership's
-- coordinators edit their own copy (copied_from names the default it started from).
CREATE TABLE qanda (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER REFERENCES partnerships (id),
    copied_from    INTEGER REFERENCES qanda (id),
    topic          TEXT NOT NULL,
    question       TEXT NOT NULL,
    answer         TEXT NOT NULL,
    sort           INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
INSERT INTO qanda (id, partnership_id, copied_from, topic, question, answer, sort, updated_at) VALUES
 (1, NULL, NULL, 'Who Prevent is for', 'Is Prevent aimed at one community?',
  'No. Prevent deals with every ideology that is used to justify terrorism. It does not single out any faith or ethnic group, and most people of every background reject terrorism. Work is planned from a local assessment of risk, not from who people are.', 1, '2026-01-01 00:00:00'),
 (2, NULL, NULL, 'Trust', 'Is Prevent a way of gathering intelligence on communities?',
  'No. The partnership publishes its aims and the projects it funds. Prevent is about safeguarding people who may be drawn into terrorism and building resilience with communities, local services and the police working together. Support through Channel is voluntary and needs consent.', 2, '2026-01-01 00:00:00'),
 (3, NULL, NULL, 'Beliefs', 'Does Prevent criticise religion or stop people expressing views?',
  'No. Holding beliefs, practising a religion and debating controversial issues, including foreign policy, are part of a free society. Prevent is concerned with people being drawn into terrorism and with the arguments used to justify violence, not with faith or lawful opinion.', 3, '2026-01-01 00:00:00'),
 (4, NULL, NULL, 'Cohesion', 'How is Prevent different from community cohesion work?',
  'They are separate but related. Cohesion work builds relationships between people of different backgrounds; Prevent builds on that foundation to reduce the risk of terrorism. Each supports the other, and the partnership plans them together where it helps.', 4, '2026-01-01 00:00:00'),
 (5, NULL, NULL, 'Funding', 'How does the partnership decide which organisations to fund?',
  'First, whether the project will help meet the Prevent objectives. Second, whether the organisation upholds shared values: the rule of law, rejecting violence and terrorism, freedom of speech, equality and respect for others. The same checks apply to every organisation whatever its faith or ethnicity, decisions are recorded with their evidence, and funding is kept under continuous review. Talking to an organisation is not the same as funding it.', 5, '2026-01-01 00:00:00'),
 (6, NULL, NULL, 'Vulnerability', 'Is there a profile of someone likely to be drawn into terrorism?',
  'No. There is no single profile and the partnership does not use one. Practitioners look at a person''s circumstances as a whole and use professional judgement, with the person''s safeguarding as the aim.', 6, '2026-01-01 00:00:00');

-- +goose Down
DROP TABLE qanda;
DROP TABLE library_versions;
DROP TABLE library_documents;
DROP TABLE training_targets;
DROP TABLE training_completions;
DROP TABLE training_courses;
DROP TABLE due_diligence_findings;
DROP TABLE due_diligence_reviews;
DROP TABLE commissioning_decisions;
DROP TABLE funding_spend;
DROP TABLE funding_allocations;
DROP TABLE funding_streams;
DROP TABLE board_actions;
DROP TABLE board_decisions;
DROP TABLE board_attendance;
DROP TABLE board_meetings;
DROP TABLE lessons;
DROP TABLE impact_actuals;
DROP TABLE project_impacts;
DROP TABLE project_milestones;
DROP TABLE project_objectives;
DROP TABLE project_partners;
DROP TABLE projects;
DROP TABLE delivery_plan_versions;
DROP TABLE delivery_plan_sections;
DROP TABLE delivery_plans;
DROP TABLE programme_objectives;

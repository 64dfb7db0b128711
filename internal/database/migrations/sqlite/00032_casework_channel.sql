-- +goose Up
-- Assessment templates as versioned reference data (the VAF is one), and each case's assessments. Every
-- save is a new version; nothing sums factors: there is no score column, by design, because the framework
-- guides a professional judgement and is not a points scale.
CREATE TABLE assessment_templates (
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    PRIMARY KEY (code, version)
);

CREATE TABLE assessment_template_items (
    template_code    TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    item_no          INTEGER NOT NULL,
    domain           TEXT NOT NULL,
    label            TEXT NOT NULL,
    PRIMARY KEY (template_code, template_version, item_no),
    FOREIGN KEY (template_code, template_version) REFERENCES assessment_templates (code, version)
);

CREATE TABLE assessments (
    id                     INTEGER PRIMARY KEY,
    referral_id            INTEGER NOT NULL REFERENCES referrals (id),
    version                INTEGER NOT NULL,
    template_code          TEXT NOT NULL,
    template_version       INTEGER NOT NULL,
    assessor_id            INTEGER NOT NULL REFERENCES people (id),
    summary_conclusion     TEXT NOT NULL,
    management_plan        TEXT NOT NULL,
    changes_since_last     TEXT NOT NULL,
    professional_judgement TEXT NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    UNIQUE (referral_id, version),
    FOREIGN KEY (template_code, template_version) REFERENCES assessment_templates (code, version)
);

CREATE TABLE assessment_factors (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    item_no       INTEGER NOT NULL,
    presence      TEXT NOT NULL CHECK (presence IN ('present', 'not_present', 'unknown')),
    evidence      TEXT NOT NULL,
    source        TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item_no)
);

-- Channel panels per local authority, or combined (areas lists the local authorities it covers).
CREATE TABLE panels (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    name           TEXT NOT NULL,
    areas          TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX panels_partnership ON panels (partnership_id);

-- Members: people of organisations, each with their role in the panel. A police representative's areas
-- are the local authorities their force covers (empty: all of the panel's).
CREATE TABLE panel_members (
    id              INTEGER PRIMARY KEY,
    panel_id        INTEGER NOT NULL REFERENCES panels (id),
    person_id       INTEGER NOT NULL REFERENCES people (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    panel_role      TEXT NOT NULL CHECK (panel_role IN ('chair', 'police', 'member')),
    areas           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (panel_id, person_id, panel_role)
);

-- The panel that holds each Channel case.
CREATE TABLE case_panels (
    referral_id INTEGER PRIMARY KEY REFERENCES referrals (id),
    panel_id    INTEGER NOT NULL REFERENCES panels (id),
    since       TIMESTAMP NOT NULL
);
CREATE INDEX case_panels_panel ON case_panels (panel_id);

CREATE TABLE panel_meetings (
    id         INTEGER PRIMARY KEY,
    panel_id   INTEGER NOT NULL REFERENCES panels (id),
    held_at    TIMESTAMP NOT NULL,
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX panel_meetings_panel ON panel_meetings (panel_id, held_at);

CREATE TABLE panel_agenda (
    meeting_id  INTEGER NOT NULL REFERENCES panel_meetings (id),
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    position    INTEGER NOT NULL,
    added_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, referral_id)
);
CREATE INDEX panel_agenda_referral ON panel_agenda (referral_id);

CREATE TABLE panel_attendance (
    meeting_id  INTEGER NOT NULL REFERENCES panel_meetings (id),
    member_id   INTEGER NOT NULL REFERENCES panel_members (id),
    present     BOOLEAN NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people (id),
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE panel_papers (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES panel_meetings (id),
    referral_id INTEGER REFERENCES referrals (id),
    title       TEXT NOT NULL,
    location    TEXT NOT NULL,
    added_by    INTEGER NOT NULL REFERENCES people (id),
    added_at    TIMESTAMP NOT NULL
);
CREATE INDEX panel_papers_meeting ON panel_papers (meeting_id);

CREATE TABLE panel_decisions (
    id                       INTEGER PRIMARY KEY,
    meeting_id               INTEGER NOT NULL REFERENCES panel_meetings (id),
    referral_id              INTEGER NOT NULL REFERENCES referrals (id),
    decision                 TEXT NOT NULL,
    rationale                TEXT NOT NULL,
    reached                  TEXT NOT NULL CHECK (reached IN ('unanimous', 'majority', 'chair_casting')),
    health_social_care_notes TEXT NOT NULL DEFAULT '',
    signpost_service         TEXT NOT NULL DEFAULT '',
    close_reason             TEXT NOT NULL DEFAULT '',
    transfer_to              TEXT NOT NULL DEFAULT '',
    exit_outcome             TEXT NOT NULL DEFAULT '',
    from_state               TEXT NOT NULL,
    to_state                 TEXT NOT NULL,
    recorded_by              INTEGER NOT NULL REFERENCES people (id),
    recorded_at              TIMESTAMP NOT NULL
);
CREATE INDEX panel_decisions_meeting ON panel_decisions (meeting_id, id);
CREATE INDEX panel_decisions_referral ON panel_decisions (referral_id, id);

-- Consent to support and consent to information sharing, kept apart: they rest on different legal bases.
CREATE TABLE consent_records (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referrals (id),
    scope          TEXT NOT NULL CHECK (scope IN ('support', 'information_sharing')),
    giver_name     TEXT NOT NULL,
    giver_role     TEXT NOT NULL CHECK (giver_role IN ('self', 'parent', 'guardian', 'la_parental_responsibility')),
    capacity_notes TEXT NOT NULL,
    method         TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    decision       TEXT NOT NULL CHECK (decision IN ('given', 'refused', 'withdrawn', 'not_sought')),
    reason         TEXT NOT NULL,
    decided_at     TIMESTAMP NOT NULL,
    under_18       BOOLEAN NOT NULL,
    recorded_by    INTEGER NOT NULL REFERENCES people (id),
    recorded_at    TIMESTAMP NOT NULL
);
CREATE INDEX consent_records_referral ON consent_records (referral_id, scope, id);

CREATE TABLE childrens_services_consultations (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referrals (id),
    consulted_at   TIMESTAMP NOT NULL,
    consulted_with TEXT NOT NULL,
    notes          TEXT NOT NULL,
    recorded_by    INTEGER NOT NULL REFERENCES people (id),
    recorded_at    TIMESTAMP NOT NULL
);
CREATE INDEX childrens_services_consultations_referral ON childrens_services_consultations (referral_id);

-- Support plans, every version kept. The plan says how, when and by whom consent will be requested.
CREATE TABLE support_plans (
    id              INTEGER PRIMARY KEY,
    referral_id     INTEGER NOT NULL REFERENCES referrals (id),
    version         INTEGER NOT NULL,
    consent_how     TEXT NOT NULL,
    consent_when    TIMESTAMP,
    consent_by      TEXT NOT NULL,
    objectives      TEXT NOT NULL,
    review_cadence  TEXT NOT NULL,
    created_by      INTEGER NOT NULL REFERENCES people (id),
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (referral_id, version)
);

-- Intervention providers: organisations, including Home Office approved Intervention Providers.
CREATE TABLE intervention_providers (
    id                 INTEGER PRIMARY KEY,
    partnership_id     INTEGER NOT NULL REFERENCES partnerships (id),
    organisation_id    INTEGER NOT NULL REFERENCES organisations (id),
    home_office_approved BOOLEAN NOT NULL,
    approval_reference TEXT NOT NULL,
    specialisms        TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    UNIQUE (partnership_id, organisation_id)
);

CREATE TABLE interventions (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    type_code   TEXT NOT NULL,
    provider_id INTEGER NOT NULL REFERENCES intervention_providers (id),
    worker_id   INTEGER REFERENCES people (id),
    description TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES people (id),
    created_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP
);
CREATE INDEX interventions_referral ON interventions (referral_id);

CREATE TABLE intervention_sessions (
    id              INTEGER PRIMARY KEY,
    intervention_id INTEGER NOT NULL REFERENCES interventions (id),
    planned_at      TIMESTAMP NOT NULL,
    attendance      TEXT NOT NULL DEFAULT 'planned' CHECK (attendance IN ('planned', 'attended', 'did_not_attend', 'cancelled')),
    delivered_at    TIMESTAMP,
    progress_notes  TEXT NOT NULL DEFAULT '',
    created_by      INTEGER NOT NULL REFERENCES people (id),
    created_at      TIMESTAMP NOT NULL,
    recorded_by     INTEGER REFERENCES people (id),
    recorded_at     TIMESTAMP
);
CREATE INDEX intervention_sessions_intervention ON intervention_sessions (intervention_id, planned_at);
CREATE INDEX intervention_sessions_undelivered ON intervention_sessions (attendance, planned_at);

-- Per-partnership casework settings: days after a planned session before a missed or undelivered one
-- raises an alert.
CREATE TABLE casework_settings (
    partnership_id     INTEGER PRIMARY KEY REFERENCES partnerships (id),
    session_alert_days INTEGER NOT NULL
);

-- Exits from Channel, and the post-exit reviews (tasks) due 6 and 12 months after, extendable to 24.
CREATE TABLE case_exits (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referrals (id),
    decision_id    INTEGER NOT NULL REFERENCES panel_decisions (id),
    outcome        TEXT NOT NULL,
    exited_at      TIMESTAMP NOT NULL,
    review_months  INTEGER NOT NULL DEFAULT 12
);
CREATE INDEX case_exits_referral ON case_exits (referral_id, id);

CREATE TABLE post_exit_reviews (
    id           INTEGER PRIMARY KEY,
    exit_id      INTEGER NOT NULL REFERENCES case_exits (id),
    referral_id  INTEGER NOT NULL REFERENCES referrals (id),
    months       INTEGER NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    outcome      TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    completed_by INTEGER REFERENCES people (id),
    completed_at TIMESTAMP,
    UNIQUE (exit_id, months)
);
CREATE INDEX post_exit_reviews_open ON post_exit_reviews (completed_at, due_at);

-- +goose Down
DROP TABLE post_exit_reviews;
DROP TABLE case_exits;
DROP TABLE casework_settings;
DROP TABLE intervention_sessions;
DROP TABLE interventions;
DROP TABLE intervention_providers;
DROP TABLE support_plans;
DROP TABLE childrens_services_consultations;
DROP TABLE consent_records;
DROP TABLE panel_decisions;
DROP TABLE panel_papers;
DROP TABLE panel_attendance;
DROP TABLE panel_agenda;
DROP TABLE panel_meetings;
DROP TABLE case_panels;
DROP TABLE panel_members;
DROP TABLE panels;
DROP TABLE assessment_factors;
DROP TABLE assessments;
DROP TABLE assessment_template_items;
DROP TABLE assessment_templates;

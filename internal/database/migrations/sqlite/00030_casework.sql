-- +goose Up
-- Versioned reference lists for casework (types of concern, triage outcome reasons, signposting services,
-- exit outcome codes, intervention types). A code may have several versions, each valid from valid_from
-- (inclusive) until valid_to (exclusive; NULL while current). Dates are ISO 'YYYY-MM-DD' text.
CREATE TABLE case_reference (
    list       TEXT NOT NULL,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    label      TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    sort       INTEGER NOT NULL,
    PRIMARY KEY (list, code, version)
);

-- Bank holidays in England and Wales, for working-day targets.
CREATE TABLE bank_holidays (
    day  TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

-- A person referred. Kept apart from referrals so that repeat referrals link to one subject.
CREATE TABLE case_subjects (
    id              INTEGER PRIMARY KEY,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id),
    given_names     TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    aliases         TEXT NOT NULL DEFAULT '',
    name_key        TEXT NOT NULL,
    date_of_birth   TEXT,
    approximate_age INTEGER,
    gender          TEXT NOT NULL DEFAULT '',
    address_line1   TEXT NOT NULL DEFAULT '',
    postcode        TEXT NOT NULL DEFAULT '',
    local_authority TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX case_subjects_dob ON case_subjects (partnership_id, date_of_birth);
CREATE INDEX case_subjects_postcode ON case_subjects (partnership_id, postcode);

-- Reference sequences per year: PRV-<year>-<sequence>.
CREATE TABLE referral_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE referrals (
    id                  INTEGER PRIMARY KEY,
    partnership_id      INTEGER NOT NULL REFERENCES partnerships (id),
    reference           TEXT UNIQUE,
    state               TEXT NOT NULL,
    author_id           INTEGER NOT NULL REFERENCES people (id),
    referrer_org_id     INTEGER NOT NULL REFERENCES organisations (id),
    referrer_sector     TEXT NOT NULL,
    subject_id          INTEGER REFERENCES case_subjects (id),
    details             TEXT NOT NULL,
    marking             INTEGER NOT NULL,
    submitted_at        TIMESTAMP,
    triage_due_at       TIMESTAMP,
    triage_outcome      TEXT NOT NULL DEFAULT '',
    triage_reason       TEXT NOT NULL DEFAULT '',
    signpost_service    TEXT NOT NULL DEFAULT '',
    reasonable_grounds  TEXT NOT NULL DEFAULT '',
    triage_rationale    TEXT NOT NULL DEFAULT '',
    triaged_by          INTEGER REFERENCES people (id),
    triaged_at          TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX referrals_partnership ON referrals (partnership_id, state, id);
CREATE INDEX referrals_list ON referrals (partnership_id, id);
CREATE INDEX referrals_author ON referrals (author_id, state);
CREATE INDEX referrals_subject ON referrals (subject_id);

CREATE TABLE referral_concern_types (
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    code        TEXT NOT NULL,
    PRIMARY KEY (referral_id, code)
);

-- People assigned to a case (need-to-know): the triaging officer, coordinator, panel members, providers.
CREATE TABLE case_assignments (
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    role        TEXT NOT NULL,
    assigned_at TIMESTAMP NOT NULL,
    PRIMARY KEY (referral_id, person_id, role)
);
CREATE INDEX case_assignments_person ON case_assignments (person_id, referral_id);

-- Possible repeat referrals found on submission, each decided by a person: never merged automatically.
CREATE TABLE referral_matches (
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    subject_id  INTEGER NOT NULL REFERENCES case_subjects (id),
    basis       TEXT NOT NULL,
    decision    TEXT NOT NULL DEFAULT 'pending',
    decided_by  INTEGER REFERENCES people (id),
    decided_at  TIMESTAMP,
    PRIMARY KEY (referral_id, subject_id)
);

-- Police deconfliction results: restricted notes, readable by police officers with clearance for the marking.
CREATE TABLE deconfliction_notes (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    result      TEXT NOT NULL,
    note        TEXT NOT NULL,
    marking     INTEGER NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES people (id),
    author_org  INTEGER NOT NULL REFERENCES organisations (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX deconfliction_notes_referral ON deconfliction_notes (referral_id);

-- Screening information requests to partner organisations and their answers.
CREATE TABLE information_requests (
    id             INTEGER PRIMARY KEY,
    referral_id    INTEGER NOT NULL REFERENCES referrals (id),
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    to_org_id      INTEGER NOT NULL REFERENCES organisations (id),
    asked          TEXT NOT NULL,
    why            TEXT NOT NULL,
    due_at         TIMESTAMP NOT NULL,
    requested_by   INTEGER NOT NULL REFERENCES people (id),
    requested_at   TIMESTAMP NOT NULL,
    answer         TEXT NOT NULL DEFAULT '',
    answered_by    INTEGER REFERENCES people (id),
    answered_at    TIMESTAMP
);
CREATE INDEX information_requests_referral ON information_requests (referral_id);
CREATE INDEX information_requests_org ON information_requests (to_org_id, answered_at);

-- The case timeline, written in the same transaction as each change.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    at          TIMESTAMP NOT NULL,
    actor_id    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX case_events_referral ON case_events (referral_id, id);

-- +goose Down
DROP TABLE case_events;
DROP TABLE information_requests;
DROP TABLE deconfliction_notes;
DROP TABLE referral_matches;
DROP TABLE case_assignments;
DROP TABLE referral_concern_types;
DROP TABLE referrals;
DROP TABLE referral_counters;
DROP TABLE case_subjects;
DROP TABLE bank_holidays;
DROP TABLE case_reference;

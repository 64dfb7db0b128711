-- +goose Up
-- Types of concern, by the eras of the Home Office's published Prevent statistics. valid_to is exclusive.
INSERT INTO case_reference (list, code, version, label, valid_from, valid_to, sort) VALUES
('concern_type', 'islamist', 1, 'Islamist', '2015-04-01', NULL, 10),
('concern_type', 'extreme_right_wing', 1, 'Extreme Right-Wing', '2015-04-01', NULL, 20),
('concern_type', 'unspecified', 1, 'Unspecified', '2015-04-01', '2016-04-01', 90),
('concern_type', 'mixed_unclear_unstable', 1, 'Mixed, unclear or unstable', '2016-04-01', '2021-04-01', 30),
('concern_type', 'left_wing', 1, 'Left Wing', '2016-04-01', '2021-04-01', 40),
('concern_type', 'left_wing', 2, 'Left Wing / Anarchist / Single issue', '2021-04-01', '2024-04-01', 40),
('concern_type', 'left_wing', 3, 'Left-wing', '2024-04-01', NULL, 40),
('concern_type', 'conflicted', 1, 'Conflicted', '2021-04-01', '2024-04-01', 50),
('concern_type', 'school_massacre', 1, 'School Massacre', '2021-04-01', '2024-04-01', 51),
('concern_type', 'incel', 1, 'Incel', '2021-04-01', '2024-04-01', 52),
('concern_type', 'vulnerability_no_ideology', 1, 'Vulnerability present but no ideology or CT risk', '2021-04-01', '2024-04-01', 53),
('concern_type', 'high_risk_no_ideology', 1, 'High CT risk but no ideology present', '2021-04-01', '2024-04-01', 54),
('concern_type', 'no_risk_no_ideology', 1, 'No risk, vulnerability or ideology present', '2021-04-01', '2024-04-01', 55),
('concern_type', 'no_ideology', 1, 'No ideology identified', '2024-04-01', NULL, 60),
('concern_type', 'no_ideology_susceptible', 1, 'No ideology – other susceptibility to radicalisation identified', '2024-04-01', NULL, 61),
('concern_type', 'extreme_violence', 1, 'Fascination with extreme violence or mass casualty attacks (where no other ideology)', '2024-04-01', NULL, 62),
('concern_type', 'multiple_conflicted', 1, 'Multiple or conflicted ideologies (none dominant)', '2024-04-01', NULL, 63),
('concern_type', 'other', 1, 'Other', '2015-04-01', NULL, 99);

-- Reasons for closing a referral with no further action after police triage or screening.
INSERT INTO case_reference (list, code, version, label, valid_from, valid_to, sort) VALUES
('triage_reason', 'not_ct_related', 1, 'Not related to terrorism or radicalisation', '2015-04-01', NULL, 10),
('triage_reason', 'context_explains', 1, 'Innocent comment, or the context explains the concern', '2015-04-01', NULL, 20),
('triage_reason', 'misinformed', 1, 'Referral based on misinformation or a misunderstanding', '2015-04-01', NULL, 30),
('triage_reason', 'malicious', 1, 'Malicious or misguided referral', '2015-04-01', NULL, 40),
('triage_reason', 'support_in_place', 1, 'Needs already met by support in place', '2015-04-01', NULL, 50);

-- Services a referral may be signposted to.
INSERT INTO case_reference (list, code, version, label, valid_from, valid_to, sort) VALUES
('signpost_service', 'mash', 1, 'Multi-Agency Safeguarding Hub (MASH)', '2015-04-01', NULL, 10),
('signpost_service', 'early_help', 1, 'Early Help', '2015-04-01', NULL, 20),
('signpost_service', 'childrens_social_care', 1, 'Children’s social care', '2015-04-01', NULL, 30),
('signpost_service', 'adult_social_care', 1, 'Adult social care', '2015-04-01', NULL, 40),
('signpost_service', 'camhs', 1, 'Children and young people’s mental health services (CAMHS)', '2015-04-01', NULL, 50),
('signpost_service', 'adult_mental_health', 1, 'Adult mental health services', '2015-04-01', NULL, 60),
('signpost_service', 'gp', 1, 'GP or primary care', '2015-04-01', NULL, 70),
('signpost_service', 'school_support', 1, 'Support at school or college', '2015-04-01', NULL, 80),
('signpost_service', 'youth_justice', 1, 'Youth justice service', '2015-04-01', NULL, 90),
('signpost_service', 'substance_misuse', 1, 'Substance misuse service', '2015-04-01', NULL, 100),
('signpost_service', 'housing', 1, 'Housing', '2015-04-01', NULL, 110),
('signpost_service', 'other', 1, 'Other service', '2015-04-01', NULL, 999);

-- Pathway outcomes, the journey categories the statistics count.
INSERT INTO case_reference (list, code, version, label, valid_from, valid_to, sort) VALUES
('exit_outcome', 'NFA', 1, 'No further action', '2015-04-01', NULL, 10),
('exit_outcome', 'SIGNPOSTED', 1, 'Signposted to other services', '2015-04-01', NULL, 20),
('exit_outcome', 'DISCUSSED_AT_PANEL', 1, 'Discussed at a Channel panel', '2015-04-01', NULL, 30),
('exit_outcome', 'ADOPTED', 1, 'Adopted as a Channel case', '2015-04-01', NULL, 40),
('exit_outcome', 'NOT_ADOPTED', 1, 'Discussed but not adopted', '2015-04-01', NULL, 50),
('exit_outcome', 'POLICE_LED', 1, 'Managed by the police outside Channel', '2015-04-01', NULL, 60),
('exit_outcome', 'EXIT_NO_CONCERNS', 1, 'Left Channel with no further terrorism-related concerns', '2015-04-01', NULL, 70),
('exit_outcome', 'EXIT_CONCERNS_REFERRED', 1, 'Left Channel with concerns remaining, referred to other services or the police', '2015-04-01', NULL, 80),
('exit_outcome', 'EXIT_CONSENT_WITHDRAWN', 1, 'Left Channel because consent was withdrawn', '2015-04-01', NULL, 90),
('exit_outcome', 'REOPENED', 1, 'Reopened after a post-exit review', '2015-04-01', NULL, 100);

-- Intervention types: the 2009 list and current practice (2020 Channel duty guidance onwards).
INSERT INTO case_reference (list, code, version, label, valid_from, valid_to, sort) VALUES
('intervention_type', 'MENTORING_COUNSELLING', 1, 'Mentoring or counselling', '2009-01-01', NULL, 10),
('intervention_type', 'THEOLOGICAL_GUIDANCE', 1, 'Theological guidance', '2009-01-01', NULL, 20),
('intervention_type', 'EDUCATIONAL', 1, 'Educational (cultural, ethical, religious, vocational, employment)', '2009-01-01', NULL, 30),
('intervention_type', 'CIVIC_ENGAGEMENT', 1, 'Civic engagement (political or community engagement, volunteering, human rights, social justice)', '2009-01-01', NULL, 40),
('intervention_type', 'FAMILY_AND_PEER_NETWORK_SUPPORT', 1, 'Family and peer network support', '2009-01-01', NULL, 50),
('intervention_type', 'EDUCATION_OR_CAREERS_ADVICE', 1, 'Education or careers advice', '2020-11-02', NULL, 60),
('intervention_type', 'MENTAL_EMOTIONAL_HEALTH', 1, 'Mental or emotional health support', '2020-11-02', NULL, 70),
('intervention_type', 'SUBSTANCE_MISUSE', 1, 'Substance misuse support', '2020-11-02', NULL, 80),
('intervention_type', 'ONLINE_SAFETY_FOR_PARENTS', 1, 'Online safety for parents', '2020-11-02', NULL, 90),
('intervention_type', 'SPECIALIST_IP_MENTORING', 1, 'Specialist ideological or theological mentoring (Intervention Provider)', '2020-11-02', NULL, 100),
('intervention_type', 'HOUSING', 1, 'Housing support', '2020-11-02', NULL, 110),
('intervention_type', 'EMPLOYMENT', 1, 'Employment support', '2020-11-02', NULL, 120),
('intervention_type', 'DIVERSIONARY', 1, 'Diversionary activity (for example sport)', '2020-11-02', NULL, 130),
('intervention_type', 'SUPPORT_AT_SCHOOL_OR_WORK', 1, 'Support at school or in the workplace', '2020-11-02', NULL, 140),
('intervention_type', 'MENTAL_HEALTH_KEY_WORKER', 1, 'Mental health key worker or doctor', '2020-11-02', NULL, 150);

-- Bank holidays in England and Wales, 2025 to 2027 (GOV.UK).
INSERT INTO bank_holidays (day, name) VALUES
('2025-01-01', 'New Year’s Day'), ('2025-04-18', 'Good Friday'), ('2025-04-21', 'Easter Monday'),
('2025-05-05', 'Early May bank holiday'), ('2025-05-26', 'Spring bank holiday'), ('2025-08-25', 'Summer bank holiday'),
('2025-12-25', 'Christmas Day'), ('2025-12-26', 'Boxing Day'),
('2026-01-01', 'New Year’s Day'), ('2026-04-03', 'Good Friday'), ('2026-04-06', 'Easter Monday'),
('2026-05-04', 'Early May bank holiday'), ('2026-05-25', 'Spring bank holiday'), ('2026-08-31', 'Summer bank holiday'),
('2026-12-25', 'Christmas Day'), ('2026-12-28', 'Boxing Day (substitute day)'),
('2027-01-01', 'New Year’s Day'), ('2027-03-26', 'Good Friday'), ('2027-03-29', 'Easter Monday'),
('2027-05-03', 'Early May bank holiday'), ('2027-05-31', 'Spring bank holiday'), ('2027-08-30', 'Summer bank holiday'),
('2027-12-27', 'Christmas Day (substitute day)'), ('2027-12-28', 'Boxing Day (substitute day)');

-- +goose Down
DELETE FROM bank_holidays;
DELETE FROM case_reference;

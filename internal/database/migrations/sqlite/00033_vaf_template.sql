-- +goose Up
-- The Vulnerability Assessment Framework (Channel, 2012): 22 factors in three domains. Each is
-- recorded as present, not present or unknown with evidence and source; the factors are never summed.
INSERT INTO assessment_templates (code, version, name, valid_from, valid_to) VALUES
('VAF', 1, 'Vulnerability Assessment Framework', '2012-10-23', NULL);

INSERT INTO assessment_template_items (template_code, template_version, item_no, domain, label) VALUES
('VAF', 1, 1, 'engagement', 'Feelings of grievance and injustice'),
('VAF', 1, 2, 'engagement', 'Feeling under threat'),
('VAF', 1, 3, 'engagement', 'A need for identity, meaning and belonging'),
('VAF', 1, 4, 'engagement', 'A desire for status'),
('VAF', 1, 5, 'engagement', 'A desire for excitement and adventure'),
('VAF', 1, 6, 'engagement', 'A need to dominate and control others'),
('VAF', 1, 7, 'engagement', 'Susceptibility to indoctrination'),
('VAF', 1, 8, 'engagement', 'A desire for political or moral change'),
('VAF', 1, 9, 'engagement', 'Opportunistic involvement'),
('VAF', 1, 10, 'engagement', 'Family or friends involvement in extremism'),
('VAF', 1, 11, 'engagement', 'Being at a transitional time of life'),
('VAF', 1, 12, 'engagement', 'Being influenced or controlled by a group'),
('VAF', 1, 13, 'engagement', 'Relevant mental health issues'),
('VAF', 1, 14, 'intent', 'Over-identification with a group or ideology'),
('VAF', 1, 15, 'intent', '‘Them and Us’ thinking'),
('VAF', 1, 16, 'intent', 'Dehumanisation of the enemy'),
('VAF', 1, 17, 'intent', 'Attitudes that justify offending'),
('VAF', 1, 18, 'intent', 'Harmful means to an end'),
('VAF', 1, 19, 'intent', 'Harmful objectives'),
('VAF', 1, 20, 'capability', 'Individual knowledge, skills and competencies'),
('VAF', 1, 21, 'capability', 'Access to networks, funding or equipment'),
('VAF', 1, 22, 'capability', 'Criminal capability or history');

-- +goose Down
DELETE FROM assessment_template_items WHERE template_code = 'VAF';
DELETE FROM assessment_templates WHERE code = 'VAF';

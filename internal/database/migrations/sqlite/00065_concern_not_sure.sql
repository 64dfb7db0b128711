-- +goose Up
-- "Not sure" as a type of concern, for a referrer who cannot tell which type it is. It is chosen on its own
-- (not with other types), and the national returns count it as unclear. valid_to is exclusive.
INSERT INTO case_reference (list, code, version, label, valid_from, valid_to, sort) VALUES
('concern_type', 'not_sure', 1, 'Not sure', '2024-04-01', NULL, 100);

-- +goose Down
DELETE FROM case_reference WHERE list = 'concern_type' AND code = 'not_sure';

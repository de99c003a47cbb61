-- +goose Up
-- The time zone an agent reads and types times in (issue 10, point 6): an
-- IANA name such as Europe/Berlin; '' is the desk's zone.
ALTER TABLE agents ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE agents DROP COLUMN time_zone;

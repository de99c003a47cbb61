-- +goose Up
-- The language an agent chose for the interface ('de', 'en'); empty: the
-- browser's. Kept on the agent so the choice follows them to every device.
ALTER TABLE agents ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE agents DROP COLUMN language;

-- +goose Up
-- The columns an agent chose for queue views, as a comma-separated list of
-- desk.QueueColumns names in the order shown; '' is the default set.
ALTER TABLE agents ADD COLUMN queue_columns TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE agents DROP COLUMN queue_columns;

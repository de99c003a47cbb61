-- +goose Up
-- Time accounting: the minutes agents accounted on a ticket, all told
-- (each accounting is a TimeAccounting history entry).
ALTER TABLE tickets ADD COLUMN time_spent_minutes INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tickets DROP COLUMN time_spent_minutes;

-- +goose Up
-- SLAs are set invalid instead of deleted, like every object of the admin
-- interface: an inactive SLA promises nothing to new tickets (SLAFor
-- passes it over); tickets worked under it keep their deadlines.
ALTER TABLE slas ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;

-- +goose Down
ALTER TABLE slas DROP COLUMN active;

-- +goose Up
-- The core made ready for customers and integrations:
-- the reminder's due time in working time, as the workflow computes it, so
-- lists and notifications agree with the timer; who an integration spoke
-- for; integration tokens; and the content of a create request, so the
-- same key with another body is refused instead of silently replayed.
ALTER TABLE tickets ADD COLUMN reminder_due TIMESTAMPTZ;
CREATE INDEX tickets_reminder_due ON tickets (tenant_id, state, reminder_due);
ALTER TABLE ticket_history ADD COLUMN actor_via TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN integration TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_requests ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE ticket_requests DROP COLUMN fingerprint;
ALTER TABLE api_tokens DROP COLUMN integration;
ALTER TABLE ticket_history DROP COLUMN actor_via;
DROP INDEX tickets_reminder_due;
ALTER TABLE tickets DROP COLUMN reminder_due;

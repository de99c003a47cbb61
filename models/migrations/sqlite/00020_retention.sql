-- +goose Up
-- Retention (issue 11): per tenant, closed tickets are archived after some
-- time and anonymised after more (0 = never), in the policy's unit. One row per tenant; no row
-- is the same as 0 and 0, with the portal's reading window at 90 days.
CREATE TABLE retention_policies (
    id                   INTEGER PRIMARY KEY,
    tenant_id            BIGINT NOT NULL UNIQUE REFERENCES tenants(id),
    archive_after   INTEGER NOT NULL DEFAULT 0,
    anonymise_after INTEGER NOT NULL DEFAULT 0,
    anonymise_mode       TEXT NOT NULL DEFAULT 'pseudonymise',
    -- How long customers see a ticket in the portal after it closed.
    portal_read     INTEGER NOT NULL DEFAULT 90,
    -- The unit of the three periods: days as a rule; hours or minutes
    -- where a deployment (or a demonstration) needs them shorter.
    period_unit     TEXT NOT NULL DEFAULT 'days',
    created_at           DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

ALTER TABLE tickets ADD COLUMN archived_at DATETIME;
ALTER TABLE tickets ADD COLUMN anonymised_at DATETIME;
CREATE INDEX tickets_retention ON tickets (closed_at, id) WHERE closed_at IS NOT NULL AND anonymised_at IS NULL;

-- History stays append-only, with one exception an auditor can follow:
-- the personal data of an entry or article may be rewritten once a later
-- 'Anonymised' entry of the same ticket exists, which records the hash of
-- the content before and after (see models.VerifyHistory). Everything else
-- of the row stays as it was.
DROP TRIGGER ticket_history_no_update;
-- +goose StatementBegin
CREATE TRIGGER ticket_history_no_update BEFORE UPDATE ON ticket_history
WHEN NOT (new.id IS old.id AND new.ticket_id IS old.ticket_id AND new.seq IS old.seq AND new.event IS old.event
    AND new.actor_kind IS old.actor_kind AND new.actor_id IS old.actor_id AND new.actor_via IS old.actor_via
    AND new.field IS old.field AND new.article_id IS old.article_id AND new.created_at IS old.created_at
    AND new.prev_hash IS old.prev_hash AND new.hash IS old.hash AND new.key_id IS old.key_id
    AND EXISTS (SELECT 1 FROM ticket_history a WHERE a.ticket_id = old.ticket_id AND a.event = 'Anonymised' AND a.seq > old.seq))
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: UPDATE on ticket_history refused');
END;
-- +goose StatementEnd

DROP TRIGGER articles_no_update;
-- +goose StatementBegin
CREATE TRIGGER articles_no_update BEFORE UPDATE ON articles
WHEN NOT (new.id IS old.id AND new.ticket_id IS old.ticket_id AND new.seq IS old.seq AND new.kind IS old.kind
    AND new.customer_visible IS old.customer_visible AND new.created_at IS old.created_at
    AND EXISTS (SELECT 1 FROM ticket_history a WHERE a.ticket_id = old.ticket_id AND a.event = 'Anonymised' AND a.seq > old.seq))
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: UPDATE on articles refused');
END;
-- +goose StatementEnd

-- The search index follows an anonymised article.
-- +goose StatementBegin
CREATE TRIGGER articles_fts_update AFTER UPDATE OF subject, body ON articles
BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, subject, body) VALUES ('delete', old.id, old.subject, old.body);
    INSERT INTO articles_fts(rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER articles_fts_update;
DROP TRIGGER articles_no_update;
-- +goose StatementBegin
CREATE TRIGGER articles_no_update BEFORE UPDATE ON articles
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: UPDATE on articles refused');
END;
-- +goose StatementEnd
DROP TRIGGER ticket_history_no_update;
-- +goose StatementBegin
CREATE TRIGGER ticket_history_no_update BEFORE UPDATE ON ticket_history
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: UPDATE on ticket_history refused');
END;
-- +goose StatementEnd
DROP INDEX tickets_retention;
ALTER TABLE tickets DROP COLUMN anonymised_at;
ALTER TABLE tickets DROP COLUMN archived_at;
DROP TABLE retention_policies;

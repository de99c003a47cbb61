-- +goose Up
-- Retention (issue 11): per tenant, closed tickets are archived after some
-- time and anonymised after more (0 = never), in the policy's unit. One row per tenant; no row
-- is the same as 0 and 0, with the portal's reading window at 90 days.
CREATE TABLE retention_policies (
    id                   BIGSERIAL PRIMARY KEY,
    tenant_id            BIGINT NOT NULL UNIQUE REFERENCES tenants(id),
    archive_after   INTEGER NOT NULL DEFAULT 0,
    anonymise_after INTEGER NOT NULL DEFAULT 0,
    anonymise_mode       TEXT NOT NULL DEFAULT 'pseudonymise',
    -- How long customers see a ticket in the portal after it closed.
    portal_read     INTEGER NOT NULL DEFAULT 90,
    -- The unit of the three periods: days as a rule; hours or minutes
    -- where a deployment (or a demonstration) needs them shorter.
    period_unit     TEXT NOT NULL DEFAULT 'days',
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE tickets ADD COLUMN archived_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN anonymised_at TIMESTAMPTZ;
CREATE INDEX tickets_retention ON tickets (closed_at, id) WHERE closed_at IS NOT NULL AND anonymised_at IS NULL;

-- History stays append-only, with one exception an auditor can follow:
-- the personal data of an entry or article may be rewritten once a later
-- 'Anonymised' entry of the same ticket exists, which records the hash of
-- the content before and after (see models.VerifyHistory). Everything else
-- of the row stays as it was; DELETE and TRUNCATE stay refused.
-- +goose StatementBegin
CREATE FUNCTION kizdesk_guard_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM ticket_history a
            WHERE a.ticket_id = OLD.ticket_id AND a.event = 'Anonymised' AND a.seq > OLD.seq) THEN
        -- Nested: PL/pgSQL does not promise to stop at the first false
        -- operand, and an article row has no event column.
        IF TG_TABLE_NAME = 'ticket_history' THEN
          IF (NEW.id, NEW.ticket_id, NEW.seq, NEW.event, NEW.actor_kind, NEW.actor_id, NEW.actor_via, NEW.field,
                 NEW.article_id, NEW.created_at, NEW.prev_hash, NEW.hash, NEW.key_id)
            IS NOT DISTINCT FROM (OLD.id, OLD.ticket_id, OLD.seq, OLD.event, OLD.actor_kind, OLD.actor_id, OLD.actor_via, OLD.field,
                 OLD.article_id, OLD.created_at, OLD.prev_hash, OLD.hash, OLD.key_id) THEN
            RETURN NEW;
          END IF;
        ELSIF TG_TABLE_NAME = 'articles' THEN
          IF (NEW.id, NEW.ticket_id, NEW.seq, NEW.kind, NEW.customer_visible, NEW.created_at)
            IS NOT DISTINCT FROM (OLD.id, OLD.ticket_id, OLD.seq, OLD.kind, OLD.customer_visible, OLD.created_at) THEN
            RETURN NEW;
          END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'ticket history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'History entries and articles are never changed; a correction is a new entry.';
END;
$$;
-- +goose StatementEnd

DROP TRIGGER ticket_history_append_only ON ticket_history;
CREATE TRIGGER ticket_history_append_only BEFORE UPDATE OR DELETE ON ticket_history
    FOR EACH ROW EXECUTE FUNCTION kizdesk_guard_history_change();
ALTER TABLE ticket_history ENABLE ALWAYS TRIGGER ticket_history_append_only;
DROP TRIGGER articles_append_only ON articles;
CREATE TRIGGER articles_append_only BEFORE UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION kizdesk_guard_history_change();
ALTER TABLE articles ENABLE ALWAYS TRIGGER articles_append_only;

-- +goose Down
DROP TRIGGER articles_append_only ON articles;
CREATE TRIGGER articles_append_only BEFORE UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION kizdesk_refuse_history_change();
ALTER TABLE articles ENABLE ALWAYS TRIGGER articles_append_only;
DROP TRIGGER ticket_history_append_only ON ticket_history;
CREATE TRIGGER ticket_history_append_only BEFORE UPDATE OR DELETE ON ticket_history
    FOR EACH ROW EXECUTE FUNCTION kizdesk_refuse_history_change();
ALTER TABLE ticket_history ENABLE ALWAYS TRIGGER ticket_history_append_only;
DROP FUNCTION kizdesk_guard_history_change();
DROP INDEX tickets_retention;
ALTER TABLE tickets DROP COLUMN anonymised_at;
ALTER TABLE tickets DROP COLUMN archived_at;
DROP TABLE retention_policies;

-- +goose Up
-- A ticket's history is evidence: once projected, its entries and the
-- articles they hash can be added to but never changed or removed, whoever
-- asks. Corrections are new history entries. The triggers are ENABLE ALWAYS,
-- so they fire in replica sessions (session_replication_role = replica) too;
-- only the tables' owner gets past them, by disabling them explicitly, and
-- `kizdesk audit verify` finds what was changed that way.

-- +goose StatementBegin
CREATE FUNCTION kizdesk_refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ticket history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING HINT = 'History entries and articles are never changed; a correction is a new entry.';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER ticket_history_append_only BEFORE UPDATE OR DELETE ON ticket_history
    FOR EACH ROW EXECUTE FUNCTION kizdesk_refuse_history_change();
CREATE TRIGGER ticket_history_no_truncate BEFORE TRUNCATE ON ticket_history
    FOR EACH STATEMENT EXECUTE FUNCTION kizdesk_refuse_history_change();
CREATE TRIGGER articles_append_only BEFORE UPDATE OR DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION kizdesk_refuse_history_change();
CREATE TRIGGER articles_no_truncate BEFORE TRUNCATE ON articles
    FOR EACH STATEMENT EXECUTE FUNCTION kizdesk_refuse_history_change();

ALTER TABLE ticket_history ENABLE ALWAYS TRIGGER ticket_history_append_only;
ALTER TABLE ticket_history ENABLE ALWAYS TRIGGER ticket_history_no_truncate;
ALTER TABLE articles ENABLE ALWAYS TRIGGER articles_append_only;
ALTER TABLE articles ENABLE ALWAYS TRIGGER articles_no_truncate;

-- +goose Down
DROP TRIGGER IF EXISTS articles_no_truncate ON articles;
DROP TRIGGER IF EXISTS articles_append_only ON articles;
DROP TRIGGER IF EXISTS ticket_history_no_truncate ON ticket_history;
DROP TRIGGER IF EXISTS ticket_history_append_only ON ticket_history;
DROP FUNCTION IF EXISTS kizdesk_refuse_history_change();

-- +goose Up
-- Mail going out (issue 8) is a mail_messages row too, direction 'out',
-- keyed by its Message-ID: written in the same transaction as the article
-- it carries (or the notification it tells), before anything is sent, so
-- a crash never loses it and never sends it under a second Message-ID.
-- A workflow per mail delivers it and keeps status, attempts and the last
-- error here, where the Outbox page and the ticket show them.
ALTER TABLE mail_messages ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_messages ADD COLUMN recipients TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_messages ADD COLUMN article_seq INTEGER;
ALTER TABLE mail_messages ADD COLUMN notification_id BIGINT REFERENCES notifications(id);
ALTER TABLE mail_messages ADD COLUMN agent_id BIGINT REFERENCES agents(id);
ALTER TABLE mail_messages ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_messages ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_messages ADD COLUMN sent_at TIMESTAMPTZ;
CREATE INDEX mail_messages_pending ON mail_messages (status, created_at) WHERE status = 'pending';
-- The daily limit of automatic answers per address.
CREATE INDEX mail_messages_auto ON mail_messages (tenant_id, kind, recipients, created_at) WHERE direction = 'out';

-- A notification is pending until its mails went out (sent), or failed /
-- skipped with the reason. Those raised before kizdesk sent mail stay
-- unsent, marked so.
ALTER TABLE notifications ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE notifications ADD COLUMN reason TEXT NOT NULL DEFAULT '';
UPDATE notifications SET status = 'skipped', reason = 'raised before kizdesk sent mail' WHERE sent_at IS NULL;
UPDATE notifications SET status = 'sent' WHERE sent_at IS NOT NULL;

-- Which notifications an agent wants by mail; no row = the kind's default.
CREATE TABLE agent_notify_prefs (
    agent_id BIGINT NOT NULL REFERENCES agents(id),
    kind     TEXT NOT NULL,
    mail     BOOLEAN NOT NULL,
    PRIMARY KEY (agent_id, kind)
);

-- Automatic answers per queue (queue_id 0: the tenant's default), kind
-- (new ticket, follow-up, rejected follow-up) and language; none = the
-- built-in text.
CREATE TABLE auto_responses (
    id         BIGSERIAL PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    queue_id   BIGINT NOT NULL DEFAULT 0,
    kind       TEXT NOT NULL,
    language   TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    UNIQUE (tenant_id, queue_id, kind, language)
);

-- The language a customer reads (portal, automatic answers); '' = unknown.
ALTER TABLE customers ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE customers DROP COLUMN language;
DROP TABLE auto_responses;
DROP TABLE agent_notify_prefs;
ALTER TABLE notifications DROP COLUMN reason;
ALTER TABLE notifications DROP COLUMN status;
DROP INDEX mail_messages_auto;
DROP INDEX mail_messages_pending;
ALTER TABLE mail_messages DROP COLUMN sent_at;
ALTER TABLE mail_messages DROP COLUMN last_error;
ALTER TABLE mail_messages DROP COLUMN attempts;
ALTER TABLE mail_messages DROP COLUMN status;
ALTER TABLE mail_messages DROP COLUMN agent_id;
ALTER TABLE mail_messages DROP COLUMN notification_id;
ALTER TABLE mail_messages DROP COLUMN article_seq;
ALTER TABLE mail_messages DROP COLUMN recipients;
ALTER TABLE mail_messages DROP COLUMN kind;

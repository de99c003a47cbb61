-- +goose Up
-- Mail that came in (issue 8): each message once per tenant, by its
-- Message-ID (or a hash of the raw mail where it has none), with the
-- ticket it went to — a re-delivered mail finds its row and adds nothing,
-- and a reply's In-Reply-To/References find the ticket. The raw mail is
-- kept as it arrived.
CREATE TABLE mail_messages (
    id            BIGSERIAL PRIMARY KEY,
    tenant_id     BIGINT NOT NULL REFERENCES tenants(id),
    direction     TEXT NOT NULL,
    message_key   TEXT NOT NULL,
    ticket_number TEXT NOT NULL DEFAULT '',
    outcome       TEXT NOT NULL,
    sender        TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL DEFAULT '',
    auto_kind     TEXT NOT NULL DEFAULT '',
    raw           BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, direction, message_key)
);
CREATE INDEX mail_messages_ticket ON mail_messages (tenant_id, ticket_number);

-- Mail that could not be read (too large, broken headers, a part bomb):
-- kept raw with the reason, never lost, never crashing the gateway.
CREATE TABLE mail_quarantine (
    id         BIGSERIAL PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    reason     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    raw        BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX mail_quarantine_tenant ON mail_quarantine (tenant_id, created_at);

-- Attachments are stored once, by the SHA-256 of their content.
CREATE TABLE attachments (
    sha256       TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE mail_attachments (
    mail_id      BIGINT NOT NULL REFERENCES mail_messages(id),
    seq          INTEGER NOT NULL,
    sha256       TEXT NOT NULL REFERENCES attachments(sha256),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    inline       BOOLEAN NOT NULL DEFAULT FALSE,
    content_id   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (mail_id, seq)
);

-- The address a queue receives mail at (routing: recipient → queue).
ALTER TABLE queues ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE queues DROP COLUMN email;
DROP TABLE mail_attachments;
DROP TABLE attachments;
DROP TABLE mail_quarantine;
DROP TABLE mail_messages;

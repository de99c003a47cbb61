-- +goose Up
-- The lifecycle (process v2): owner and responsible, lock, pending time,
-- SLA due times and results for reports, merges, watchers, links,
-- notifications, and the calendars and SLAs that tickets are worked under.
ALTER TABLE tickets ADD COLUMN responsible_id BIGINT REFERENCES agents(id);
ALTER TABLE tickets ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tickets ADD COLUMN pending_until DATETIME;
ALTER TABLE tickets ADD COLUMN merged_into TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN sla_name TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN first_response_due DATETIME;
ALTER TABLE tickets ADD COLUMN update_due DATETIME;
ALTER TABLE tickets ADD COLUMN solution_due DATETIME;
ALTER TABLE tickets ADD COLUMN escalation_due DATETIME;
ALTER TABLE tickets ADD COLUMN first_response_at DATETIME;
ALTER TABLE tickets ADD COLUMN first_response_seconds BIGINT;
ALTER TABLE tickets ADD COLUMN solution_seconds BIGINT;
ALTER TABLE tickets ADD COLUMN first_response_breached BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tickets ADD COLUMN update_breached BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tickets ADD COLUMN solution_breached BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tickets ADD COLUMN escalated_at DATETIME;
CREATE INDEX tickets_pending ON tickets (tenant_id, state, pending_until);

ALTER TABLE queues ADD COLUMN follow_up_days INTEGER NOT NULL DEFAULT 7;

CREATE TABLE ticket_watchers (
    ticket_id BIGINT NOT NULL REFERENCES tickets(id),
    agent_id  BIGINT NOT NULL REFERENCES agents(id),
    PRIMARY KEY (ticket_id, agent_id)
);

-- Links are stored once per pair, the smaller number first.
CREATE TABLE ticket_links (
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    a_number   TEXT NOT NULL,
    b_number   TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (tenant_id, a_number, b_number)
);
CREATE INDEX ticket_links_b ON ticket_links (tenant_id, b_number);

-- Notifications raised by the lifecycle (escalation, SLA warning and
-- breach, reminder, follow-up) for a queue or an agent; a notifier sends
-- them and sets sent_at.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    queue_id   BIGINT REFERENCES queues(id),
    agent_id   BIGINT REFERENCES agents(id),
    created_at DATETIME NOT NULL,
    sent_at    DATETIME,
    UNIQUE (ticket_id, seq)
);
CREATE INDEX notifications_unsent ON notifications (sent_at, created_at);

CREATE TABLE calendars (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    location   TEXT NOT NULL,
    week       TEXT NOT NULL,
    holidays   TEXT NOT NULL DEFAULT '',
    UNIQUE (tenant_id, name)
);

-- An SLA promises targets for tickets of a service (and, when priority_id
-- is set, of that priority only), counted on a calendar. Minutes of 0 mean
-- no target.
CREATE TABLE slas (
    id                     INTEGER PRIMARY KEY,
    tenant_id              BIGINT NOT NULL REFERENCES tenants(id),
    name                   TEXT NOT NULL,
    service_id             BIGINT NOT NULL REFERENCES services(id),
    priority_id            BIGINT REFERENCES priorities(id),
    calendar_id            BIGINT NOT NULL REFERENCES calendars(id),
    first_response_minutes INTEGER NOT NULL DEFAULT 0,
    update_minutes         INTEGER NOT NULL DEFAULT 0,
    solution_minutes       INTEGER NOT NULL DEFAULT 0,
    escalate_minutes       INTEGER NOT NULL DEFAULT 0,
    warn_percent           INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX slas_service_priority ON slas (service_id, COALESCE(priority_id, 0));

-- +goose Down
DROP TABLE slas;
DROP TABLE calendars;
DROP TABLE notifications;
DROP TABLE ticket_links;
DROP TABLE ticket_watchers;

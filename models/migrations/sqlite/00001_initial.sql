-- +goose Up
CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE queues (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    name       TEXT NOT NULL,
    level      TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, name)
);

CREATE TABLE services (
    id                    INTEGER PRIMARY KEY,
    tenant_id             BIGINT NOT NULL REFERENCES tenants(id),
    name                  TEXT NOT NULL,
    queue_id              BIGINT NOT NULL REFERENCES queues(id),
    second_level_queue_id BIGINT REFERENCES queues(id),
    created_at            DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, name)
);

CREATE TABLE ticket_types (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE priorities (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    rank INTEGER NOT NULL UNIQUE
);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    tenant_id     BIGINT NOT NULL REFERENCES tenants(id),
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    role          TEXT NOT NULL,
    team          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    login      TEXT NOT NULL,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (tenant_id, login)
);

CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    number      TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    state       TEXT NOT NULL,
    level       TEXT NOT NULL,
    queue_id    BIGINT NOT NULL REFERENCES queues(id),
    service_id  BIGINT REFERENCES services(id),
    type_id     BIGINT NOT NULL REFERENCES ticket_types(id),
    priority_id BIGINT NOT NULL REFERENCES priorities(id),
    owner_id    BIGINT REFERENCES agents(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    channel     TEXT NOT NULL,
    last_seq    INTEGER NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    closed_at   DATETIME
);
CREATE INDEX tickets_queue_state ON tickets (queue_id, state, updated_at);
CREATE INDEX tickets_tenant_state ON tickets (tenant_id, state);
CREATE INDEX tickets_customer ON tickets (customer_id);

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    ticket_id        BIGINT NOT NULL REFERENCES tickets(id),
    seq              INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    customer_visible BOOLEAN NOT NULL,
    author           TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       DATETIME NOT NULL,
    UNIQUE (ticket_id, seq)
);

CREATE TABLE ticket_history (
    id         INTEGER PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    seq        INTEGER NOT NULL,
    event      TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    field      TEXT NOT NULL,
    old_value  TEXT NOT NULL,
    new_value  TEXT NOT NULL,
    article_id BIGINT REFERENCES articles(id),
    created_at DATETIME NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    UNIQUE (ticket_id, seq)
);

-- One row per day: the counter behind OTRS-style ticket numbers.
CREATE TABLE ticket_counters (
    day   TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE ticket_requests (
    tenant_id     BIGINT NOT NULL REFERENCES tenants(id),
    request_key   TEXT NOT NULL,
    ticket_number TEXT NOT NULL,
    created_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (tenant_id, request_key)
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at DATETIME
);

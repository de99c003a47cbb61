-- +goose Up
-- The customer portal (issue 9). Customers with a local account log in
-- with a password of their own (kiz accounts through the directory keep
-- password_hash empty); company_view lets a designated customer follow
-- the tickets of their company's customers too.
ALTER TABLE customers ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN company_view BOOLEAN NOT NULL DEFAULT FALSE;

-- A service is offered in the portal once it has a description in plain
-- words for customers; one per language.
ALTER TABLE services ADD COLUMN portal_description_de TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN portal_description_en TEXT NOT NULL DEFAULT '';

-- How many days after its close a ticket stays readable in the portal
-- (the reading window of the service description) is the tenant's
-- retention policy's (00020).

-- Customers' web sessions, kept apart from the agents' (web_sessions):
-- a customer's cookie can never be taken for an agent's, nor the other
-- way round. id is the SHA-256 of the cookie's token.
CREATE TABLE portal_sessions (
    id           TEXT PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    created_at   DATETIME NOT NULL,
    last_seen_at DATETIME NOT NULL,
    revoked_at   DATETIME
);
CREATE INDEX portal_sessions_customer ON portal_sessions (customer_id);
CREATE INDEX portal_sessions_created ON portal_sessions (created_at);

-- Password resets of local customer accounts: the link's token (its
-- SHA-256, as for sessions), valid until expires_at and once only.
CREATE TABLE portal_password_resets (
    id          TEXT PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    used_at     DATETIME
);
CREATE INDEX portal_password_resets_created ON portal_password_resets (created_at);

-- +goose Down
DROP TABLE portal_password_resets;
DROP TABLE portal_sessions;
ALTER TABLE services DROP COLUMN portal_description_en;
ALTER TABLE services DROP COLUMN portal_description_de;
ALTER TABLE customers DROP COLUMN company_view;
ALTER TABLE customers DROP COLUMN password_hash;

-- +goose Up
-- Server-side records of web sessions, so a logout or a deactivation ends a
-- session for good (a copied cookie no longer works); the forms a refusal
-- sends back to the agent, shown once after the redirect; and the login
-- attempts of the last minutes, which every web copy counts together.

-- id is the SHA-256 of the token the cookie carries, so the table alone
-- does not let anyone take over a session.
CREATE TABLE web_sessions (
    id           TEXT PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agents(id),
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX web_sessions_agent ON web_sessions (agent_id);
CREATE INDEX web_sessions_created ON web_sessions (created_at);

CREATE TABLE web_form_states (
    session_id TEXT NOT NULL REFERENCES web_sessions(id) ON DELETE CASCADE,
    form_key   TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, form_key)
);
CREATE INDEX web_form_states_created ON web_form_states (created_at);

-- login_key is the SHA-256 of the login as typed (trimmed, lower case):
-- what someone typed into the login field is not kept.
CREATE TABLE login_attempts (
    id         BIGSERIAL PRIMARY KEY,
    login_key  TEXT NOT NULL,
    client     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login_key, created_at);
CREATE INDEX login_attempts_client ON login_attempts (client, created_at);
CREATE INDEX login_attempts_created ON login_attempts (created_at);

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE web_form_states;
DROP TABLE web_sessions;

-- +goose Up
-- The knowledge base (issue 9): FAQ entries in German and English, in a
-- category that is a service of the catalogue (or none: general), in one
-- of three tiers (internal, customer, public) and a state (draft,
-- awaiting approval, published, withdrawn). The row holds the current
-- text; every save adds a version, which is never changed.
CREATE TABLE faq_entries (
    id           INTEGER PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants(id),
    service_id   BIGINT REFERENCES services(id),
    visibility   TEXT NOT NULL,
    state        TEXT NOT NULL,
    version      INTEGER NOT NULL,
    title_de     TEXT NOT NULL DEFAULT '',
    question_de  TEXT NOT NULL DEFAULT '',
    answer_de    TEXT NOT NULL DEFAULT '',
    title_en     TEXT NOT NULL DEFAULT '',
    question_en  TEXT NOT NULL DEFAULT '',
    answer_en    TEXT NOT NULL DEFAULT '',
    author_id    BIGINT NOT NULL REFERENCES agents(id),
    -- editor_id: who saved the current version; approval by anyone else.
    editor_id    BIGINT NOT NULL REFERENCES agents(id),
    approved_by  BIGINT REFERENCES agents(id),
    published_at DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX faq_entries_tenant ON faq_entries (tenant_id, state, visibility);

-- Full text: an FTS5 table over the entries (external content, the text
-- stored once), kept up by triggers, as 00014 does for articles. SQLite
-- has no German stemmer; porter with unicode61 folds umlauts and stems
-- English.
CREATE VIRTUAL TABLE faq_fts USING fts5(title_de, question_de, answer_de, title_en, question_en, answer_en,
    content='faq_entries', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');

-- +goose StatementBegin
CREATE TRIGGER faq_fts_insert AFTER INSERT ON faq_entries
BEGIN
    INSERT INTO faq_fts(rowid, title_de, question_de, answer_de, title_en, question_en, answer_en)
    VALUES (new.id, new.title_de, new.question_de, new.answer_de, new.title_en, new.question_en, new.answer_en);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER faq_fts_update AFTER UPDATE OF title_de, question_de, answer_de, title_en, question_en, answer_en ON faq_entries
BEGIN
    INSERT INTO faq_fts(faq_fts, rowid, title_de, question_de, answer_de, title_en, question_en, answer_en)
    VALUES ('delete', old.id, old.title_de, old.question_de, old.answer_de, old.title_en, old.question_en, old.answer_en);
    INSERT INTO faq_fts(rowid, title_de, question_de, answer_de, title_en, question_en, answer_en)
    VALUES (new.id, new.title_de, new.question_de, new.answer_de, new.title_en, new.question_en, new.answer_en);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER faq_fts_delete AFTER DELETE ON faq_entries
BEGIN
    INSERT INTO faq_fts(faq_fts, rowid, title_de, question_de, answer_de, title_en, question_en, answer_en)
    VALUES ('delete', old.id, old.title_de, old.question_de, old.answer_de, old.title_en, old.question_en, old.answer_en);
END;
-- +goose StatementEnd

CREATE TABLE faq_versions (
    faq_id      BIGINT NOT NULL REFERENCES faq_entries(id),
    version     INTEGER NOT NULL,
    agent_id    BIGINT NOT NULL REFERENCES agents(id),
    agent_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    service_id  BIGINT,
    visibility  TEXT NOT NULL,
    title_de    TEXT NOT NULL,
    question_de TEXT NOT NULL,
    answer_de   TEXT NOT NULL,
    title_en    TEXT NOT NULL,
    question_en TEXT NOT NULL,
    answer_en   TEXT NOT NULL,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (faq_id, version)
);

-- Links between FAQ entries and the tickets they came from or answer.
CREATE TABLE faq_tickets (
    faq_id     BIGINT NOT NULL REFERENCES faq_entries(id),
    ticket_id  BIGINT NOT NULL REFERENCES tickets(id),
    created_at DATETIME NOT NULL,
    PRIMARY KEY (faq_id, ticket_id)
);
CREATE INDEX faq_tickets_ticket ON faq_tickets (ticket_id);

-- Files of an entry; their content is stored once in attachments.
CREATE TABLE faq_attachments (
    faq_id       BIGINT NOT NULL REFERENCES faq_entries(id),
    seq          INTEGER NOT NULL,
    sha256       TEXT NOT NULL REFERENCES attachments(sha256),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (faq_id, seq)
);

-- A ticket not opened because an FAQ entry solved it: what reports count.
CREATE TABLE faq_deflections (
    id          INTEGER PRIMARY KEY,
    tenant_id   BIGINT NOT NULL REFERENCES tenants(id),
    faq_id      BIGINT NOT NULL REFERENCES faq_entries(id),
    customer_id BIGINT REFERENCES customers(id),
    service_id  BIGINT REFERENCES services(id),
    text        TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX faq_deflections_tenant ON faq_deflections (tenant_id, created_at);

-- What a role may do with FAQ entries beyond reading them: 'edit'
-- (write drafts) and 'publish' (approve, publish, withdraw). Admin roles
-- may do both without a row.
CREATE TABLE faq_role_permissions (
    role_id BIGINT NOT NULL REFERENCES roles(id),
    perm    TEXT NOT NULL,
    PRIMARY KEY (role_id, perm)
);

-- Where publishing needs a second agent's approval: service_id 0 for the
-- whole tenant, else a category and the services below it.
CREATE TABLE faq_approval_rules (
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id),
    service_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, service_id)
);

-- +goose Down
DROP TABLE faq_approval_rules;
DROP TABLE faq_role_permissions;
DROP TABLE faq_deflections;
DROP TABLE faq_attachments;
DROP TABLE faq_tickets;
DROP TABLE faq_versions;
DROP TRIGGER faq_fts_delete;
DROP TRIGGER faq_fts_update;
DROP TRIGGER faq_fts_insert;
DROP TABLE faq_fts;
DROP TABLE faq_entries;

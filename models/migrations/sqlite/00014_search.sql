-- +goose Up
-- Full-text search over what agents may read (issue 10): ticket titles and
-- article subjects and bodies. FTS5 tables over the rows themselves
-- (external content, so the text is stored once), kept up by triggers:
-- articles are only ever inserted, ticket titles change by UPDATE. SQLite
-- has no German stemmer; porter stems English and leaves most German
-- inflections (Druckers → drucker) close enough, and umlauts fold.
CREATE VIRTUAL TABLE articles_fts USING fts5(subject, body, content='articles', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE tickets_fts USING fts5(title, content='tickets', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2');
INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
BEGIN
    INSERT INTO articles_fts(rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO tickets_fts(rowid, title) VALUES (new.id, new.title);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF title ON tickets WHEN old.title IS NOT new.title
BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO tickets_fts(rowid, title) VALUES (new.id, new.title);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets
BEGIN
    INSERT INTO tickets_fts(tickets_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
-- +goose StatementEnd

-- A search without words is a filtered list, newest first.
CREATE INDEX tickets_tenant_created ON tickets (tenant_id, created_at, id);

-- An agent's saved searches: the search form's fields as a query string,
-- under a name of the agent's; only the agent sees them.
CREATE TABLE saved_searches (
    id         INTEGER PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id),
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    UNIQUE (agent_id, name)
);

-- +goose Down
DROP TABLE saved_searches;
DROP INDEX tickets_tenant_created;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER tickets_fts_update;
DROP TRIGGER tickets_fts_insert;
DROP TRIGGER articles_fts_insert;
DROP TABLE tickets_fts;
DROP TABLE articles_fts;

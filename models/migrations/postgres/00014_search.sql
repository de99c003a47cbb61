-- +goose Up
-- Full-text search over what agents may read (issue 10): ticket titles and
-- article subjects and bodies, in German and in English, since the kiz gets
-- both and a ticket does not say which it is. Generated columns and
-- expression indexes, so nothing has to be kept up by hand.
-- Articles keep their vectors stored (generated columns): ranking thousands
-- of hits would otherwise parse each article's text again per search (a
-- search over 5,000 tickets took 230 ms so, BenchmarkSearch). Titles are
-- short, their vectors computed on the fly.
ALTER TABLE articles ADD COLUMN search_de tsvector GENERATED ALWAYS AS (to_tsvector('german', subject || ' ' || body)) STORED;
ALTER TABLE articles ADD COLUMN search_en tsvector GENERATED ALWAYS AS (to_tsvector('english', subject || ' ' || body)) STORED;
CREATE INDEX articles_search_de ON articles USING GIN (search_de);
CREATE INDEX articles_search_en ON articles USING GIN (search_en);
CREATE INDEX tickets_search_de ON tickets USING GIN (to_tsvector('german', title));
CREATE INDEX tickets_search_en ON tickets USING GIN (to_tsvector('english', title));
-- A search without words is a filtered list, newest first.
CREATE INDEX tickets_tenant_created ON tickets (tenant_id, created_at, id);

-- An agent's saved searches: the search form's fields as a query string,
-- under a name of the agent's; only the agent sees them.
CREATE TABLE saved_searches (
    id         BIGSERIAL PRIMARY KEY,
    agent_id   BIGINT NOT NULL REFERENCES agents(id),
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (agent_id, name)
);

-- +goose Down
DROP TABLE saved_searches;
DROP INDEX tickets_tenant_created;
DROP INDEX tickets_search_en;
DROP INDEX tickets_search_de;
DROP INDEX articles_search_en;
DROP INDEX articles_search_de;
ALTER TABLE articles DROP COLUMN search_en;
ALTER TABLE articles DROP COLUMN search_de;

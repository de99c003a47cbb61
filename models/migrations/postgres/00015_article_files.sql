-- +goose Up
-- Files attached to an article by an agent (reply, note, phone ticket) or
-- a customer in the portal. The content is in attachments, stored once by
-- its SHA-256 before the ticket's workflow is asked; the row here is
-- written with the article in the projection's transaction, and the
-- article's history hash covers name, type, size and SHA-256.
CREATE TABLE article_files (
    article_id   BIGINT NOT NULL REFERENCES articles(id),
    seq          INTEGER NOT NULL,
    sha256       TEXT NOT NULL REFERENCES attachments(sha256),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    PRIMARY KEY (article_id, seq)
);
-- Working time the article's author spent on it, in minutes (also
-- accounted on the ticket by a TimeAccounting entry).
ALTER TABLE articles ADD COLUMN time_minutes INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE articles DROP COLUMN time_minutes;
DROP TABLE article_files;

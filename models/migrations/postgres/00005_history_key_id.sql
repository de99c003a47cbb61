-- +goose Up
-- History hashes are keyed (HMAC-SHA256 with an audit key kept outside the
-- database); each entry names the key it was hashed with, so keys can be
-- rotated. Entries written before have no key ID: `kizdesk audit verify`
-- reports them, as their plain SHA-256 anyone could have recomputed.
-- Adding a column rewrites no row, so the append-only triggers allow it.
ALTER TABLE ticket_history ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE ticket_history DROP COLUMN key_id;

-- +goose Up
-- A ticket's history is evidence: once projected, its entries and the
-- articles they hash can be added to but never changed or removed.
-- Corrections are new history entries. Whoever drops these triggers to get
-- past them is found by `kizdesk audit verify`.

-- +goose StatementBegin
CREATE TRIGGER ticket_history_no_update BEFORE UPDATE ON ticket_history
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: UPDATE on ticket_history refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER ticket_history_no_delete BEFORE DELETE ON ticket_history
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: DELETE on ticket_history refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER articles_no_update BEFORE UPDATE ON articles
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: UPDATE on articles refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER articles_no_delete BEFORE DELETE ON articles
BEGIN
    SELECT RAISE(ABORT, 'ticket history is append-only: DELETE on articles refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER IF EXISTS articles_no_delete;
DROP TRIGGER IF EXISTS articles_no_update;
DROP TRIGGER IF EXISTS ticket_history_no_delete;
DROP TRIGGER IF EXISTS ticket_history_no_update;

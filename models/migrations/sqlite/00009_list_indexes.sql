-- +goose Up
-- Indexes for lists over a million tickets (issue 12; measured with
-- `kizdesk gen-tickets` and BenchmarkScale).
--
-- A queue page shows the open tickets of one queue, the highest priority
-- first, then the oldest. This index holds only open tickets (about one in
-- ten) per queue and priority in that order, so each priority's part of the
-- page is a walk along the index that stops after the page
-- (TicketsInQueue asks once per priority: the rank lives in priorities);
-- (created_at, id) is also the key a page continues after.
CREATE INDEX tickets_queue_open ON tickets (queue_id, priority_id, created_at, id)
    WHERE state IN ('new', 'open', 'pending reminder', 'pending auto close+', 'pending auto close-');

-- The queue overview counts open tickets per queue and state: with
-- queue_id in the index the count is an index-only scan. It replaces the
-- index on (tenant_id, state), which it starts with.
CREATE INDEX tickets_tenant_state_queue ON tickets (tenant_id, state, queue_id);
DROP INDEX tickets_tenant_state;

-- The reminders list is ordered by due time and then id: with id in the
-- index the list is read in order and stops after the page, instead of
-- sorting every reminder that is due.
CREATE INDEX tickets_reminders ON tickets (tenant_id, state, reminder_due, id);
DROP INDEX tickets_reminder_due;

-- The zoom lists the tickets merged into the one shown; without an index
-- that was a scan of every ticket.
CREATE INDEX tickets_merged_into ON tickets (merged_into);

-- +goose Down
DROP INDEX tickets_merged_into;
CREATE INDEX tickets_reminder_due ON tickets (tenant_id, state, reminder_due);
DROP INDEX tickets_reminders;
CREATE INDEX tickets_tenant_state ON tickets (tenant_id, state);
DROP INDEX tickets_tenant_state_queue;
DROP INDEX tickets_queue_open;

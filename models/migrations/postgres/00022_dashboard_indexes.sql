-- +goose Up
-- Indexes for the agent's dashboard at 100,000 tickets (issue 12; measured
-- with `kizdesk gen-tickets` and BenchmarkPages). Each holds open tickets
-- only, and only those a widget asks for, so each is small; without them
-- every widget read the rows of all open tickets to keep a few.
--
-- The SLA widget asks for the open tickets with a breached clock, the
-- oldest first, and for each clock the open tickets whose clock is not
-- breached, by due time (models.SLACandidates): each index holds one of
-- these lists in that order, and the query stops after its limit.
CREATE INDEX tickets_sla_breached ON tickets (tenant_id, created_at, id)
    WHERE state IN ('new', 'open', 'pending reminder', 'pending auto close+', 'pending auto close-')
    AND (first_response_breached OR update_breached OR solution_breached);
CREATE INDEX tickets_sla_first_response ON tickets (tenant_id, first_response_due, id)
    WHERE state IN ('new', 'open', 'pending reminder', 'pending auto close+', 'pending auto close-')
    AND NOT first_response_breached;
CREATE INDEX tickets_sla_update ON tickets (tenant_id, update_due, id)
    WHERE state IN ('new', 'open', 'pending reminder', 'pending auto close+', 'pending auto close-')
    AND NOT update_breached;
CREATE INDEX tickets_sla_solution ON tickets (tenant_id, solution_due, id)
    WHERE state IN ('new', 'open', 'pending reminder', 'pending auto close+', 'pending auto close-')
    AND NOT solution_breached;

-- The agent's locked tickets (models.LockedBy), the least recently changed
-- first.
CREATE INDEX tickets_locked ON tickets (owner_id, updated_at, id)
    WHERE locked AND state IN ('new', 'open', 'pending reminder', 'pending auto close+', 'pending auto close-');

-- The queue tree counts open tickets per queue, service and state
-- (models.ServiceCounts): with service_id in the index that count is an
-- index-only scan, as the queue overview's per queue and state is. It
-- replaces the index on (tenant_id, state, queue_id), which it starts
-- with.
CREATE INDEX tickets_tenant_state_queue_service ON tickets (tenant_id, state, queue_id, service_id);
DROP INDEX tickets_tenant_state_queue;

-- +goose Down
CREATE INDEX tickets_tenant_state_queue ON tickets (tenant_id, state, queue_id);
DROP INDEX tickets_tenant_state_queue_service;
DROP INDEX tickets_locked;
DROP INDEX tickets_sla_solution;
DROP INDEX tickets_sla_update;
DROP INDEX tickets_sla_first_response;
DROP INDEX tickets_sla_breached;

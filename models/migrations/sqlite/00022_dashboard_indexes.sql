-- +goose Up
-- Indexes for the agent's dashboard at 100,000 tickets (issue 12; measured
-- with `kizdesk gen-tickets` and BenchmarkPages).
--
-- PostgreSQL gets partial indexes over open tickets for the SLA widget and
-- the locked tickets here; SQLite cannot use them, as it takes a partial
-- index only where the query's own constants imply the index's condition,
-- and the desk binds the open states as parameters ("no query solution"
-- when told to use one).
--
-- The queue tree counts open tickets per queue, service and state
-- (models.ServiceCounts): with service_id in the index that count reads
-- the index only, as the queue overview's per queue and state does. It
-- replaces the index on (tenant_id, state, queue_id), which it starts
-- with.
CREATE INDEX tickets_tenant_state_queue_service ON tickets (tenant_id, state, queue_id, service_id);
DROP INDEX tickets_tenant_state_queue;

-- +goose Down
CREATE INDEX tickets_tenant_state_queue ON tickets (tenant_id, state, queue_id);
DROP INDEX tickets_tenant_state_queue_service;

-- +goose Up
-- Reports (issue 11). A role may be allowed to see reports: its agents
-- get reports over the queues they read (admins always may).
ALTER TABLE roles ADD COLUMN reports BOOLEAN NOT NULL DEFAULT FALSE;

-- A report definition mailed on a schedule: the Temporal schedule
-- report-<id> starts the ReportMail workflow, which renders it for each
-- recipient with that agent's own permissions.
CREATE TABLE report_schedules (
    id           BIGSERIAL PRIMARY KEY,
    tenant_id    BIGINT NOT NULL REFERENCES tenants(id),
    agent_id     BIGINT NOT NULL REFERENCES agents(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    group_by     TEXT NOT NULL,
    granularity  TEXT NOT NULL,
    period_days  INTEGER NOT NULL,
    format       TEXT NOT NULL,
    cron         TEXT NOT NULL,
    recipients   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX report_schedules_tenant ON report_schedules (tenant_id);

-- Volume reports count tickets created and closed in a period: both are
-- range scans on these (measured with BenchmarkReports at 1,000,000
-- tickets, see README).
CREATE INDEX tickets_report_created ON tickets (tenant_id, created_at);
CREATE INDEX tickets_report_closed ON tickets (tenant_id, closed_at);
-- Escalations and reopens are history entries of one event in a period.
CREATE INDEX ticket_history_report ON ticket_history (event, created_at);

-- +goose Down
DROP INDEX ticket_history_report;
DROP INDEX tickets_report_closed;
DROP INDEX tickets_report_created;
DROP TABLE report_schedules;
ALTER TABLE roles DROP COLUMN reports;

package desk_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// BenchmarkReports times the main reports over 1,000,000 tickets (two
// years, 20 services, 10 queues, 50 owners, a tenth open, 100,000
// escalations and 50,000 reopens in the history) on PostgreSQL. Loading
// takes a while, so it runs only with KIZDESK_BENCH_REPORTS=1 (and
// KIZDESK_TEST_DATABASE_URL):
//
//	KIZDESK_BENCH_REPORTS=1 KIZDESK_TEST_DATABASE_URL=postgres://… \
//	  go test -run '^$' -bench BenchmarkReports -benchtime 3x ./desk/
func BenchmarkReports(b *testing.B) {
	if os.Getenv("KIZDESK_BENCH_REPORTS") != "1" {
		b.Skip("set KIZDESK_BENCH_REPORTS=1 to load 1,000,000 tickets into PostgreSQL and time the reports")
	}
	db := dbtest.Open(b, "postgres")
	f := dbtest.Seed(b, db, "x")
	ids := func(table, col string, n int, row func(i int) string) string {
		b.Helper()
		var out []string
		for i := range n {
			var id int64
			if err := db.Raw(fmt.Sprintf("INSERT INTO %s %s RETURNING id", table, row(i))).Scan(&id).Error; err != nil {
				b.Fatal(err)
			}
			out = append(out, fmt.Sprint(id))
		}
		return "ARRAY[" + strings.Join(out, ",") + "]::bigint[]"
	}
	queues := ids("queues", "id", 10, func(i int) string {
		return fmt.Sprintf("(tenant_id, name, level) VALUES (%d, 'Queue %d', '1st level')", f.Tenant.ID, i)
	})
	services := ids("services", "id", 20, func(i int) string {
		return fmt.Sprintf("(tenant_id, name, queue_id) VALUES (%d, 'Service %d', %d)", f.Tenant.ID, i, f.Queue.ID)
	})
	agents := ids("agents", "id", 50, func(i int) string {
		return fmt.Sprintf("(tenant_id, login, name, email, password_hash, active) VALUES (%d, 'agent%d', 'Agent %d', '', '', true)", f.Tenant.ID, i, i)
	})
	start := time.Now()
	err := db.Exec(fmt.Sprintf(`INSERT INTO tickets (tenant_id, number, title, state, level, queue_id, service_id, type_id, priority_id,
 customer_id, channel, last_seq, created_at, updated_at, closed_at, owner_id, sla_name, first_response_seconds, solution_seconds,
 first_response_breached, solution_breached, time_spent_minutes)
SELECT %d, 'B' || g, 'Bench ' || g, CASE WHEN g %% 10 = 0 THEN 'open' ELSE 'closed successful' END, '1st level',
 (%s)[1 + g %% 10], (%s)[1 + g %% 20], %d, %d, %d, (ARRAY['phone','mail','portal'])[1 + g %% 3], 1,
 ts, ts, CASE WHEN g %% 10 = 0 THEN NULL ELSE ts + (g %% 97) * interval '1 hour' END,
 (%s)[1 + g %% 50], CASE WHEN g %% 10 < 7 THEN 'Standard' ELSE '' END, g %% 7200,
 CASE WHEN g %% 10 = 0 THEN NULL ELSE g %% 86400 END, g %% 17 = 0, g %% 23 = 0, g %% 60
FROM generate_series(1, 1000000) g, LATERAL (SELECT timestamptz '2025-01-01 00:00+00' + g * 63 * interval '1 second' AS ts) x`,
		f.Tenant.ID, queues, services, f.Type.ID, f.Priority.ID, f.Customer.ID, agents)).Error
	if err != nil {
		b.Fatal(err)
	}
	for _, h := range []struct {
		mod, seq        int
		event, old, new string
	}{
		{10, 2, "LevelEscalation", "1st level", "2nd level"},
		{20, 3, "StateUpdate", "closed successful", "open"},
	} {
		err := db.Exec(fmt.Sprintf(`INSERT INTO ticket_history (ticket_id, seq, event, actor_kind, actor_id, actor_name, field, old_value,
 new_value, created_at, prev_hash, hash)
SELECT id, %d, '%s', 'system', 0, 'kizdesk', 'Level', '%s', '%s', created_at + interval '2 hours', '', 'h' FROM tickets WHERE id %% %d = 1`,
			h.seq, h.event, h.old, h.new, h.mod)).Error
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Exec("ANALYZE tickets; ANALYZE ticket_history").Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded 1,000,000 tickets and 150,000 history entries in %s", time.Since(start).Round(time.Millisecond))

	berlin, _ := time.LoadLocation("Europe/Berlin")
	d := desk.New(db, nil, desk.Options{Location: berlin})
	admin := desk.AgentPrincipal(models.Agent{ID: f.Agent.ID, TenantID: f.Tenant.ID})
	dbtest.Grant(b, db, f.Agent, "admin")
	year := func(kind desk.ReportKind, g desk.Granularity, dim models.ReportDim) desk.ReportRequest {
		return desk.ReportRequest{Kind: kind, Granularity: g, GroupBy: dim,
			From: time.Date(2025, 7, 1, 0, 0, 0, 0, berlin), To: time.Date(2026, 6, 30, 0, 0, 0, 0, berlin)}
	}
	for _, c := range []struct {
		name string
		req  desk.ReportRequest
	}{
		{"volume/month/service", year(desk.ReportVolume, desk.Month, models.DimService)},
		{"volume/day/queue", year(desk.ReportVolume, desk.Day, models.DimQueue)},
		{"volume/week/channel", year(desk.ReportVolume, desk.Week, models.DimChannel)},
		{"quality/service", year(desk.ReportQuality, desk.Month, models.DimService)},
		{"quality/sla", year(desk.ReportQuality, desk.Month, models.DimSLA)},
		{"workload/agent", year(desk.ReportWorkload, desk.Month, models.DimAgent)},
	} {
		b.Run(c.name, func(b *testing.B) {
			var rows int
			for b.Loop() {
				rep, err := d.Report(b.Context(), admin, c.req)
				if err != nil {
					b.Fatal(err)
				}
				rows = 0
				for _, t := range rep.Tables {
					rows += len(t.Rows)
				}
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ReportScope is what a report reads: the tickets of a tenant in some of
// its queues.
type ReportScope struct {
	TenantID int64
	// Queues limits the report to these queues; nil: every queue.
	// An empty, non-nil list reads nothing.
	Queues []int64
}

// ReportDim is what a report groups tickets by: a column of the ticket.
type ReportDim string

// What reports group by.
const (
	DimNone     ReportDim = "none"
	DimService  ReportDim = "service"
	DimQueue    ReportDim = "queue"
	DimType     ReportDim = "type"
	DimPriority ReportDim = "priority"
	DimLevel    ReportDim = "level"
	DimChannel  ReportDim = "channel"
	DimTenant   ReportDim = "tenant"
	DimAgent    ReportDim = "agent" // the owner
	DimSLA      ReportDim = "sla"
)

// ReportDims are the groupings a report may ask for, in the order forms
// offer them.
var ReportDims = []ReportDim{DimNone, DimService, DimQueue, DimType, DimPriority, DimLevel, DimChannel, DimTenant, DimAgent, DimSLA}

// Valid tells whether d is one of ReportDims.
func (d ReportDim) Valid() bool {
	for _, x := range ReportDims {
		if x == d {
			return true
		}
	}
	return false
}

// column is the SQL expression of the group key, as text in both
// dialects; IDs are turned into names by the caller.
func (d ReportDim) column() string {
	switch d {
	case DimService:
		return "CAST(COALESCE(t.service_id, 0) AS TEXT)"
	case DimQueue:
		return "CAST(t.queue_id AS TEXT)"
	case DimType:
		return "CAST(t.type_id AS TEXT)"
	case DimPriority:
		return "CAST(t.priority_id AS TEXT)"
	case DimLevel:
		return "t.level"
	case DimChannel:
		return "t.channel"
	case DimTenant:
		return "CAST(t.tenant_id AS TEXT)"
	case DimAgent:
		return "CAST(COALESCE(t.owner_id, 0) AS TEXT)"
	case DimSLA:
		return "t.sla_name"
	}
	return "''"
}

// where is the scope's condition on tickets t, with its arguments.
func (s ReportScope) where() (string, []any) {
	if s.Queues == nil {
		return "t.tenant_id = ?", []any{s.TenantID}
	}
	if len(s.Queues) == 0 {
		return "1 = 0", nil
	}
	return "t.tenant_id = ? AND t.queue_id IN ?", []any{s.TenantID, s.Queues}
}

func isPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

// hourOf is the start of the UTC hour of a time column in Unix seconds,
// the unit reports count in: any period of a desk's time zone (whose
// offsets are whole hours) is a set of whole UTC hours.
func hourOf(db *gorm.DB, col string) string {
	if isPostgres(db) {
		return "CAST(EXTRACT(EPOCH FROM date_trunc('hour', " + col + " AT TIME ZONE 'UTC')) AS BIGINT)"
	}
	return "CAST(strftime('%s', " + col + ") AS INTEGER) / 3600 * 3600"
}

// HourCount is how many tickets of a group something happened to in one
// UTC hour.
type HourCount struct {
	Hour time.Time
	Key  string
	N    int64
}

// ReportHours counts the tickets in scope whose column col
// ("created_at" or "closed_at") falls in [from, to), per UTC hour and
// group.
func ReportHours(ctx context.Context, db *gorm.DB, s ReportScope, dim ReportDim, col string, from, to time.Time) ([]HourCount, error) {
	if col != "created_at" && col != "closed_at" {
		return nil, fmt.Errorf("report hours: no column %q", col)
	}
	where, args := s.where()
	var rows []struct {
		Hour int64
		Key  string
		N    int64
	}
	q := fmt.Sprintf(`SELECT %s AS hour, %s AS key, COUNT(*) AS n FROM tickets t
WHERE %s AND t.%s >= ? AND t.%s < ? GROUP BY 1, 2`, hourOf(db, "t."+col), dim.column(), where, col, col)
	args = append(args, dbTime(from), dbTime(to))
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, wrap(err, "report: tickets by "+col)
	}
	out := make([]HourCount, 0, len(rows))
	for _, r := range rows {
		out = append(out, HourCount{Hour: time.Unix(r.Hour, 0).UTC(), Key: r.Key, N: r.N})
	}
	return out, nil
}

// ReportOpenAt counts, per group, the tickets in scope open at a moment:
// created before it and not closed (or closed only after it).
func ReportOpenAt(ctx context.Context, db *gorm.DB, s ReportScope, dim ReportDim, at time.Time) (map[string]int64, error) {
	where, args := s.where()
	var rows []struct {
		Key string
		N   int64
	}
	q := fmt.Sprintf(`SELECT %s AS key, COUNT(*) AS n FROM tickets t
WHERE %s AND t.created_at < ? AND (t.closed_at IS NULL OR t.closed_at >= ?) GROUP BY 1`, dim.column(), where)
	args = append(args, dbTime(at), dbTime(at))
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, wrap(err, "report: open tickets")
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Key] = r.N
	}
	return out, nil
}

// QualityRow is the service quality of one group's tickets created in a
// period. Times are working time on the SLA's calendar in seconds, as the
// ticket's process measured them; medians and 90th percentiles are the
// nearest-rank values (PostgreSQL's percentile_disc).
type QualityRow struct {
	Key                string
	Tickets            int64
	Closed             int64
	WithSLA            int64 `gorm:"column:with_sla"`
	Met                int64 // with an SLA, neither first response nor solution breached
	Breached           int64
	TimeSpentMinutes   int64
	FirstResponseP50   *int64 `gorm:"column:first_response_p50"`
	FirstResponseP90   *int64 `gorm:"column:first_response_p90"`
	SolutionP50        *int64 `gorm:"column:solution_p50"`
	SolutionP90        *int64 `gorm:"column:solution_p90"`
	FirstResponseCount int64
	SolutionCount      int64
}

// ReportQuality reads the service quality of the tickets in scope
// created in [from, to), per group.
func ReportQuality(ctx context.Context, db *gorm.DB, s ReportScope, dim ReportDim, from, to time.Time) ([]QualityRow, error) {
	where, args := s.where()
	args = append(args, dbTime(from), dbTime(to))
	percentiles := ""
	if isPostgres(db) {
		percentiles = `,
 percentile_disc(0.5) WITHIN GROUP (ORDER BY t.first_response_seconds) AS first_response_p50,
 percentile_disc(0.9) WITHIN GROUP (ORDER BY t.first_response_seconds) AS first_response_p90,
 percentile_disc(0.5) WITHIN GROUP (ORDER BY t.solution_seconds) AS solution_p50,
 percentile_disc(0.9) WITHIN GROUP (ORDER BY t.solution_seconds) AS solution_p90`
	}
	q := fmt.Sprintf(`SELECT %s AS key, COUNT(*) AS tickets,
 SUM(CASE WHEN t.closed_at IS NOT NULL THEN 1 ELSE 0 END) AS closed,
 SUM(CASE WHEN t.sla_name <> '' THEN 1 ELSE 0 END) AS with_sla,
 SUM(CASE WHEN t.sla_name <> '' AND NOT t.first_response_breached AND NOT t.solution_breached THEN 1 ELSE 0 END) AS met,
 SUM(CASE WHEN t.first_response_breached OR t.solution_breached THEN 1 ELSE 0 END) AS breached,
 COALESCE(SUM(t.time_spent_minutes), 0) AS time_spent_minutes,
 COUNT(t.first_response_seconds) AS first_response_count,
 COUNT(t.solution_seconds) AS solution_count%s
FROM tickets t WHERE %s AND t.created_at >= ? AND t.created_at < ? GROUP BY 1 ORDER BY 1`, dim.column(), percentiles, where)
	var rows []QualityRow
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, wrap(err, "report: service quality")
	}
	if isPostgres(db) {
		return rows, nil
	}
	// SQLite has no percentiles: the durations, sorted, per group.
	var ds []struct {
		Key                  string
		FirstResponseSeconds *int64
		SolutionSeconds      *int64
	}
	q = fmt.Sprintf(`SELECT %s AS key, t.first_response_seconds, t.solution_seconds FROM tickets t
WHERE %s AND t.created_at >= ? AND t.created_at < ?`, dim.column(), where)
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&ds).Error; err != nil {
		return nil, wrap(err, "report: working times")
	}
	first, solution := map[string][]int64{}, map[string][]int64{}
	for _, d := range ds {
		if d.FirstResponseSeconds != nil {
			first[d.Key] = append(first[d.Key], *d.FirstResponseSeconds)
		}
		if d.SolutionSeconds != nil {
			solution[d.Key] = append(solution[d.Key], *d.SolutionSeconds)
		}
	}
	for i := range rows {
		r := &rows[i]
		r.FirstResponseP50, r.FirstResponseP90 = Percentile(first[r.Key], 0.5), Percentile(first[r.Key], 0.9)
		r.SolutionP50, r.SolutionP90 = Percentile(solution[r.Key], 0.5), Percentile(solution[r.Key], 0.9)
	}
	return rows, nil
}

// Percentile is the nearest-rank p-th percentile of xs (the first value
// whose share of values at or below it reaches p), as PostgreSQL's
// percentile_disc; nil for no values. It sorts xs.
func Percentile(xs []int64, p float64) *int64 {
	if len(xs) == 0 {
		return nil
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	for i := range xs {
		if float64(i+1)/float64(len(xs)) >= p {
			v := xs[i]
			return &v
		}
	}
	v := xs[len(xs)-1]
	return &v
}

// Breach is a ticket that missed its SLA.
type Breach struct {
	Number                string
	Title                 string
	SLAName               string `gorm:"column:sla_name"`
	ServiceID             *int64
	QueueID               int64
	CreatedAt             time.Time
	FirstResponseBreached bool
	SolutionBreached      bool
}

// ReportBreaches lists every ticket in scope created in [from, to) that
// breached its first-response or solution time, oldest first.
func ReportBreaches(ctx context.Context, db *gorm.DB, s ReportScope, from, to time.Time) ([]Breach, error) {
	where, args := s.where()
	args = append(args, dbTime(from), dbTime(to))
	var out []Breach
	err := db.WithContext(ctx).Raw(`SELECT t.number, t.title, t.sla_name, t.service_id, t.queue_id, t.created_at,
 t.first_response_breached, t.solution_breached FROM tickets t
WHERE `+where+` AND t.created_at >= ? AND t.created_at < ? AND (t.first_response_breached OR t.solution_breached)
ORDER BY t.created_at, t.id`, args...).Scan(&out).Error
	return out, wrap(err, "report: breaches")
}

// ReportEvents counts, per group of the ticket, the tickets that had a
// level escalation from 1st to 2nd level (event "escalations") or were
// reopened after closing ("reopens") in [from, to).
func ReportEvents(ctx context.Context, db *gorm.DB, s ReportScope, dim ReportDim, which string, from, to time.Time) (map[string]int64, error) {
	var cond string
	switch which {
	case "escalations":
		cond = `h.event = 'LevelEscalation' AND h.field = 'Level' AND h.old_value = '1st level' AND h.new_value = '2nd level'`
	case "reopens":
		cond = `h.event = 'StateUpdate' AND h.old_value IN ('closed successful', 'closed unsuccessful')
 AND h.new_value NOT IN ('closed successful', 'closed unsuccessful', 'merged')`
	default:
		return nil, fmt.Errorf("report: no events %q", which)
	}
	where, args := s.where()
	args = append([]any{dbTime(from), dbTime(to)}, args...)
	var rows []struct {
		Key string
		N   int64
	}
	q := fmt.Sprintf(`SELECT %s AS key, COUNT(DISTINCT t.id) AS n FROM ticket_history h
JOIN tickets t ON t.id = h.ticket_id
WHERE %s AND h.created_at >= ? AND h.created_at < ? AND %s GROUP BY 1`, dim.column(), cond, where)
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, wrap(err, "report: "+which)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Key] = r.N
	}
	return out, nil
}

// ClosedIn counts, per group, the tickets in scope closed in [from, to).
func ClosedIn(ctx context.Context, db *gorm.DB, s ReportScope, dim ReportDim, from, to time.Time) (map[string]int64, error) {
	where, args := s.where()
	args = append(args, dbTime(from), dbTime(to))
	var rows []struct {
		Key string
		N   int64
	}
	q := fmt.Sprintf(`SELECT %s AS key, COUNT(*) AS n FROM tickets t
WHERE %s AND t.closed_at >= ? AND t.closed_at < ? GROUP BY 1`, dim.column(), where)
	if err := db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, wrap(err, "report: closed tickets")
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Key] = r.N
	}
	return out, nil
}

// WorkloadRow is what one agent (owner) or queue has: tickets open now
// and tickets closed in the period.
type WorkloadRow struct {
	Key     string
	Open    int64
	Handled int64
}

// ReportWorkload reads the workload per owner (DimAgent) or per queue
// (DimQueue): tickets open now, and tickets closed in [from, to).
func ReportWorkload(ctx context.Context, db *gorm.DB, s ReportScope, dim ReportDim, from, to time.Time) ([]WorkloadRow, error) {
	where, args := s.where()
	args = append([]any{dbTime(from), dbTime(to)}, args...)
	args = append(args, dbTime(from), dbTime(to))
	q := fmt.Sprintf(`SELECT %s AS key,
 SUM(CASE WHEN t.closed_at IS NULL THEN 1 ELSE 0 END) AS open,
 SUM(CASE WHEN t.closed_at >= ? AND t.closed_at < ? THEN 1 ELSE 0 END) AS handled
FROM tickets t WHERE %s AND (t.closed_at IS NULL OR (t.closed_at >= ? AND t.closed_at < ?))
GROUP BY 1 ORDER BY 1`, dim.column(), where)
	var rows []WorkloadRow
	err := db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error
	return rows, wrap(err, "report: workload")
}

// ReportNames are the names of what report groups are keyed by.
type ReportNames struct {
	Services, Queues, Types, Priorities, Tenants, Agents map[int64]string
}

// ReportNamesOf reads the names of the services, queues, ticket types,
// priorities, tenants and agents (small tables, read whole).
func ReportNamesOf(ctx context.Context, db *gorm.DB) (ReportNames, error) {
	n := ReportNames{}
	read := func(table string) (map[int64]string, error) {
		var rows []struct {
			ID   int64
			Name string
		}
		if err := db.WithContext(ctx).Table(table).Select("id, name").Scan(&rows).Error; err != nil {
			return nil, wrap(err, "names of "+table)
		}
		m := make(map[int64]string, len(rows))
		for _, r := range rows {
			m[r.ID] = r.Name
		}
		return m, nil
	}
	var err error
	for _, x := range []struct {
		table string
		into  *map[int64]string
	}{{"services", &n.Services}, {"queues", &n.Queues}, {"ticket_types", &n.Types}, {"priorities", &n.Priorities}, {"tenants", &n.Tenants}, {"agents", &n.Agents}} {
		if *x.into, err = read(x.table); err != nil {
			return n, err
		}
	}
	return n, nil
}

// OutReport is a scheduled report mailed to an agent.
const OutReport = "report"

// ReportSchedule is a report definition mailed on a schedule.
type ReportSchedule struct {
	ID          int64
	TenantID    int64
	AgentID     int64 // who made it
	Name        string
	Kind        string
	GroupBy     string
	Granularity string
	// PeriodDays: each run reports the whole days before it, this many.
	PeriodDays int
	Format     string
	Cron       string
	// Recipients are agent IDs separated by spaces.
	Recipients string
	CreatedAt  time.Time
}

// RecipientIDs are the schedule's recipients.
func (r ReportSchedule) RecipientIDs() []int64 {
	var out []int64
	for _, f := range strings.Fields(r.Recipients) {
		var id int64
		if _, err := fmt.Sscan(f, &id); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// ReportSchedules lists a tenant's scheduled reports.
func ReportSchedules(ctx context.Context, db *gorm.DB, tenantID int64) ([]ReportSchedule, error) {
	var out []ReportSchedule
	err := db.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("name, id").Find(&out).Error
	return out, wrap(err, "report schedules")
}

// ReportScheduleByID reads one scheduled report.
func ReportScheduleByID(ctx context.Context, db *gorm.DB, id int64) (ReportSchedule, error) {
	var r ReportSchedule
	err := db.WithContext(ctx).First(&r, id).Error
	return r, notFound(err, fmt.Sprintf("report schedule %d", id))
}

package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// DashboardFilter is what one list of the agent's dashboard holds: open
// tickets (States) of the queues the agent sees (Queues; nil: every queue,
// for an admin) that match one widget's condition.
type DashboardFilter struct {
	TenantID int64
	Queues   []int64
	States   []string
}

// base is the filter's tickets before a widget's condition.
func (f DashboardFilter) base(ctx context.Context, db *gorm.DB) *gorm.DB {
	q := db.WithContext(ctx).Model(&Ticket{}).Where("tenant_id = ? AND state IN ? AND archived_at IS NULL", f.TenantID, f.States)
	if f.Queues != nil {
		q = q.Where("queue_id IN ?", append(f.Queues, 0)) // 0: never a queue, so the list is never empty
	}
	return q
}

// dashboardList reads a widget's page (its IDs in order, then the rows
// with their names, as RemindersReached does) and how many there are.
func dashboardList(ctx context.Context, db *gorm.DB, matching *gorm.DB, column, dir string, limit int, what string) ([]TicketRow, int, error) {
	var n int64
	if err := matching.Session(&gorm.Session{}).Count(&n).Error; err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", what, err)
	}
	if n == 0 {
		return nil, 0, nil
	}
	order := fmt.Sprintf("%s %s, id %s", column, dir, dir)
	page := matching.Session(&gorm.Session{}).Select("id").Order(order).Limit(limit)
	var rows []TicketRow
	err := pageRows(ctx, db, page).Order(fmt.Sprintf("tickets.%s %s, tickets.id %s", column, dir, dir)).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("list %s: %w", what, err)
	}
	return rows, int(n), nil
}

// LockedBy lists the open tickets agentID owns and has locked, the least
// recently changed first, and counts them.
func LockedBy(ctx context.Context, db *gorm.DB, f DashboardFilter, agentID int64, limit int) ([]TicketRow, int, error) {
	q := f.base(ctx, db).Where("owner_id = ? AND locked", agentID)
	return dashboardList(ctx, db, q, "updated_at", "ASC", limit, "locked tickets")
}

// NewTickets lists the tickets in state newState, the oldest first, and
// counts them.
func NewTickets(ctx context.Context, db *gorm.DB, f DashboardFilter, newState string, limit int) ([]TicketRow, int, error) {
	f.States = []string{newState}
	return dashboardList(ctx, db, f.base(ctx, db), "created_at", "ASC", limit, "new tickets")
}

// WatchedBy lists the open tickets agentID watches, the most recently
// changed first, and counts them.
func WatchedBy(ctx context.Context, db *gorm.DB, f DashboardFilter, agentID int64, limit int) ([]TicketRow, int, error) {
	q := f.base(ctx, db).Where("id IN (?)", db.Model(&TicketWatcher{}).Select("ticket_id").Where("agent_id = ?", agentID))
	return dashboardList(ctx, db, q, "updated_at", "DESC", limit, "watched tickets")
}

// SLAClocks is what the SLA widget decides by: the ticket's service and
// priority (which SLA it is worked under), its state and its clocks.
type SLAClocks struct {
	ID                    int64
	State                 string
	ServiceID             *int64
	PriorityID            int64
	FirstResponseDue      *time.Time
	UpdateDue             *time.Time
	SolutionDue           *time.Time
	FirstResponseBreached bool
	UpdateBreached        bool
	SolutionBreached      bool
}

// slaClockColumns are SLAClocks' columns.
const slaClockColumns = "id, state, service_id, priority_id, first_response_due, update_due, solution_due, " +
	"first_response_breached, update_breached, solution_breached"

// Clocks is the ticket's SLAClocks.
func (t Ticket) Clocks() SLAClocks {
	return SLAClocks{ID: t.ID, State: t.State, ServiceID: t.ServiceID, PriorityID: t.PriorityID,
		FirstResponseDue: t.FirstResponseDue, UpdateDue: t.UpdateDue, SolutionDue: t.SolutionDue,
		FirstResponseBreached: t.FirstResponseBreached, UpdateBreached: t.UpdateBreached, SolutionBreached: t.SolutionBreached}
}

// SLACandidates lists the clocks of the open tickets with a breached SLA
// clock and of those with an SLA clock not yet breached that falls due
// before horizon: at most limit of each kind (the breached by age, the
// others by the clock's due time, the most urgent first), each ticket
// once. capped tells that some kind had more than limit, so that more
// tickets may be near their SLA than were listed. The caller decides by
// each ticket's calendar which of them are about to breach; horizon only
// bounds what it has to look at.
//
// It reads the clocks only, not the rows with their names: the widget
// shows a few of up to four times limit candidates, and reading (and
// scanning) whole rows for all of them cost more than the rest of the
// dashboard (TicketRowsByID reads the few it shows).
func SLACandidates(ctx context.Context, db *gorm.DB, f DashboardFilter, horizon time.Time, limit int) (rows []SLAClocks, capped bool, err error) {
	h := horizon.UTC()
	type part struct {
		where string
		args  []any
		order string
	}
	parts := []part{{"first_response_breached OR update_breached OR solution_breached", nil, "created_at"}}
	for _, clock := range []string{"first_response", "update", "solution"} {
		parts = append(parts, part{clock + "_due <= ? AND NOT " + clock + "_breached", []any{h}, clock + "_due"})
	}
	seen := map[int64]bool{}
	for _, p := range parts {
		var got []SLAClocks
		err := f.base(ctx, db).Select(slaClockColumns).Where(p.where, p.args...).Order(p.order + " ASC, id ASC").Limit(limit).Scan(&got).Error
		if err != nil {
			return nil, false, fmt.Errorf("list tickets near their SLA: %w", err)
		}
		capped = capped || len(got) >= limit
		for _, r := range got {
			if !seen[r.ID] {
				seen[r.ID] = true
				rows = append(rows, r)
			}
		}
	}
	return rows, capped, nil
}

// TicketRowsByID reads the tenant's tickets with the given IDs, with their
// names, in the order of ids; an ID of no ticket of the tenant is left out.
//
// The tenant is checked here rather than in the query: SQLite, without
// statistics, took the condition on tenant_id for the better index and
// read every ticket of the tenant (20 ms at 100,000) instead of ten by ID.
func TicketRowsByID(ctx context.Context, db *gorm.DB, tenantID int64, ids []int64) ([]TicketRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var got []TicketRow
	if err := ticketRows(ctx, db).Where("tickets.id IN ?", ids).Scan(&got).Error; err != nil {
		return nil, fmt.Errorf("read %d tickets: %w", len(ids), err)
	}
	byID := make(map[int64]TicketRow, len(got))
	for _, r := range got {
		if r.TenantID == tenantID {
			byID[r.ID] = r
		}
	}
	out := make([]TicketRow, 0, len(got))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// SLAsWithCalendars lists the tenant's active SLAs, each with its
// calendar.
func SLAsWithCalendars(ctx context.Context, db *gorm.DB, tenantID int64) ([]SLAWithCalendar, error) {
	var slas []SLA
	if err := db.WithContext(ctx).Where("tenant_id = ? AND active", tenantID).Order("id").Find(&slas).Error; err != nil {
		return nil, wrap(err, "list SLAs")
	}
	ids := []int64{0} // never a calendar, so the list is never empty
	for _, s := range slas {
		ids = append(ids, s.CalendarID)
	}
	var cals []Calendar
	if err := db.WithContext(ctx).Where("id IN ?", ids).Find(&cals).Error; err != nil {
		return nil, wrap(err, "list calendars")
	}
	byID := map[int64]Calendar{}
	for _, c := range cals {
		byID[c.ID] = c
	}
	out := make([]SLAWithCalendar, 0, len(slas))
	for _, s := range slas {
		c, ok := byID[s.CalendarID]
		if !ok {
			return nil, fmt.Errorf("calendar %d of SLA %s: %w", s.CalendarID, s.Name, ErrNotFound)
		}
		out = append(out, SLAWithCalendar{SLA: s, Calendar: c})
	}
	return out, nil
}

// ServiceCount is how many open tickets of a service are in a queue.
type ServiceCount struct {
	QueueID   int64
	ServiceID int64
	New       int
	All       int
}

// ServiceCounts counts the tenant's open tickets per queue and service;
// tickets without a service are not counted.
func ServiceCounts(ctx context.Context, db *gorm.DB, tenantID int64, openStates []string, newState string) ([]ServiceCount, error) {
	var rows []struct {
		QueueID   int64
		ServiceID int64
		State     string
		N         int
	}
	err := db.WithContext(ctx).Model(&Ticket{}).
		Select("queue_id, service_id, state, count(*) AS n").
		Where("tenant_id = ? AND state IN ? AND service_id IS NOT NULL", tenantID, openStates).
		Group("queue_id, service_id, state").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count tickets per service: %w", err)
	}
	type key struct{ q, s int64 }
	idx := map[key]int{}
	var out []ServiceCount
	for _, r := range rows {
		k := key{r.QueueID, r.ServiceID}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ServiceCount{QueueID: r.QueueID, ServiceID: r.ServiceID})
		}
		out[i].All += r.N
		if r.State == newState {
			out[i].New += r.N
		}
	}
	return out, nil
}

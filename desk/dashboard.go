package desk

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The widgets of the agent's dashboard, by the name their full lists go
// by (/agent/dashboard/<name>).
const (
	WidgetLocked    = "locked"    // the agent's locked tickets
	WidgetNew       = "new"       // new tickets in the agent's queues
	WidgetSLA       = "sla"       // SLA breached or about to be
	WidgetReminders = "reminders" // reminders reached
	WidgetWatched   = "watched"   // tickets the agent watches
)

// DashboardWidgets lists the widgets in the order the dashboard shows them.
func DashboardWidgets() []string {
	return []string{WidgetLocked, WidgetNew, WidgetSLA, WidgetReminders, WidgetWatched}
}

// DashboardSoon: a ticket whose next SLA target falls due within this much
// working time is about to breach, even if its SLA warns later (or never).
const DashboardSoon = 4 * time.Hour

// dashboardShows bounds a widget on the dashboard; its full list shows up
// to maxQueueList.
const dashboardShows = 10

// Dashboard is the agent's start page: one list per widget and the open
// work per queue.
type Dashboard struct {
	// At is the moment the dashboard was read; remaining times count
	// from it.
	At        time.Time
	Locked    DashboardList
	New       DashboardList
	SLA       DashboardList
	Reminders DashboardList
	Watched   DashboardList
	// Queues are the queues the agent sees as a tree of their names
	// ("A::B"), each with the services of its open tickets under it.
	Queues []QueueNode
}

// DashboardList is one widget's tickets: the first of them, and how many
// there are in all.
type DashboardList struct {
	Widget  string
	At      time.Time
	Tickets []DashboardTicket
	Total   int
	// AtLeast: there may be more than Total (the SLA widget looks at
	// the most urgent maxQueueList tickets of each clock only).
	AtLeast bool
}

// DashboardTicket is a ticket of a widget; SLA is set in the SLA widget.
type DashboardTicket struct {
	models.TicketRow
	SLA SLAStatus
}

// SLAStatus is where a ticket stands against its next SLA target.
type SLAStatus struct {
	// Clock is the clock that matters (ticket.ClockFirstResponse,
	// ClockUpdate, ClockSolution): the breached one, else the one due
	// first.
	Clock string
	// Due is when Clock's target is (or was) reached; zero when its clock
	// stands (a pending ticket).
	Due time.Time
	// Left is the time until Due; for a breached clock, how long ago Due
	// was. Working tells that it is working time on the SLA's calendar;
	// without an SLA (or its calendar) it is wall time.
	Left    time.Duration
	Working bool
	// Breached: the target has passed.
	Breached bool
	// Paused: the ticket waits (a pending state), so its clocks stand.
	Paused bool
}

// QueueNode is one line of the queue tree: a queue, a level of queue
// names that is no queue itself, or a service (or a level of service
// names) under its queue.
type QueueNode struct {
	Depth int
	// Name is the last part of Path, which is the whole "A::B" name.
	Name string
	Path string
	// QueueID is the queue the line links to (the service's queue for a
	// service); 0 for a level of names above queues.
	QueueID int64
	Service bool
	New     int
	All     int
}

// Dashboard reads the agent's dashboard.
func (d *Desk) Dashboard(ctx context.Context, p Principal) (Dashboard, error) {
	out := Dashboard{At: d.now()}
	if err := mustBeAgent(p); err != nil {
		return out, err
	}
	p, err := d.WithAccess(ctx, p)
	if err != nil {
		return out, err
	}
	queues, err := d.seenQueues(ctx, p)
	if err != nil {
		return out, err
	}
	for _, w := range []struct {
		name string
		list *DashboardList
	}{{WidgetLocked, &out.Locked}, {WidgetNew, &out.New}, {WidgetSLA, &out.SLA}, {WidgetReminders, &out.Reminders}, {WidgetWatched, &out.Watched}} {
		if *w.list, err = d.widget(ctx, p, queues, w.name, out.At, dashboardShows); err != nil {
			return out, err
		}
	}
	out.Queues, err = d.queueTree(ctx, p)
	return out, err
}

// DashboardList is the full list of one widget.
func (d *Desk) DashboardList(ctx context.Context, p Principal, widget string) (DashboardList, error) {
	if err := mustBeAgent(p); err != nil {
		return DashboardList{}, err
	}
	queues, err := d.seenQueues(ctx, p)
	if err != nil {
		return DashboardList{}, err
	}
	return d.widget(ctx, p, queues, widget, d.now(), maxQueueList)
}

// widget reads the first limit tickets of a widget as of now, of the
// queues p sees (nil: every queue).
func (d *Desk) widget(ctx context.Context, p Principal, queues []int64, name string, now time.Time, limit int) (DashboardList, error) {
	out := DashboardList{Widget: name, At: now}
	var err error
	f := models.DashboardFilter{TenantID: p.TenantID, Queues: queues, States: stateStrings(ticket.OpenStates())}
	var rows []models.TicketRow
	switch name {
	case WidgetLocked:
		rows, out.Total, err = models.LockedBy(ctx, d.db, f, p.ID, limit)
	case WidgetNew:
		rows, out.Total, err = models.NewTickets(ctx, d.db, f, string(ticket.StateNew), limit)
	case WidgetWatched:
		rows, out.Total, err = models.WatchedBy(ctx, d.db, f, p.ID, limit)
	case WidgetReminders:
		if rows, err = models.RemindersReached(ctx, d.db, p.TenantID, queues, now, limit); err == nil {
			out.Total, err = models.CountRemindersReached(ctx, d.db, p.TenantID, queues, now)
		}
	case WidgetSLA:
		out.Tickets, out.Total, out.AtLeast, err = d.slaWidget(ctx, f, now, limit)
		return out, wrapf(err, "dashboard %s", name)
	default:
		return out, fmt.Errorf("dashboard widget %q: %w", name, ErrNotFound)
	}
	for _, r := range rows {
		out.Tickets = append(out.Tickets, DashboardTicket{TicketRow: r})
	}
	return out, wrapf(err, "dashboard %s", name)
}

// slaTerms are the tenant's active SLAs with their calendars, looked up as
// models.SLAFor does: the SLA for the ticket's priority, else the
// service's SLA for all priorities.
type slaTerms struct {
	slas []models.SLAWithCalendar
	cals map[int64]calendar.Calendar
}

func (d *Desk) slaTerms(ctx context.Context, tenantID int64) (slaTerms, error) {
	out := slaTerms{cals: map[int64]calendar.Calendar{}}
	var err error
	if out.slas, err = models.SLAsWithCalendars(ctx, d.db, tenantID); err != nil {
		return out, err
	}
	for _, s := range out.slas {
		if _, ok := out.cals[s.Calendar.ID]; ok {
			continue
		}
		if out.cals[s.Calendar.ID], err = s.Calendar.Business(); err != nil {
			return out, err
		}
	}
	return out, nil
}

// of returns the SLA a ticket is worked under, if any.
func (t slaTerms) of(row models.SLAClocks) (models.SLA, calendar.Calendar, bool) {
	s, ok := t.sla(row)
	if !ok {
		return models.SLA{}, calendar.Calendar{}, false
	}
	return s.SLA, t.cals[s.Calendar.ID], true
}

func (t slaTerms) sla(row models.SLAClocks) (models.SLAWithCalendar, bool) {
	if row.ServiceID == nil {
		return models.SLAWithCalendar{}, false
	}
	var best *models.SLAWithCalendar
	for i, s := range t.slas {
		if s.SLA.ServiceID != *row.ServiceID {
			continue
		}
		if s.SLA.PriorityID != nil && *s.SLA.PriorityID == row.PriorityID {
			best = &t.slas[i]
			break
		}
		if s.SLA.PriorityID == nil && best == nil {
			best = &t.slas[i]
		}
	}
	if best == nil {
		return models.SLAWithCalendar{}, false
	}
	return *best, true
}

// warnWindow is the working time before a target's due time in which the
// SLA warns: the share of the target left once WarnPercent of it is used.
func warnWindow(s models.SLA, targetMinutes int) time.Duration {
	if s.WarnPercent <= 0 || s.WarnPercent >= 100 || targetMinutes <= 0 {
		return 0
	}
	return time.Duration(targetMinutes) * time.Minute * time.Duration(100-s.WarnPercent) / 100
}

// slaWidget lists the tickets with a breached SLA clock and those whose
// next target falls due within their SLA's warning window or
// DashboardSoon, the breached first, then the least time left first.
//
// It decides by the candidates' clocks and reads the whole rows (with
// their names) of the tickets it shows only.
func (d *Desk) slaWidget(ctx context.Context, f models.DashboardFilter, now time.Time, limit int) ([]DashboardTicket, int, bool, error) {
	terms, err := d.slaTerms(ctx, f.TenantID)
	if err != nil {
		return nil, 0, false, err
	}
	// The database is asked for the tickets due before the widest window
	// any SLA has, in wall time from now; which of them are near enough
	// is decided below, on each ticket's own calendar.
	horizon := now.Add(DashboardSoon)
	for _, s := range terms.slas {
		cal := terms.cals[s.Calendar.ID]
		for _, m := range []int{s.SLA.FirstResponseMinutes, s.SLA.UpdateMinutes, s.SLA.SolutionMinutes} {
			if at := cal.Add(now, max(warnWindow(s.SLA, m), DashboardSoon)); at.After(horizon) {
				horizon = at
			}
		}
	}
	rows, capped, err := models.SLACandidates(ctx, d.db, f, horizon, maxQueueList)
	if err != nil {
		return nil, 0, false, err
	}
	type near struct {
		id int64
		st SLAStatus
	}
	var out []near
	// breached are the tickets whose Left is how long ago a target
	// passed, by the ID of their SLA's calendar: measured below for all
	// of a calendar at once, as those targets may lie years back (one
	// Calendar.Between for each took over 100 ms for 1,000 candidates).
	breached := map[int64][]int{} // → indexes in out
	for _, r := range rows {
		st, ok := slaClock(r, terms, now)
		if !ok {
			continue
		}
		if st.Breached && !st.Due.IsZero() {
			if s, found := terms.sla(r); found {
				breached[s.Calendar.ID] = append(breached[s.Calendar.ID], len(out))
			} else {
				st.Left = now.Sub(st.Due)
			}
		}
		out = append(out, near{r.ID, st})
	}
	for id, idx := range breached {
		dues := make([]time.Time, len(idx))
		for i, j := range idx {
			dues[i] = out[j].st.Due
		}
		for i, left := range terms.cals[id].BetweenEach(dues, now) {
			out[idx[i]].st.Left = left
		}
	}
	slices.SortStableFunc(out, func(a, b near) int {
		switch {
		case a.st.Breached != b.st.Breached:
			if a.st.Breached {
				return -1
			}
			return 1
		case a.st.Breached:
			return cmp.Compare(b.st.Left, a.st.Left) // the longest breached first
		}
		return cmp.Compare(a.st.Left, b.st.Left)
	})
	total := len(out)
	out = out[:min(limit, len(out))]
	ids := make([]int64, len(out))
	for i, n := range out {
		ids[i] = n.id
	}
	full, err := models.TicketRowsByID(ctx, d.db, f.TenantID, ids)
	if err != nil {
		return nil, 0, false, err
	}
	// TicketRowsByID keeps the order and leaves out a ticket gone since
	// its clocks were read.
	shown := make([]DashboardTicket, 0, len(full))
	for _, n := range out {
		if len(shown) < len(full) && full[len(shown)].ID == n.id {
			shown = append(shown, DashboardTicket{TicketRow: full[len(shown)], SLA: n.st})
		}
	}
	return shown, total, capped, nil
}

// slaStatus tells where a ticket stands against its SLA at now, and
// whether the SLA widget shows it: a clock breached, or the next target
// within the SLA's warning window or DashboardSoon.
func slaStatus(r models.SLAClocks, terms slaTerms, now time.Time) (SLAStatus, bool) {
	st, near := slaClock(r, terms, now)
	if st.Breached && !st.Due.IsZero() {
		st.Left = terms.workingTime(r, st.Due, now)
	}
	return st, near
}

// workingTime is the time from a to b, on the calendar of the ticket's SLA
// if it has one.
func (t slaTerms) workingTime(r models.SLAClocks, a, b time.Time) time.Duration {
	if _, cal, found := t.of(r); found {
		return cal.Between(a, b)
	}
	return b.Sub(a)
}

// slaClock is slaStatus without Left of a breached clock (how long ago
// its target passed), which slaStatus measures.
func slaClock(r models.SLAClocks, terms slaTerms, now time.Time) (SLAStatus, bool) {
	sla, _, found := terms.of(r)
	st := SLAStatus{Working: found, Paused: ticket.State(r.State).Pending()}
	clocks := []struct {
		name     string
		due      *time.Time
		breached bool
		minutes  int
	}{
		{ticket.ClockFirstResponse, r.FirstResponseDue, r.FirstResponseBreached, sla.FirstResponseMinutes},
		{ticket.ClockUpdate, r.UpdateDue, r.UpdateBreached, sla.UpdateMinutes},
		{ticket.ClockSolution, r.SolutionDue, r.SolutionBreached, sla.SolutionMinutes},
	}
	for _, c := range clocks {
		if c.breached {
			st.Clock, st.Breached = c.name, true
			if c.due != nil {
				st.Due = *c.due
			}
			return st, true
		}
	}
	window := DashboardSoon
	for _, c := range clocks {
		if c.due == nil || (!st.Due.IsZero() && !c.due.Before(st.Due)) {
			continue
		}
		st.Clock, st.Due = c.name, *c.due
		window = max(DashboardSoon, warnWindow(sla, c.minutes))
	}
	if st.Due.IsZero() {
		return st, false
	}
	if !st.Due.After(now) {
		// Past due, and the workflow's timer has not yet recorded the
		// breach: it is breached all the same.
		st.Breached = true
		return st, true
	}
	st.Left = terms.workingTime(r, now, st.Due)
	return st, st.Left <= window
}

// queueTree is the open work of the queues p sees, as a tree of queue
// names with the services of their open tickets under each queue.
func (d *Desk) queueTree(ctx context.Context, p Principal) ([]QueueNode, error) {
	counts, err := d.QueueOverview(ctx, p)
	if err != nil {
		return nil, err
	}
	perService, err := models.ServiceCounts(ctx, d.db, p.TenantID, stateStrings(ticket.OpenStates()), string(ticket.StateNew))
	if err != nil {
		return nil, err
	}
	services, err := models.Services(ctx, d.db, p.TenantID)
	if err != nil {
		return nil, err
	}
	serviceName := map[int64]string{}
	for _, s := range services {
		serviceName[s.ID] = s.Name
	}
	queues := make([]treeItem, len(counts))
	for i, c := range counts {
		queues[i] = treeItem{path: c.Name, queueID: c.ID, new: c.New, all: c.All}
	}
	var out []QueueNode
	for _, n := range nameTree(queues, 0) {
		out = append(out, n)
		if n.QueueID == 0 {
			continue
		}
		var svcs []treeItem
		for _, sc := range perService {
			if sc.QueueID == n.QueueID {
				svcs = append(svcs, treeItem{path: serviceName[sc.ServiceID], queueID: n.QueueID, new: sc.New, all: sc.All})
			}
		}
		for _, s := range nameTree(svcs, n.Depth+1) {
			s.Service, s.QueueID = true, n.QueueID
			out = append(out, s)
		}
	}
	return out, nil
}

// treeItem is a named count that nameTree places.
type treeItem struct {
	path     string
	queueID  int64
	new, all int
}

// nameTree orders items by their "::" names and adds a line for each level
// of names that is no item itself, counting what is below it; depth is
// the depth of the top level.
func nameTree(items []treeItem, depth int) []QueueNode {
	// By the parts of the names, so that "A::B" stays under "A" even when
	// another name sorts between them ("A B").
	slices.SortFunc(items, func(a, b treeItem) int {
		return slices.Compare(strings.Split(a.path, "::"), strings.Split(b.path, "::"))
	})
	var out []QueueNode
	at := map[string]int{} // path → index in out
	for _, it := range items {
		parts := strings.Split(it.path, "::")
		for i := range parts {
			path := strings.Join(parts[:i+1], "::")
			j, ok := at[path]
			if !ok {
				j = len(out)
				at[path] = j
				out = append(out, QueueNode{Depth: depth + i, Name: parts[i], Path: path})
			}
			out[j].New += it.new
			out[j].All += it.all
			if i == len(parts)-1 {
				out[j].QueueID = it.queueID
			}
		}
	}
	return out
}

package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kiz-ulm/kizdesk/calendar"

	"gorm.io/gorm"
)

// SLAWithCalendar is an SLA and the calendar it counts on.
type SLAWithCalendar struct {
	SLA      SLA
	Calendar Calendar
}

// SLAFor returns the SLA a ticket of the service and priority is worked
// under: the active one for exactly that priority, else the service's
// active one for all priorities. found is false when the service promises
// nothing.
func SLAFor(ctx context.Context, db *gorm.DB, tenantID, serviceID, priorityID int64) (SLAWithCalendar, bool, error) {
	var out SLAWithCalendar
	var slas []SLA
	err := db.WithContext(ctx).
		Where("tenant_id = ? AND service_id = ? AND (priority_id = ? OR priority_id IS NULL) AND active", tenantID, serviceID, priorityID).
		Order("priority_id IS NULL, id").Limit(1).Find(&slas).Error
	if err != nil {
		return out, false, fmt.Errorf("find SLA of service %d: %w", serviceID, err)
	}
	if len(slas) == 0 {
		return out, false, nil
	}
	out.SLA = slas[0]
	if err := db.WithContext(ctx).Where("id = ?", out.SLA.CalendarID).First(&out.Calendar).Error; err != nil {
		return out, false, fmt.Errorf("calendar of SLA %s: %w", out.SLA.Name, err)
	}
	return out, true, nil
}

// Business is the calendar the clocks count on.
func (c Calendar) Business() (calendar.Calendar, error) {
	week, err := calendar.ParseWeek(c.Week)
	if err != nil {
		return calendar.Calendar{}, fmt.Errorf("calendar %s: %w", c.Name, err)
	}
	out := calendar.Calendar{Name: c.Name, Location: c.Location, Week: week, Holidays: c.HolidayList()}
	if err := out.Validate(); err != nil {
		return out, err
	}
	return out, nil
}

// HolidayList splits a calendar's holidays.
func (c Calendar) HolidayList() []string { return strings.Fields(c.Holidays) }

// AgentsOfTenant lists the tenant's active agents by name.
func AgentsOfTenant(ctx context.Context, db *gorm.DB, tenantID int64) ([]Agent, error) {
	var as []Agent
	err := db.WithContext(ctx).Where("tenant_id = ? AND active", tenantID).Order("name").Find(&as).Error
	return as, wrap(err, "list agents")
}

// AgentOfTenant returns one of the tenant's active agents.
func AgentOfTenant(ctx context.Context, db *gorm.DB, tenantID, id int64) (Agent, error) {
	var as []Agent
	if err := db.WithContext(ctx).Where("tenant_id = ? AND id = ? AND active", tenantID, id).Limit(1).Find(&as).Error; err != nil {
		return Agent{}, fmt.Errorf("agent %d: %w", id, err)
	}
	if len(as) == 0 {
		return Agent{}, fmt.Errorf("agent %d: %w", id, ErrNotFound)
	}
	return as[0], nil
}

// RemindersReached lists the tenant's tickets whose pending reminder is
// due, the longest overdue first; ownerID 0 lists everybody's.
//
// The page's IDs are picked first, from the reminders index alone
// (tickets_reminders holds them in list order), and only those rows are
// joined with their names: PostgreSQL underestimates how many reminders are
// due (state and due time are not independent), and with the joins in the
// same query it planned to join every due reminder and sort them.
//
// queues, unless nil, limits the list to those queues (the agent's).
func RemindersReached(ctx context.Context, db *gorm.DB, tenantID int64, queues []int64, now time.Time, limit int) ([]TicketRow, error) {
	page := db.Model(&Ticket{}).Select("id").
		Where("tenant_id = ? AND state = ? AND reminder_due <= ?", tenantID, "pending reminder", now.UTC())
	if queues != nil {
		page = page.Where("queue_id IN ?", append(queues, 0)) // 0: never a queue, so the list is never empty
	}
	page = page.Order("reminder_due ASC, id ASC").Limit(limit)
	var rows []TicketRow
	err := pageRows(ctx, db, page).Order("tickets.reminder_due ASC, tickets.id ASC").Scan(&rows).Error
	return rows, wrap(err, "list reminders reached")
}

// CountRemindersReached counts the tenant's tickets whose pending reminder
// is due.
func CountRemindersReached(ctx context.Context, db *gorm.DB, tenantID int64, queues []int64, now time.Time) (int, error) {
	var n int64
	q := db.WithContext(ctx).Model(&Ticket{}).
		Where("tenant_id = ? AND state = ? AND reminder_due <= ?", tenantID, "pending reminder", now.UTC())
	if queues != nil {
		q = q.Where("queue_id IN ?", append(queues, 0))
	}
	err := q.Count(&n).Error
	return int(n), wrap(err, "count reminders reached")
}

// LinkedTickets returns the tickets linked with a ticket.
func LinkedTickets(ctx context.Context, db *gorm.DB, tenantID int64, number string) ([]TicketRow, error) {
	var numbers []string
	var links []TicketLink
	err := db.WithContext(ctx).Where("tenant_id = ? AND (a_number = ? OR b_number = ?)", tenantID, number, number).
		Order("created_at, a_number, b_number").Find(&links).Error
	if err != nil {
		return nil, fmt.Errorf("links of ticket %s: %w", number, err)
	}
	for _, l := range links {
		if l.ANumber == number {
			numbers = append(numbers, l.BNumber)
		} else {
			numbers = append(numbers, l.ANumber)
		}
	}
	if len(numbers) == 0 {
		return nil, nil
	}
	var rows []TicketRow
	err = ticketRows(ctx, db).Where("tickets.tenant_id = ? AND tickets.number IN ?", tenantID, numbers).
		Order("tickets.created_at, tickets.id").Scan(&rows).Error
	return rows, wrap(err, "read linked tickets")
}

// MergedInto returns the tickets merged into a ticket, oldest first.
func MergedInto(ctx context.Context, db *gorm.DB, tenantID int64, number string) ([]TicketRow, error) {
	var rows []TicketRow
	err := ticketRows(ctx, db).Where("tickets.tenant_id = ? AND tickets.merged_into = ?", tenantID, number).
		Order("tickets.created_at, tickets.id").Scan(&rows).Error
	return rows, wrap(err, "read merged tickets")
}

// Watchers returns the agents watching a ticket.
func Watchers(ctx context.Context, db *gorm.DB, ticketID int64) ([]Agent, error) {
	var as []Agent
	err := db.WithContext(ctx).Where("id IN (?)", db.Model(&TicketWatcher{}).Select("agent_id").Where("ticket_id = ?", ticketID)).
		Order("name").Find(&as).Error
	return as, wrap(err, "list watchers")
}

// NotificationsOf lists a ticket's notifications in order.
func NotificationsOf(ctx context.Context, db *gorm.DB, ticketID int64) ([]Notification, error) {
	var ns []Notification
	err := db.WithContext(ctx).Where("ticket_id = ?", ticketID).Order("seq").Find(&ns).Error
	return ns, wrap(err, "list notifications")
}

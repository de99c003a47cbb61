package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// QueueSort is an order a queue view can list its tickets in.
type QueueSort string

// The orders of a queue view; QueuePriority is TicketsInQueue's.
const (
	QueuePriority QueueSort = "priority" // highest priority, then oldest
	QueueOldest   QueueSort = "oldest"
	QueueNewest   QueueSort = "newest"
	QueueDue      QueueSort = "due"     // soonest solution due first, none last
	QueueUpdated  QueueSort = "updated" // last changed first
)

// QueueSorts lists them in the order the view offers them.
var QueueSorts = []QueueSort{QueuePriority, QueueOldest, QueueNewest, QueueDue, QueueUpdated}

// QueueCursor is where a page of a queue view ended: the sort value of its
// last ticket (a time; for QueuePriority also the rank) and its ID.
type QueueCursor struct {
	Rank int
	At   time.Time
	ID   int64
}

// QueueFilter selects a queue view's tickets; a zero field selects all.
type QueueFilter struct {
	States []string
	// OwnerID: only tickets of this owner; Unowned: only tickets without.
	OwnerID int64
	Unowned bool
	// Classification and level of the ticket.
	ServiceID, TypeID, PriorityID int64
	Level                         Level
	// CustomerLogin: only the tickets of the customer with this login.
	CustomerLogin string
}

// where adds the filter's conditions (apart from States) to q.
func (f QueueFilter) where(q *gorm.DB, tenantID int64) *gorm.DB {
	switch {
	case f.OwnerID != 0:
		q = q.Where("tickets.owner_id = ?", f.OwnerID)
	case f.Unowned:
		q = q.Where("tickets.owner_id IS NULL")
	}
	for col, id := range map[string]int64{"service_id": f.ServiceID, "type_id": f.TypeID, "priority_id": f.PriorityID} {
		if id != 0 {
			q = q.Where("tickets."+col+" = ?", id)
		}
	}
	if f.Level != "" {
		q = q.Where("tickets.level = ?", f.Level)
	}
	if f.CustomerLogin != "" {
		q = q.Where("tickets.customer_id IN (SELECT id FROM customers WHERE customers.tenant_id = ? AND customers.login = ?)", tenantID, f.CustomerLogin)
	}
	return q
}

// plain: the filter selects by state alone.
func (f QueueFilter) plain() bool {
	return f.OwnerID == 0 && !f.Unowned && f.ServiceID == 0 && f.TypeID == 0 && f.PriorityID == 0 && f.Level == "" && f.CustomerLogin == ""
}

// noDue stands in for a missing due time, so tickets without one sort
// last and page by the same keyset as the others.
var noDue = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC) // within UnixNano's range

// QueueView lists a page of a queue's tickets in the order asked, after
// the cursor (nil: from the start), at most limit; next is the cursor of
// the page after, nil at the end. Each order pages by (value, id), so a
// page reads the rows it shows and a ticket changing meanwhile is shown
// once or not at all, never twice.
func QueueView(ctx context.Context, db *gorm.DB, tenantID, queueID int64, sort QueueSort, f QueueFilter, after *QueueCursor, limit int) ([]TicketRow, *QueueCursor, error) {
	var rows []TicketRow
	if sort == QueuePriority && !f.plain() {
		return queueByPriority(ctx, db, tenantID, queueID, f, after, limit)
	}
	if sort == QueuePriority {
		var key *QueueKey
		if after != nil {
			key = &QueueKey{PriorityRank: after.Rank, CreatedAt: after.At, ID: after.ID}
		}
		var err error
		if rows, err = TicketsInQueueAfter(ctx, db, tenantID, queueID, f.States, key, limit+1); err != nil {
			return nil, nil, err
		}
		return queuePage(rows, limit, func(r TicketRow) QueueCursor { return QueueCursor{Rank: r.PriorityRank, At: r.CreatedAt, ID: r.ID} })
	}
	q := f.where(ticketRows(ctx, db).Where("tickets.tenant_id = ? AND tickets.queue_id = ? AND tickets.state IN ? AND tickets.archived_at IS NULL", tenantID, queueID, f.States), tenantID)
	col, desc := "tickets.created_at", false
	switch sort {
	case QueueNewest:
		desc = true
	case QueueDue:
		col = "COALESCE(tickets.solution_due, ?)"
	case QueueUpdated:
		col, desc = "tickets.updated_at", true
	case QueueOldest:
	default:
		return nil, nil, fmt.Errorf("queue view: order %q: %w", sort, ErrNotFound)
	}
	arg := func(args ...any) []any {
		if sort == QueueDue {
			return append([]any{noDue}, args...)
		}
		return args
	}
	if after != nil {
		op := ">"
		if desc {
			op = "<"
		}
		q = q.Where(fmt.Sprintf("(%s, tickets.id) %s (?, ?)", col, op), arg(after.At.UTC(), after.ID)...)
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	q = q.Order(clause.OrderBy{Expression: clause.Expr{SQL: fmt.Sprintf("%s %s, tickets.id %s", col, dir, dir), Vars: arg()}})
	if err := q.Limit(limit + 1).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("queue view: %w", err)
	}
	return queuePage(rows, limit, func(r TicketRow) QueueCursor {
		switch sort {
		case QueueNewest, QueueOldest:
			return QueueCursor{At: r.CreatedAt, ID: r.ID}
		case QueueDue:
			if r.SolutionDue == nil {
				return QueueCursor{At: noDue, ID: r.ID}
			}
			return QueueCursor{At: *r.SolutionDue, ID: r.ID}
		}
		return QueueCursor{At: r.UpdatedAt, ID: r.ID}
	})
}

// queueByPriority is the priority order with filters: as
// TicketsInQueueAfter does, one query per priority, highest rank first,
// each oldest first.
func queueByPriority(ctx context.Context, db *gorm.DB, tenantID, queueID int64, f QueueFilter, after *QueueCursor, limit int) ([]TicketRow, *QueueCursor, error) {
	ps, err := Priorities(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	var out []TicketRow
	for i := len(ps) - 1; i >= 0 && len(out) <= limit; i-- {
		p := ps[i]
		if (f.PriorityID != 0 && p.ID != f.PriorityID) || (after != nil && p.Rank > after.Rank) {
			continue
		}
		q := f.where(ticketRows(ctx, db).Where("tickets.tenant_id = ? AND tickets.queue_id = ? AND tickets.priority_id = ? AND tickets.state IN ?",
			tenantID, queueID, p.ID, f.States), tenantID)
		if after != nil && p.Rank == after.Rank {
			q = q.Where("(tickets.created_at, tickets.id) > (?, ?)", after.At.UTC(), after.ID)
		}
		var rows []TicketRow
		if err := q.Order("tickets.created_at ASC, tickets.id ASC").Limit(limit + 1 - len(out)).Scan(&rows).Error; err != nil {
			return nil, nil, fmt.Errorf("queue view by priority: %w", err)
		}
		out = append(out, rows...)
	}
	return queuePage(out, limit, func(r TicketRow) QueueCursor { return QueueCursor{Rank: r.PriorityRank, At: r.CreatedAt, ID: r.ID} })
}

// queuePage cuts rows (limit+1 read) to a page and the cursor after it.
func queuePage(rows []TicketRow, limit int, cursor func(TicketRow) QueueCursor) ([]TicketRow, *QueueCursor, error) {
	if len(rows) <= limit {
		return rows, nil, nil
	}
	rows = rows[:limit]
	next := cursor(rows[len(rows)-1])
	return rows, &next, nil
}

// AgentQueueColumns returns the queue view columns an agent chose, as
// stored ("" for the default set).
func AgentQueueColumns(ctx context.Context, db *gorm.DB, tenantID, agentID int64) (string, error) {
	var cols []string
	err := db.WithContext(ctx).Table("agents").Where("id = ? AND tenant_id = ?", agentID, tenantID).Pluck("queue_columns", &cols).Error
	if err != nil {
		return "", fmt.Errorf("queue columns of agent %d: %w", agentID, err)
	}
	if len(cols) == 0 {
		return "", fmt.Errorf("queue columns of agent %d: %w", agentID, ErrNotFound)
	}
	return cols[0], nil
}

// SetAgentQueueColumns stores the queue view columns an agent chose.
func SetAgentQueueColumns(ctx context.Context, db *gorm.DB, tenantID, agentID int64, cols string) error {
	res := db.WithContext(ctx).Table("agents").Where("id = ? AND tenant_id = ? AND active", agentID, tenantID).Update("queue_columns", cols)
	if res.Error != nil {
		return fmt.Errorf("queue columns of agent %d: %w", agentID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("agent %d: %w", agentID, ErrNotFound)
	}
	return nil
}

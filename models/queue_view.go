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

// QueueFilter selects a queue view's tickets.
type QueueFilter struct {
	States []string
	// OwnerID: only tickets of this owner; Unowned: only tickets without.
	OwnerID int64
	Unowned bool
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
	if sort == QueuePriority && f.OwnerID == 0 && !f.Unowned {
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
	q := ticketRows(ctx, db).Where("tickets.tenant_id = ? AND tickets.queue_id = ? AND tickets.state IN ? AND tickets.archived_at IS NULL",
		tenantID, queueID, f.States)
	switch {
	case f.OwnerID != 0:
		q = q.Where("tickets.owner_id = ?", f.OwnerID)
	case f.Unowned:
		q = q.Where("tickets.owner_id IS NULL")
	}
	col, desc := "tickets.created_at", false
	switch sort {
	case QueueNewest:
		desc = true
	case QueueDue:
		col = "COALESCE(tickets.solution_due, ?)"
	case QueueUpdated:
		col, desc = "tickets.updated_at", true
	case QueuePriority, QueueOldest:
		// QueuePriority with an owner filter: oldest first, like a
		// priority's tickets among themselves.
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
		case QueueNewest, QueueOldest, QueuePriority:
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

// queuePage cuts rows (limit+1 read) to a page and the cursor after it.
func queuePage(rows []TicketRow, limit int, cursor func(TicketRow) QueueCursor) ([]TicketRow, *QueueCursor, error) {
	if len(rows) <= limit {
		return rows, nil, nil
	}
	rows = rows[:limit]
	next := cursor(rows[len(rows)-1])
	return rows, &next, nil
}

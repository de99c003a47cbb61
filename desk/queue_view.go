package desk

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// QueueViewRequest is how an agent looks at a queue: Sort one of
// models.QueueSorts ("" = priority), State one of QueueStates ("" =
// open and pending), Owner "", "me" or "none", After the Next of the page
// before.
//
// The other filters select by classification (ServiceID, TypeID,
// PriorityID; 0 = any), Level ("" = any, else a models.Level) and the
// customer's login (Customer, exact).
type QueueViewRequest struct {
	Sort, State, Owner, After     string
	ServiceID, TypeID, PriorityID int64
	Level, Customer               string
}

// QueueColumns are the columns a queue view may show besides the ticket's
// number and title, in the order they are shown; DefaultQueueColumns are
// those an agent sees who has not chosen.
var (
	QueueColumns        = []string{"state", "priority", "service", "customer", "owner", "due", "age", "updated", "queue", "type", "level"}
	DefaultQueueColumns = []string{"state", "priority", "service", "customer", "owner", "due", "age"}
)

// QueueStates are the state filters of a queue view.
var QueueStates = []string{"open", "new", "work", "pending", "closed"}

// QueueViewPage is one page of a queue; Next continues it ("" at the end).
type QueueViewPage struct {
	Queue   models.Queue
	Tickets []models.TicketRow
	Next    string
	// Columns are the columns the agent chose (QueueColumns' names).
	Columns []string
}

// queueViewPage is how many tickets a page of a queue view shows.
const queueViewPage = 100

// QueueView lists a queue's tickets in the order and with the filters the
// agent chose, a page at a time.
func (d *Desk) QueueView(ctx context.Context, p Principal, queueID int64, req QueueViewRequest) (QueueViewPage, error) {
	var out QueueViewPage
	if err := mustBeAgent(p); err != nil {
		return out, err
	}
	q, err := models.QueueByID(ctx, d.db, p.TenantID, queueID)
	if err != nil {
		return out, err
	}
	if err := d.need(ctx, p, q.ID, q.Name, ticket.PermRO); err != nil {
		return out, err
	}
	out.Queue = q
	fe := FieldErrors{}
	sort := models.QueueSort(req.Sort)
	if sort == "" {
		sort = models.QueuePriority
	}
	if !slices.Contains(models.QueueSorts, sort) {
		fe["sort"] = ticket.P(ticket.FieldChoose)
	}
	var f models.QueueFilter
	switch req.State {
	case "", "open":
		f.States = stateStrings(ticket.OpenStates())
	case "new":
		f.States = []string{string(ticket.StateNew)}
	case "work":
		f.States = []string{string(ticket.StateNew), string(ticket.StateOpen)}
	case "pending":
		f.States = stateStrings(ticket.PendingStates())
	case "closed":
		f.States = stateStrings([]ticket.State{ticket.StateClosedSuccessful, ticket.StateClosedUnsuccessful})
	default:
		fe["state"] = ticket.P(ticket.FieldChoose)
	}
	switch req.Owner {
	case "":
	case "me":
		f.OwnerID = p.ID
	case "none":
		f.Unowned = true
	default:
		fe["owner"] = ticket.P(ticket.FieldChoose)
	}
	f.ServiceID, f.TypeID, f.PriorityID = req.ServiceID, req.TypeID, req.PriorityID
	for field, id := range map[string]int64{"service_id": req.ServiceID, "type_id": req.TypeID, "priority_id": req.PriorityID} {
		if id < 0 {
			fe[field] = ticket.P(ticket.FieldChoose)
		}
	}
	switch l := models.Level(req.Level); l {
	case "", models.LevelFirst, models.LevelSecond, models.LevelTeam:
		f.Level = l
	default:
		fe["level"] = ticket.P(ticket.FieldChoose)
	}
	checkOptional(fe, "customer", req.Customer, ticket.Line, ticket.MaxTitleLength)
	f.CustomerLogin = strings.TrimSpace(req.Customer)
	after, ok := parseQueueCursor(req.After)
	if !ok {
		fe["after"] = ticket.P(ticket.FieldChoose)
	}
	if len(fe) > 0 {
		return out, fe
	}
	rows, next, err := models.QueueView(ctx, d.db, p.TenantID, q.ID, sort, f, after, queueViewPage)
	if err != nil {
		return out, err
	}
	out.Tickets = rows
	if out.Columns, err = d.queueColumns(ctx, p); err != nil {
		return out, err
	}
	if next != nil {
		out.Next = fmt.Sprintf("%d.%d.%d", next.Rank, next.At.UTC().UnixNano(), next.ID)
	}
	return out, nil
}

// parseQueueCursor reads a Next; "" is the first page.
func parseQueueCursor(s string) (*models.QueueCursor, bool) {
	if s == "" {
		return nil, true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, false
	}
	rank, err1 := strconv.Atoi(parts[0])
	at, err2 := strconv.ParseInt(parts[1], 10, 64)
	id, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, false
	}
	return &models.QueueCursor{Rank: rank, At: time.Unix(0, at).UTC(), ID: id}, true
}

// queueColumns are the columns p chose for queue views, known ones only
// (a name dropped from QueueColumns since is passed over).
func (d *Desk) queueColumns(ctx context.Context, p Principal) ([]string, error) {
	stored, err := models.AgentQueueColumns(ctx, d.db, p.TenantID, p.ID)
	if err != nil {
		return nil, wrapf(err, "queue columns of agent %d", p.ID)
	}
	var cols []string
	for c := range strings.SplitSeq(stored, ",") {
		if slices.Contains(QueueColumns, c) {
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return DefaultQueueColumns, nil
	}
	return cols, nil
}

// SetQueueColumns stores the columns agent p wants in queue views: each
// one of QueueColumns, at least one. They are kept in QueueColumns' order,
// whatever order they came in.
func (d *Desk) SetQueueColumns(ctx context.Context, p Principal, cols []string) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	if len(cols) == 0 {
		return FieldErrors{"columns": ticket.P(ticket.FieldRequired)}
	}
	for _, c := range cols {
		if !slices.Contains(QueueColumns, c) {
			return FieldErrors{"columns": ticket.P(ticket.FieldChoose)}
		}
	}
	var keep []string
	for _, c := range QueueColumns {
		if slices.Contains(cols, c) {
			keep = append(keep, c)
		}
	}
	if err := models.SetAgentQueueColumns(ctx, d.db, p.TenantID, p.ID, strings.Join(keep, ",")); err != nil {
		return wrapf(err, "queue columns of agent %d", p.ID)
	}
	return nil
}

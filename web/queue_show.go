package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

type queuePage struct {
	layout
	Queue   models.Queue
	Tickets []models.TicketRow
	// The bulk action's choices, and a fresh key for it.
	Choices       desk.FormChoices
	Actions       []string
	PendingStates []ticket.State
	CloseStates   []ticket.State
	RequestKey    string
	// Bulk is a refused bulk form, shown again.
	Bulk bulkForm
	// View is the order and filters chosen, Next the next page's link.
	View   desk.QueueViewRequest
	Next   string
	Sorts  []models.QueueSort
	States []string
	Levels []models.Level
	// Columns are the columns shown (the agent's choice, or the choice
	// refused just now), Heads their headers with the order each sorts by.
	Columns    []string
	AllColumns []string
	Heads      []queueHead
	ColumnForm queueColumnsForm
	// Here is this view with its filters, for the forms to come back to.
	Here string
}

// queueHead is a column header: Sort links to the view in the order the
// column sorts by ("" when the desk has no such order), Aria says how the
// view is sorted by it now ("" when not).
type queueHead struct {
	Name, Sort, Aria string
}

// columnSorts are the orders a click on a column header asks for: the
// first when the view is not sorted by the column, the second (where
// there is one) to turn the order round.
var columnSorts = map[string][2]models.QueueSort{
	"priority": {models.QueuePriority},
	"due":      {models.QueueDue},
	"age":      {models.QueueOldest, models.QueueNewest},
	"updated":  {models.QueueUpdated},
}

// Selectable: tickets of a queue can be worked in bulk.
func (queuePage) Selectable() bool { return true }

// Shows: the column is shown.
func (p *queuePage) Shows(col string) bool { return slices.Contains(p.Columns, col) }

func (s *server) queueShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	view := desk.QueueViewRequest{Sort: c.Query("sort"), State: c.Query("state"), Owner: c.Query("owner"), After: c.Query("after"),
		Level: c.Query("level"), Customer: strings.TrimSpace(c.Query("customer"))}
	fe := desk.FieldErrors{}
	for field, to := range map[string]*int64{"service_id": &view.ServiceID, "type_id": &view.TypeID, "priority_id": &view.PriorityID} {
		if v := c.Query(field); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				fe[field] = ticket.P(ticket.FieldChoose)
			}
			*to = n
		}
	}
	if len(fe) > 0 {
		s.fail(c, fe)
		return
	}
	pg, err := s.desk.QueueView(c.Request.Context(), principalOf(c), id, view)
	if err != nil {
		s.fail(c, fmt.Errorf("queue %d: %w", id, err))
		return
	}
	q, rows := pg.Queue, pg.Tickets
	var kept bulkForm
	pr, refused, err := s.handedBack(c, bulkFormKey, &kept)
	if err != nil {
		s.fail(c, err)
		return
	}
	var cols queueColumnsForm
	cpr, colsRefused, err := s.handedBack(c, queueColumnsFormKey(principalOf(c).ID), &cols)
	if err != nil {
		s.fail(c, err)
		return
	}
	choices, err := s.desk.FormChoices(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("queue %d: %w", id, err))
		return
	}
	status, lay := http.StatusOK, layout{Title: q.Name}
	if refused {
		status, lay.Error = pr.Status, bulkError(pr)
	}
	if colsRefused {
		status, lay.Error, cols.Fields = cpr.Status, cpr.Message, cpr.FieldTexts
	} else {
		cols.Columns = pg.Columns
	}
	base := fmt.Sprintf("/agent/queues/%d", q.ID)
	next := ""
	if pg.Next != "" {
		v := viewQuery(view)
		v.Set("after", pg.Next)
		next = base + "?" + v.Encode()
	}
	here := base
	if v := viewQuery(view); len(v) > 0 {
		here += "?" + v.Encode()
	}
	page := &queuePage{layout: lay, Queue: q, Tickets: rows, Bulk: kept, View: view, Next: next, Here: here,
		Sorts: models.QueueSorts, States: desk.QueueStates, Levels: []models.Level{models.LevelFirst, models.LevelSecond, models.LevelTeam},
		Columns: pg.Columns, AllColumns: desk.QueueColumns, ColumnForm: cols,
		Choices: choices, Actions: desk.BulkActions, PendingStates: ticket.PendingStates(),
		CloseStates: []ticket.State{ticket.StateClosedSuccessful, ticket.StateClosedUnsuccessful}, RequestKey: desk.NewRequestKey()}
	page.Heads = queueHeads(base, view, pg.Columns)
	s.render(c, status, "queue_show", page)
}

// viewQuery is the view's order and filters as a query, without the page.
func viewQuery(view desk.QueueViewRequest) url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"sort": view.Sort, "state": view.State, "owner": view.Owner, "level": view.Level, "customer": view.Customer} {
		if x != "" {
			v.Set(k, x)
		}
	}
	for k, x := range map[string]int64{"service_id": view.ServiceID, "type_id": view.TypeID, "priority_id": view.PriorityID} {
		if x != 0 {
			v.Set(k, strconv.FormatInt(x, 10))
		}
	}
	return v
}

// queueHeads are the headers of cols, each linking to the view (filters
// kept, from the first page) sorted by it.
func queueHeads(base string, view desk.QueueViewRequest, cols []string) []queueHead {
	now := models.QueueSort(view.Sort)
	if now == "" {
		now = models.QueuePriority
	}
	heads := make([]queueHead, 0, len(cols))
	for _, col := range cols {
		h := queueHead{Name: col}
		if sorts, ok := columnSorts[col]; ok {
			ask := sorts[0]
			switch now {
			case sorts[0]:
				h.Aria = "ascending"
				if sorts[1] != "" {
					ask = sorts[1]
				}
			case sorts[1]:
				h.Aria = "descending"
			}
			if col == "updated" || col == "priority" {
				// Newest change first, highest priority first.
				h.Aria = map[bool]string{true: "descending"}[h.Aria != ""]
			}
			v := viewQuery(view)
			v.Set("sort", string(ask))
			h.Sort = base + "?" + v.Encode()
		}
		heads = append(heads, h)
	}
	return heads
}

// Chosen: the column form ticks col.
func (p *queuePage) Chosen(col string) bool { return slices.Contains(p.ColumnForm.Columns, col) }

package web

import (
	"fmt"
	"net/http"
	"net/url"

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
}

// Selectable: tickets of a queue can be worked in bulk.
func (queuePage) Selectable() bool { return true }

func (s *server) queueShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	view := desk.QueueViewRequest{Sort: c.Query("sort"), State: c.Query("state"), Owner: c.Query("owner"), After: c.Query("after")}
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
	choices, err := s.desk.FormChoices(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("queue %d: %w", id, err))
		return
	}
	status, lay := http.StatusOK, layout{Title: q.Name}
	if refused {
		status, lay.Error = pr.Status, bulkError(pr)
	}
	next := ""
	if pg.Next != "" {
		v := url.Values{"after": {pg.Next}}
		for k, x := range map[string]string{"sort": view.Sort, "state": view.State, "owner": view.Owner} {
			if x != "" {
				v.Set(k, x)
			}
		}
		next = fmt.Sprintf("/agent/queues/%d?%s", q.ID, v.Encode())
	}
	s.render(c, status, "queue_show", &queuePage{layout: lay, Queue: q, Tickets: rows, Bulk: kept, View: view, Next: next,
		Sorts: models.QueueSorts, States: desk.QueueStates,
		Choices: choices, Actions: desk.BulkActions, PendingStates: ticket.PendingStates(),
		CloseStates: []ticket.State{ticket.StateClosedSuccessful, ticket.StateClosedUnsuccessful}, RequestKey: desk.NewRequestKey()})
}

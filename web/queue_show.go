package web

import (
	"fmt"
	"net/http"

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
}

// Selectable: tickets of a queue can be worked in bulk.
func (queuePage) Selectable() bool { return true }

func (s *server) queueShow(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	q, rows, err := s.desk.QueueTickets(c.Request.Context(), principalOf(c), id)
	if err != nil {
		s.fail(c, fmt.Errorf("queue %d: %w", id, err))
		return
	}
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
	s.render(c, status, "queue_show", &queuePage{layout: lay, Queue: q, Tickets: rows, Bulk: kept,
		Choices: choices, Actions: desk.BulkActions, PendingStates: ticket.PendingStates(),
		CloseStates: []ticket.State{ticket.StateClosedSuccessful, ticket.StateClosedUnsuccessful}, RequestKey: desk.NewRequestKey()})
}

package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

type queuePage struct {
	layout
	Queue   models.Queue
	Tickets []models.TicketRow
}

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
	s.render(c, http.StatusOK, "queue_show", &queuePage{layout: layout{Title: q.Name}, Queue: q, Tickets: rows})
}

package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *server) apiQueueTickets(c *gin.Context) {
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
	out := queueTicketsJSON{
		Queue:   queueJSON{ID: q.ID, Name: q.Name, Level: string(q.Level)},
		Tickets: rowsJSON(rows),
	}
	c.JSON(http.StatusOK, out)
}

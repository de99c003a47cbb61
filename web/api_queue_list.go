package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *server) apiQueueList(c *gin.Context) {
	qs, err := s.desk.QueueOverview(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("queue overview: %w", err))
		return
	}
	out := queueListJSON{Queues: make([]queueCountJSON, len(qs))}
	for i, q := range qs {
		out.Queues[i] = queueCountJSON{
			queueJSON: queueJSON{ID: q.ID, Name: q.Name, Level: string(q.Level)},
			New:       q.New, Open: q.Open, Total: q.All,
		}
	}
	c.JSON(http.StatusOK, out)
}

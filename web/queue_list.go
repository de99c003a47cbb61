package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

type queueListPage struct {
	layout
	Queues []models.QueueCount
}

func (s *server) queueList(c *gin.Context) {
	qs, err := s.desk.QueueOverview(c.Request.Context(), agentOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("queue overview: %w", err))
		return
	}
	s.render(c, http.StatusOK, "queue_list", &queueListPage{layout: layout{Title: "Queues"}, Queues: qs})
}

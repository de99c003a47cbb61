package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

// reminderListPage lists the tickets whose pending reminder is due.
type reminderListPage struct {
	layout
	Tickets []models.TicketRow
}

func (s *server) reminderList(c *gin.Context) {
	rows, err := s.desk.RemindersReached(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("reminders reached: %w", err))
		return
	}
	s.render(c, http.StatusOK, "reminder_list", &reminderListPage{Tickets: rows})
}

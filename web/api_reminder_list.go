package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

type reminderListJSON struct {
	Tickets []ticketJSON `json:"tickets"`
}

func (s *server) apiReminderList(c *gin.Context) {
	rows, err := s.desk.RemindersReached(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("reminders reached: %w", err))
		return
	}
	c.JSON(http.StatusOK, reminderListJSON{Tickets: rowsJSON(rows)})
}

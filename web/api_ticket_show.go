package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *server) apiTicketShow(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.desk.Ticket(c.Request.Context(), principalOf(c), number)
	if err != nil {
		s.fail(c, fmt.Errorf("ticket %s: %w", number, err))
		return
	}
	c.JSON(http.StatusOK, detailJSON(d))
}

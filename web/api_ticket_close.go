package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type closeJSON struct {
	State string `json:"state"`
	Note  string `json:"note"`
}

func (s *server) apiTicketClose(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var in closeJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	req := desk.CloseRequest{RequestKey: c.GetHeader("Idempotency-Key"), State: in.State, Note: in.Note}
	v, err := s.desk.Close(c.Request.Context(), agentOf(c), number, req)
	if err != nil {
		s.fail(c, fmt.Errorf("close ticket %s: %w", number, err))
		return
	}
	c.JSON(http.StatusOK, viewJSON(v))
}

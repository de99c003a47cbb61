package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type addNoteJSON struct {
	Kind string `json:"kind"`
	Body string `json:"body"`
}

func (s *server) apiNoteSave(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var in addNoteJSON
	if err := decodeJSON(c, &in); err != nil {
		s.fail(c, err)
		return
	}
	req := desk.AddNoteRequest{RequestKey: c.GetHeader("Idempotency-Key"), Kind: in.Kind, Body: in.Body}
	v, err := s.desk.AddNote(c.Request.Context(), agentOf(c), number, req)
	if err != nil {
		s.fail(c, fmt.Errorf("add note to ticket %s: %w", number, err))
		return
	}
	c.JSON(http.StatusOK, viewJSON(v))
}

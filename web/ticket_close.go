package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

func (s *server) ticketClose(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := closeForm{RequestKey: c.PostForm("request_key"), State: c.PostForm("state"), Note: formText(c.PostForm("note"))}
	_, err = s.desk.Close(c.Request.Context(), agentOf(c), number, desk.CloseRequest{RequestKey: f.RequestKey, State: f.State, Note: f.Note})
	if err == nil {
		sessionOf(c).addFlash("Ticket closed.")
		s.redirect(c, "/agent/tickets/"+number)
		return
	}
	p := s.problemFor(c, fmt.Errorf("close ticket %s: %w", number, err))
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		s.writeProblem(c, p)
		return
	}
	f.Fields = p.Fields
	s.showTicket(c, p.Status, number, noteForm{}, f, p.Message)
}

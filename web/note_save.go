package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

func (s *server) noteSave(c *gin.Context) {
	number, err := numberParam(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := noteForm{RequestKey: c.PostForm("request_key"), Kind: c.PostForm("kind"), Body: formText(c.PostForm("body"))}
	_, err = s.desk.AddNote(c.Request.Context(), agentOf(c), number, desk.AddNoteRequest{RequestKey: f.RequestKey, Kind: f.Kind, Body: f.Body})
	if err == nil {
		sessionOf(c).addFlash("Note added.")
		s.redirect(c, "/agent/tickets/"+number)
		return
	}
	p := s.problemFor(c, fmt.Errorf("add note to ticket %s: %w", number, err))
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		s.writeProblem(c, p)
		return
	}
	f.Fields = p.Fields
	s.showTicket(c, p.Status, number, f, closeForm{}, p.Message)
}

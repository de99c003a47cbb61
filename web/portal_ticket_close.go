package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalTicketClose is the customer's "problem solved": the ticket is
// closed successfully, as far as its process allows.
func (s *server) portalTicketClose(c *gin.Context) {
	number := c.Param("number")
	key := strings.TrimSpace(c.PostForm("request_key"))
	var err error
	if fe := formTextProblems(c); len(fe) > 0 {
		err = fe
	} else if _, cerr := s.desk.PortalClose(c.Request.Context(), principalOf(c), number, desk.PortalCloseRequest{RequestKey: key}); cerr != nil {
		err = fmt.Errorf("portal close %s: %w", number, cerr)
	} else {
		sessionOf(c).addFlash(s.texts(c).T("ui.portal.flash.closed"))
		s.redirect(c, "/portal/tickets/"+number)
		return
	}
	p := s.problemFor(c, err)
	if p.Status != http.StatusUnprocessableEntity && p.Status != http.StatusConflict {
		s.writeProblem(c, p)
		return
	}
	s.showPortalTicket(c, p.Status, number, "", p.FieldTexts, p.Message)
}

package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalTicketPage is one ticket as its customer sees it, with the reply
// and "problem solved" forms.
type portalTicketPage struct {
	portalLayout
	Detail    desk.PortalTicketDetail
	ReplyKey  string
	ReplyBody string
	CloseKey  string
	Fields    map[string]string
}

func (s *server) portalTicketShow(c *gin.Context) {
	s.showPortalTicket(c, http.StatusOK, c.Param("number"), "", nil, "")
}

func (s *server) showPortalTicket(c *gin.Context, status int, number, body string, fields map[string]string, msg string) {
	d, err := s.desk.PortalTicket(c.Request.Context(), principalOf(c), number)
	if err != nil {
		s.fail(c, fmt.Errorf("portal ticket: %w", err))
		return
	}
	page := &portalTicketPage{Detail: d, ReplyKey: desk.NewRequestKey(), ReplyBody: body, CloseKey: desk.NewRequestKey(), Fields: fields}
	page.Title = d.Ticket.Title
	page.Error = msg
	s.renderPortal(c, status, "portal_ticket_show", page)
}

package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalTicketForm is the new-ticket form as the customer filled it in.
type portalTicketForm struct {
	RequestKey string
	ServiceID  int64
	TypeID     int64
	Urgency    string
	Title      string
	Body       string
}

// portalNewPage is the customer's new-ticket form. FAQ suggestions
// (desk.SuggestFAQ, from the knowledge base) belong in this page and in
// the template's #faq-suggestions block.
type portalNewPage struct {
	portalLayout
	Choices desk.PortalChoices
	Form    portalTicketForm
	Fields  map[string]string
}

func (s *server) portalTicketNew(c *gin.Context) {
	s.showPortalNew(c, http.StatusOK, portalTicketForm{RequestKey: desk.NewRequestKey(), Urgency: string(desk.UrgencyNormal)}, nil, "")
}

func (s *server) showPortalNew(c *gin.Context, status int, f portalTicketForm, fields map[string]string, msg string) {
	choices, err := s.desk.PortalChoices(c.Request.Context(), principalOf(c), s.texts(c).Lang())
	if err != nil {
		s.fail(c, fmt.Errorf("portal choices: %w", err))
		return
	}
	page := &portalNewPage{Choices: choices, Form: f, Fields: fields}
	page.Error = msg
	s.renderPortal(c, status, "portal_ticket_new", page)
}

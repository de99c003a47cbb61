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
	HadFiles   bool // a form handed back asks for its files again
}

// portalNewPage is the customer's new-ticket form, with the FAQ entries
// that match what was typed (Part: filled by the "search the FAQ first"
// button, or by portal.js while the customer types).
type portalNewPage struct {
	portalLayout
	Choices desk.PortalChoices
	Form    portalTicketForm
	Fields  map[string]string
	Part    suggestionsPart
}

func (s *server) portalTicketNew(c *gin.Context) {
	s.showPortalNew(c, http.StatusOK, portalTicketForm{RequestKey: desk.NewRequestKey(), Urgency: string(desk.UrgencyNormal)}, nil, "")
}

func (s *server) showPortalNew(c *gin.Context, status int, f portalTicketForm, fields map[string]string, msg string) {
	s.showPortalNewWith(c, status, f, fields, msg, suggestionsPart{Text: f.Title + "\n" + f.Body})
}

func (s *server) showPortalNewWith(c *gin.Context, status int, f portalTicketForm, fields map[string]string, msg string, part suggestionsPart) {
	choices, err := s.desk.PortalChoices(c.Request.Context(), principalOf(c), s.texts(c).Lang())
	if err != nil {
		s.fail(c, fmt.Errorf("portal choices: %w", err))
		return
	}
	page := &portalNewPage{Choices: choices, Form: f, Fields: fields, Part: part}
	page.Error = msg
	s.renderPortal(c, status, "portal_ticket_new", page)
}

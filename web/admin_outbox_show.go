package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

type adminOutboxMailPage struct {
	layout
	Mail models.MailMessage
	// Raw is the message as it goes to the relay, shown as text (escaped,
	// never rendered).
	Raw string
}

// outboxMail reads the :id of an Outbox route and returns that mail; an
// id that names no mail of the tenant's is not found.
func (s *server) outboxMail(c *gin.Context) (models.MailMessage, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, fmt.Errorf("outbox mail %q: %w", c.Param("id"), desk.ErrNotFound))
		return models.MailMessage{}, false
	}
	m, err := s.desk.OutboxMail(c.Request.Context(), principalOf(c), id)
	if err != nil {
		s.fail(c, fmt.Errorf("outbox mail %d: %w", id, err))
		return models.MailMessage{}, false
	}
	return m, true
}

// adminOutboxShow is GET /admin/outbox/:id: one mail going out, its
// header fields and the message as it is sent.
func (s *server) adminOutboxShow(c *gin.Context) {
	m, ok := s.outboxMail(c)
	if !ok {
		return
	}
	page := &adminOutboxMailPage{Mail: m, Raw: string(m.Raw)}
	s.render(c, http.StatusOK, "admin_outbox_mail", page)
}

package web

import (
	"fmt"
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"
)

// adminOutboxRaw is GET /admin/outbox/:id/raw: one mail going out as an
// .eml file, always a download in a sandbox — a mail quoting a customer's
// HTML is never rendered in the desk's origin.
func (s *server) adminOutboxRaw(c *gin.Context) {
	m, ok := s.outboxMail(c)
	if !ok {
		return
	}
	name := fmt.Sprintf("kizdesk-mail-%d.eml", m.ID)
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Content-Security-Policy", "sandbox")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "message/rfc822", m.Raw)
}

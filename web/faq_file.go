package web

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// faqFile is GET /agent/faq/:id/files/:seq and /faq/:id/files/:seq: a
// file of an entry the reader may read, always as a download (never
// rendered in the desk's origin), like a ticket's attachments.
func (s *server) faqFile(c *gin.Context) {
	p := principalOf(c)
	if !p.IsAgent() {
		var err error
		if p, err = s.faqReader(c); err != nil {
			s.fail(c, err)
			return
		}
	}
	id, err := faqID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	seq, err := strconv.Atoi(c.Param("seq"))
	if err != nil {
		s.fail(c, fmt.Errorf("file %q: %w", c.Param("seq"), desk.ErrNotFound))
		return
	}
	f, err := s.desk.FAQFileData(c.Request.Context(), p, id, seq)
	if err != nil {
		s.fail(c, fmt.Errorf("file %d of FAQ entry %d: %w", seq, id, err))
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	c.Header("Content-Security-Policy", "sandbox")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/octet-stream", f.Data)
}

package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// faqPublicShow is GET /faq/:id (or /faq/<id>-<slug>): a published entry
// in the visitor's language; one the visitor may not read is not found.
func (s *server) faqPublicShow(c *gin.Context) {
	p, err := s.faqReader(c)
	if err != nil {
		s.fail(c, fmt.Errorf("FAQ reader: %w", err))
		return
	}
	id, err := faqID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.desk.FAQ(c.Request.Context(), p, id)
	if err != nil {
		s.fail(c, fmt.Errorf("public FAQ entry %d: %w", id, err))
		return
	}
	page := &faqShowPage{Detail: d}
	page.Title, _, _ = d.Entry.In(s.texts(c).Lang())
	s.render(c, http.StatusOK, "faq_public_show", page)
}

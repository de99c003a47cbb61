package web

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// faqEdit is GET /agent/faq/:id/edit: the entry's current version in the form.
func (s *server) faqEdit(c *gin.Context) {
	id, err := faqID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.desk.FAQ(c.Request.Context(), principalOf(c), id)
	if err != nil {
		s.fail(c, fmt.Errorf("FAQ entry %d: %w", id, err))
		return
	}
	e := d.Entry
	f := desk.FAQForm{Visibility: string(e.Visibility), FAQText: e.FAQText, Base: e.Version}
	if e.ServiceID != nil {
		f.ServiceID = *e.ServiceID
	}
	page := &faqFormPage{ID: id, Form: f}
	status, ok := s.faqKeptForm(c, page)
	if !ok {
		return
	}
	s.renderFAQForm(c, status, page)
}

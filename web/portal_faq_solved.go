package web

import (
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalFAQSolved records that an FAQ entry answered what the customer
// was about to ask: a ticket the desk was spared. The customer goes back
// to their requests; nothing was opened.
func (s *server) portalFAQSolved(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, fmt.Errorf("FAQ entry %q: %w", c.Param("id"), desk.ErrNotFound))
		return
	}
	// The button posts the new-request form as typed: what was typed is
	// kept with the deflection as a hint for the reports.
	f := postedPortalTicket(c, desk.FieldErrors{})
	if s.portalFormRefused(c, &f) {
		return
	}
	text := f.Title + "\n" + f.Body // the desk cuts it to desk.MaxSuggestText
	if err := s.desk.RecordDeflection(c.Request.Context(), principalOf(c), id, text); err != nil {
		s.fail(c, fmt.Errorf("FAQ entry %d solved it: %w", id, err))
		return
	}
	sessionOf(c).addFlash(s.texts(c).T("ui.portal.faq.thanks"))
	s.redirect(c, "/portal")
}

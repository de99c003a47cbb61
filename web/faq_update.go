package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// faqUpdate is POST /agent/faq/:id: the form saved as the entry's next version.
func (s *server) faqUpdate(c *gin.Context) {
	id, err := faqID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	fe := faqFormProblems(c)
	f := postedFAQ(c, fe)
	err = fe
	if len(fe) == 0 {
		if err = s.desk.UpdateFAQ(c.Request.Context(), principalOf(c), id, f); err == nil {
			sessionOf(c).addFlash(s.texts(c).T("ui.faq.saved"))
			s.redirect(c, fmt.Sprintf("/agent/faq/%d", id))
			return
		}
	}
	s.faqFormFailed(c, &faqFormPage{ID: id, Form: f}, err)
}

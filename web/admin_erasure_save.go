package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// adminErasureSave is POST /admin/erasure/:id: carry out the customer's
// erasure request once the admin confirmed it, then the search page with
// what it did; refused (the page says why) while the customer has open
// tickets.
func (s *server) adminErasureSave(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	f := erasureForm{Confirm: c.PostForm("confirm")}
	fe := formTextProblems(c)
	if f.Confirm != "" && f.Confirm != "yes" {
		fe["confirm"] = ticket.P(ticket.FieldChoose)
	}
	if len(fe) > 0 {
		err = fe
	} else {
		var run desk.RetentionRun
		if run, err = s.desk.Erase(c.Request.Context(), principalOf(c), id, f.Confirm == "yes"); err == nil {
			sessionOf(c).addFlash(runFlash(s.texts(c), run))
			s.redirect(c, "/admin/erasure")
			return
		}
	}
	pr := s.problemFor(c, fmt.Errorf("erase customer %d: %w", id, err))
	if pr.Status != http.StatusUnprocessableEntity && pr.Status != http.StatusConflict {
		s.writeProblem(c, pr)
		return
	}
	to := fmt.Sprintf("/admin/erasure/%d", id)
	if s.handBack(c, erasureFormKey(id), pr, &f, to) {
		return
	}
	page := &adminErasureShowPage{Form: f}
	page.Error, page.Form.Fields = pr.Message, pr.FieldTexts
	s.showErasure(c, pr.Status, id, page)
}

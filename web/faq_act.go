package web

import (
	"fmt"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// faqAct is POST /agent/faq/:id/actions: submit, approve, reject,
// publish, withdraw or redraft the version the agent saw.
func (s *server) faqAct(c *gin.Context) {
	id, err := faqID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	fe := faqFormProblems(c)
	version, verr := strconv.Atoi(c.PostForm("version"))
	if verr != nil {
		fe["version"] = ticket.P(ticket.FieldBadNumber)
	}
	back := fmt.Sprintf("/agent/faq/%d", id)
	if len(fe) == 0 {
		if err = s.desk.FAQAct(c.Request.Context(), principalOf(c), id, c.PostForm("action"), version); err == nil {
			sessionOf(c).addFlash(s.texts(c).T("ui.faq.done"))
			s.redirect(c, back)
			return
		}
	} else {
		err = fe
	}
	pr := s.problemFor(c, fmt.Errorf("FAQ entry %d action: %w", id, err))
	if pr.Status >= 500 || pr.Status == 404 || pr.Status == 403 {
		s.writeProblem(c, pr)
		return
	}
	// A refusal or a bad form: the entry's page says why.
	form := faqActForm{Action: c.PostForm("action")}
	if !s.handBack(c, faqActKey(id), pr, &form, back) {
		s.writeProblem(c, pr)
	}
}

// faqActForm is a refused action as kept for the entry's page.
type faqActForm struct{ Action string }

func faqActKey(id int64) string { return fmt.Sprintf("faq-act:%d", id) }

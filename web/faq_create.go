package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// postedFAQ reads the entry form; numbers that are no numbers are field
// problems.
func postedFAQ(c *gin.Context, fe desk.FieldErrors) desk.FAQForm {
	f := desk.FAQForm{Visibility: c.PostForm("visibility"), Ticket: strings.TrimSpace(c.PostForm("ticket")),
		FAQText: models.FAQText{TitleDE: c.PostForm("title_de"), QuestionDE: c.PostForm("question_de"), AnswerDE: c.PostForm("answer_de"),
			TitleEN: c.PostForm("title_en"), QuestionEN: c.PostForm("question_en"), AnswerEN: c.PostForm("answer_en")}}
	if v := c.PostForm("service_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fe["service_id"] = ticket.P(ticket.FieldBadNumber)
		}
		f.ServiceID = n
	}
	if v := c.PostForm("base"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fe["base"] = ticket.P(ticket.FieldBadNumber)
		}
		f.Base = n
	}
	return f
}

// faqCreate is POST /agent/faq: a new entry as a draft; its page next.
func (s *server) faqCreate(c *gin.Context) {
	fe := faqFormProblems(c)
	f := postedFAQ(c, fe)
	var err error = fe
	if len(fe) == 0 {
		var id int64
		if id, err = s.desk.CreateFAQ(c.Request.Context(), principalOf(c), f); err == nil {
			sessionOf(c).addFlash(s.texts(c).T("ui.faq.saved"))
			s.redirect(c, fmt.Sprintf("/agent/faq/%d", id))
			return
		}
	}
	s.faqFormFailed(c, &faqFormPage{Form: f}, err)
}

// faqFormKey is what a refused entry form is kept under; faqFormHref
// the page it comes back on.
func faqFormKey(id int64) string { return fmt.Sprintf("faq:%d", id) }

func faqFormHref(id int64) string {
	if id == 0 {
		return "/agent/faq/new"
	}
	return fmt.Sprintf("/agent/faq/%d/edit", id)
}

// faqFormFailed sends the form back to its page with its problems (or
// shows it at once if it cannot be kept), or shows the error page.
func (s *server) faqFormFailed(c *gin.Context, page *faqFormPage, err error) {
	pr := s.problemFor(c, fmt.Errorf("save FAQ entry %d: %w", page.ID, err))
	if pr.Status != http.StatusUnprocessableEntity && pr.Status != http.StatusConflict {
		s.writeProblem(c, pr)
		return
	}
	if s.handBack(c, faqFormKey(page.ID), pr, &page.Form, faqFormHref(page.ID)) {
		return
	}
	page.Error, page.Fields = pr.Message, pr.FieldTexts
	s.renderFAQForm(c, pr.Status, page)
}

// faqKeptForm puts a form kept by faqFormFailed into page; the status
// to show it with.
func (s *server) faqKeptForm(c *gin.Context, page *faqFormPage) (int, bool) {
	pr, kept, err := s.handedBack(c, faqFormKey(page.ID), &page.Form)
	if err != nil {
		s.fail(c, err)
		return 0, false
	}
	if !kept {
		return http.StatusOK, true
	}
	page.Error, page.Fields = pr.Message, pr.FieldTexts
	return pr.Status, true
}

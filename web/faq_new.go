package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// faqFormPage is the form of a new or an existing entry.
type faqFormPage struct {
	layout
	faqKeys
	// ID is the entry edited; 0: a new one.
	ID       int64
	Form     desk.FAQForm
	Services []models.Service
	Fields   map[string]string
}

// faqNew is GET /agent/faq/new: an empty form, or with ?ticket= one
// prefilled from the ticket (its title and first customer article as the
// question, ?article= or the last reply as the answer).
func (s *server) faqNew(c *gin.Context) {
	ctx, p := c.Request.Context(), principalOf(c)
	page := &faqFormPage{Form: desk.FAQForm{Visibility: "internal"}}
	status, ok := s.faqKeptForm(c, page)
	if !ok {
		return
	}
	if number := c.Query("ticket"); number != "" && status == http.StatusOK {
		seq, _ := strconv.Atoi(c.Query("article"))
		f, err := s.desk.FAQFromTicket(ctx, p, number, seq, s.texts(c).Lang())
		if err != nil {
			s.fail(c, fmt.Errorf("FAQ from ticket %s: %w", number, err))
			return
		}
		page.Form = f
	}
	s.renderFAQForm(c, status, page)
}

func (s *server) renderFAQForm(c *gin.Context, status int, page *faqFormPage) {
	ch, err := s.desk.FormChoices(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("FAQ form choices: %w", err))
		return
	}
	page.Services = ch.Services
	name := "faq_new"
	if page.ID != 0 {
		name = "faq_edit"
	}
	s.render(c, status, name, page)
}

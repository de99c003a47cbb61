package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// faqPublicList is GET /faq: the published entries a visitor (or a
// logged-in customer) may read, searched by words; no login.
func (s *server) faqPublicList(c *gin.Context) {
	p, err := s.faqReader(c)
	if err != nil {
		s.fail(c, fmt.Errorf("FAQ reader: %w", err))
		return
	}
	page := &faqListPage{Q: strings.TrimSpace(c.Query("q"))}
	items, err := s.desk.FAQList(c.Request.Context(), p, desk.FAQListRequest{Text: page.Q, Lang: s.texts(c).Lang()})
	status := http.StatusOK
	if err != nil {
		pr := s.problemFor(c, fmt.Errorf("public FAQ list: %w", err))
		if pr.Status != http.StatusUnprocessableEntity {
			s.writeProblem(c, pr)
			return
		}
		status, page.Error, page.Fields = pr.Status, pr.Message, pr.FieldTexts
	}
	page.Items = items
	s.render(c, status, "faq_public_list", page)
}

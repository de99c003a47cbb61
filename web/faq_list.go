package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// faqListPage lists FAQ entries, found by words or the newest.
type faqListPage struct {
	layout
	faqKeys
	Q, State string
	Items    []desk.FAQListItem
	Fields   map[string]string
}

// faqList is GET /agent/faq: every entry the agent may read, any state,
// searched by words in German and English.
func (s *server) faqList(c *gin.Context) {
	page := &faqListPage{Q: strings.TrimSpace(c.Query("q")), State: c.Query("state")}
	items, err := s.desk.FAQList(c.Request.Context(), principalOf(c),
		desk.FAQListRequest{Text: page.Q, State: page.State, Lang: s.texts(c).Lang()})
	status := http.StatusOK
	if err != nil {
		pr := s.problemFor(c, fmt.Errorf("FAQ list: %w", err))
		if pr.Status != http.StatusUnprocessableEntity {
			s.writeProblem(c, pr)
			return
		}
		status, page.Error, page.Fields = pr.Status, pr.Message, pr.FieldTexts
	}
	page.Items = items
	s.render(c, status, "faq_list", page)
}

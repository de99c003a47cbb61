package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

type adminErasurePage struct {
	layout
	Query     string
	Searched  bool
	Customers []models.Customer
	Fields    map[string]string
}

// adminErasure is GET /admin/erasure: find the customer whose erasure
// request (right to be forgotten) an admin carries out, by login, name
// or mail.
func (s *server) adminErasure(c *gin.Context) {
	page := &adminErasurePage{Query: strings.TrimSpace(c.Query("q"))}
	page.Searched = page.Query != ""
	var err error
	page.Customers, err = s.desk.ErasureCandidates(c.Request.Context(), principalOf(c), page.Query)
	if err != nil {
		pr := s.problemFor(c, fmt.Errorf("erasure candidates: %w", err))
		if pr.Status != http.StatusUnprocessableEntity {
			s.writeProblem(c, pr)
			return
		}
		page.Error, page.Fields = pr.Message, pr.FieldTexts
		s.render(c, pr.Status, "admin_erasure", page)
		return
	}
	s.render(c, http.StatusOK, "admin_erasure", page)
}

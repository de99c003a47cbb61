package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type adminListPage struct {
	layout
	Kind desk.AdminKind
	Rows []desk.AdminRow
}

// adminList is GET /admin/<kind>: the kind's objects, inactive ones too.
func (s *server) adminList(k desk.AdminKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		rows, err := s.desk.AdminList(c.Request.Context(), principalOf(c), k.Name)
		if err != nil {
			s.fail(c, fmt.Errorf("admin list %s: %w", k.Name, err))
			return
		}
		page := &adminListPage{Kind: k, Rows: rows}
		page.Title = s.texts(c).AdminKind(k.Name)
		s.render(c, http.StatusOK, "admin_list", page)
	}
}

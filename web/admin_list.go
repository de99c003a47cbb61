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
	// Search is what the list is narrowed to; Total how many objects
	// match, of which the list shows at most desk.AdminListLimit.
	Search string
	Total  int
}

// adminList is GET /admin/<kind>[?q=words]: the kind's objects, inactive
// ones too, narrowed to those whose columns contain q.
func (s *server) adminList(k desk.AdminKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		q := c.Query("q")
		rows, total, err := s.desk.AdminList(c.Request.Context(), principalOf(c), k.Name, q)
		if err != nil {
			s.fail(c, fmt.Errorf("admin list %s: %w", k.Name, err))
			return
		}
		page := &adminListPage{Kind: k, Rows: rows, Search: q, Total: total}
		page.Title = s.texts(c).AdminKind(k.Name)
		s.render(c, http.StatusOK, "admin_list", page)
	}
}

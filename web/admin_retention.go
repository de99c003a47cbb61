package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type adminRetentionPage struct {
	layout
	Overview desk.RetentionOverview
}

// adminRetention is GET /admin/retention: the tenant's retention policy
// and the dry run, what retention would archive and anonymise now, with
// the button that runs it now.
func (s *server) adminRetention(c *gin.Context) {
	o, err := s.desk.RetentionOverview(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("retention overview: %w", err))
		return
	}
	s.render(c, http.StatusOK, "admin_retention", &adminRetentionPage{Overview: o})
}

package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

type adminIndexPage struct {
	layout
	Kinds []desk.AdminKind
}

func (s *server) adminIndex(c *gin.Context) {
	kinds, err := s.desk.AdminKinds(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("admin index: %w", err))
		return
	}
	s.render(c, http.StatusOK, "admin_index", &adminIndexPage{Kinds: kinds})
}

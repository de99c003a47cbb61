package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// adminTokenRevoke is POST /admin/agents/:id/tokens/:token/revoke.
func (s *server) adminTokenRevoke(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	token, err := idParam(c, "token")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.revokeToken(c, id, token, fmt.Sprintf("/admin/agents/%d", id))
}

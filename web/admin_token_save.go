package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// adminTokenSave is POST /admin/agents/:id/tokens: an admin makes an API
// token for an agent of the tenant (an integration's, say).
func (s *server) adminTokenSave(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.createToken(c, id, fmt.Sprintf("/admin/agents/%d", id))
}

package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *server) apiOpenAPI(c *gin.Context) {
	b, err := files.ReadFile("openapi.yaml")
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/yaml", b)
}

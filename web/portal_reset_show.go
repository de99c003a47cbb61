package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// portalResetPage asks for the login of a local customer account whose
// password is forgotten; Sent: the request was taken.
type portalResetPage struct {
	portalLayout
	Login  string
	Sent   bool
	Fields map[string]string
}

func (s *server) portalResetShow(c *gin.Context) {
	s.renderPortal(c, http.StatusOK, "portal_reset", &portalResetPage{})
}

package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// portalLoginPage is the customers' login form.
type portalLoginPage struct {
	portalLayout
	Login  string
	Next   string
	Fields map[string]string
}

func (s *server) portalLoginShow(c *gin.Context) {
	next := portalPath(c.Query("next"))
	if sessionOf(c).customerID() != 0 {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	s.renderPortal(c, http.StatusOK, "portal_login", &portalLoginPage{Next: next})
}

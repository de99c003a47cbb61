package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// loginPage is the login form; Next is where to go after logging in.
type loginPage struct {
	layout
	Login  string
	Next   string
	Fields map[string]string
}

func (s *server) loginShow(c *gin.Context) {
	next := localPath(c.Query("next"))
	if sessionOf(c).agentID() != 0 {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	s.render(c, http.StatusOK, "login", &loginPage{Next: next})
}

package web

import (
	"net/http"
	"strconv"

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
	sess := sessionOf(c)
	if sess.agentID() != 0 {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	page, status := &loginPage{Next: next}, http.StatusOK
	if f, ok := sess.takeLoginForm(); ok {
		p := s.localize(c, problem{Status: f.Status, Msg: f.Msg, Fields: f.Fields})
		page.Error, page.Login, page.Fields, status = p.Message, f.Login, p.FieldTexts, p.Status
		if m, err := strconv.Atoi(f.Msg.Args["Minutes"]); err == nil && status == http.StatusTooManyRequests {
			c.Header("Retry-After", strconv.Itoa(m*60))
		}
	}
	s.render(c, status, "login", page)
}

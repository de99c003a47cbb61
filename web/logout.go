package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// logout ends the session on the server, so that no copy of the cookie
// works any more, and then in the browser.
func (s *server) logout(c *gin.Context) {
	sess := sessionOf(c)
	if err := s.desk.Logout(c.Request.Context(), sess.token()); err != nil {
		s.fail(c, fmt.Errorf("logout: %w", err))
		return
	}
	sess.logout()
	sess.addFlash(s.texts(c).T("ui.flash.logged_out"))
	s.redirect(c, "/login")
}

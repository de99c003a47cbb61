package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// portalLogout ends the customer's portal session on the server, so no
// copy of the cookie works any more, and then in the browser.
func (s *server) portalLogout(c *gin.Context) {
	sess := sessionOf(c)
	if err := s.desk.PortalLogout(c.Request.Context(), sess.token()); err != nil {
		s.fail(c, fmt.Errorf("portal logout: %w", err))
		return
	}
	sess.logout()
	sess.addFlash(s.texts(c).T("ui.flash.logged_out"))
	s.redirect(c, "/portal/login")
}

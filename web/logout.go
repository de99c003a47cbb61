package web

import "github.com/gin-gonic/gin"

func (s *server) logout(c *gin.Context) {
	sess := sessionOf(c)
	sess.logout()
	sess.addFlash(s.texts(c).T("ui.flash.logged_out"))
	s.redirect(c, "/login")
}

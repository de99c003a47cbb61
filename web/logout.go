package web

import "github.com/gin-gonic/gin"

func (s *server) logout(c *gin.Context) {
	sess := sessionOf(c)
	sess.logout()
	sess.addFlash("You are logged out.")
	s.redirect(c, "/login")
}

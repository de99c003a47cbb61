package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// portalResetSave mails a reset link, if the login is a local customer
// account's; the page says the same whether it is or not.
func (s *server) portalResetSave(c *gin.Context) {
	login := strings.TrimSpace(c.PostForm("login"))
	var err error
	if fe := formTextProblems(c); len(fe) > 0 {
		err = fe
	} else if err = s.desk.RequestPasswordReset(c.Request.Context(), login, c.ClientIP()); err == nil {
		s.renderPortal(c, http.StatusOK, "portal_reset", &portalResetPage{Sent: true})
		return
	}
	p := s.problemFor(c, fmt.Errorf("password reset: %w", err))
	if p.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, p)
		return
	}
	page := &portalResetPage{Fields: p.FieldTexts}
	if _, bad := p.Fields["login"]; !bad {
		page.Login = login
	}
	page.Error = p.Message
	s.renderPortal(c, p.Status, "portal_reset", page)
}

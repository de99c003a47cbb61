package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalResetSetPage sets a new password with the link's token.
type portalResetSetPage struct {
	portalLayout
	Token  string
	Fields map[string]string
}

// portalResetSetShow shows the new-password form of a good link; a link
// used or expired says so (404) and leads back to asking for a new one.
func (s *server) portalResetSetShow(c *gin.Context) {
	token := c.Param("token")
	if err := s.desk.CheckPasswordReset(c.Request.Context(), token); err != nil {
		s.resetGone(c, err)
		return
	}
	s.renderPortal(c, http.StatusOK, "portal_reset_set", &portalResetSetPage{Token: token})
}

func (s *server) portalResetSetSave(c *gin.Context) {
	token := c.Param("token")
	err := error(nil)
	if fe := formTextProblems(c); len(fe) > 0 {
		err = fe
	} else if err = s.desk.ResetPassword(c.Request.Context(), token, c.PostForm("password")); err == nil {
		sessionOf(c).addFlash(s.texts(c).T("ui.portal.reset.done"))
		s.redirect(c, "/portal/login")
		return
	}
	if errors.Is(err, desk.ErrNotFound) {
		s.resetGone(c, err)
		return
	}
	p := s.problemFor(c, fmt.Errorf("reset password: %w", err))
	if p.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, p)
		return
	}
	page := &portalResetSetPage{Token: token, Fields: p.FieldTexts}
	page.Error = p.Message
	s.renderPortal(c, p.Status, "portal_reset_set", page)
}

// resetGone answers a reset link that does not work (any more).
func (s *server) resetGone(c *gin.Context, err error) {
	if !errors.Is(err, desk.ErrNotFound) {
		s.fail(c, fmt.Errorf("password reset link: %w", err))
		return
	}
	page := &portalResetPage{}
	page.Error = s.texts(c).T("ui.portal.reset.gone")
	s.renderPortal(c, http.StatusNotFound, "portal_reset", page)
}

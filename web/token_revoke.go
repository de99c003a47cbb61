package web

import (
	"fmt"

	"github.com/gin-gonic/gin"
)

// tokenRevoke is POST /agent/tokens/:id/revoke: end one of one's tokens.
func (s *server) tokenRevoke(c *gin.Context) {
	id, err := idParam(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.revokeToken(c, principalOf(c).ID, id, "/agent/tokens")
}

func (s *server) revokeToken(c *gin.Context, agentID, tokenID int64, back string) {
	if err := s.desk.RevokeToken(c.Request.Context(), principalOf(c), agentID, tokenID); err != nil {
		s.fail(c, fmt.Errorf("revoke token %d: %w", tokenID, err))
		return
	}
	sessionOf(c).addFlash(s.texts(c).T("ui.tokens.revoked"))
	s.redirect(c, back)
}

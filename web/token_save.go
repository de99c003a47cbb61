package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// tokenSave is POST /agent/tokens: a new API token of one's own.
func (s *server) tokenSave(c *gin.Context) {
	s.createToken(c, principalOf(c).ID, "/agent/tokens")
}

// createToken makes a token for the agent and shows it once, in the flash
// of the page at back: only its hash is kept, so it can never be shown
// again.
func (s *server) createToken(c *gin.Context, agentID int64, back string) {
	f := tokenForm{Name: strings.TrimSpace(c.PostForm("name"))}
	var err error
	if fe := formTextProblems(c); len(fe) > 0 {
		err = fe
	} else {
		token, cerr := s.desk.CreateToken(c.Request.Context(), principalOf(c), agentID, f.Name)
		if cerr == nil {
			sessionOf(c).addFlash(s.texts(c).T("ui.tokens.created", "Name", f.Name, "Token", token))
			s.redirect(c, back)
			return
		}
		err = fmt.Errorf("create token for agent %d: %w", agentID, cerr)
	}
	pr := s.problemFor(c, err)
	if pr.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, pr)
		return
	}
	if !s.handBack(c, tokenFormKey(agentID), pr, &f, back) {
		s.writeProblem(c, pr)
	}
}

package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
)

// tokenForm is the form that makes an API token: its name.
type tokenForm struct {
	Name   string
	Fields map[string]string `json:"-"`
}

type tokenListPage struct {
	layout
	Tokens []models.APIToken
	Token  tokenForm
}

// TokenBase is where the token forms post.
func (p *tokenListPage) TokenBase() string { return "/agent/tokens" }

// tokenFormKey is what a refused token form for an agent is kept under.
func tokenFormKey(agentID int64) string { return fmt.Sprintf("tokens:%d", agentID) }

// tokenList is GET /agent/tokens: the agent's own API tokens.
func (s *server) tokenList(c *gin.Context) {
	ctx, p := c.Request.Context(), principalOf(c)
	page := &tokenListPage{}
	pr, kept, err := s.handedBack(c, tokenFormKey(p.ID), &page.Token)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if kept {
		status, page.Error, page.Token.Fields = pr.Status, pr.Message, pr.FieldTexts
	}
	if page.Tokens, err = s.desk.AgentTokens(ctx, p, p.ID); err != nil {
		s.fail(c, fmt.Errorf("my tokens: %w", err))
		return
	}
	s.render(c, status, "token_list", page)
}

package web

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// languageSave is the language switch in every page's header. A logged-in
// agent's choice is stored with them, so it follows them to their other
// devices and sessions; anyone's is kept in the session, so the login page
// speaks it too. Then back to the page the switch was on.
func (s *server) languageSave(c *gin.Context) {
	lang := strings.TrimSpace(c.PostForm("lang"))
	next := localPath(c.PostForm("next"))
	if !slices.Contains(i18n.Languages, lang) {
		s.fail(c, desk.FieldErrors{"lang": ticket.P(ticket.FieldChoose)})
		return
	}
	sess := sessionOf(c)
	if id := sess.agentID(); id != 0 {
		ctx := c.Request.Context()
		a, err := s.desk.SessionAgent(ctx, sess.token())
		switch {
		case errors.Is(err, desk.ErrNotFound) || (err == nil && a.ID != id):
			// Deactivated since logging in: the next page logs them out.
		case err != nil:
			s.fail(c, fmt.Errorf("agent %d of session: %w", id, err))
			return
		default:
			if err := s.desk.SetLanguage(ctx, desk.AgentPrincipal(a), lang); err != nil {
				s.fail(c, fmt.Errorf("language %s for agent %d: %w", lang, id, err))
				return
			}
		}
	}
	sess.setLang(lang)
	s.redirect(c, next)
}

// setLang keeps the language chosen in this session.
func (s *session) setLang(lang string) {
	if s.lang() != lang {
		s.raw.Values[valLang] = lang
		s.changed = true
	}
}

// adoptLang makes an agent's stored language the session's: it was chosen
// on another device, or in an earlier session. An agent who never chose
// keeps the session's choice, or else the browser's language.
func (s *session) adoptLang(stored string) {
	if stored != "" {
		s.setLang(stored)
	}
}

package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

func (s *server) loginCheck(c *gin.Context) {
	login := strings.TrimSpace(c.PostForm("login"))
	password := c.PostForm("password")
	next := localPath(c.PostForm("next"))

	err := loginFieldErrors(login, password)
	if err == nil {
		a, lerr := s.desk.Login(c.Request.Context(), login, password)
		if lerr == nil {
			sessionOf(c).login(a.ID)
			s.redirect(c, next)
			return
		}
		err = fmt.Errorf("login %q: %w", login, lerr)
	}

	p := s.problemFor(c, err)
	if p.Status != http.StatusUnauthorized && p.Status != http.StatusUnprocessableEntity {
		s.writeProblem(c, p)
		return
	}
	s.render(c, p.Status, "login", &loginPage{
		layout: layout{Error: p.Message},
		Login:  login, Next: next, Fields: p.FieldTexts,
	})
}

func loginFieldErrors(login, password string) error {
	fe := desk.FieldErrors{}
	if login == "" {
		fe["login"] = ticket.P(ticket.FieldRequired)
	}
	if password == "" {
		fe["password"] = ticket.P(ticket.FieldRequired)
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

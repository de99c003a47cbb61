package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

func (s *server) loginCheck(c *gin.Context) {
	sess := sessionOf(c)
	login := strings.TrimSpace(c.PostForm("login"))
	password := c.PostForm("password")
	next := localPath(c.PostForm("next"))

	err := loginFieldErrors(c, login, password)
	if err == nil {
		ses, lerr := s.desk.Login(c.Request.Context(), desk.LoginRequest{
			Login: login, Password: password, Client: c.ClientIP(), Previous: sess.token(),
		})
		if lerr == nil {
			sess.login(ses.Agent.ID, ses.Token)
			s.redirect(c, next)
			return
		}
		err = fmt.Errorf("login %q: %w", login, lerr)
	}

	p := s.classify(c, err)
	switch p.Status {
	case http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable:
	default:
		s.writeProblem(c, s.localize(c, p))
		return
	}
	// The login page shows the refusal once, with the login as typed.
	sess.handBackLogin(savedLogin{Login: login, Status: p.Status, Msg: p.Msg, Fields: p.Fields})
	to := "/login"
	if next != defaultNext {
		to += "?next=" + url.QueryEscape(next)
	}
	s.redirect(c, to)
}

func loginFieldErrors(c *gin.Context, login, password string) error {
	fe := formTextProblems(c)
	delete(fe, "next") // localPath makes a bad next page the start page
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

package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// portalLoginCheck logs a customer in: a local customer account or a kiz
// account, checked by the desk with the agents' throttle. A refusal shows
// the form again with the login as typed.
func (s *server) portalLoginCheck(c *gin.Context) {
	sess := sessionOf(c)
	login := strings.TrimSpace(c.PostForm("login"))
	password := c.PostForm("password")
	next := portalPath(c.PostForm("next"))

	err := loginFieldErrors(c, login, password)
	if err == nil && sess.agentID() != 0 {
		// An agent's session in this browser ends with a customer's login.
		if lerr := s.desk.Logout(c.Request.Context(), sess.token()); lerr != nil {
			s.fail(c, fmt.Errorf("portal login: end the agent's session: %w", lerr))
			return
		}
	}
	if err == nil {
		ses, lerr := s.desk.PortalLogin(c.Request.Context(), desk.LoginRequest{
			Login: login, Password: password, Client: c.ClientIP(), Previous: sess.token(),
		})
		if lerr == nil {
			sess.loginCustomer(ses.Customer.ID, ses.Token)
			s.redirect(c, next)
			return
		}
		err = fmt.Errorf("portal login %q: %w", login, lerr)
	}
	p := s.problemFor(c, err)
	switch p.Status {
	case http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable:
	default:
		s.writeProblem(c, p)
		return
	}
	if m, err := strconv.Atoi(p.Msg.Args["Minutes"]); err == nil && p.Status == http.StatusTooManyRequests {
		c.Header("Retry-After", strconv.Itoa(m*60))
	}
	page := &portalLoginPage{Next: next, Fields: p.FieldTexts}
	if len(login) <= maxLoginEcho {
		page.Login = cleanText(login)
	}
	page.Error = p.Message
	s.renderPortal(c, p.Status, "portal_login", page)
}

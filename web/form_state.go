package web

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Post/redirect/get for refused forms. A form that the desk or the web
// refuses (field problems, a refusal of the ticket's process, a failed
// login) is not answered with a page: the form as sent, its problems and
// the message are kept for the session, and the browser is sent (303) to
// the page the form is on, which shows them once. Reloading that page
// shows it afresh and never posts again.
//
// The page shown after the redirect answers with the refusal's status
// (422, 409, 401, 429) rather than 200: the status tells what the page
// shows, a refused form, so a client that follows redirects — a script, a
// test, a monitoring probe — still learns that the action failed; the
// next load of the page, without the form, is a 200 again. Agent pages
// are never stored (Cache-Control: no-store), so the status sticks to
// nothing.
//
// Ticket forms are kept by the desk, for the session: an article may have
// 100,000 characters, more than a cookie holds, and every web copy must
// find them. The login form is kept in the cookie: there is no server-side
// session before the login, and it is small (never the password).

// savedForm is a refused form as kept: Form is the form's struct as JSON.
type savedForm struct {
	Status int
	Msg    ticket.Problem
	Fields desk.FieldErrors `json:",omitempty"`
	Form   json.RawMessage
}

// keptStatus is the status a kept form is shown with: the refusal's,
// which is always a 4xx.
func keptStatus(status int) int {
	if status < 400 || status > 499 {
		return http.StatusUnprocessableEntity
	}
	return status
}

// handBack keeps form (a pointer to the form's struct) with problem p for
// the page at to under key, and redirects there. If the form cannot be
// kept, it says so and does not redirect: the caller then shows the page
// at once, as the answer to the post.
func (s *server) handBack(c *gin.Context, key string, p problem, form any, to string) bool {
	scrub(form)
	f, err := json.Marshal(form)
	if err == nil {
		var b []byte
		b, err = json.Marshal(savedForm{Status: p.Status, Msg: p.Msg, Fields: p.Fields, Form: f})
		if err == nil {
			err = s.desk.SaveFormState(c.Request.Context(), sessionOf(c).token(), key, b)
		}
	}
	if err != nil {
		s.log.LogAttrs(c.Request.Context(), slog.LevelWarn, "refused form shown without redirect",
			slog.String("path", c.Request.URL.Path), slog.String("err", err.Error()))
		return false
	}
	s.redirect(c, to)
	return true
}

// handedBack fills form with the form kept under key, if there is one,
// and returns its problem in the reader's language.
func (s *server) handedBack(c *gin.Context, key string, form any) (problem, bool, error) {
	b, err := s.desk.TakeFormState(c.Request.Context(), sessionOf(c).token(), key)
	if err != nil || b == nil {
		return problem{}, false, err
	}
	var sf savedForm
	if err := json.Unmarshal(b, &sf); err != nil {
		return problem{}, false, fmt.Errorf("kept form %s: %w", key, err)
	}
	if err := json.Unmarshal(sf.Form, form); err != nil {
		return problem{}, false, fmt.Errorf("kept form %s: %w", key, err)
	}
	return s.localize(c, problem{Status: keptStatus(sf.Status), Msg: sf.Msg, Fields: sf.Fields}), true, nil
}

// savedLogin is the refused login form as the cookie keeps it.
type savedLogin struct {
	Login  string `json:",omitempty"`
	Status int
	Msg    ticket.Problem
	Fields desk.FieldErrors `json:",omitempty"`
}

// maxLoginEcho bounds the login shown again: a cookie holds 4 KB.
const maxLoginEcho = 200

func (s *session) handBackLogin(f savedLogin) {
	if len(f.Login) > maxLoginEcho {
		f.Login = ""
	}
	f.Login = cleanText(f.Login)
	b, _ := json.Marshal(f) // strings, ints and maps of them: cannot fail
	s.raw.Values[valLoginForm] = string(b)
	s.changed = true
}

func (s *session) takeLoginForm() (savedLogin, bool) {
	v, ok := s.raw.Values[valLoginForm].(string)
	if !ok {
		return savedLogin{}, false
	}
	delete(s.raw.Values, valLoginForm)
	s.changed = true
	var f savedLogin
	if err := json.Unmarshal([]byte(v), &f); err != nil {
		return savedLogin{}, false
	}
	f.Status = keptStatus(f.Status)
	return f, true
}

package web

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

const (
	sessionCookie = "kizdesk_session"
	// sessionMaxAge bounds how long a login lasts: one working day.
	sessionMaxAge = 12 * 60 * 60
	// maxFormBody bounds HTML form posts; an article may have 100,000
	// characters, which stays well below this even percent-encoded.
	maxFormBody = 1 << 20

	keySession = "kizdesk.session"
	keyAgent   = "kizdesk.agent"
	keyZone    = "kizdesk.zone"
	// keyPrincipal holds the desk.Principal of the request.
	keyPrincipal = "kizdesk.principal"

	// valAgentID is the agent a session was logged in as: a hint only,
	// the desk's record of the session (valSession) decides.
	valAgentID = "agent_id"
	// valSession is the session's token: random, made anew at every login
	// and logout; the desk knows the tokens of logged-in sessions.
	valSession = "sid"
	valCSRF    = "csrf"
	valLang    = "lang"
	// valLoginForm is the login form handed back after a refusal.
	valLoginForm = "login_form"
)

func newCookieStore(keys [][]byte, secure bool) *sessions.CookieStore {
	st := sessions.NewCookieStore(keys...)
	st.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   sessionMaxAge,
		Secure:   secure,
		HttpOnly: true,
		// Lax keeps the cookie off cross-site POSTs (a second line behind
		// the CSRF token) but on links into kizdesk from mail.
		SameSite: http.SameSiteLaxMode,
	}
	st.MaxAge(sessionMaxAge)
	return st
}

// session wraps the cookie session and remembers whether it changed, so the
// cookie is only rewritten when needed.
type session struct {
	raw     *sessions.Session
	changed bool
}

func (s *session) agentID() int64 {
	id, _ := s.raw.Values[valAgentID].(int64)
	return id
}

// token is the session's token; "" for a session without one yet.
func (s *session) token() string {
	t, _ := s.raw.Values[valSession].(string)
	return t
}

// login binds the session to an agent's new session token. The CSRF
// token is replaced too, so neither a session nor a token planted before
// the login is worth anything after it.
func (s *session) login(id int64, token string) {
	s.raw.Values = map[any]any{valAgentID: id, valSession: token, valCSRF: rand.Text(), valLang: s.lang()}
	s.changed = true
}

// logout forgets everything but the language and starts a fresh anonymous session with a
// CSRF token for the next login.
func (s *session) logout() {
	s.raw.Values = map[any]any{valSession: desk.NewSessionToken(), valCSRF: rand.Text(), valLang: s.lang()}
	s.changed = true
}

// forgetAgent drops a session the desk no longer knows (logged out
// elsewhere, the agent deactivated, expired) and starts an anonymous one.
func (s *session) forgetAgent() {
	delete(s.raw.Values, valAgentID)
	s.raw.Values[valSession] = desk.NewSessionToken()
	s.changed = true
}

// csrfToken returns the session's token, making one for a new session.
// lang is the language the agent chose; "" for the browser's.
func (s *session) lang() string {
	l, _ := s.raw.Values[valLang].(string)
	return l
}

func (s *session) csrfToken() string {
	if t, ok := s.raw.Values[valCSRF].(string); ok && t != "" {
		return t
	}
	t := rand.Text()
	s.raw.Values[valCSRF] = t
	if s.token() == "" {
		s.raw.Values[valSession] = desk.NewSessionToken()
	}
	s.changed = true
	return t
}

func (s *session) validCSRF(got string) bool {
	want, _ := s.raw.Values[valCSRF].(string)
	// An empty token must never match an empty field.
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func (s *session) addFlash(msg string) {
	s.raw.AddFlash(msg)
	s.changed = true
}

func (s *session) flashes() []string {
	fs := s.raw.Flashes()
	if len(fs) == 0 {
		return nil
	}
	s.changed = true
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		if m, ok := f.(string); ok {
			out = append(out, m)
		}
	}
	return out
}

// withSession loads the session cookie. A cookie that does not decode (an
// old key, a tampered value, an expired one) just starts a new session.
func (s *server) withSession(c *gin.Context) {
	raw, err := s.store.New(c.Request, sessionCookie)
	if err != nil {
		s.log.LogAttrs(c.Request.Context(), slog.LevelDebug, "session cookie ignored", slog.String("err", err.Error()))
		raw.Values = map[any]any{}
	}
	c.Set(keySession, &session{raw: raw})
	c.Next()
}

func sessionOf(c *gin.Context) *session {
	v, _ := c.Get(keySession)
	s, _ := v.(*session)
	return s
}

// saveSession writes the cookie if the session changed; call it before the
// response body is written.
func (s *server) saveSession(c *gin.Context) error {
	sess := sessionOf(c)
	if sess == nil || !sess.changed {
		return nil
	}
	if err := sess.raw.Save(c.Request, c.Writer); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	sess.changed = false
	return nil
}

// redirect ends a POST with a redirect to a GET page (or sends a GET on),
// saving the session first so flashes survive.
func (s *server) redirect(c *gin.Context, to string) {
	if err := s.saveSession(c); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, to)
	c.Abort()
}

// checkCSRF refuses state-changing requests whose csrf_token field does not
// match the session's token, before any handler runs.
func (s *server) checkCSRF(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	limit, what := int64(maxFormBody), "the form is larger than 1 MiB"
	if uploadRoutes[c.FullPath()] {
		limit, what = maxUploadBody, fmt.Sprintf("the form with its files is larger than %d MiB", maxUploadBody>>20)
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	var err error
	if strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		err = c.Request.ParseMultipartForm(maxUploadMemory)
	} else {
		err = c.Request.ParseForm()
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.fail(c, &badRequest{code: ticket.MsgTooLarge, detail: what})
		return
	} else if err != nil || badFormNames(c.Request.PostForm) || badFileNames(c.Request.MultipartForm) {
		s.fail(c, &badRequest{code: ticket.MsgBadRequest, detail: "the form could not be read"})
		return
	}
	if !sessionOf(c).validCSRF(c.Request.PostForm.Get("csrf_token")) {
		s.fail(c, errFormExpired)
		return
	}
	c.Next()
}

// requireAgent lets only logged-in agents through and puts the agent into
// the context. Others are sent to the login page, which brings them back.
func (s *server) requireAgent(c *gin.Context) {
	sess := sessionOf(c)
	id := sess.agentID()
	if id == 0 {
		s.toLogin(c)
		return
	}
	a, err := s.desk.SessionAgent(c.Request.Context(), sess.token())
	if errors.Is(err, desk.ErrNotFound) || (err == nil && a.ID != id) {
		// Logged out (perhaps with another copy of this cookie), logged
		// in anew, expired, or the agent was deactivated.
		sess.forgetAgent()
		s.toLogin(c)
		return
	}
	if err != nil {
		s.fail(c, fmt.Errorf("session of agent %d: %w", id, err))
		return
	}
	p, err := s.desk.WithAccess(c.Request.Context(), desk.AgentPrincipal(a))
	if err != nil {
		s.fail(c, fmt.Errorf("access of agent %d: %w", id, err))
		return
	}
	c.Set(keyAgent, a)
	c.Set(keyPrincipal, p)
	c.Set(keyZone, s.agentZone(a))
	sess.adoptLang(a.Language)
	// Agent pages show tickets; keep them out of shared caches and the
	// back button after logout.
	c.Header("Cache-Control", "no-store")
	c.Next()
}

func (s *server) toLogin(c *gin.Context) {
	to := "/login"
	if c.Request.Method == http.MethodGet {
		to += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	s.redirect(c, to)
}

// principalOf returns who requireAgent or requireToken found. Handlers
// pass it to the desk, which decides what they may do.
func principalOf(c *gin.Context) desk.Principal {
	v, _ := c.Get(keyPrincipal)
	p, _ := v.(desk.Principal)
	return p
}

// defaultNext is where a login goes without a next page; maxNext bounds
// a next page's length.
const (
	defaultNext = "/agent/dashboard"
	maxNext     = 2048
)

// localPath returns next if it is a path on this site, else the start page,
// so the login form cannot be used to send agents elsewhere.
func localPath(next string) string {
	const home = defaultNext
	if _, bad := ticket.CheckText(next, ticket.Line, maxNext); bad ||
		next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}

package web

import (
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The codec endpoint follows Temporal's codec-server convention: the
// Temporal UI (and `temporal … --codec-endpoint`) POSTs {"payloads":[…]}
// to <endpoint>/decode or /encode and gets the payloads back decrypted or
// encrypted. Payloads hold ticket text, names and mail addresses, so only
// admins may have them decrypted: by their session cookie (the UI calls
// with credentials) or by an admin's API token (the CLI). Everyone else
// gets 401 or 403, and the UI then shows the ciphertext.

// maxCodecBody bounds a codec request: the UI sends a page of history
// payloads at once, each up to Temporal's own limit of 2 MB.
const maxCodecBody = 16 << 20

// codecAllowHeaders are the request headers the Temporal UI sends to a
// codec endpoint.
const codecAllowHeaders = "Content-Type, X-Namespace, Authorization"

var (
	errCodecLogin  = errors.New("log in to kizdesk as an admin, or send an admin's API token")
	errCodecAdmin  = errors.New("only admins may have payloads decoded")
	errCodecOrigin = errors.New("this origin may not call the codec endpoint")
)

// codecCORS answers a browser on the Temporal UI's origin — and only
// there — that it may read the answer and send cookies. A wildcard would
// let any page read decrypted payloads through an admin's browser.
func (s *server) codecCORS(c *gin.Context) {
	c.Header("Vary", "Origin")
	if origin := c.GetHeader("Origin"); s.codecOrigins[origin] {
		c.Header("Access-Control-Allow-Origin", origin)
		c.Header("Access-Control-Allow-Credentials", "true")
	}
	c.Next()
}

// codecPreflight answers the browser's OPTIONS before the UI's POST (its
// JSON content type and X-Namespace header make the POST need one).
func (s *server) codecPreflight(c *gin.Context) {
	if !s.codecOrigins[c.GetHeader("Origin")] {
		s.codecFail(c, http.StatusForbidden, errCodecOrigin)
		return
	}
	c.Header("Access-Control-Allow-Methods", "POST")
	c.Header("Access-Control-Allow-Headers", codecAllowHeaders)
	c.Header("Access-Control-Max-Age", "600")
	c.AbortWithStatus(http.StatusNoContent)
}

// requireCodecAdmin lets only admins through. The endpoint takes the
// session cookie without a CSRF token (the UI cannot know one); what
// stands in for it: a request from a foreign origin is refused, a form of
// a foreign page cannot send application/json, a foreign script would
// need a preflight that only the UI's origin passes — and decoding
// changes nothing anyway.
func (s *server) requireCodecAdmin(c *gin.Context) {
	if s.codec == nil {
		s.codecFail(c, http.StatusNotFound, errors.New("no payload codec is configured"))
		return
	}
	if origin := c.GetHeader("Origin"); origin != "" && !s.codecOrigins[origin] && !sameOrigin(origin, c.Request) {
		s.codecFail(c, http.StatusForbidden, errCodecOrigin)
		return
	}
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt != "application/json" {
		s.codecFail(c, http.StatusUnsupportedMediaType, errors.New(`send {"payloads":[…]} as application/json`))
		return
	}
	p, err := s.codecPrincipal(c)
	switch {
	case errors.Is(err, errCodecLogin):
		c.Header("WWW-Authenticate", `Bearer realm="kizdesk"`)
		s.codecFail(c, http.StatusUnauthorized, err)
		return
	case err != nil:
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
			slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path), slog.String("err", err.Error()))
		s.codecFail(c, http.StatusInternalServerError, errors.New("something went wrong, please try again later"))
		return
	case p.Kind != ticket.ActorAgent || p.Access == nil || !p.Access.Operator:
		// Payloads of every tenant's tickets are under the one codec
		// key: only the operator's admins (who run Temporal) decode.
		// An integration's token (a mail gateway) is no admin either.
		s.codecFail(c, http.StatusForbidden, errCodecAdmin)
		return
	}
	// Decoded payloads are ticket contents: keep them out of every cache.
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// codecPrincipal is whoever the API token names, if one is sent, else the
// agent of the session.
func (s *server) codecPrincipal(c *gin.Context) (desk.Principal, error) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return desk.Principal{}, errCodecLogin
		}
		p, err := s.desk.PrincipalByToken(ctx, token)
		if errors.Is(err, desk.ErrNotFound) {
			return desk.Principal{}, errCodecLogin
		}
		if err != nil {
			return desk.Principal{}, fmt.Errorf("codec: api token: %w", err)
		}
		return s.desk.WithAccess(ctx, p)
	}
	sess := sessionOf(c)
	id := sess.agentID()
	if id == 0 {
		return desk.Principal{}, errCodecLogin
	}
	// The server-side session, so a logged-out cookie decodes nothing.
	a, err := s.desk.SessionAgent(ctx, sess.token())
	if errors.Is(err, desk.ErrNotFound) || (err == nil && a.ID != id) {
		return desk.Principal{}, errCodecLogin
	}
	if err != nil {
		return desk.Principal{}, fmt.Errorf("codec: agent %d of session: %w", id, err)
	}
	return s.desk.WithAccess(ctx, desk.AgentPrincipal(a))
}

// codecServe hands the request to the SDK's codec HTTP handler, which
// reads the payloads, runs the codec and writes them back.
func (s *server) codecServe(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxCodecBody)
	s.codecHandler.ServeHTTP(c.Writer, c.Request)
}

func (s *server) codecFail(c *gin.Context, status int, err error) {
	c.AbortWithStatusJSON(status, apiError{Error: err.Error()})
}

// sameOrigin reports whether origin is the origin the request was sent to
// (kizdesk's own pages).
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && u.Host == r.Host
}

// codecOriginSet normalises the configured origins (scheme://host[:port],
// no path) into a set.
func codecOriginSet(origins []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("web: codec origin %q is not scheme://host[:port]", o)
		}
		set[u.Scheme+"://"+u.Host] = true
	}
	return set, nil
}

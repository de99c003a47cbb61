package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// problem is an error as the user sees it: a status, a coded message and
// coded problems by field, rendered in the reader's language (the API's
// in English, with the codes).
type problem struct {
	Status int
	Msg    ticket.Problem
	Fields desk.FieldErrors
	// Message and FieldTexts are Msg and Fields in the reader's language.
	Message    string
	FieldTexts map[string]string
}

// Errors that web itself raises, mapped like the desk's.
var (
	errFormExpired = errors.New("missing or wrong CSRF token")
	errNoToken     = errors.New("missing or unknown API token")
)

// badRequest is input the server cannot even read (malformed JSON, a body
// too large): its code says what.
type badRequest struct {
	code   ticket.Code
	detail string // what exactly, in English, for API clients
}

func (e *badRequest) Error() string { return e.detail }

// problemFor is the one place errors become what users see. Internal errors
// are logged here, with the context wrapped around them on the way up and a
// reference the page shows, and replaced by a message that reveals nothing.
func (s *server) problemFor(c *gin.Context, err error) problem {
	return s.localize(c, s.classify(c, err))
}

// localize renders p's message and field problems in the reader's language.
func (s *server) localize(c *gin.Context, p problem) problem {
	loc := s.localizer(c)
	p.Message = loc.Problem(p.Msg)
	if len(p.Fields) > 0 {
		p.FieldTexts = map[string]string{}
		for k, v := range p.Fields {
			p.FieldTexts[k] = loc.Problem(v)
		}
	}
	return p
}

func (s *server) classify(c *gin.Context, err error) problem {
	var fields desk.FieldErrors
	var rejected *desk.RejectedError
	var bad *badRequest
	var throttled *desk.ThrottledError
	switch {
	case errors.As(err, &fields):
		return problem{Status: http.StatusUnprocessableEntity, Msg: ticket.P(ticket.MsgFixFields), Fields: fields}
	case errors.As(err, &rejected):
		return problem{Status: http.StatusConflict, Msg: rejected.Problem}
	case errors.Is(err, desk.ErrNotFound):
		return problem{Status: http.StatusNotFound, Msg: ticket.P(ticket.MsgNotFound)}
	case errors.Is(err, desk.ErrForbidden):
		return problem{Status: http.StatusForbidden, Msg: ticket.P(ticket.MsgForbidden)}
	case errors.Is(err, desk.ErrUnavailable):
		return problem{Status: http.StatusServiceUnavailable, Msg: ticket.P(ticket.MsgUnavailable)}
	case errors.Is(err, desk.ErrDirectoryUnavailable):
		return problem{Status: http.StatusServiceUnavailable, Msg: ticket.P(ticket.MsgDirectory)}
	case errors.Is(err, desk.ErrBadLogin):
		return problem{Status: http.StatusUnauthorized, Msg: ticket.P(ticket.MsgBadLogin)}
	case errors.As(err, &throttled):
		return problem{Status: http.StatusTooManyRequests, Msg: ticket.P(ticket.MsgThrottled, "Minutes", strconv.Itoa(throttled.Minutes()))}
	case errors.Is(err, errNoToken):
		return problem{Status: http.StatusUnauthorized, Msg: ticket.P(ticket.MsgNoToken)}
	case errors.Is(err, errFormExpired):
		return problem{Status: http.StatusForbidden, Msg: ticket.P(ticket.MsgFormExpired)}
	case errors.As(err, &bad):
		status := http.StatusBadRequest
		if bad.code == ticket.MsgTooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		return problem{Status: status, Msg: ticket.P(bad.code, "Detail", bad.detail)}
	}
	return s.internal(c, err)
}

// internal logs err with a fresh reference and returns the problem that
// shows only the reference.
func (s *server) internal(c *gin.Context, err error) problem {
	ref := newRef()
	s.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
		slog.String("ref", ref),
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("err", err.Error()))
	return problem{Status: http.StatusInternalServerError, Msg: ticket.P(ticket.MsgInternal, "Ref", ref)}
}

// newRef is a short random reference that ties an error page to its log line.
func newRef() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fail answers a request with err: a JSON error under /api/, a page elsewhere.
func (s *server) fail(c *gin.Context, err error) {
	s.writeProblem(c, s.problemFor(c, err))
}

func (s *server) writeProblem(c *gin.Context, p problem) {
	c.Abort()
	if isAPI(c) {
		if p.Status == http.StatusUnauthorized {
			c.Header("WWW-Authenticate", `Bearer realm="kizdesk"`)
		}
		out := apiError{Code: string(p.Msg.Code), Error: p.Message, Fields: p.FieldTexts}
		if len(p.Fields) > 0 {
			out.FieldCodes = map[string]string{}
			for k, v := range p.Fields {
				out.FieldCodes[k] = string(v.Code)
			}
		}
		c.JSON(p.Status, out)
		return
	}
	if isPortal(c) {
		s.writePortalProblem(c, p)
		return
	}
	s.render(c, p.Status, "error", &errorPage{Message: p.Message, Fields: p.FieldTexts, Status: p.Status})
}

func isAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// localizer is the reader's language: the API always answers in English
// (with codes, so clients can translate); pages in the agent's chosen
// language, else the browser's, else German.
func (s *server) localizer(c *gin.Context) *i18n.Localizer {
	if isAPI(c) {
		return s.catalog.For("en")
	}
	pref := ""
	if sess := sessionOf(c); sess != nil {
		pref = sess.lang()
	}
	return s.catalog.For(pref, c.GetHeader("Accept-Language"))
}

// errorPage shows a problem that has no form to go back to.
type errorPage struct {
	layout
	Message string
	Fields  map[string]string
	// Status picks the hint under the message: what it means and what to
	// do next.
	Status int
}

// Hint is the catalogue's explanation of the page's status, "" for
// statuses without one.
func (p *errorPage) Hint() string {
	switch p.Status {
	case http.StatusNotFound, http.StatusForbidden, http.StatusBadRequest, http.StatusConflict,
		http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return p.L.T(fmt.Sprintf("ui.error.hint.%d", p.Status))
	}
	return ""
}

func (s *server) notFound(c *gin.Context) {
	s.fail(c, desk.ErrNotFound)
}

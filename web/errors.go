package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
)

// problem is an error as the user sees it. Message is always safe to show.
type problem struct {
	Status  int
	Message string
	Fields  desk.FieldErrors
}

// Errors that web itself raises, mapped like the desk's.
var (
	errFormExpired = errors.New("missing or wrong CSRF token")
	errNoToken     = errors.New("missing or unknown API token")
)

// badRequest is input the server cannot even read (malformed JSON, a body
// too large); its message is written for the API client.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

// problemFor is the one place errors become what users see. Internal errors
// are logged here, with the context wrapped around them on the way up, and
// replaced by a message that reveals nothing.
func (s *server) problemFor(c *gin.Context, err error) problem {
	var fields desk.FieldErrors
	var rejected *desk.RejectedError
	var bad *badRequest
	switch {
	case errors.As(err, &fields):
		return problem{Status: http.StatusUnprocessableEntity, Message: "Please correct the marked fields.", Fields: fields}
	case errors.As(err, &rejected):
		return problem{Status: http.StatusConflict, Message: rejected.Reason}
	case errors.Is(err, desk.ErrNotFound):
		return problem{Status: http.StatusNotFound, Message: "Not found."}
	case errors.Is(err, desk.ErrUnavailable):
		return problem{Status: http.StatusServiceUnavailable, Message: "The ticket's process did not answer in time. Reload the ticket in a minute to see whether your change went through."}
	case errors.Is(err, desk.ErrBadLogin):
		return problem{Status: http.StatusUnauthorized, Message: "Wrong login or password."}
	case errors.Is(err, errNoToken):
		return problem{Status: http.StatusUnauthorized, Message: "A valid API token is required (Authorization: Bearer <token>)."}
	case errors.Is(err, errFormExpired):
		return problem{Status: http.StatusForbidden, Message: "The form has expired, please go back and try again."}
	case errors.As(err, &bad):
		return problem{Status: http.StatusBadRequest, Message: bad.msg}
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("err", err.Error()))
	return problem{Status: http.StatusInternalServerError, Message: "Something went wrong. Please try again later."}
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
		c.JSON(p.Status, apiError{Error: p.Message, Fields: p.Fields})
		return
	}
	s.render(c, p.Status, "error", &errorPage{layout: layout{Title: http.StatusText(p.Status)}, Message: p.Message, Fields: p.Fields})
}

func isAPI(c *gin.Context) bool {
	return strings.HasPrefix(c.Request.URL.Path, "/api/")
}

// errorPage shows a problem that has no form to go back to.
type errorPage struct {
	layout
	Message string
	Fields  desk.FieldErrors
}

func (s *server) notFound(c *gin.Context) {
	s.fail(c, desk.ErrNotFound)
}

package web

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// logRequests logs one line per request. The query string is left out: it
// may carry a next= path or search words about people.
func (s *server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" || strings.HasPrefix(p, "/static/") {
		level = slog.LevelDebug
	}
	s.log.LogAttrs(c.Request.Context(), level, "http request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("route", c.FullPath()),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("duration", time.Since(start)),
		slog.String("client", c.ClientIP()))
}

// recovery turns a panic in a handler into a logged error and the 500 page,
// so one bad request cannot take the server down or leak a stack trace.
func (s *server) recovery(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			// The client went away on purpose; net/http handles this one.
			panic(v)
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "panic",
			slog.String("path", c.Request.URL.Path),
			slog.String("panic", fmt.Sprint(v)),
			slog.String("stack", string(debug.Stack())))
		if c.Writer.Written() {
			c.Abort()
			return
		}
		s.writeProblem(c, s.problemFor(c, fmt.Errorf("panic: %v", v)))
	}()
	c.Next()
}

// contentSecurityPolicy allows nothing but kizdesk's own style sheet,
// images and scripts (files under /static, never inline: a script in an
// article cannot run), and forms only post to kizdesk. connect-src lets
// the dashboard's script fetch its own page.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Next()
}

func (s *server) healthz(c *gin.Context) {
	c.String(http.StatusOK, "ok")
}

// readyz tells a load balancer whether to send this copy requests; the
// liveness probe is /healthz, which does not depend on anything outside.
func (s *server) readyz(c *gin.Context) {
	if s.ready != nil {
		if err := s.ready(c.Request.Context()); err != nil {
			c.String(http.StatusServiceUnavailable, "not ready: %s", err.Error())
			return
		}
	}
	c.String(http.StatusOK, "ok")
}

func (s *server) home(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, defaultNext)
}

// static serves the embedded assets. Only files are served, never directory
// listings.
func (s *server) static(c *gin.Context) {
	name := "static/" + strings.TrimPrefix(c.Param("file"), "/")
	b, err := files.ReadFile(name)
	if err != nil {
		s.notFound(c)
		return
	}
	// URLs carry the content hash (see staticVersion), so they may be
	// cached for long.
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(b))
}

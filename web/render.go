package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

//go:embed templates static openapi.yaml
var files embed.FS

// layout is what every page shows around its content.
// Selectable: the page's ticket list has a box per ticket for a bulk
// action (the queue view says so).
func (layout) Selectable() bool { return false }

type layout struct {
	// Title is the page's title; empty means the catalogue's
	// ui.title.<page>.
	Title string
	Agent *models.Agent
	// Roles are the agent's roles; Admin opens the admin interface.
	Roles []string
	Admin bool
	// Reports: the agent may see reports (the menu links them).
	Reports   bool
	CSRFToken string
	Flashes   []string
	Error     string
	// L is the reader's language; Here is the page the language switch
	// comes back to.
	L    texts
	Here string
}

func (l *layout) base() *layout { return l }

// pageData is any page struct that embeds layout.
type pageData interface{ base() *layout }

// staticVersion changes whenever a static file changes, so browsers may
// cache /static/ for long and still pick up a new style sheet at once.
var staticVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(files, "static", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := files.ReadFile(path)
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// funcs are the template functions that read the same in every language;
// texts, names and times in the reader's language are methods of .L.
func funcs() template.FuncMap {
	return template.FuncMap{
		// overdue tells whether a due time (time.Time or *time.Time) has passed.
		"overdue": func(v any) (bool, error) {
			t, ok, err := timeOf(v)
			return ok && !t.After(time.Now()), err
		},
		"static": func(name string) string {
			return "/static/" + name + "?v=" + staticVersion
		},
		"field":           func(fe map[string]string, name string) string { return fe[name] },
		"allows":          allows,
		"pending":         func(state string) bool { return ticket.State(state).Pending() },
		"reminderReached": reminderReached,
		"notice":          notice,
		// indent sets a hierarchy's level apart (services "A::B"); the
		// style sheet may not be inline (Content-Security-Policy).
		"indent": func(depth int) string { return strings.Repeat("\u00a0", 4*depth) },
	}
}

// timeOf reads the times templates pass to the time functions.
func timeOf(v any) (time.Time, bool, error) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero(), nil
	case *time.Time:
		if t == nil {
			return time.Time{}, false, nil
		}
		return *t, !t.IsZero(), nil
	}
	return time.Time{}, false, fmt.Errorf("%T is not a time", v)
}

// actions are the actions templates may ask allows about; a misspelt name
// fails the page (and the tests) instead of silently hiding a form.
var actions = map[ticket.Action]bool{
	ticket.ActionNote: true, ticket.ActionReply: true, ticket.ActionAssign: true,
	ticket.ActionLock: true, ticket.ActionWatch: true, ticket.ActionMove: true,
	ticket.ActionClassify: true, ticket.ActionEscalate: true, ticket.ActionHandBack: true,
	ticket.ActionPending: true, ticket.ActionClose: true, ticket.ActionReopen: true,
	ticket.ActionMerge: true, ticket.ActionLink: true, ticket.ActionTime: true,
}

// allows tells whether the process allows action in state, so a page only
// offers the forms the ticket's workflow would accept.
func allows(state, action string) (bool, error) {
	a := ticket.Action(action)
	if !actions[a] {
		return false, fmt.Errorf("allows: unknown action %q", action)
	}
	return workflows.Allows(ticket.State(state), a), nil
}

// reminderReached tells whether a ticket's pending reminder is due.
func reminderReached(t models.TicketRow) bool {
	return ticket.State(t.State) == ticket.StatePendingReminder &&
		t.ReminderDue != nil && !t.ReminderDue.After(time.Now())
}

// parsePages parses every page together with the layout and the parts
// several pages share (templates/parts), once.
func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs()).ParseFS(files, "templates/layout.html", "templates/parts/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return pages, nil
}

// render writes page name in the reader's language. The page is executed
// into a buffer first, so a template error becomes a clean 500 instead of
// half a page.
func (s *server) render(c *gin.Context, status int, name string, p pageData) {
	s.renderIn(c, status, name, "layout", p)
}

// renderIn writes page name inside the frame named frame: "layout" for
// the agent interface, "portal_layout" for the customer portal.
func (s *server) renderIn(c *gin.Context, status int, name, frame string, p pageData) {
	l := p.base()
	l.L = s.texts(c)
	if l.Title == "" {
		l.Title = l.L.T("ui.title." + name)
	}
	l.Here = here(c)
	if a, ok := c.Get(keyAgent); ok {
		agent := a.(models.Agent)
		l.Agent = &agent
		if acc := principalOf(c).Access; acc != nil {
			l.Roles, l.Admin, l.Reports = acc.Roles, acc.Admin, acc.MayReport()
		}
	}
	if sess := sessionOf(c); sess != nil {
		l.CSRFToken = sess.csrfToken()
		l.Flashes = sess.flashes()
	}
	if err := s.saveSession(c); err != nil {
		s.internalError(c, err)
		return
	}
	t := s.pages[name]
	if t == nil {
		s.internalError(c, fmt.Errorf("no page %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, frame, p); err != nil {
		s.internalError(c, fmt.Errorf("render %s: %w", name, err))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// internalError is the last resort when even the error page cannot be
// rendered: log, and answer in plain text.
func (s *server) internalError(c *gin.Context, err error) {
	s.log.LogAttrs(c.Request.Context(), slog.LevelError, "render failed",
		slog.String("path", c.Request.URL.Path), slog.String("err", err.Error()))
	c.Abort()
	c.String(http.StatusInternalServerError, s.localizer(c).Text("ui.error.internal"))
}

// here is the page a form on this page comes back to: the page itself
// when it was read with GET; after a POST that shows a page again (a form
// with errors), the page the form was on.
func here(c *gin.Context) string {
	if c.Request.Method == http.MethodGet {
		return c.Request.URL.RequestURI()
	}
	if u, err := url.Parse(c.Request.Referer()); err == nil && u.Host == c.Request.Host {
		return localPath(u.RequestURI())
	}
	return ""
}

package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// dashboardPage is the agent's start page: the widgets and the queue tree.
// dashboard.js reads the page again every minute and swaps #dashboard.
type dashboardPage struct {
	layout
	Widgets []dashboardWidget
	Queues  []desk.QueueNode
	At      time.Time
}

// dashboardWidget is one widget as a page shows it: its list, and where
// the full list is.
type dashboardWidget struct {
	desk.DashboardList
	// All is the full list's page.
	All string
}

// widgetTexts are the catalogue's texts of each widget: its heading, what
// it says when empty, and the heading of its own column.
var widgetTexts = map[string]struct{ Heading, Empty, Column string }{
	desk.WidgetLocked:    {"ui.dashboard.locked", "ui.dashboard.locked_empty", "ui.dashboard.changed"},
	desk.WidgetNew:       {"ui.dashboard.new", "ui.dashboard.new_empty", "ui.dashboard.waiting"},
	desk.WidgetSLA:       {"ui.dashboard.sla", "ui.dashboard.sla_empty", "ui.dashboard.sla_column"},
	desk.WidgetReminders: {"ui.dashboard.reminders", "ui.dashboard.reminders_empty", "ui.dashboard.reminder_due"},
	desk.WidgetWatched:   {"ui.dashboard.watched", "ui.dashboard.watched_empty", "ui.dashboard.changed"},
}

// widgetPage is where a widget's full list is: the reminders have a page
// of their own, the others the dashboard's list page.
func widgetPage(name string) string {
	if name == desk.WidgetReminders {
		return "/agent/reminders"
	}
	return "/agent/dashboard/" + name
}

func (s *server) dashboardShow(c *gin.Context) {
	d, err := s.desk.Dashboard(c.Request.Context(), principalOf(c))
	if err != nil {
		s.fail(c, fmt.Errorf("dashboard: %w", err))
		return
	}
	p := &dashboardPage{Queues: d.Queues, At: d.At}
	for _, l := range []desk.DashboardList{d.Locked, d.New, d.SLA, d.Reminders, d.Watched} {
		p.Widgets = append(p.Widgets, dashboardWidget{DashboardList: l, All: widgetPage(l.Widget)})
	}
	s.render(c, http.StatusOK, "dashboard", p)
}

// DashWidget is one of a widget's texts: "heading", "empty" or "column".
func (t texts) DashWidget(widget, which string) (string, error) {
	w, ok := widgetTexts[widget]
	if !ok {
		return "", fmt.Errorf("no widget %q", widget)
	}
	switch which {
	case "heading":
		return t.T(w.Heading), nil
	case "empty":
		return t.T(w.Empty), nil
	case "column":
		return t.T(w.Column), nil
	}
	return "", fmt.Errorf("widget %s has no text %q", widget, which)
}

// DashClock is the time of day of at, for "updated at 15:04".
func (t texts) DashClock(at time.Time) string { return at.In(t.loc).Format("15:04") }

// clockNames name the SLA clocks on the dashboard.
var clockNames = map[string]string{
	ticket.ClockFirstResponse: "ui.dashboard.clock_first_response",
	ticket.ClockUpdate:        "ui.dashboard.clock_update",
	ticket.ClockSolution:      "ui.dashboard.clock_solution",
}

// DashSLAClock names an SLA clock.
func (t texts) DashSLAClock(name string) string {
	if id, ok := clockNames[name]; ok {
		return t.T(id)
	}
	return name
}

// DashDuration is a remaining time in hours and minutes ("2 Std. 15 Min.",
// "2 h 15 min"); a working time of days is still counted in hours, as
// agents plan by them.
func (t texts) DashDuration(d time.Duration) string {
	d = d.Truncate(time.Minute)
	switch h, m := int(d/time.Hour), int(d%time.Hour/time.Minute); {
	case d < time.Minute:
		return t.T("ui.dashboard.duration_under_minute")
	case h == 0:
		return t.T("ui.dashboard.duration_minutes", "M", m)
	default:
		return t.T("ui.dashboard.duration_hours", "H", h, "M", m)
	}
}

// DashSLA says where a ticket stands against its SLA: how much time is
// left (working time on the SLA's calendar, else wall time), since when
// it is breached, and whether its clock stands.
func (t texts) DashSLA(st desk.SLAStatus) string {
	var s string
	switch {
	case st.Breached && !st.Due.IsZero():
		at, _ := t.Time(st.Due)
		s = t.T("ui.dashboard.breached_since", "At", at)
	case st.Breached:
		s = t.T("ui.dashboard.breached")
	case st.Working:
		s = t.T("ui.dashboard.left_working", "D", t.DashDuration(st.Left))
	default:
		s = t.T("ui.dashboard.left_wall", "D", t.DashDuration(st.Left))
	}
	if st.Paused {
		s += " · " + t.T("ui.dashboard.paused")
	}
	return s
}

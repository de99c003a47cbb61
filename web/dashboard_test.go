package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// dashboardFixture fills every widget: an SLA ticket in each of its
// states, a title and names that need escaping, and more new tickets than
// the widget shows.
func dashboardFixture() *desk.Dashboard {
	row := func(number, title string) desk.DashboardTicket {
		r := reminderRow()
		r.Number, r.Title, r.QueueName, r.OwnerName = number, title, "Helpdesk <2nd>", "Bert <Second>"
		return desk.DashboardTicket{TicketRow: r}
	}
	sla := func(number string, st desk.SLAStatus) desk.DashboardTicket {
		t := row(number, "SLA "+number)
		t.SLA = st
		return t
	}
	breachedAt := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	dueAt := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	d := &desk.Dashboard{
		At:     testTime,
		Locked: desk.DashboardList{Widget: desk.WidgetLocked, Total: 1, Tickets: []desk.DashboardTicket{row("2026112710000101", "<script>alert(1)</script>")}},
		New:    desk.DashboardList{Widget: desk.WidgetNew, Total: 13},
		SLA: desk.DashboardList{Widget: desk.WidgetSLA, Total: 4, Tickets: []desk.DashboardTicket{
			sla("2026112710000201", desk.SLAStatus{Clock: ticket.ClockUpdate, Due: breachedAt, Breached: true, Working: true, Left: time.Hour}),
			sla("2026112710000202", desk.SLAStatus{Clock: ticket.ClockSolution, Breached: true, Paused: true, Working: true}),
			sla("2026112710000203", desk.SLAStatus{Clock: ticket.ClockSolution, Due: dueAt, Working: true, Left: 2*time.Hour + 15*time.Minute}),
			sla("2026112710000204", desk.SLAStatus{Clock: ticket.ClockFirstResponse, Due: dueAt, Left: 40 * time.Minute}),
		}},
		Reminders: desk.DashboardList{Widget: desk.WidgetReminders},
		Watched:   desk.DashboardList{Widget: desk.WidgetWatched, Total: 1, Tickets: []desk.DashboardTicket{row("2026112710000301", "watched")}},
		Queues: []desk.QueueNode{
			{Depth: 0, Name: "Helpdesk", Path: "Helpdesk", QueueID: 3, New: 2, All: 14},
			{Depth: 1, Name: "Netz & WLAN", Path: "Netz & WLAN", QueueID: 3, Service: true, New: 1, All: 8},
			{Depth: 1, Name: "Drucker <A>", Path: "Helpdesk::Drucker <A>", QueueID: 9, New: 1, All: 2},
		},
	}
	for i := range 10 {
		d.New.Tickets = append(d.New.Tickets, row("20261127100004"+string(rune('0'+i/10))+string(rune('0'+i%10)), "new"))
	}
	return d
}

// TestDashboardPage: the dashboard in both languages, with the working
// time left, the breached and paused clocks, escaped data, the "all N"
// links, the refresh script, and no text missing from the catalogue.
func TestDashboardPage(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {
			"My dashboard", "updated at 10:30",
			"Update:", "breached since 2026-11-27 10:00",
			"breached · clock paused (pending)",
			"2 h 15 min working time left", "due <time>2026-11-30 09:00</time>",
			"First response:", "40 min left",
			`<a href="/agent/dashboard/new">show all 13</a>`, "No reminder is due.",
			`<a href="/agent/dashboard/sla">show all 4</a>`,
		},
		"de": {
			"Meine Übersicht", "Stand 10:30 Uhr",
			"Aktualisierung:", "überschritten seit 27.11.2026 10:00",
			"überschritten · Uhr angehalten (wartend)",
			"noch 2 Std. 15 Min. Arbeitszeit", "fällig <time>30.11.2026 09:00</time>",
			"Erste Reaktion:", "noch 40 Min.",
			`<a href="/agent/dashboard/new">alle 13 anzeigen</a>`, "Keine Erinnerung ist fällig.",
		},
	} {
		b := newBrowser(t, Options{Location: berlin})
		b.acceptLanguage = lang
		b.desk.dashboard = dashboardFixture()
		b.login()
		res := b.get("/agent/dashboard")
		wantStatus(t, res, http.StatusOK)
		wantContains(t, res.body, want...)
		wantContains(t, res.body,
			`<div id="dashboard" data-refresh="60">`, `<script src="/static/dashboard.js?v=`+staticVersion+`" defer></script>`,
			"&lt;script&gt;alert(1)&lt;/script&gt;", "Bert &lt;Second&gt;", "Helpdesk &lt;2nd&gt;",
			`<a href="/agent/tickets/2026112710000101">2026112710000101</a>`,
			`<a href="/agent/queues/9">Drucker &lt;A&gt;</a>`, `<a href="/agent/queues">`, `<a href="/agent/dashboard">`)
		if strings.Contains(res.body, "<script>alert") {
			t.Errorf("%s: a title reached the page unescaped", lang)
		}
		if keys := rawKeyRE.FindAllString(res.body, -1); len(keys) > 0 {
			t.Errorf("%s: untranslated %q", lang, keys)
		}
		// Ten of the thirteen new tickets are on the dashboard.
		if n := strings.Count(res.body, `<a href="/agent/tickets/20261127100004`); n != 10 {
			t.Errorf("%s: the new tickets' widget shows %d tickets, want 10", lang, n)
		}
	}
}

// TestDashboardLists: a widget's full list in both languages; an unknown
// widget is not found; the desk's refusal is the page's.
func TestDashboardLists(t *testing.T) {
	for lang, want := range map[string][]string{
		"en": {"SLA breached or about to breach", "2 h 15 min working time left", "The first 4 of 7."},
		"de": {"SLA verletzt oder bald fällig", "noch 2 Std. 15 Min. Arbeitszeit", "Die ersten 4 von 7."},
	} {
		b := newBrowser(t, Options{Location: berlin})
		b.acceptLanguage = lang
		l := dashboardFixture().SLA
		l.Total, l.At = 7, testTime
		b.desk.dashLists = map[string]desk.DashboardList{desk.WidgetSLA: l}
		b.login()
		res := b.get("/agent/dashboard/sla")
		wantStatus(t, res, http.StatusOK)
		wantContains(t, res.body, want...)
		if keys := rawKeyRE.FindAllString(res.body, -1); len(keys) > 0 {
			t.Errorf("%s: untranslated %q", lang, keys)
		}
		for _, w := range desk.DashboardWidgets() {
			res := b.get("/agent/dashboard/" + w)
			wantStatus(t, res, http.StatusOK)
			if keys := rawKeyRE.FindAllString(res.body, -1); len(keys) > 0 {
				t.Errorf("%s %s: untranslated %q", lang, w, keys)
			}
		}
		wantStatus(t, b.get("/agent/dashboard/everything"), http.StatusNotFound)
		wantStatus(t, b.get("/agent/dashboard/"+url.PathEscape("../queues")), http.StatusNotFound)
		b.desk.errs["Dashboard"] = desk.ErrUnavailable
		if res := b.get("/agent/dashboard"); res.status < 500 {
			t.Errorf("%s: the desk failing gave status %d", lang, res.status)
		}
	}
}

// TestDashboardIsTheStartPage: a login without a next page, and "/", go to
// the dashboard; the queue overview stays in the menu; the refresh script
// is served and allowed by the Content-Security-Policy.
func TestDashboardIsTheStartPage(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.post("/login", url.Values{"csrf_token": {hidden(t, csrfRE, b.get("/login").body)}, "login": {"anna"}, "password": {"right"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/dashboard" {
		t.Errorf("login went to %q, want /agent/dashboard", loc)
	}
	res = b.get("/")
	if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || loc != "/agent/dashboard" {
		t.Errorf("/: %d to %q, want 303 to /agent/dashboard", res.status, loc)
	}
	page := b.get("/agent/dashboard")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `<a href="/agent/queues">Queues</a>`, `<a href="/agent/dashboard">Dashboard</a>`)
	if b.desk.called("Dashboard") != 1 {
		t.Errorf("the desk was asked %d times for the dashboard, want 1", b.desk.called("Dashboard"))
	}
	csp := page.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "connect-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q does not let dashboard.js (and only scripts of kizdesk) run", csp)
	}
	js := b.get("/static/dashboard.js?v=" + staticVersion)
	wantStatus(t, js, http.StatusOK)
	if ct := js.header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("dashboard.js served as %q", ct)
	}
	wantContains(t, js.body, "getElementById('dashboard')", "replaceWith")

	// Without a login the dashboard is the login page's next page.
	other := newBrowser(t, Options{})
	res = other.get("/agent/dashboard")
	if want := "/login?next=" + url.QueryEscape("/agent/dashboard"); res.header.Get("Location") != want {
		t.Errorf("without a login: %d to %q", res.status, res.header.Get("Location"))
	}
	if n := other.desk.called("Dashboard"); n != 0 {
		t.Errorf("the desk was asked for a dashboard %d times without a login", n)
	}
}

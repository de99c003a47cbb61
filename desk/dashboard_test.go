package desk_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// dashboardSetup is a desk whose clock stands on Friday, 27 November 2026,
// 15:00 in Berlin, with the fixture's Helpdesk, a queue "Helpdesk::Drucker"
// in the same permission group, and a queue "Secret" the 1st-level agent
// may not read.
type dashboardSetup struct {
	d               *desk.Desk
	f               dbtest.Fixture
	db              *gorm.DB
	now             time.Time
	drucker, secret models.Queue
	n               int
}

func newDashboard(t *testing.T, db *gorm.DB) *dashboardSetup {
	t.Helper()
	_, f := newDesk(t, db)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	s := &dashboardSetup{f: f, db: db, now: time.Date(2026, 11, 27, 15, 0, 0, 0, berlin)}
	s.d = desk.New(db, nil, desk.Options{Now: func() time.Time { return s.now }})
	helpdesk, err := models.QueueByID(t.Context(), db, f.Tenant.ID, f.Queue.ID)
	if err != nil || helpdesk.GroupID == nil {
		t.Fatalf("helpdesk %+v: %v", helpdesk, err)
	}
	s.drucker = models.Queue{TenantID: f.Tenant.ID, Name: "Helpdesk::Drucker", Level: models.LevelFirst, GroupID: helpdesk.GroupID}
	s.secret = models.Queue{TenantID: f.Tenant.ID, Name: "Secret", Level: models.LevelSecond}
	for _, q := range []*models.Queue{&s.drucker, &s.secret} {
		if err := db.Create(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	// The office works Monday to Friday, 8 to 16; the SLA's solution
	// target is five working days, with a warning at 80 %: the last
	// 8 working hours.
	office := models.Calendar{TenantID: f.Tenant.ID, Name: "office", Location: "Europe/Berlin", Week: "mon-fri 08:00-16:00"}
	if err := db.Create(&office).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&models.SLA{TenantID: f.Tenant.ID, Name: "standard", ServiceID: f.Service.ID, CalendarID: office.ID,
		FirstResponseMinutes: 60, UpdateMinutes: 480, SolutionMinutes: 2400, WarnPercent: 80}).Error; err != nil {
		t.Fatal(err)
	}
	return s
}

// ticket stores a ticket in queue q, changed by change.
func (s *dashboardSetup) ticket(t *testing.T, q models.Queue, title string, change func(*models.Ticket)) models.Ticket {
	t.Helper()
	s.n++
	tk := models.Ticket{TenantID: s.f.Tenant.ID, Number: fmt.Sprintf("202611279%07d", s.n), Title: title, State: string(ticket.StateOpen),
		Level: q.Level, QueueID: q.ID, ServiceID: &s.f.Service.ID, TypeID: s.f.Type.ID, PriorityID: s.f.Priority.ID,
		CustomerID: s.f.Customer.ID, Channel: "phone", CreatedAt: s.now.Add(-time.Duration(100-s.n) * time.Hour)}
	tk.UpdatedAt = tk.CreatedAt
	if change != nil {
		change(&tk)
	}
	// The projection stores times in UTC (SQLite compares them as text).
	for _, at := range []**time.Time{&tk.PendingUntil, &tk.ReminderDue, &tk.FirstResponseDue, &tk.UpdateDue, &tk.SolutionDue} {
		if *at != nil {
			*at = ptr((*at).UTC())
		}
	}
	tk.CreatedAt, tk.UpdatedAt = tk.CreatedAt.UTC(), tk.UpdatedAt.UTC()
	if err := s.db.Create(&tk).Error; err != nil {
		t.Fatal(err)
	}
	return tk
}

func titles(l desk.DashboardList) []string {
	var out []string
	for _, t := range l.Tickets {
		out = append(out, t.Title)
	}
	return out
}

func wantList(t *testing.T, name string, l desk.DashboardList, total int, want ...string) {
	t.Helper()
	if got := titles(l); !slices.Equal(got, want) || l.Total != total {
		t.Errorf("%s: %q of %d, want %q of %d", name, got, l.Total, want, total)
	}
}

func ptr[T any](v T) *T { return &v }

// TestDashboardWidgets: each widget lists its tickets of the queues the
// agent may read, never one of a queue it may not, nor a closed one.
func TestDashboardWidgets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newDashboard(t, db)
		ctx := t.Context()
		me, other := s.f.Agent.ID, int64(0)
		colleague := models.Agent{TenantID: s.f.Tenant.ID, Login: "kollege", Name: "Kai Kollege", Active: true}
		if err := db.Create(&colleague).Error; err != nil {
			t.Fatal(err)
		}
		other = colleague.ID
		help, drucker, secret := s.f.Queue, s.drucker, s.secret
		locked := func(owner int64, state ticket.State) func(*models.Ticket) {
			return func(tk *models.Ticket) { tk.OwnerID, tk.Locked, tk.State = &owner, true, string(state) }
		}
		s.ticket(t, help, "mine locked", locked(me, ticket.StateOpen))
		s.ticket(t, drucker, "mine locked too", locked(me, ticket.StatePendingReminder))
		s.ticket(t, secret, "mine locked, secret", locked(me, ticket.StateOpen))
		s.ticket(t, help, "mine closed", locked(me, ticket.StateClosedSuccessful))
		s.ticket(t, help, "colleague's", locked(other, ticket.StateOpen))
		s.ticket(t, help, "mine unlocked", func(tk *models.Ticket) { tk.OwnerID = &me })

		isNew := func(tk *models.Ticket) { tk.State = string(ticket.StateNew) }
		s.ticket(t, help, "new here", isNew)
		s.ticket(t, drucker, "new there", isNew)
		s.ticket(t, secret, "new secret", isNew)

		due := func(at time.Time) func(*models.Ticket) {
			return func(tk *models.Ticket) {
				tk.State, tk.PendingUntil, tk.ReminderDue = string(ticket.StatePendingReminder), &at, &at
			}
		}
		s.ticket(t, help, "reminder reached", due(s.now.Add(-time.Hour)))
		s.ticket(t, help, "reminder later", due(s.now.Add(time.Hour)))
		s.ticket(t, secret, "reminder secret", due(s.now.Add(-time.Hour)))

		for _, c := range []struct {
			q     models.Queue
			title string
			state ticket.State
			by    int64
		}{
			{help, "watched", ticket.StateOpen, me},
			{secret, "watched secret", ticket.StateOpen, me},
			{help, "watched closed", ticket.StateClosedSuccessful, me},
			{help, "watched by another", ticket.StateOpen, other},
		} {
			tk := s.ticket(t, c.q, c.title, func(tk *models.Ticket) { tk.State = string(c.state) })
			if err := db.Create(&models.TicketWatcher{TicketID: tk.ID, AgentID: c.by}).Error; err != nil {
				t.Fatal(err)
			}
		}

		p := desk.AgentPrincipal(s.f.Agent)
		dash, err := s.d.Dashboard(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if !dash.At.Equal(s.now) {
			t.Errorf("dashboard at %v, want the desk's clock %v", dash.At, s.now)
		}
		wantList(t, "locked", dash.Locked, 2, "mine locked", "mine locked too")
		wantList(t, "new", dash.New, 2, "new here", "new there")
		wantList(t, "reminders", dash.Reminders, 1, "reminder reached")
		wantList(t, "watched", dash.Watched, 1, "watched")

		// The queue tree: Helpdesk with Drucker under it, Secret not at
		// all; a queue's line counts its own tickets and those below.
		var lines []string
		for _, n := range dash.Queues {
			lines = append(lines, fmt.Sprintf("%d %s %v new %d all %d", n.Depth, n.Path, n.Service, n.New, n.All))
		}
		// Helpdesk: the fixture's two open tickets (without a service),
		// and here mine locked, colleague's, mine unlocked, new here,
		// reminder reached and later, watched, watched by another; and
		// below it Drucker's mine locked too and new there.
		want := []string{
			"0 Helpdesk false new 2 all 12",
			"1 Netz & WLAN true new 1 all 8",
			"2 Netz & WLAN::VPN true new 1 all 8",
			"1 Helpdesk::Drucker false new 1 all 2",
			"2 Netz & WLAN true new 1 all 2",
			"3 Netz & WLAN::VPN true new 1 all 2",
		}
		if !slices.Equal(lines, want) {
			t.Errorf("queue tree\n%q\nwant\n%q", lines, want)
		}

		// An admin sees the secret queue's tickets too.
		admin := models.Agent{TenantID: s.f.Tenant.ID, Login: "root", Name: "Rita Root", Active: true}
		if err := db.Create(&admin).Error; err != nil {
			t.Fatal(err)
		}
		dbtest.Grant(t, db, admin, models.AdminRole)
		all, err := s.d.DashboardList(ctx, desk.AgentPrincipal(admin), desk.WidgetNew)
		if err != nil {
			t.Fatal(err)
		}
		wantList(t, "admin's new", all, 3, "new here", "new there", "new secret")

		// The full list holds what the widget holds, beyond its ten.
		for i := range 11 {
			s.ticket(t, help, fmt.Sprintf("more new %02d", i), isNew)
		}
		dash, err = s.d.Dashboard(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		full, err := s.d.DashboardList(ctx, p, desk.WidgetNew)
		if err != nil {
			t.Fatal(err)
		}
		if len(dash.New.Tickets) != 10 || dash.New.Total != 13 || len(full.Tickets) != 13 || full.Total != 13 {
			t.Errorf("widget %d of %d, full list %d of %d; want 10 and 13 of 13", len(dash.New.Tickets), dash.New.Total, len(full.Tickets), full.Total)
		}
		if _, err := s.d.DashboardList(ctx, p, "everything"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("unknown widget: %v", err)
		}
		if _, err := s.d.Dashboard(ctx, desk.CustomerPrincipal(s.f.Customer)); err == nil {
			t.Error("a customer read the agents' dashboard")
		}
	})
}

// TestDashboardSLA: the SLA widget shows the breached tickets first, then
// those due within their SLA's warning window or four hours, with the
// working time left on the SLA's calendar (wall time without an SLA), a
// waiting ticket's clock as paused, and nothing of a queue the agent may
// not read.
func TestDashboardSLA(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newDashboard(t, db)
		ctx := t.Context()
		berlin := s.now.Location()
		at := func(day, hour int) *time.Time { return ptr(time.Date(2026, 11, day, hour, 0, 0, 0, berlin)) }
		help, secret := s.f.Queue, s.secret
		solution := func(due *time.Time) func(*models.Ticket) { return func(tk *models.Ticket) { tk.SolutionDue = due } }
		// Friday 15:00: one working hour today, then Monday from 8.
		s.ticket(t, help, "due monday 9", solution(at(30, 9)))   // 2 h left, within 4 h
		s.ticket(t, help, "due monday 13", solution(at(30, 13))) // 6 h left, within the 8 h warning window
		s.ticket(t, help, "due tuesday 12", solution(at(1+30, 12)))
		s.ticket(t, help, "update breached", func(tk *models.Ticket) {
			tk.UpdateDue, tk.UpdateBreached, tk.SolutionDue = at(27, 10), true, at(30, 9)
		})
		s.ticket(t, help, "waiting, breached", func(tk *models.Ticket) {
			tk.State, tk.SolutionBreached = string(ticket.StatePendingReminder), true
		})
		s.ticket(t, help, "past due", func(tk *models.Ticket) { tk.FirstResponseDue = at(27, 14) })
		s.ticket(t, secret, "secret breached", func(tk *models.Ticket) { tk.UpdateDue, tk.UpdateBreached = at(27, 10), true })
		s.ticket(t, secret, "secret due", solution(at(30, 9)))
		noSLA := func(due time.Time) func(*models.Ticket) {
			return func(tk *models.Ticket) { tk.ServiceID, tk.FirstResponseDue = nil, &due }
		}
		s.ticket(t, help, "no SLA, 3 h", noSLA(s.now.Add(3*time.Hour)))
		s.ticket(t, help, "no SLA, 5 h", noSLA(s.now.Add(5*time.Hour)))
		s.ticket(t, help, "closed, breached", func(tk *models.Ticket) {
			tk.State, tk.SolutionBreached = string(ticket.StateClosedSuccessful), true
		})

		dash, err := s.d.Dashboard(ctx, desk.AgentPrincipal(s.f.Agent))
		if err != nil {
			t.Fatal(err)
		}
		wantList(t, "SLA", dash.SLA, 6, "update breached", "past due", "waiting, breached", "due monday 9", "no SLA, 3 h", "due monday 13")
		type want struct {
			clock             string
			left              time.Duration
			working, breached bool
			paused            bool
		}
		wants := []want{
			{ticket.ClockUpdate, 5 * time.Hour, true, true, false}, // breached at 10, five working hours ago
			{ticket.ClockFirstResponse, time.Hour, true, true, false},
			{ticket.ClockSolution, 0, true, true, true},
			{ticket.ClockSolution, 2 * time.Hour, true, false, false},
			{ticket.ClockFirstResponse, 3 * time.Hour, false, false, false},
			{ticket.ClockSolution, 6 * time.Hour, true, false, false},
		}
		for i, tk := range dash.SLA.Tickets {
			if i >= len(wants) {
				break
			}
			w, st := wants[i], tk.SLA
			if st.Clock != w.clock || st.Left != w.left || st.Working != w.working || st.Breached != w.breached || st.Paused != w.paused {
				t.Errorf("%s: %+v, want %+v", tk.Title, st, w)
			}
		}
		if got := dash.SLA.Tickets[0].SLA.Due; !got.Equal(*at(27, 10)) {
			t.Errorf("breached since %v, want Friday 10:00", got)
		}

		// Monday 8:30 the first is due in half an hour.
		s.now = at(30, 8).Add(30 * time.Minute)
		full, err := s.d.DashboardList(ctx, desk.AgentPrincipal(s.f.Agent), desk.WidgetSLA)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range full.Tickets {
			if tk.Title == "due monday 9" && (tk.SLA.Left != 30*time.Minute || tk.SLA.Breached) {
				t.Errorf("Monday 8:30: %+v", tk.SLA)
			}
			if tk.QueueID == secret.ID {
				t.Errorf("the full list shows %q of a queue the agent may not read", tk.Title)
			}
		}
	})
}

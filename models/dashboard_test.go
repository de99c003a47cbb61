package models_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestDashboardQueries checks the dashboard's lists against a plain filter
// and sort of the same tickets, on both databases: their conditions,
// order, page and count, the queue filter, and the service counts.
func TestDashboardQueries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		f := dbtest.Seed(t, db, "x")
		other := models.Queue{TenantID: f.Tenant.ID, Name: "2nd", Level: models.LevelSecond}
		if err := db.Create(&other).Error; err != nil {
			t.Fatal(err)
		}
		colleague := models.Agent{TenantID: f.Tenant.ID, Login: "kollege", Name: "Kai Kollege", Active: true}
		if err := db.Create(&colleague).Error; err != nil {
			t.Fatal(err)
		}
		me, someone := f.Agent.ID, colleague.ID
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		horizon := base.Add(5 * time.Hour)
		states := []string{"new", "open", "closed successful", "pending reminder", "merged", "open"}
		var all []models.Ticket
		for i := range 60 {
			tk := models.Ticket{TenantID: f.Tenant.ID, Number: fmt.Sprintf("20260302100%05d", i), Title: "t",
				State: states[i%len(states)], Level: models.LevelFirst, QueueID: f.Queue.ID, TypeID: f.Type.ID,
				PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "phone",
				// Some share a time, so the id decides.
				CreatedAt: base.Add(-time.Duration((i*13)%17) * time.Hour), UpdatedAt: base.Add(-time.Duration((i*7)%5) * time.Hour)}
			if i%7 == 0 {
				tk.QueueID = other.ID
			}
			if i%3 == 0 {
				tk.OwnerID = &me
			} else if i%3 == 1 {
				tk.OwnerID = &someone
			}
			tk.Locked = i%2 == 0
			if i%5 == 0 {
				tk.ServiceID = &f.Service.ID
			}
			switch i % 4 {
			case 0:
				due := base.Add(time.Duration(i%9) * time.Hour)
				tk.SolutionDue = &due
			case 1:
				tk.UpdateBreached = i%8 == 1
			case 2:
				due := base.Add(time.Duration(i%11) * time.Hour)
				tk.FirstResponseDue = &due
			}
			if err := db.Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
			if i%4 == 3 {
				if err := db.Create(&models.TicketWatcher{TicketID: tk.ID, AgentID: me}).Error; err != nil {
					t.Fatal(err)
				}
			}
			all = append(all, tk)
		}
		watched := func(tk models.Ticket) bool { return int(tk.ID-all[0].ID)%4 == 3 }
		open := func(tk models.Ticket) bool { return slices.Contains(openStates, tk.State) && tk.QueueID == f.Queue.ID }
		before := func(at *time.Time) bool { return at != nil && !at.After(horizon) }
		byTime := func(at func(models.Ticket) time.Time, desc bool) func(a, b models.Ticket) int {
			return func(a, b models.Ticket) int {
				c := cmp.Or(at(a).Compare(at(b)), cmp.Compare(a.ID, b.ID))
				if desc {
					return -c
				}
				return c
			}
		}
		created := func(tk models.Ticket) time.Time { return tk.CreatedAt }
		updated := func(tk models.Ticket) time.Time { return tk.UpdatedAt }
		filter := models.DashboardFilter{TenantID: f.Tenant.ID, Queues: []int64{f.Queue.ID}, States: openStates}

		for _, c := range []struct {
			name string
			keep func(models.Ticket) bool
			sort func(a, b models.Ticket) int
			read func(limit int) ([]models.TicketRow, int, error)
		}{
			{"locked", func(tk models.Ticket) bool { return open(tk) && tk.Locked && tk.OwnerID != nil && *tk.OwnerID == me },
				byTime(updated, false), func(n int) ([]models.TicketRow, int, error) { return models.LockedBy(ctx, db, filter, me, n) }},
			{"new", func(tk models.Ticket) bool { return open(tk) && tk.State == "new" },
				byTime(created, false), func(n int) ([]models.TicketRow, int, error) { return models.NewTickets(ctx, db, filter, "new", n) }},
			{"watched", func(tk models.Ticket) bool { return open(tk) && watched(tk) },
				byTime(updated, true), func(n int) ([]models.TicketRow, int, error) { return models.WatchedBy(ctx, db, filter, me, n) }},
		} {
			var want []string
			for _, tk := range slices.SortedFunc(slices.Values(all), c.sort) {
				if c.keep(tk) {
					want = append(want, tk.Number)
				}
			}
			if len(want) < 3 {
				t.Fatalf("%s: only %d tickets to list; the test needs more", c.name, len(want))
			}
			for _, limit := range []int{2, 100} {
				rows, total, err := c.read(limit)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				var got []string
				for _, r := range rows {
					got = append(got, r.Number)
					if r.QueueName != "Helpdesk" || r.CustomerName == "" {
						t.Errorf("%s: row without its names: %+v", c.name, r)
					}
				}
				if page := want[:min(limit, len(want))]; !slices.Equal(got, page) || (total != -1 && total != len(want)) {
					t.Errorf("%s, %d at most: %v of %d, want %v of %d", c.name, limit, got, total, page, len(want))
				}
			}
		}

		// The SLA's candidates: every breached one and every one due
		// before the horizon; with a small limit, the most urgent of each
		// clock, and capped says that there are more.
		nearSLA := map[int64]bool{}
		var earliest models.Ticket
		for _, tk := range all {
			if !open(tk) {
				continue
			}
			if tk.FirstResponseBreached || tk.UpdateBreached || tk.SolutionBreached || before(tk.FirstResponseDue) || before(tk.UpdateDue) || before(tk.SolutionDue) {
				nearSLA[tk.ID] = true
			}
			if tk.SolutionDue != nil && (earliest.SolutionDue == nil || tk.SolutionDue.Before(*earliest.SolutionDue) ||
				tk.SolutionDue.Equal(*earliest.SolutionDue) && tk.ID < earliest.ID) {
				earliest = tk
			}
		}
		rows, capped, err := models.SLACandidates(ctx, db, filter, horizon, 100)
		got := map[int64]bool{}
		for _, r := range rows {
			got[r.ID] = true
		}
		if err != nil || capped || len(rows) != len(got) || len(got) != len(nearSLA) || len(nearSLA) < 5 {
			t.Errorf("SLA candidates: %d rows (%d tickets), capped %v, %v; want %d", len(rows), len(got), capped, err, len(nearSLA))
		}
		for n := range nearSLA {
			if !got[n] {
				t.Errorf("SLA candidates lack ticket %d", n)
			}
		}
		rows, capped, err = models.SLACandidates(ctx, db, filter, horizon, 1)
		if err != nil || !capped || len(rows) > 4 || !slices.ContainsFunc(rows, func(r models.SLAClocks) bool { return r.ID == earliest.ID }) {
			t.Errorf("SLA candidates, one of each kind: %d rows, capped %v, %v; want the earliest solution due %s among them", len(rows), capped, err, earliest.Number)
		}

		// The widget reads the rows it shows by ID, in its own order; an
		// ID of no ticket (or another tenant's) is left out.
		byID, err := models.TicketRowsByID(ctx, db, f.Tenant.ID, []int64{all[2].ID, 0, all[0].ID})
		if err != nil || len(byID) != 2 || byID[0].Number != all[2].Number || byID[1].Number != all[0].Number || byID[0].QueueName == "" || byID[1].CustomerName == "" {
			t.Errorf("tickets by ID: %+v, %v; want %s and %s with their names", byID, err, all[2].Number, all[0].Number)
		}
		if other, err := models.TicketRowsByID(ctx, db, f.Tenant.ID+1000, []int64{all[0].ID}); err != nil || len(other) != 0 {
			t.Errorf("tickets by ID of another tenant: %+v, %v", other, err)
		}

		// Without a queue filter (an admin) the other queue counts too.
		all2 := filter
		all2.Queues = nil
		if _, n, err := models.NewTickets(ctx, db, all2, "new", 1); err != nil || n != 10 {
			t.Errorf("new tickets of every queue: %d, %v; want 10", n, err)
		}
		// An empty queue list (an agent who sees none) lists nothing.
		none := filter
		none.Queues = []int64{}
		if rows, n, err := models.NewTickets(ctx, db, none, "new", 10); err != nil || n != 0 || len(rows) != 0 {
			t.Errorf("new tickets of no queue: %d rows of %d, %v", len(rows), n, err)
		}

		counts, err := models.ServiceCounts(ctx, db, f.Tenant.ID, openStates, "new")
		if err != nil {
			t.Fatal(err)
		}
		want := map[[2]int64][2]int{}
		for _, tk := range all {
			if tk.ServiceID != nil && slices.Contains(openStates, tk.State) {
				k := [2]int64{tk.QueueID, *tk.ServiceID}
				v := want[k]
				v[1]++
				if tk.State == "new" {
					v[0]++
				}
				want[k] = v
			}
		}
		if len(counts) != len(want) {
			t.Errorf("service counts %+v, want %v", counts, want)
		}
		for _, c := range counts {
			if w := want[[2]int64{c.QueueID, c.ServiceID}]; w != [2]int{c.New, c.All} {
				t.Errorf("service %d in queue %d: new %d all %d, want %v", c.ServiceID, c.QueueID, c.New, c.All, w)
			}
		}

		cal := models.Calendar{TenantID: f.Tenant.ID, Name: "office", Location: "Europe/Berlin", Week: "mon-fri 08:00-16:00"}
		if err := db.Create(&cal).Error; err != nil {
			t.Fatal(err)
		}
		sla := models.SLA{TenantID: f.Tenant.ID, Name: "s", ServiceID: f.Service.ID, CalendarID: cal.ID, SolutionMinutes: 60}
		if err := db.Create(&sla).Error; err != nil {
			t.Fatal(err)
		}
		printing := models.Service{TenantID: f.Tenant.ID, Name: "Drucken", QueueID: f.Queue.ID}
		if err := db.Create(&printing).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.SLA{TenantID: f.Tenant.ID, Name: "retired", ServiceID: printing.ID, CalendarID: cal.ID}).Error; err != nil {
			t.Fatal(err)
		}
		db.Model(&models.SLA{}).Where("name = ?", "retired").Update("active", false)
		slas, err := models.SLAsWithCalendars(ctx, db, f.Tenant.ID)
		if err != nil || len(slas) != 1 || slas[0].SLA.Name != "s" || slas[0].Calendar.Name != "office" {
			t.Errorf("SLAs with calendars: %+v, %v", slas, err)
		}
	})
}

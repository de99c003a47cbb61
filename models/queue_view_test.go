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

// TestQueueView pages through a queue in every order, with and without an
// owner filter, three tickets a page, on both databases: each ticket of
// the queue in the asked states comes exactly once, in the order a plain
// sort gives (ties broken by ID, tickets without a due time last).
func TestQueueView(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		f := dbtest.Seed(t, db, "x")
		other := models.Queue{TenantID: f.Tenant.ID, Name: "2nd", Level: models.LevelSecond}
		if err := db.Create(&other).Error; err != nil {
			t.Fatal(err)
		}
		high := models.Priority{Name: "queue-view-high", Rank: f.Priority.Rank + 10}
		if err := db.Create(&high).Error; err != nil {
			t.Fatal(err)
		}
		rank := map[int64]int{f.Priority.ID: f.Priority.Rank, high.ID: high.Rank}
		anton := models.Customer{TenantID: f.Tenant.ID, Login: "anton", Name: "Anton"}
		if err := db.Create(&anton).Error; err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		states := []string{"new", "open", "closed successful", "pending reminder"}
		var all []models.Ticket
		for i := range 23 {
			tk := models.Ticket{TenantID: f.Tenant.ID, Number: fmt.Sprintf("20260301200%05d", i), Title: "t",
				State: states[i%len(states)], Level: models.LevelFirst, QueueID: f.Queue.ID, TypeID: f.Type.ID,
				PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "phone", LastSeq: 1,
				CreatedAt: base.Add(time.Duration((i*5)%7) * time.Hour), UpdatedAt: base.Add(time.Duration((i*3)%5) * time.Minute)}
			if i%3 != 0 {
				due := base.Add(time.Duration((i*11)%6) * time.Hour)
				tk.SolutionDue = &due
			}
			if i%2 == 0 {
				tk.OwnerID = &f.Agent.ID
			}
			if i%7 == 0 {
				tk.QueueID = other.ID
			}
			if i%4 == 1 || i%5 == 0 {
				tk.PriorityID = high.ID
			}
			if i%3 == 1 {
				tk.CustomerID = anton.ID
			}
			if i%6 == 5 {
				tk.ServiceID = &f.Service.ID
			}
			if err := db.Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
			all = append(all, tk)
		}
		due := func(tk models.Ticket) time.Time {
			if tk.SolutionDue == nil {
				return time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			return *tk.SolutionDue
		}
		orders := map[models.QueueSort]func(a, b models.Ticket) int{
			models.QueuePriority: func(a, b models.Ticket) int {
				return cmp.Or(cmp.Compare(rank[b.PriorityID], rank[a.PriorityID]), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
			},
			models.QueueOldest: func(a, b models.Ticket) int { return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID)) },
			models.QueueNewest: func(a, b models.Ticket) int { return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID)) },
			models.QueueDue:    func(a, b models.Ticket) int { return cmp.Or(due(a).Compare(due(b)), cmp.Compare(a.ID, b.ID)) },
			models.QueueUpdated: func(a, b models.Ticket) int {
				return cmp.Or(b.UpdatedAt.Compare(a.UpdatedAt), cmp.Compare(b.ID, a.ID))
			},
		}
		for sort, order := range orders {
			for _, by := range []string{"", "mine", "priority", "customer", "service", "mine+customer"} {
				filter := models.QueueFilter{States: []string{"new", "open", "pending reminder"}}
				match := func(tk models.Ticket) bool { return true }
				switch by {
				case "mine":
					filter.OwnerID = f.Agent.ID
					match = func(tk models.Ticket) bool { return tk.OwnerID != nil }
				case "priority":
					filter.PriorityID = high.ID
					match = func(tk models.Ticket) bool { return tk.PriorityID == high.ID }
				case "customer":
					filter.CustomerLogin = "anton"
					match = func(tk models.Ticket) bool { return tk.CustomerID == anton.ID }
				case "service":
					filter.ServiceID = f.Service.ID
					match = func(tk models.Ticket) bool { return tk.ServiceID != nil }
				case "mine+customer":
					filter.OwnerID, filter.CustomerLogin = f.Agent.ID, "anton"
					match = func(tk models.Ticket) bool { return tk.OwnerID != nil && tk.CustomerID == anton.ID }
				}
				mine := by
				var want []string
				for _, tk := range slices.SortedFunc(slices.Values(all), order) {
					if tk.QueueID == f.Queue.ID && slices.Contains(filter.States, tk.State) && match(tk) {
						want = append(want, tk.Number)
					}
				}
				if len(want) == 0 {
					t.Fatalf("%s (%s): the data selects nothing", sort, by)
				}
				var got []string
				var after *models.QueueCursor
				for page := 0; page < 20; page++ {
					rows, next, err := models.QueueView(ctx, db, f.Tenant.ID, f.Queue.ID, sort, filter, after, 3)
					if err != nil {
						t.Fatalf("%s: %v", sort, err)
					}
					for _, r := range rows {
						got = append(got, r.Number)
					}
					if next == nil {
						break
					}
					after = next
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s (%s):\n got %v\nwant %v", sort, mine, got, want)
				}
			}
		}
	})
}

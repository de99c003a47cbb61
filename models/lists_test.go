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

var openStates = []string{"new", "open", "pending reminder", "pending auto close+", "pending auto close-"}

// TestQueueList checks the lists' order and paging against a plain sort,
// on both databases: the queries are shaped for PostgreSQL's indexes
// (one per priority, a page of IDs first), and must say the same thing.
func TestQueueList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		f := dbtest.Seed(t, db, "x")
		prios := map[int]int64{f.Priority.Rank: f.Priority.ID}
		for _, rank := range []int{1, 2, 4, 5} {
			p := models.Priority{Name: fmt.Sprintf("%d", rank), Rank: rank}
			if err := db.Create(&p).Error; err != nil {
				t.Fatal(err)
			}
			prios[rank] = p.ID
		}
		other := models.Queue{TenantID: f.Tenant.ID, Name: "2nd", Level: models.LevelSecond}
		db.Create(&other)
		base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		states := []string{"new", "open", "closed successful", "pending reminder", "merged", "pending auto close+"}
		var want []models.Ticket
		for i := range 40 {
			tk := models.Ticket{TenantID: f.Tenant.ID, Number: fmt.Sprintf("20260301100%05d", i), Title: "t",
				State: states[i%len(states)], Level: models.LevelFirst, QueueID: f.Queue.ID, TypeID: f.Type.ID,
				PriorityID: prios[1+(i*7)%5], CustomerID: f.Customer.ID, Channel: "phone", LastSeq: 1,
				// Some share a creation time, so the id decides.
				CreatedAt: base.Add(time.Duration((i*13)%17) * time.Hour), UpdatedAt: base}
			if i%9 == 0 {
				tk.QueueID = other.ID
			}
			if tk.State == "merged" {
				tk.MergedInto = "2026030110000001"
			}
			if tk.State == "pending reminder" {
				due := base.Add(time.Duration(i%4) * time.Hour)
				tk.ReminderDue = &due
			}
			if err := db.Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
			if tk.QueueID == f.Queue.ID && slices.Contains(openStates, tk.State) {
				want = append(want, tk)
			}
		}
		rank := func(tk models.Ticket) int {
			for r, id := range prios {
				if id == tk.PriorityID {
					return r
				}
			}
			return 0
		}
		slices.SortFunc(want, func(a, b models.Ticket) int {
			return cmp.Or(cmp.Compare(rank(b), rank(a)), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})

		all, err := models.TicketsInQueue(ctx, db, f.Tenant.ID, f.Queue.ID, openStates, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := numbers(all); !slices.Equal(got, ticketNumbers(want)) {
			t.Fatalf("queue list\n got %v\nwant %v", got, ticketNumbers(want))
		}
		short, err := models.TicketsInQueue(ctx, db, f.Tenant.ID, f.Queue.ID, openStates, 5)
		if err != nil || !slices.Equal(numbers(short), ticketNumbers(want[:5])) {
			t.Fatalf("first 5: %v, %v", numbers(short), err)
		}
		var paged []models.TicketRow
		var after *models.QueueKey
		for range 20 {
			page, err := models.TicketsInQueueAfter(ctx, db, f.Tenant.ID, f.Queue.ID, openStates, after, 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			k := page[len(page)-1].Key()
			after = &k
		}
		if !slices.Equal(numbers(paged), ticketNumbers(want)) {
			t.Fatalf("paged by 4\n got %v\nwant %v", numbers(paged), ticketNumbers(want))
		}

		now := base.Add(2*time.Hour + time.Minute)
		rem, err := models.RemindersReached(ctx, db, f.Tenant.ID, nil, now, 2)
		if err != nil {
			t.Fatal(err)
		}
		n, err := models.CountRemindersReached(ctx, db, f.Tenant.ID, nil, now)
		if err != nil || n != 3 || len(rem) != 2 {
			t.Fatalf("reminders: %d listed, %d counted, %v", len(rem), n, err)
		}
		for i, r := range rem {
			if r.ReminderDue.After(now) || r.CustomerName == "" ||
				i > 0 && (rem[i-1].ReminderDue.After(*r.ReminderDue) || rem[i-1].ReminderDue.Equal(*r.ReminderDue) && rem[i-1].ID > r.ID) {
				t.Fatalf("reminder %d: due %v, id %d", i, r.ReminderDue, r.ID)
			}
		}

		merged, err := models.MergedInto(ctx, db, f.Tenant.ID, "2026030110000001")
		if err != nil || len(merged) == 0 {
			t.Fatalf("merged into: %d, %v", len(merged), err)
		}
	})
}

func numbers(rows []models.TicketRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Number)
	}
	return out
}

func ticketNumbers(ts []models.Ticket) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Number)
	}
	return out
}

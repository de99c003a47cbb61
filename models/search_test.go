package models_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestSearchCandidates: with text, only the newest Candidates matching
// texts of the tickets the filters keep are ranked, and the search says
// when more matched; a rare word is found however old its article (on
// PostgreSQL past the newest articles it reads row by row).
func TestSearchCandidates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		f := dbtest.Seed(t, db, "x")
		start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		add := func(i int, body string) {
			t.Helper()
			at := start.Add(time.Duration(i) * time.Hour)
			tk := models.Ticket{TenantID: f.Tenant.ID, Number: fmt.Sprint(500 + i), Title: fmt.Sprintf("Anfrage %d", i), State: "open",
				Level: models.LevelFirst, QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: f.Customer.ID,
				Channel: "phone", CreatedAt: at, UpdatedAt: at}
			if err := db.Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
			a := models.Article{TicketID: tk.ID, Seq: 1, Kind: "phone", Author: "x", Subject: "Frage", Body: body, CreatedAt: at}
			if err := db.Create(&a).Error; err != nil {
				t.Fatal(err)
			}
		}
		add(0, "Ein Quokka im Serverraum.")
		for i := 1; i <= 6; i++ {
			add(i, "Der Toner ist leer.")
		}
		models.SetRecentArticles(t, 3)
		search := func(text string, candidates int, before time.Time) ([]string, bool) {
			t.Helper()
			hits, capped, err := models.SearchTickets(ctx, db, models.SearchQuery{TenantID: f.Tenant.ID, Queues: []int64{f.Queue.ID},
				Text: text, CreatedBefore: before, Limit: 50, Candidates: candidates})
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Number)
			}
			return got, capped
		}
		for _, c := range []struct {
			text       string
			candidates int
			before     time.Time
			want       []string
			capped     bool
		}{
			// The newest four of six (equal ranks: the newest first),
			// and more matched.
			{"Toner", 4, time.Time{}, []string{"506", "505", "504", "503"}, true},
			{"Toner", 5, time.Time{}, []string{"506", "505", "504", "503", "502"}, true},
			{"Toner", 6, time.Time{}, []string{"506", "505", "504", "503", "502", "501"}, false},
			{"Toner", 0, time.Time{}, []string{"506", "505", "504", "503", "502", "501"}, false},
			// The filters choose the candidates: the newest four of the
			// three created before 504 are those three.
			{"Toner", 4, start.Add(4 * time.Hour), []string{"503", "502", "501"}, false},
			// A rare word in the oldest article.
			{"Quokka", 4, time.Time{}, []string{"500"}, false},
			// The title: each of the seven.
			{"Anfrage", 2, time.Time{}, []string{"506", "505"}, true},
		} {
			got, capped := search(c.text, c.candidates, c.before)
			if !slices.Equal(got, c.want) || capped != c.capped {
				t.Errorf("%s, %d candidates, before %v: %v, capped %v; want %v, capped %v", c.text, c.candidates, c.before, got, capped, c.want, c.capped)
			}
		}
	})
}

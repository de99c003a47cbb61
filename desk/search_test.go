package desk_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// searchWorld is a tenant with tickets in the fixture's 1st-level queue
// and in a team queue the fixture's 1st-level agent may not read.
type searchWorld struct {
	d      *desk.Desk
	f      dbtest.Fixture
	team   models.Queue
	helper desk.Principal // 1st level: the Helpdesk only
	netz   desk.Principal // the team queue only
}

func newSearchWorld(t *testing.T, db *gorm.DB) searchWorld {
	t.Helper()
	d, f := newDesk(t, db)
	w := searchWorld{d: d, f: f}
	w.team = models.Queue{TenantID: f.Tenant.ID, Name: "Team Netzwerk", Level: models.LevelTeam}
	if err := db.Create(&w.team).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := models.PredefinedRoles(t.Context(), db, f.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	netz := models.Agent{TenantID: f.Tenant.ID, Login: "netz", Name: "Nils Netzwerk", Active: true}
	if err := db.Create(&netz).Error; err != nil {
		t.Fatal(err)
	}
	dbtest.Grant(t, db, netz, "Team Netzwerk")
	w.helper = desk.AgentPrincipal(f.Agent)
	w.netz = desk.AgentPrincipal(netz)
	return w
}

// add makes a ticket with one article, created at the given time.
func (w searchWorld) add(t *testing.T, db *gorm.DB, number, title, state string, queue int64, created time.Time, body string) models.Ticket {
	t.Helper()
	row := models.Ticket{TenantID: w.f.Tenant.ID, Number: number, Title: title, State: state, Level: models.LevelFirst,
		QueueID: queue, TypeID: w.f.Type.ID, PriorityID: w.f.Priority.ID, CustomerID: w.f.Customer.ID, Channel: "phone",
		CreatedAt: created, UpdatedAt: created}
	if queue == w.team.ID {
		row.Level = models.LevelTeam
	}
	if err := db.Create(&row).Error; err != nil {
		t.Fatal(err)
	}
	a := models.Article{TicketID: row.ID, Seq: 1, Kind: "phone", Author: "x", Subject: title, Body: body, CreatedAt: created}
	if err := db.Create(&a).Error; err != nil {
		t.Fatal(err)
	}
	return row
}

func numbers(r desk.SearchResult) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Number)
	}
	return out
}

func TestSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newSearchWorld(t, db)
		ctx := t.Context()
		day := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		w.add(t, db, "100", "Drucker", string(ticket.StateOpen), w.f.Queue.ID, day, "Der Drucker im Raum O27 druckt nicht.")
		w.add(t, db, "101", "Mail", string(ticket.StateClosedSuccessful), w.f.Queue.ID, day.AddDate(0, 0, 1), "The printer on floor 3 is jammed.")
		w.add(t, db, "102", "Geheim", string(ticket.StateOpen), w.team.ID, day.AddDate(0, 0, 2), "Der Drucker im Serverraum brennt; printer on fire.")
		w.add(t, db, "103", "<script>alert(1)</script> Passwort", string(ticket.StateNew), w.f.Queue.ID, day.AddDate(0, 0, 3),
			"Mein Passwort <b>läuft</b> ab & der VPN-Zugang \"sperrt\".")
		search := func(p desk.Principal, req desk.SearchRequest) desk.SearchResult {
			t.Helper()
			r, err := w.d.Search(ctx, p, req)
			if err != nil {
				t.Fatalf("search %+v: %v", req, err)
			}
			return r
		}
		// A word of an article body finds its ticket; the team's ticket
		// with the same word is neither shown nor counted.
		if got := numbers(search(w.helper, desk.SearchRequest{Text: "Drucker"})); !slices.Equal(got, []string{"100"}) {
			t.Errorf("Drucker as 1st level: %v, want [100]", got)
		}
		if got := numbers(search(w.netz, desk.SearchRequest{Text: "Drucker"})); !slices.Equal(got, []string{"102"}) {
			t.Errorf("Drucker as the team: %v, want [102]", got)
		}
		// Stemming: an inflected form finds the word (German on PostgreSQL;
		// porter's English on SQLite happens to reach these two as well).
		if got := numbers(search(w.helper, desk.SearchRequest{Text: "Druckers"})); !slices.Equal(got, []string{"100"}) {
			t.Errorf("Druckers: %v, want [100]", got)
		}
		// English stemming, and a closed ticket is found.
		if got := numbers(search(w.helper, desk.SearchRequest{Text: "printers"})); !slices.Equal(got, []string{"101"}) {
			t.Errorf("printers: %v, want [101]", got)
		}
		// A word in the title only.
		if got := numbers(search(w.helper, desk.SearchRequest{Text: "Passwort"})); !slices.Equal(got, []string{"103"}) {
			t.Errorf("Passwort: %v, want [103]", got)
		}
		// Filters: state, and a list without words, newest first.
		if got := numbers(search(w.helper, desk.SearchRequest{State: string(ticket.StateClosedSuccessful)})); !slices.Equal(got, []string{"101"}) {
			t.Errorf("closed: %v, want [101]", got)
		}
		if got := numbers(search(w.helper, desk.SearchRequest{Customer: w.f.Customer.Login, CreatedTo: "2026-03-31"})); !slices.Equal(got, []string{"103", "101", "100"}) {
			t.Errorf("by customer: %v, want newest first [103 101 100]", got)
		}
		if got := numbers(search(w.helper, desk.SearchRequest{Customer: "nobody"})); len(got) != 0 {
			t.Errorf("unknown customer: %v", got)
		}
		if got := numbers(search(w.helper, desk.SearchRequest{CreatedFrom: "2026-03-11", CreatedTo: "2026-03-12"})); !slices.Equal(got, []string{"101"}) {
			t.Errorf("date range: %v, want [101]", got)
		}
		if got := numbers(search(w.helper, desk.SearchRequest{Text: "Drucker", QueueID: w.f.Queue.ID, Level: string(models.LevelFirst)})); !slices.Equal(got, []string{"100"}) {
			t.Errorf("words and filters: %v", got)
		}
		// Nothing given: no search at all.
		if r := search(w.helper, desk.SearchRequest{}); r.Searched || len(r.Hits) != 0 {
			t.Errorf("empty search: %+v", r)
		}
		// The number alone jumps to a ticket the agent may read, not to
		// one it may not.
		if r := search(w.helper, desk.SearchRequest{Text: " 100 "}); r.Jump != "100" {
			t.Errorf("number: jump %q", r.Jump)
		}
		if r := search(w.helper, desk.SearchRequest{Text: "102"}); r.Jump != "" || len(r.Hits) != 0 {
			t.Errorf("another queue's number: jump %q, hits %v", r.Jump, numbers(r))
		}
		// Snippets mark the match and keep the text as text.
		r := search(w.helper, desk.SearchRequest{Text: "Passwort VPN"})
		if len(r.Hits) != 1 || !r.Ranked {
			t.Fatalf("Passwort VPN: %v", numbers(r))
		}
		var marked []string
		for _, p := range r.Hits[0].Snippet {
			if strings.ContainsAny(p.Text, models.MarkStart+models.MarkEnd) {
				t.Errorf("a mark left in %q", p.Text)
			}
			if p.Hit {
				marked = append(marked, p.Text)
			}
		}
		if len(marked) == 0 {
			t.Errorf("no match marked in %+v", r.Hits[0].Snippet)
		}
		// A merged ticket is found by its state too.
		db.Model(&models.Ticket{}).Where("number = ?", "100").Updates(map[string]any{"state": string(ticket.StateMerged), "title": "Tintenstrahl"})
		if got := numbers(search(w.helper, desk.SearchRequest{State: string(ticket.StateMerged), Text: "Tintenstrahl"})); !slices.Equal(got, []string{"100"}) {
			t.Errorf("renamed merged ticket by its new title: %v", got)
		}
	})
}

func TestSearchRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newSearchWorld(t, db)
		ctx := t.Context()
		w.add(t, db, "200", "Anfrage \"test\"", string(ticket.StateOpen), w.f.Queue.ID, time.Now(), "body with 'quotes' and \"double\" ones")
		for _, c := range []struct {
			req   desk.SearchRequest
			field string
		}{
			{desk.SearchRequest{Text: strings.Repeat("x", 10_000)}, "q"},
			{desk.SearchRequest{Text: "a\x00b"}, "q"},
			{desk.SearchRequest{State: "gone"}, "state"},
			{desk.SearchRequest{Level: "3rd"}, "level"},
			{desk.SearchRequest{CreatedFrom: "31.02.2026"}, "created_from"},
			{desk.SearchRequest{CreatedFrom: "2026-03-12", CreatedTo: "2026-03-10"}, "created_to"},
			{desk.SearchRequest{QueueID: w.team.ID}, "queue_id"}, // not readable: as if unknown
			{desk.SearchRequest{OwnerID: 999999}, "owner_id"},
			{desk.SearchRequest{Page: desk.MaxSearchPage + 1}, "page"},
		} {
			_, err := w.d.Search(ctx, w.helper, c.req)
			if got := fieldsOf(t, err); !slices.Equal(got, []string{c.field}) {
				t.Errorf("%.40q: fields %v, want [%s]", fmt.Sprint(c.req), got, c.field)
			}
		}
		// Query syntax of either database is taken as words: results or
		// none, never an error.
		for _, q := range []string{`"`, `"unclosed phrase`, `test"`, `'`, `(`, `)`, `*`, `NOT`, `AND OR`, `-`, `- -x`, `a:b`, `title:x`,
			`<script>alert(1)</script>`, `!!!`, `&|!<->`, `NEAR(a b)`, `^x`, `x*`, `or`, `der die das`, `"quotes"`, `'quotes'`} {
			if _, err := w.d.Search(ctx, w.helper, desk.SearchRequest{Text: q}); err != nil {
				t.Errorf("%q: %v", q, err)
			}
		}
		if r, err := w.d.Search(ctx, w.helper, desk.SearchRequest{Text: `"double"`}); err != nil || !slices.Equal(numbers(r), []string{"200"}) {
			t.Errorf(`a quoted word: %v, %v`, numbers(r), err)
		}
		if r, err := w.d.Search(ctx, w.helper, desk.SearchRequest{Text: `quotes -double`}); err != nil || len(r.Hits) != 0 {
			t.Errorf(`an excluded word: %v, %v`, numbers(r), err)
		}
		if r, err := w.d.Search(ctx, w.helper, desk.SearchRequest{Text: `nothinghere or quotes`}); err != nil || !slices.Equal(numbers(r), []string{"200"}) {
			t.Errorf(`or: %v, %v`, numbers(r), err)
		}
		if _, err := w.d.Search(ctx, desk.CustomerPrincipal(w.f.Customer), desk.SearchRequest{Text: "x"}); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("a customer searched: %v", err)
		}
	})
}

func TestSearchPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newSearchWorld(t, db)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		n := desk.SearchPageSize + 7
		for i := range n {
			w.add(t, db, fmt.Sprint(300+i), fmt.Sprintf("Laptop %d", i), string(ticket.StateOpen), w.f.Queue.ID, start.Add(time.Duration(i)*time.Hour), "Akku leer")
		}
		seen := map[string]bool{}
		for _, text := range []string{"Akku", ""} {
			clear(seen)
			for page := 1; ; page++ {
				r, err := w.d.Search(t.Context(), w.helper, desk.SearchRequest{Text: text, CreatedTo: "2026-01-31", Page: page})
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range r.Hits {
					if seen[h.Number] {
						t.Fatalf("%q: %s on two pages", text, h.Number)
					}
					seen[h.Number] = true
				}
				if !r.More {
					break
				}
				if len(r.Hits) != desk.SearchPageSize {
					t.Fatalf("%q page %d: %d hits and more", text, page, len(r.Hits))
				}
			}
			if len(seen) != n {
				t.Errorf("%q: %d tickets over the pages, want %d", text, len(seen), n)
			}
		}
	})
}

func TestSavedSearches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newSearchWorld(t, db)
		ctx := t.Context()
		if err := w.d.SaveSearch(ctx, w.helper, "Drucker offen", "q=Drucker&state=open"); err != nil {
			t.Fatal(err)
		}
		if err := w.d.SaveSearch(ctx, w.helper, "Drucker offen", "q=Drucker&state=new"); err != nil {
			t.Fatal("the same name again:", err)
		}
		if got := fieldsOf(t, w.d.SaveSearch(ctx, w.helper, " ", "q=x")); !slices.Equal(got, []string{"name"}) {
			t.Errorf("empty name: %v", got)
		}
		if got := fieldsOf(t, w.d.SaveSearch(ctx, w.helper, "long", strings.Repeat("q", desk.MaxSavedSearchQuery+1))); !slices.Equal(got, []string{"query"}) {
			t.Errorf("long query: %v", got)
		}
		mine, err := w.d.Search(ctx, w.helper, desk.SearchRequest{})
		if err != nil || len(mine.Saved) != 1 || mine.Saved[0].Query != "q=Drucker&state=new" {
			t.Fatalf("saved: %+v, %v", mine.Saved, err)
		}
		theirs, _ := w.d.Search(ctx, w.netz, desk.SearchRequest{})
		if len(theirs.Saved) != 0 {
			t.Errorf("another agent sees %+v", theirs.Saved)
		}
		if err := w.d.DeleteSavedSearch(ctx, w.netz, mine.Saved[0].ID); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("another agent deleted it: %v", err)
		}
		if err := w.d.DeleteSavedSearch(ctx, w.helper, mine.Saved[0].ID); err != nil {
			t.Fatal(err)
		}
		if after, _ := w.d.Search(ctx, w.helper, desk.SearchRequest{}); len(after.Saved) != 0 {
			t.Errorf("still saved: %+v", after.Saved)
		}
	})
}

// BenchmarkSearch measures a word search and a filtered list over a few
// thousand tickets (KIZDESK_TEST_DATABASE_URL for PostgreSQL).
func BenchmarkSearch(b *testing.B) {
	for _, kind := range dbtest.Kinds {
		b.Run(kind, func(b *testing.B) {
			db := dbtest.Open(b, kind)
			f := dbtest.Seed(b, db, "x")
			d := desk.New(db, nil, desk.Options{})
			p := desk.AgentPrincipal(f.Agent)
			words := []string{"Drucker", "Passwort", "VPN", "Laptop", "Mail", "Konto", "WLAN", "Telefon", "Monitor", "Lizenz"}
			start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			const n = 5000
			err := db.Transaction(func(tx *gorm.DB) error {
				for i := range n {
					at := start.Add(time.Duration(i) * time.Minute)
					row := models.Ticket{TenantID: f.Tenant.ID, Number: fmt.Sprint(900000 + i), Title: words[i%len(words)] + " Problem " + fmt.Sprint(i),
						State: string(ticket.StateOpen), Level: models.LevelFirst, QueueID: f.Queue.ID, TypeID: f.Type.ID,
						PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "phone", CreatedAt: at, UpdatedAt: at}
					if err := tx.Create(&row).Error; err != nil {
						return err
					}
					body := fmt.Sprintf("Guten Tag, seit heute geht %s nicht mehr, %s meldet einen Fehler. Bitte um Hilfe. Ticket %d",
						words[(i+3)%len(words)], words[(i+7)%len(words)], i)
					for s := 1; s <= 2; s++ {
						if err := tx.Create(&models.Article{TicketID: row.ID, Seq: s, Kind: "phone", Author: "x", Subject: row.Title, Body: body, CreatedAt: at}).Error; err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if kind == "postgres" {
				db.Exec("ANALYZE")
			}
			ctx := context.Background()
			for _, req := range []desk.SearchRequest{{Text: "Druckers Fehler"}, {Text: "Lizenz"}, {State: string(ticket.StateOpen)}} {
				b.Run(req.Text+req.State, func(b *testing.B) {
					for b.Loop() {
						r, err := d.Search(ctx, p, req)
						if err != nil || len(r.Hits) == 0 {
							b.Fatalf("%v, %d hits", err, len(r.Hits))
						}
					}
				})
			}
		})
	}
}

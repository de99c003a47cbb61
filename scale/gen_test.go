package scale_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/scale"
	"github.com/kiz-ulm/kizdesk/ticket"
)

func TestGenerateRefusesSQLite(t *testing.T) {
	_, err := scale.Generate(t.Context(), filepath.Join(t.TempDir(), "kizdesk.db"), scale.Options{Tickets: 10})
	if !errors.Is(err, scale.ErrNeedsPostgres) {
		t.Fatalf("SQLite: %v, want ErrNeedsPostgres", err)
	}
}

func TestGenerate(t *testing.T) {
	url := dbtest.URL(t, "postgres")
	ctx := t.Context()
	const n = 2000
	res, err := scale.Generate(ctx, url, scale.Options{Tickets: n, ZoomArticles: 60, Customers: 500, Batch: 700, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tickets != n+1 || res.ZoomTicket == "" {
		t.Fatalf("generated %d tickets, zoom ticket %q; want %d and one", res.Tickets, res.ZoomTicket, n+1)
	}
	if share := float64(res.Open) / n; share < 0.06 || share > 0.15 {
		t.Errorf("open share %.3f, want about 0.10", share)
	}
	if per := float64(res.Articles-60) / n; per < 4 || per > 6 {
		t.Errorf("%.2f articles per ticket, want about 5", per)
	}
	db, err := models.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	var counts struct{ Tickets, Articles, History, Customers int64 }
	db.Raw(`SELECT (SELECT count(*) FROM tickets) AS tickets, (SELECT count(*) FROM articles) AS articles,
		(SELECT count(*) FROM ticket_history) AS history, (SELECT count(*) FROM customers) AS customers`).Scan(&counts)
	if counts.Tickets != res.Tickets || counts.Articles != res.Articles || counts.History != res.History || counts.Customers < 500 {
		t.Errorf("database holds %+v, generator says %+v", counts, res)
	}

	// What the desk shows of it: the agents' pages read generated tickets
	// like projected ones.
	agent, err := models.AgentByLogin(ctx, db, "admin")
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(db, nil, desk.Options{})
	p := desk.AgentPrincipal(agent)
	overview, err := d.QueueOverview(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	open, helpdesk := 0, int64(0)
	for _, q := range overview {
		open += q.All
		if q.Name == "Helpdesk" {
			helpdesk = q.ID
		}
	}
	if int64(open) != res.Open {
		t.Errorf("queue overview counts %d open tickets, generator made %d", open, res.Open)
	}
	_, rows, err := d.QueueTickets(ctx, p, helpdesk)
	if err != nil || len(rows) == 0 {
		t.Fatalf("Helpdesk queue: %d rows, %v", len(rows), err)
	}
	for i, r := range rows {
		if !ticket.State(r.State).Open() || r.QueueID != helpdesk || r.CustomerName == "" {
			t.Fatalf("queue row %d: %+v", i, r.Ticket)
		}
		if i > 0 && (rows[i-1].PriorityRank < r.PriorityRank ||
			rows[i-1].PriorityRank == r.PriorityRank && rows[i-1].CreatedAt.After(r.CreatedAt)) {
			t.Fatalf("queue rows %d and %d out of order", i-1, i)
		}
	}
	reminders, err := d.RemindersReached(ctx, p)
	if err != nil || len(reminders) == 0 {
		t.Errorf("reminders: %d, %v", len(reminders), err)
	}
	zoom, err := d.Ticket(ctx, p, res.ZoomTicket)
	if err != nil {
		t.Fatal(err)
	}
	if len(zoom.Articles) != 60 || zoom.Ticket.Title != scale.ZoomTitle || zoom.Ticket.LastSeq != len(zoom.History) {
		t.Errorf("zoom ticket: %d articles, %d history entries, last seq %d", len(zoom.Articles), len(zoom.History), zoom.Ticket.LastSeq)
	}
	var target string
	db.Raw(`SELECT merged_into FROM tickets WHERE merged_into <> '' LIMIT 1`).Scan(&target)
	if merged, err := models.MergedInto(ctx, db, agent.TenantID, target); err != nil || len(merged) == 0 {
		t.Errorf("tickets merged into %q: %d, %v", target, len(merged), err)
	}

	// Tickets made afterwards get fresh IDs and numbers.
	var next, max int64
	db.Raw(`SELECT nextval(pg_get_serial_sequence('tickets', 'id'))`).Scan(&next)
	db.Raw(`SELECT max(id) FROM tickets`).Scan(&max)
	if next <= max {
		t.Errorf("ticket sequence at %d, below the generated %d", next, max)
	}
	num, err := models.NextTicketNumber(ctx, db, time.Now(), "10")
	if err != nil {
		t.Fatal(err)
	}
	var clash int64
	db.Model(&models.Ticket{}).Where("number = ?", num).Count(&clash)
	if clash != 0 {
		t.Errorf("next ticket number %s is taken by a generated ticket", num)
	}
}

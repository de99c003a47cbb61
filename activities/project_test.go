package activities_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

func TestProjectTicket(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		key := dbtest.AuditKeys(t).Current()
		acts := &activities.Activities{DB: db, AuditKey: key}
		at := time.Date(2026, 11, 27, 8, 30, 0, 123456000, time.UTC)
		agent := ticket.Actor{Kind: "agent", ID: f.Agent.ID, Name: f.Agent.Name}
		snap := ticket.Snapshot{
			Number: "2026112710000013", TenantID: f.Tenant.ID, Title: "VPN down", State: "new", Level: "1st level",
			QueueID: f.Queue.ID, ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID,
			CustomerID: f.Customer.ID, Channel: "phone", CreatedAt: at, UpdatedAt: at,
		}
		create := ticket.ProjectTicketInput{Ticket: snap, Events: []ticket.HistoryEvent{
			{Seq: 1, At: at, Event: "NewTicket", Actor: agent, Field: "State", New: "new"},
			{Seq: 2, At: at, Event: "PhoneCallCustomer", Actor: agent,
				Article: &ticket.Article{Kind: "phone note", CustomerVisible: true, Subject: "VPN down", Body: "No tunnel."}},
		}}
		// Without an audit key nothing is written.
		if _, err := (&activities.Activities{DB: db}).ProjectTicket(ctx, create); err == nil {
			t.Fatal("projected without an audit key")
		}
		var heads []string
		for range 2 { // a retried activity must write nothing twice
			res, err := acts.ProjectTicket(ctx, create)
			if err != nil {
				t.Fatal(err)
			}
			if res.LastSeq != 2 {
				t.Fatalf("LastSeq = %d", res.LastSeq)
			}
			heads = append(heads, res.Head)
		}
		closed := snap
		closed.State, closed.UpdatedAt, closed.ClosedAt = "closed successful", at.Add(time.Hour), at.Add(time.Hour)
		closeIn := ticket.ProjectTicketInput{Ticket: closed, Events: []ticket.HistoryEvent{
			{Seq: 3, At: at.Add(time.Hour), Event: "StateUpdate", Actor: agent, Field: "State", Old: "new", New: "closed successful"},
		}}
		res, err := acts.ProjectTicket(ctx, closeIn)
		if err != nil {
			t.Fatal(err)
		}
		heads = append(heads, res.Head)
		// A late duplicate of the create must not turn the ticket back.
		if res, err = acts.ProjectTicket(ctx, create); err != nil {
			t.Fatal(err)
		}
		heads = append(heads, res.Head)

		row, err := models.TicketByNumber(ctx, db, f.Tenant.ID, snap.Number)
		if err != nil {
			t.Fatal(err)
		}
		if row.State != "closed successful" || row.LastSeq != 3 || row.ClosedAt == nil || row.ServiceName != f.Service.Name {
			t.Errorf("ticket row = %+v", row)
		}
		arts, _ := models.Articles(ctx, db, row.ID)
		if len(arts) != 1 || arts[0].Body != "No tunnel." || !arts[0].CustomerVisible || arts[0].Author != f.Agent.Name {
			t.Errorf("articles = %+v", arts)
		}
		hist, _ := models.History(ctx, db, row.ID)
		if len(hist) != 3 {
			t.Fatalf("%d history entries, want 3", len(hist))
		}
		prev := ""
		for i, h := range hist {
			if h.PrevHash != prev {
				t.Errorf("entry %d: prev hash %q, want %q", h.Seq, h.PrevHash, prev)
			}
			var art *models.Article
			if h.ArticleID != nil {
				art = &arts[0]
			}
			if got := models.HistoryHash(key, h, art); got != h.Hash || h.KeyID != key.ID {
				t.Errorf("entry %d: stored hash (key %q) does not match its content as read back under key %s", i+1, h.KeyID, key.ID)
			}
			prev = h.Hash
		}
		// Head is the last entry's hash, also when the call wrote nothing
		// (the retry) or was late (the duplicate create).
		if want := []string{hist[1].Hash, hist[1].Hash, hist[2].Hash, hist[2].Hash}; !slices.Equal(heads, want) {
			t.Errorf("heads = %q, want %q", heads, want)
		}
		if !hist[0].CreatedAt.Equal(at) {
			t.Errorf("time read back %v, want %v", hist[0].CreatedAt, at)
		}

		gap := ticket.ProjectTicketInput{Ticket: closed, Events: []ticket.HistoryEvent{{Seq: 9, At: at, Event: "AddNote", Actor: agent}}}
		gap.Ticket.Title = "changed"
		if _, err := acts.ProjectTicket(ctx, gap); err == nil {
			t.Error("a history gap was accepted")
		}
		if row, _ := models.TicketByNumber(ctx, db, f.Tenant.ID, snap.Number); row.Title != "VPN down" {
			t.Error("a failed projection changed the ticket row")
		}
	})
}

// TestProjectionRefusedForGood: what the database refuses itself comes back
// as a non-retryable error of type ticket.ErrProjectionRejected (the
// workflow undoes the change); nothing of it is written.
func TestProjectionRefusedForGood(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		acts := &activities.Activities{DB: db, AuditKey: dbtest.AuditKeys(t).Current()}
		at := time.Date(2026, 11, 27, 8, 30, 0, 0, time.UTC)
		agent := ticket.Actor{Kind: ticket.ActorAgent, ID: f.Agent.ID, Name: f.Agent.Name}
		snap := ticket.Snapshot{
			Number: "2026112710000099", TenantID: f.Tenant.ID, Title: "VPN down", State: "new", Level: "1st level",
			QueueID: 999999, TypeID: f.Type.ID, PriorityID: f.Priority.ID, // no such queue
			CustomerID: f.Customer.ID, Channel: "phone", CreatedAt: at, UpdatedAt: at,
		}
		in := ticket.ProjectTicketInput{Ticket: snap, Events: []ticket.HistoryEvent{
			{Seq: 1, At: at, Event: "NewTicket", Actor: agent, Field: "State", New: "new"},
		}}
		_, err := acts.ProjectTicket(ctx, in)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || appErr.Type() != ticket.ErrProjectionRejected || !appErr.NonRetryable() {
			t.Fatalf("a broken foreign key: %v (%T)", err, err)
		}
		if db.Dialector.Name() == "postgres" {
			// PostgreSQL refuses NUL in text; the edge refuses it first, but
			// if one ever slips through, the ticket must not retry for ever.
			snap.QueueID = f.Queue.ID
			in := ticket.ProjectTicketInput{Ticket: snap, Events: []ticket.HistoryEvent{
				{Seq: 1, At: at, Event: "NewTicket", Actor: agent, Field: "State", New: "new\x00"},
			}}
			_, err := acts.ProjectTicket(ctx, in)
			if !errors.As(err, &appErr) || appErr.Type() != ticket.ErrProjectionRejected {
				t.Fatalf("NUL on PostgreSQL: %v", err)
			}
		}
		if _, err := models.TicketByNumber(ctx, db, f.Tenant.ID, snap.Number); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a refused projection left a ticket: %v", err)
		}
	})
}

package activities_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestProjectLifecycle: watchers follow the snapshot, links are stored once
// per pair, notifications and SLA values land with their history entry,
// and a retried projection writes nothing twice.
func TestProjectLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		acts := &activities.Activities{DB: db, AuditKey: dbtest.AuditKeys(t).Current()}
		at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
		agent := ticket.Actor{Kind: "agent", ID: f.Agent.ID, Name: f.Agent.Name}
		system := ticket.Actor{Kind: "system", Name: "kizdesk"}
		snap := ticket.Snapshot{
			Number: "2026113010000017", TenantID: f.Tenant.ID, Title: "VPN", State: "new", Level: "1st level",
			QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: f.Customer.ID,
			Channel: "phone", CreatedAt: at, UpdatedAt: at,
			Watchers: []int64{f.Agent.ID}, Links: []string{"2026112710000013"},
			SLA: ticket.SLASnapshot{Name: "standard", SolutionDue: at.Add(8 * time.Hour)},
		}
		in := ticket.ProjectTicketInput{Ticket: snap, Events: []ticket.HistoryEvent{
			{Seq: 1, At: at, Event: "NewTicket", Actor: agent, Field: "State", New: "new"},
			{Seq: 2, At: at, Event: "TicketLinkAdd", Actor: agent, Field: "Link", New: "2026112710000013"},
		}}
		later := snap
		later.Watchers = nil
		later.State, later.UpdatedAt = "open", at.Add(2*time.Hour)
		later.SLA.FirstResponseAt, later.SLA.FirstResponseTime, later.SLA.FirstResponseBreached = at.Add(2*time.Hour), 2*time.Hour, true
		breach := ticket.ProjectTicketInput{Ticket: later, Events: []ticket.HistoryEvent{
			{Seq: 3, At: at.Add(time.Hour), Event: "EscalationStart", Actor: system, Field: "FirstResponseTime",
				Notify: &ticket.Notification{Kind: "sla-breach", QueueID: f.Queue.ID}},
			{Seq: 4, At: at.Add(2 * time.Hour), Event: "Unsubscribe", Actor: agent, Field: "Watcher", Old: f.Agent.Name},
		}}
		for _, p := range []ticket.ProjectTicketInput{in, in, breach, breach, in} {
			if _, err := acts.ProjectTicket(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		row, err := models.TicketByNumber(ctx, db, f.Tenant.ID, snap.Number)
		if err != nil {
			t.Fatal(err)
		}
		if row.State != "open" || row.SLAName != "standard" || row.SolutionDue == nil || !row.SolutionDue.Equal(at.Add(8*time.Hour)) ||
			row.FirstResponseSeconds == nil || *row.FirstResponseSeconds != 7200 || !row.FirstResponseBreached {
			t.Errorf("row %+v", row.Ticket)
		}
		if ws, _ := models.Watchers(ctx, db, row.ID); len(ws) != 0 {
			t.Errorf("watchers %v after the unsubscribe (and a late replay of the first projection)", ws)
		}
		var links []models.TicketLink
		db.Find(&links)
		if len(links) != 1 || links[0].ANumber != "2026112710000013" || links[0].BNumber != snap.Number {
			t.Errorf("links %+v", links)
		}
		ns, err := models.NotificationsOf(ctx, db, row.ID)
		if err != nil || len(ns) != 1 || ns[0].Kind != "sla-breach" || ns[0].Seq != 3 || ns[0].QueueID == nil {
			t.Errorf("notifications %+v, %v", ns, err)
		}
	})
}

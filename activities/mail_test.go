package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

func mailActivities(t *testing.T, db *gorm.DB) *activities.Activities {
	t.Helper()
	texts, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return &activities.Activities{DB: db, AuditKey: dbtest.AuditKeys(t).Current(), Mail: &activities.Mail{Config: outbox.Config{
		From: mailin.Address{Name: "kizdesk", Email: "kizdesk@kiz.example"}, Domain: "kiz.example", Loop: "kizdesk@kiz.example", Texts: texts,
	}}}
}

// TestAnswerMailWrittenOnce: an agent's answer is written as a mail in the
// projection's transaction, once however often the projection runs; the
// answer to a customer without an address is kept as "no mail", with
// the reason; notes write no mail.
func TestAnswerMailWrittenOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		acts := mailActivities(t, db)
		at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		agent := ticket.Actor{Kind: "agent", ID: f.Agent.ID, Name: f.Agent.Name}
		project := func(number string, customer int64, events ...ticket.HistoryEvent) {
			t.Helper()
			snap := ticket.Snapshot{Number: number, TenantID: f.Tenant.ID, Title: "Drucker", State: "open", Level: "1st level",
				QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: customer, Channel: "phone", CreatedAt: at, UpdatedAt: at}
			in := ticket.ProjectTicketInput{Ticket: snap, Events: events}
			for range 2 {
				if _, err := acts.ProjectTicket(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
		}
		events := []ticket.HistoryEvent{
			{Seq: 1, At: at, Event: ticket.EventNewTicket, Actor: agent, Field: "State", New: "new"},
			{Seq: 2, At: at, Event: ticket.EventAddNote, Actor: agent, Article: &ticket.Article{Kind: "internal note", Body: "intern"}},
			{Seq: 3, At: at, Event: ticket.EventSendAnswer, Actor: agent, Article: &ticket.Article{Kind: "reply", CustomerVisible: true, Body: "Bitte neu starten."}},
		}
		if err := db.Model(&models.Customer{}).Where("id = ?", f.Customer.ID).Update("email", "kunde@uni-ulm.example").Error; err != nil {
			t.Fatal(err)
		}
		project("2026120110000011", f.Customer.ID, events...)
		ms, err := models.OutMailsOf(ctx, db, f.Tenant.ID, "2026120110000011")
		if err != nil || len(ms) != 1 {
			t.Fatalf("mails of the ticket after the projection ran twice: %+v, %v", ms, err)
		}
		m, _ := models.OutMail(ctx, db, ms[0].ID)
		if m.Kind != models.OutReply || m.Status != models.OutPending || m.Recipients != "kunde@uni-ulm.example" ||
			m.ArticleSeq == nil || *m.ArticleSeq != 3 || m.MessageKey != "2026120110000011.3@kiz.example" ||
			!strings.Contains(string(m.Raw), "Bitte neu starten.") || !strings.Contains(string(m.Raw), "[Ticket#2026120110000011]") {
			t.Errorf("the answer's mail: %+v\n%s", m, m.Raw)
		}

		nobody := models.Customer{TenantID: f.Tenant.ID, Login: "ohne", Name: "Ohne Adresse", Active: true}
		if err := db.Create(&nobody).Error; err != nil {
			t.Fatal(err)
		}
		project("2026120110000022", nobody.ID, events...)
		ms, _ = models.OutMailsOf(ctx, db, f.Tenant.ID, "2026120110000022")
		if len(ms) != 1 || ms[0].Status != models.OutNoMail || ms[0].LastError == "" {
			t.Errorf("the answer to a customer without an address: %+v", ms)
		}
	})
}

// TestNotificationWaitsForWorkingTime: news of work to do waits for the
// next working moment of the calendar; a breach goes at once; inside
// working time everything goes at once.
func TestNotificationWaitsForWorkingTime(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		f := dbtest.Seed(t, db, "x")
		acts := mailActivities(t, db)
		if err := db.Create(&models.Calendar{TenantID: f.Tenant.ID, Name: "kiz", Location: "Europe/Berlin", Week: "mon-fri 08:00-18:00"}).Error; err != nil {
			t.Fatal(err)
		}
		berlin, _ := time.LoadLocation("Europe/Berlin")
		saturday := time.Date(2026, 12, 5, 10, 0, 0, 0, berlin)
		at := saturday
		acts.Now = func() time.Time { return at }
		system := ticket.Actor{Kind: "system", Name: "kizdesk"}
		snap := ticket.Snapshot{Number: "2026120510000013", TenantID: f.Tenant.ID, Title: "WLAN", State: "new", Level: "1st level",
			QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "email", CreatedAt: at, UpdatedAt: at}
		_, err := acts.ProjectTicket(ctx, ticket.ProjectTicketInput{Ticket: snap, Events: []ticket.HistoryEvent{
			{Seq: 1, At: at, Event: ticket.EventNewTicket, Actor: system, Field: "State", New: "new",
				Notify: &ticket.Notification{Kind: ticket.NotifyNewTicket, QueueID: f.Queue.ID, WorkingHours: true}},
			{Seq: 2, At: at, Event: ticket.EventSLABreach, Actor: system, Field: "SolutionTime",
				Notify: &ticket.Notification{Kind: ticket.NotifySLABreach, QueueID: f.Queue.ID}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		row, _ := models.TicketByNumber(ctx, db, f.Tenant.ID, snap.Number)
		ns, err := models.NotificationsOf(ctx, db, row.ID)
		if err != nil || len(ns) != 2 {
			t.Fatalf("notifications: %+v, %v", ns, err)
		}
		monday := time.Date(2026, 12, 7, 8, 0, 0, 0, berlin)
		for _, c := range []struct {
			n    models.Notification
			now  time.Time
			want time.Time
		}{
			{ns[0], saturday, monday},
			{ns[1], saturday, time.Time{}},
			{ns[0], monday.Add(2 * time.Hour), time.Time{}},
		} {
			at = c.now
			plan, err := acts.PlanNotification(ctx, ticket.NotificationInput{NotificationID: c.n.ID})
			if err != nil || !plan.NotBefore.Equal(c.want) {
				t.Errorf("%s at %s: not before %s, want %s; %v", c.n.Kind, c.now, plan.NotBefore, c.want, err)
			}
		}
		// Nobody asked for either by mail: both are settled as skipped,
		// with the reason, in the projection.
		for _, n := range ns {
			if n.Status != models.NotifySkipped || n.Reason == "" {
				t.Errorf("%s nobody wants: %s %q", n.Kind, n.Status, n.Reason)
			}
		}
	})
}

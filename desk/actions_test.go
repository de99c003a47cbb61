package desk_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestActionsCheckInput: every action refuses bad input with field errors
// before it talks to Temporal (the desk here has no Temporal client).
func TestActionsCheckInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		a := desk.AgentPrincipal(f.Agent)
		other := models.Tenant{Slug: "other", Name: "Other"}
		db.Create(&other)
		foreignAgent := models.Agent{TenantID: other.ID, Login: "x", Name: "X", Email: "x@x", PasswordHash: "-", Active: true}
		db.Create(&foreignAgent)
		first := models.Queue{TenantID: f.Tenant.ID, Name: "Another 1st level", Level: models.LevelFirst}
		db.Create(&first)
		view := func(_ ticket.View, err error) error { return err }
		cases := map[string]struct {
			err  error
			want string
		}{
			"reply without text":         {view(d.Reply(ctx, a, "1", desk.ReplyRequest{Body: " "})), "body"},
			"assign a foreign agent":     {view(d.Assign(ctx, a, "1", desk.AssignRequest{OwnerID: foreignAgent.ID})), "owner_id"},
			"assign unknown responsible": {view(d.Assign(ctx, a, "1", desk.AssignRequest{ResponsibleID: 999999})), "responsible_id"},
			"watch a foreign agent":      {view(d.Watch(ctx, a, "1", desk.WatchRequest{AgentID: foreignAgent.ID, Watch: true})), "agent_id"},
			"move nowhere":               {view(d.Move(ctx, a, "1", desk.MoveRequest{})), "queue_id"},
			"move to unknown queue":      {view(d.Move(ctx, a, "1", desk.MoveRequest{QueueID: 999999})), "queue_id"},
			"escalate to 1st level":      {view(d.Escalate(ctx, a, "1", desk.EscalateRequest{QueueID: first.ID})), "queue_id"},
			"pending not a pending state": {view(d.SetPending(ctx, a, "1", desk.PendingRequest{State: "open",
				Until: time.Now().Add(time.Hour)})), "state"},
			"pending in the past": {view(d.SetPending(ctx, a, "1", desk.PendingRequest{State: string(ticket.StatePendingReminder),
				Until: time.Now().Add(-time.Minute)})), "until"},
			"pending without time": {view(d.SetPending(ctx, a, "1", desk.PendingRequest{State: string(ticket.StatePendingReminder)})), "until"},
			"pending too far": {view(d.SetPending(ctx, a, "1", desk.PendingRequest{State: string(ticket.StatePendingAutoClose),
				Until: time.Now().Add(ticket.MaxPending + time.Hour)})), "until"},
			"hand back with a bad note": {view(d.HandBack(ctx, a, "1", desk.HandBackRequest{Note: "\xff"})), "note"},
			"merge into nothing":        {view(d.Merge(ctx, a, "1", desk.MergeRequest{Into: ""})), "into"},
			"merge into itself":         {view(d.Merge(ctx, a, "1", desk.MergeRequest{Into: "1"})), "into"},
			"merge into unknown":        {view(d.Merge(ctx, a, "1", desk.MergeRequest{Into: "2099"})), "into"},
			"link unknown":              {view(d.Link(ctx, a, "1", desk.LinkRequest{Other: "2099"})), "other"},
			"no time":                   {view(d.AddTime(ctx, a, "1", desk.TimeRequest{Minutes: 0})), "minutes"},
			"time with a NUL note":      {view(d.AddTime(ctx, a, "1", desk.TimeRequest{Minutes: 5, Note: "a\x00"})), "note"},
			"lock with a long key":      {view(d.Lock(ctx, a, "1", desk.LockRequest{RequestKey: strings.Repeat("k", 201)})), "request_key"},
			"reopen with a long key":    {view(d.Reopen(ctx, a, "1", desk.ReopenRequest{RequestKey: strings.Repeat("k", 201)})), "request_key"},
		}
		for name, c := range cases {
			if got := strings.Join(fieldsOf(t, c.err), " "); got != c.want {
				t.Errorf("%s: fields %q, want %q", name, got, c.want)
			}
		}
		gateway := desk.Principal{Kind: ticket.ActorIntegration, TenantID: f.Tenant.ID, ID: f.Agent.ID, Name: "mail gateway"}
		_, err := d.FollowUp(ctx, gateway, "1", desk.FollowUpRequest{CustomerLogin: "nobody", Body: ""})
		if got := strings.Join(fieldsOf(t, err), " "); got != "body customer" {
			t.Errorf("follow-up: fields %q", got)
		}
		_, err = d.FollowUp(ctx, gateway, "1", desk.FollowUpRequest{CustomerLogin: f.Customer.Login, Subject: "a\x00b", Body: "x\x00y", Key: "k\xff"})
		if got := strings.Join(fieldsOf(t, err), " "); got != "body key subject" {
			t.Errorf("follow-up with NUL and invalid UTF-8: fields %q", got)
		}
		// An agent (a session or an agent's token) never speaks as a customer.
		if _, err := d.FollowUp(ctx, a, "1", desk.FollowUpRequest{CustomerLogin: f.Customer.Login, Body: "hi"}); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("an agent posting a follow-up: %v", err)
		}
		_, err = d.Classify(ctx, a, "2099", desk.ClassifyRequest{TypeID: f.Type.ID, PriorityID: f.Priority.ID})
		if !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("classifying an unknown ticket: %v", err)
		}
	})
}

// TestTermsFor: a service's SLA for the ticket's priority wins over its SLA
// for all priorities; without an SLA only the queues are known.
func TestTermsFor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		second := models.Queue{TenantID: f.Tenant.ID, Name: "Netz & WLAN", Level: models.LevelSecond, FollowUpDays: 3}
		db.Create(&second)
		db.Model(&models.Service{}).Where("id = ?", f.Service.ID).Update("second_level_queue_id", second.ID)
		office := models.Calendar{TenantID: f.Tenant.ID, Name: "office", Location: "Europe/Berlin",
			Week: "mon-fri 08:00-18:00", Holidays: "2026-12-25 2026-12-26"}
		allDay := models.Calendar{TenantID: f.Tenant.ID, Name: "24x7", Location: "Europe/Berlin", Week: "mon-sun 00:00-24:00"}
		db.Create(&office)
		db.Create(&allDay)
		high := models.Priority{Name: "5 very high", Rank: 5}
		db.Create(&high)
		db.Create(&models.SLA{TenantID: f.Tenant.ID, Name: "standard", ServiceID: f.Service.ID, CalendarID: office.ID,
			FirstResponseMinutes: 240, UpdateMinutes: 480, SolutionMinutes: 1800, EscalateMinutes: 240, WarnPercent: 80})
		db.Create(&models.SLA{TenantID: f.Tenant.ID, Name: "critical", ServiceID: f.Service.ID, PriorityID: &high.ID,
			CalendarID: allDay.ID, FirstResponseMinutes: 30, SolutionMinutes: 240})

		std, err := d.TermsFor(ctx, desk.AgentPrincipal(f.Agent), f.Service.ID, f.Priority.ID, f.Queue.ID)
		if err != nil {
			t.Fatal(err)
		}
		if std.SLA != "standard" || std.FirstResponse != 4*time.Hour || std.Solution != 30*time.Hour || std.WarnPercent != 80 ||
			std.EscalateAfter != 4*time.Hour || len(std.Calendar.Holidays) != 2 || std.Calendar.Validate() != nil {
			t.Errorf("standard terms %+v", std)
		}
		if std.SecondLevel.ID != second.ID || std.SecondLevel.FollowUpWindow != 72*time.Hour || std.FirstLevel.ID != f.Queue.ID {
			t.Errorf("queues: second %+v first %+v", std.SecondLevel, std.FirstLevel)
		}
		crit, err := d.TermsFor(ctx, desk.AgentPrincipal(f.Agent), f.Service.ID, high.ID, f.Queue.ID)
		if err != nil || crit.SLA != "critical" || crit.FirstResponse != 30*time.Minute || crit.Calendar.Name != "24x7" {
			t.Errorf("critical terms %+v, %v", crit, err)
		}
		none, err := d.TermsFor(ctx, desk.AgentPrincipal(f.Agent), 0, high.ID, f.Queue.ID)
		if err != nil || none.SLA != "" || none.FirstLevel.ID != f.Queue.ID || none.SecondLevel.ID != 0 {
			t.Errorf("terms without a service %+v, %v", none, err)
		}
		db.Model(&models.Calendar{}).Where("id = ?", office.ID).Update("week", "mon-fri 18:00-08:00")
		if _, err := d.TermsFor(ctx, desk.AgentPrincipal(f.Agent), f.Service.ID, f.Priority.ID, f.Queue.ID); err == nil {
			t.Error("a broken calendar gave terms")
		}
	})
}

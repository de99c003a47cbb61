package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/mailout"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Mail is what the activities need to send mail.
type Mail struct {
	outbox.Config
	// Sender hands mail to the relay; nil when none is configured: mail
	// then waits, retried, with that reason on the Outbox page.
	Sender mailout.Sender
	// Starter starts the workflows that deliver mail (a Temporal client).
	Starter outbox.Starter
}

// errNoRelay keeps mail waiting while no relay is configured.
var errNoRelay = errors.New("no SMTP relay configured (KIZDESK_SMTP_ADDR): the mail waits")

// DeliverMail hands a stored mail to the relay, once: a mail no longer
// pending is not sent again. A relay that is away, or answers "try
// later", fails the attempt, and the workflow tries again; one that
// refuses the mail for good ends it as failed, with its answer.
func (a *Activities) DeliverMail(ctx context.Context, in ticket.DeliverMailInput) (ticket.DeliverMailResult, error) {
	m, err := models.OutMail(ctx, a.DB, in.MailID)
	if errors.Is(err, models.ErrNotFound) {
		return ticket.DeliverMailResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "MailNotFound", err)
	}
	if err != nil {
		return ticket.DeliverMailResult{}, err
	}
	if m.Status != models.OutPending {
		return ticket.DeliverMailResult{Status: m.Status, Error: m.LastError}, nil
	}
	if a.Mail == nil || a.Mail.Sender == nil {
		_ = models.OutMailWaits(ctx, a.DB, m.ID, errNoRelay.Error())
		return ticket.DeliverMailResult{}, errNoRelay
	}
	if err := models.StartOutMailAttempt(ctx, a.DB, m.ID); err != nil {
		return ticket.DeliverMailResult{}, err
	}
	err = a.Mail.Sender.Send(ctx, m.Sender, strings.Split(m.Recipients, ","), m.Raw)
	if err != nil && mailout.IsTemporary(err) {
		_ = models.OutMailWaits(ctx, a.DB, m.ID, err.Error())
		return ticket.DeliverMailResult{}, fmt.Errorf("deliver mail %d: %w", m.ID, err)
	}
	status, reason := models.OutSent, ""
	if err != nil {
		status, reason = models.OutFailed, err.Error()
	}
	// The relay has the mail (or refused it for good): recording that must
	// not fail over to a retry, which would send it again. Keep trying for
	// as long as the attempt may run.
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		err := models.FinishOutMail(ctx, a.DB, m.ID, status, reason, time.Now())
		if err == nil {
			return ticket.DeliverMailResult{Status: status, Error: reason}, nil
		}
		activity.GetLogger(ctx).Warn("mail delivered, recording it failed; trying again", "mail", m.ID, "error", err)
		activity.RecordHeartbeat(ctx, m.ID)
		select {
		case <-ctx.Done():
			return ticket.DeliverMailResult{}, fmt.Errorf("record delivery of mail %d: %w", m.ID, err)
		case <-time.After(wait):
		}
	}
}

// queueReplies writes the mails of the customer-visible answers among the
// events, in the projection's transaction: the article and its mail are
// stored together or not at all. Events projected before (a retried
// projection) find their mail written and return its ID again.
func (a *Activities) queueReplies(tx *gorm.DB, t models.Ticket, events []ticket.HistoryEvent) ([]int64, error) {
	var ids []int64
	for _, ev := range events {
		if ev.Event != ticket.EventSendAnswer || ev.Article == nil {
			continue
		}
		ctx := tx.Statement.Context
		cust, err := models.CustomerByID(ctx, tx, t.TenantID, t.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("customer of the answer: %w", err)
		}
		q, err := models.QueueByID(ctx, tx, t.TenantID, t.QueueID)
		if err != nil {
			return nil, fmt.Errorf("queue of the answer: %w", err)
		}
		inReplyTo, err := models.ThreadOf(ctx, tx, t.TenantID, t.Number)
		if err != nil {
			return nil, err
		}
		subject := ev.Article.Subject
		if strings.TrimSpace(subject) == "" {
			subject = "Re: " + t.Title
		}
		files, err := mailFiles(tx, ev.Article.Files)
		if err != nil {
			return nil, fmt.Errorf("files of answer %d: %w", ev.Seq, err)
		}
		id, err := a.Mail.Write(ctx, tx, outbox.Mail{
			TenantID: t.TenantID, Kind: models.OutReply, TicketNumber: t.Number, Key: fmt.Sprint(ev.Seq),
			From: a.Mail.FromOf(q), To: mailin.Address{Name: cust.Name, Email: cust.Email},
			Subject: subject, Text: ev.Article.Body, InReplyTo: inReplyTo, At: ev.At, ArticleSeq: ev.Seq,
			Attachments: files,
		})
		if err != nil {
			return nil, fmt.Errorf("mail of answer %d: %w", ev.Seq, err)
		}
		if id != 0 {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// mailFiles reads the content of an answer's files to send with it.
func mailFiles(tx *gorm.DB, files []ticket.File) ([]mailout.Attachment, error) {
	var out []mailout.Attachment
	for _, f := range files {
		var a models.Attachment
		if err := tx.Where("sha256 = ?", f.SHA256).Take(&a).Error; err != nil {
			return nil, fmt.Errorf("file %q: %w", f.Name, err)
		}
		out = append(out, mailout.Attachment{Filename: f.Name, ContentType: f.Type, Data: a.Data})
	}
	return out, nil
}

// wantedNotifications returns the notifications among the events that
// someone wants by mail; the others are settled as skipped, with the
// reason, in the projection's transaction. Mail to an agent goes out
// unless the agent switched the kind off; news for a whole queue only to
// the agents who switched it on.
func (a *Activities) wantedNotifications(tx *gorm.DB, t models.Ticket, events []ticket.HistoryEvent) ([]int64, error) {
	var ids []int64
	ctx := tx.Statement.Context
	for _, ev := range events {
		if ev.Notify == nil {
			continue
		}
		var n models.Notification
		if err := tx.Where("ticket_id = ? AND seq = ?", t.ID, ev.Seq).Take(&n).Error; err != nil {
			return nil, fmt.Errorf("notification of entry %d: %w", ev.Seq, err)
		}
		if n.Status != models.NotifyPending {
			continue
		}
		reason, err := nobodyWants(ctx, tx, n)
		if err != nil {
			return nil, err
		}
		if reason != "" {
			if err := models.SettleNotification(ctx, tx, n.ID, models.NotifySkipped, reason, ev.At); err != nil {
				return nil, err
			}
			continue
		}
		ids = append(ids, n.ID)
	}
	return ids, nil
}

// nobodyWants says why no mail goes out for n, "" if someone may want it.
func nobodyWants(ctx context.Context, tx *gorm.DB, n models.Notification) (string, error) {
	if n.AgentID != nil {
		ag, err := models.AgentByID(ctx, tx, *n.AgentID)
		if errors.Is(err, models.ErrNotFound) {
			return "the agent is inactive", nil
		}
		if err != nil {
			return "", err
		}
		prefs, err := models.NotifyPrefs(ctx, tx, ag.ID)
		if err != nil {
			return "", err
		}
		switch on, set := prefs[n.Kind]; {
		case strings.TrimSpace(ag.Email) == "":
			return "the agent has no e-mail address", nil
		case set && !on:
			return "the agent does not want it by mail", nil
		}
		return "", nil
	}
	var count int64
	err := tx.Model(&models.AgentNotifyPref{}).Where("kind = ? AND mail", n.Kind).
		Where("agent_id IN (?)", tx.Model(&models.Agent{}).Select("id").Where("tenant_id = ? AND active", n.TenantID)).
		Count(&count).Error
	if err != nil {
		return "", fmt.Errorf("who wants %s by mail: %w", n.Kind, err)
	}
	if count == 0 {
		return "no agent asked for it by mail", nil
	}
	return "", nil
}

// PlanNotification says when a notification may go out: at once, or —
// where the process asked for working hours — at the next working
// moment of the ticket's SLA calendar (the tenant's first calendar for a
// ticket without SLA; at once without any calendar).
func (a *Activities) PlanNotification(ctx context.Context, in ticket.NotificationInput) (ticket.PlanNotificationResult, error) {
	var res ticket.PlanNotificationResult
	n, t, err := a.notification(ctx, in.NotificationID)
	if err != nil || !workingHours(n.Kind) {
		return res, err
	}
	var cal models.Calendar
	found := false
	if t.ServiceID != nil {
		sla, ok, err := models.SLAFor(ctx, a.DB, t.TenantID, *t.ServiceID, t.PriorityID)
		if err != nil {
			return res, err
		}
		cal, found = sla.Calendar, ok
	}
	if !found {
		var cals []models.Calendar
		if err := a.DB.WithContext(ctx).Where("tenant_id = ?", t.TenantID).Order("id").Limit(1).Find(&cals).Error; err != nil {
			return res, fmt.Errorf("calendar of the tenant: %w", err)
		}
		if len(cals) == 0 {
			return res, nil
		}
		cal = cals[0]
	}
	bc, err := cal.Business()
	if err != nil {
		return res, nil // a broken calendar must not hold news back
	}
	if now := a.now(); !bc.Working(now) {
		res.NotBefore = bc.NextWorking(now)
	}
	return res, nil
}

// workingHours: the kinds the ticket's process marks to wait for working
// time (ticket.Notification.WorkingHours), as stored kinds.
func workingHours(kind string) bool {
	switch kind {
	case ticket.NotifyNewTicket, ticket.NotifyMoved, ticket.NotifyAssigned, ticket.NotifyFollowUp:
		return true
	}
	return false
}

func (a *Activities) notification(ctx context.Context, id int64) (models.Notification, models.Ticket, error) {
	var n models.Notification
	var t models.Ticket
	if err := a.DB.WithContext(ctx).Where("id = ?", id).Take(&n).Error; err != nil {
		return n, t, fmt.Errorf("notification %d: %w", id, err)
	}
	if err := a.DB.WithContext(ctx).Where("id = ?", n.TicketID).Take(&t).Error; err != nil {
		return n, t, fmt.Errorf("ticket of notification %d: %w", id, err)
	}
	return n, t, nil
}

// MailNotification writes a notification's mails — to its agent, or to
// every agent who may read the ticket's queue and asked for the kind —
// each in the agent's language, and starts their delivery. Written again,
// the mails are found, not doubled. Without a recipient the notification
// ends as skipped.
func (a *Activities) MailNotification(ctx context.Context, in ticket.NotificationInput) (ticket.MailNotificationResult, error) {
	var res ticket.MailNotificationResult
	if a.Mail == nil {
		return res, temporal.NewNonRetryableApplicationError("mail is off", "MailOff", nil)
	}
	n, t, err := a.notification(ctx, in.NotificationID)
	if err != nil {
		return res, err
	}
	agents, err := a.recipients(ctx, n, t)
	if err != nil {
		return res, err
	}
	if len(agents) == 0 {
		return res, models.SettleNotification(ctx, a.DB, n.ID, models.NotifySkipped, "no agent wants it by mail", time.Now())
	}
	var q models.Queue
	if n.QueueID != nil {
		if q, err = models.QueueByID(ctx, a.DB, t.TenantID, *n.QueueID); err != nil {
			return res, err
		}
	} else if q, err = models.QueueByID(ctx, a.DB, t.TenantID, t.QueueID); err != nil {
		return res, err
	}
	for _, ag := range agents {
		l := a.Mail.Texts.For(ag.Language)
		args := []any{"Number", t.Number, "Title", t.Title, "Queue", q.Name, "Kind", l.Text("notify.kind." + n.Kind),
			"URL", strings.TrimSuffix(a.Mail.BaseURL, "/") + "/agent/tickets/" + t.Number}
		id, err := a.Mail.Write(ctx, a.DB, outbox.Mail{
			TenantID: t.TenantID, Kind: models.OutNotification, TicketNumber: t.Number,
			Key: fmt.Sprintf("n%d-%d", n.ID, ag.ID), To: mailin.Address{Name: ag.Name, Email: ag.Email},
			Subject: l.Text("notify.mail.subject", args...), Text: l.Text("notify.mail.body", args...),
			At: n.CreatedAt, Auto: true, NotificationID: n.ID, AgentID: ag.ID,
		})
		if err != nil {
			return res, err
		}
		if id != 0 {
			res.MailIDs = append(res.MailIDs, id)
		}
	}
	if len(res.MailIDs) == 0 {
		return res, models.SettleNotification(ctx, a.DB, n.ID, models.NotifyFailed, "no agent with a usable address", time.Now())
	}
	return res, a.Mail.Deliver(ctx, a.Mail.Starter, res.MailIDs...)
}

// recipients are the agents a notification goes to by mail.
func (a *Activities) recipients(ctx context.Context, n models.Notification, t models.Ticket) ([]models.Agent, error) {
	if n.AgentID != nil {
		ag, err := models.AgentByID(ctx, a.DB, *n.AgentID)
		if errors.Is(err, models.ErrNotFound) {
			return nil, nil // inactive meanwhile
		}
		if err != nil {
			return nil, err
		}
		prefs, err := models.NotifyPrefs(ctx, a.DB, ag.ID)
		if err != nil {
			return nil, err
		}
		if on, set := prefs[n.Kind]; !ag.Active || ag.Email == "" || (set && !on) {
			return nil, nil
		}
		return []models.Agent{ag}, nil
	}
	var agents []models.Agent
	err := a.DB.WithContext(ctx).Where("tenant_id = ? AND active AND email <> ''", t.TenantID).
		Where("id IN (?)", a.DB.Model(&models.AgentNotifyPref{}).Select("agent_id").Where("kind = ? AND mail", n.Kind)).
		Order("id").Find(&agents).Error
	if err != nil {
		return nil, fmt.Errorf("agents who want %s: %w", n.Kind, err)
	}
	queue := t.QueueID
	if n.QueueID != nil {
		queue = *n.QueueID
	}
	var out []models.Agent
	for _, ag := range agents {
		acc, err := models.AgentAccess(ctx, a.DB, t.TenantID, ag.ID)
		if err != nil {
			return nil, err
		}
		if acc.Admin || len(acc.Queues[queue]) > 0 && readable(acc.Queues[queue]) {
			out = append(out, ag)
		}
	}
	return out, nil
}

// readable: a queue permission that lets the agent see its tickets
// (move_into alone does not).
func readable(perms []string) bool {
	for _, p := range perms {
		if p == string(ticket.PermRO) || p == string(ticket.PermRW) {
			return true
		}
	}
	return false
}

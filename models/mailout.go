package models

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Kinds of mail going out.
const (
	OutReply         = "reply"          // an agent's answer to the customer
	OutAutoReply     = "auto-reply"     // acknowledgement of a new ticket or a follow-up
	OutReject        = "reject"         // notice that a closed ticket takes no follow-ups
	OutNotification  = "notification"   // to an agent
	OutPasswordReset = "password-reset" // a portal password reset link to a customer
)

// Where a mail going out stands.
const (
	OutPending = "pending" // written, not delivered yet (retried without end)
	OutSent    = "sent"    // the relay took it
	OutFailed  = "failed"  // the relay refused it for good; LastError says why
	OutBounced = "bounced" // taken, then reported undeliverable (a DSN came back)
	OutNoMail  = "no mail" // nothing to send it to (e.g. the customer has no address)
)

// QueueOutMail stores a mail to go out, once by its Message-ID: writing
// the same mail again (a retried transaction) finds the first row. It
// returns the row's ID.
func QueueOutMail(ctx context.Context, db *gorm.DB, m *MailMessage) (int64, error) {
	m.Direction = MailOut
	if m.Status == "" {
		m.Status = OutPending
	}
	res := db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(m)
	if res.Error != nil {
		return 0, wrap(res.Error, "queue mail "+m.MessageKey)
	}
	if res.RowsAffected == 1 && m.ID != 0 {
		return m.ID, nil
	}
	var id []int64
	err := db.WithContext(ctx).Model(&MailMessage{}).Where("tenant_id = ? AND direction = ? AND message_key = ?", m.TenantID, MailOut, m.MessageKey).
		Limit(1).Pluck("id", &id).Error
	if err != nil || len(id) == 0 {
		return 0, wrap(errors.Join(err, ErrNotFound), "queued mail "+m.MessageKey)
	}
	return id[0], nil
}

// OutMail returns one mail going out, with its raw form.
func OutMail(ctx context.Context, db *gorm.DB, id int64) (MailMessage, error) {
	var m MailMessage
	err := db.WithContext(ctx).Where("id = ? AND direction = ?", id, MailOut).Take(&m).Error
	return m, notFound(err, "mail out")
}

// StartOutMailAttempt counts a delivery attempt as it starts, so a worker
// that dies while sending leaves the attempt visible.
func StartOutMailAttempt(ctx context.Context, db *gorm.DB, id int64) error {
	err := db.WithContext(ctx).Model(&MailMessage{}).Where("id = ? AND status = ?", id, OutPending).
		Update("attempts", gorm.Expr("attempts + 1")).Error
	return wrap(err, "count delivery attempt")
}

// OutMailWaits keeps why a pending mail did not go out this time (the
// relay's answer, or no relay at all).
func OutMailWaits(ctx context.Context, db *gorm.DB, id int64, reason string) error {
	err := db.WithContext(ctx).Model(&MailMessage{}).Where("id = ? AND status = ?", id, OutPending).
		Update("last_error", truncateText(reason, 1000)).Error
	return wrap(err, "keep delivery error")
}

// FinishOutMail sets where a mail ended (OutSent, OutFailed, OutBounced)
// and, for a notification's mail, the notification's status once all its
// mails ended.
func FinishOutMail(ctx context.Context, db *gorm.DB, id int64, status, reason string, at time.Time) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		upd := map[string]any{"status": status, "last_error": truncateText(reason, 1000)}
		if status == OutSent {
			upd["sent_at"] = at.UTC()
		}
		if err := tx.Model(&MailMessage{}).Where("id = ?", id).Updates(upd).Error; err != nil {
			return err
		}
		var m MailMessage
		if err := tx.Omit("raw").Where("id = ?", id).Take(&m).Error; err != nil || m.NotificationID == nil {
			return err
		}
		return settleNotification(tx, *m.NotificationID, at)
	})
	return wrap(err, "finish mail out")
}

// settleNotification marks a notification sent when its mails are, failed
// when one failed; pending while one is.
func settleNotification(tx *gorm.DB, id int64, at time.Time) error {
	var ms []MailMessage
	if err := tx.Select("status", "last_error", "recipients").Where("notification_id = ?", id).Find(&ms).Error; err != nil {
		return err
	}
	status, reason := NotifySent, ""
	for _, m := range ms {
		switch m.Status {
		case OutPending:
			return nil
		case OutFailed, OutBounced:
			status, reason = NotifyFailed, m.Recipients+": "+m.LastError
		}
	}
	upd := map[string]any{"status": status, "reason": truncateText(reason, 1000)}
	if status == NotifySent {
		upd["sent_at"] = at.UTC()
	}
	return tx.Model(&Notification{}).Where("id = ?", id).Updates(upd).Error
}

// SettleNotification ends a notification that sends no mail (no
// recipient wants it) with the reason, or marks it sent once its mails
// are.
func SettleNotification(ctx context.Context, db *gorm.DB, id int64, status, reason string, at time.Time) error {
	if status == "" {
		return wrap(settleNotification(db.WithContext(ctx), id, at), "settle notification")
	}
	err := db.WithContext(ctx).Model(&Notification{}).Where("id = ? AND status = ?", id, NotifyPending).
		Updates(map[string]any{"status": status, "reason": truncateText(reason, 1000)}).Error
	return wrap(err, "settle notification")
}

// PendingOutMails lists mails still to go out that were written before
// the given time, oldest first: what a sweeper hands (again) to delivery.
func PendingOutMails(ctx context.Context, db *gorm.DB, before time.Time, limit int) ([]MailMessage, error) {
	var ms []MailMessage
	err := db.WithContext(ctx).Select("id", "tenant_id").Where("status = ? AND created_at < ?", OutPending, before.UTC()).
		Order("created_at").Limit(limit).Find(&ms).Error
	return ms, wrap(err, "pending mails")
}

// OutMailsOf lists a ticket's mails going out, without their raw form.
func OutMailsOf(ctx context.Context, db *gorm.DB, tenantID int64, number string) ([]MailMessage, error) {
	var ms []MailMessage
	err := db.WithContext(ctx).Omit("raw").Where("tenant_id = ? AND ticket_number = ? AND direction = ? AND kind <> ?",
		tenantID, number, MailOut, OutNotification).Order("id").Find(&ms).Error
	return ms, wrap(err, "mails of ticket "+number)
}

// OutboxFilter selects mails for the Outbox page; zero values select all.
type OutboxFilter struct {
	Status string
	Before int64 // ID: the page after the one that ended with it
	Limit  int
}

// Outbox lists a tenant's mails going out, newest first, without their
// raw form.
func Outbox(ctx context.Context, db *gorm.DB, tenantID int64, f OutboxFilter) ([]MailMessage, error) {
	q := db.WithContext(ctx).Omit("raw").Where("tenant_id = ? AND direction = ?", tenantID, MailOut)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var ms []MailMessage
	err := q.Order("id DESC").Limit(f.Limit).Find(&ms).Error
	return ms, wrap(err, "outbox")
}

// OutboxMail returns one of the tenant's mails going out, with its raw
// form.
func OutboxMail(ctx context.Context, db *gorm.DB, tenantID, id int64) (MailMessage, error) {
	var m MailMessage
	err := db.WithContext(ctx).Where("tenant_id = ? AND id = ? AND direction = ?", tenantID, id, MailOut).Take(&m).Error
	return m, notFound(err, "mail out")
}

// AutoRepliesSince counts the automatic answers written to addr since the
// given time: the daily limit per address.
func AutoRepliesSince(ctx context.Context, db *gorm.DB, tenantID int64, addr string, since time.Time) (int64, error) {
	var n int64
	err := db.WithContext(ctx).Model(&MailMessage{}).
		Where("tenant_id = ? AND direction = ? AND kind IN ? AND recipients = ? AND created_at >= ?",
			tenantID, MailOut, []string{OutAutoReply, OutReject}, strings.ToLower(addr), since.UTC()).Count(&n).Error
	return n, wrap(err, "automatic answers to "+addr)
}

// ThreadOf returns what a new mail of the ticket answers: the Message-ID
// of the ticket's newest mail that came in (as In-Reply-To), "" if none
// or if it had no Message-ID.
func ThreadOf(ctx context.Context, db *gorm.DB, tenantID int64, number string) (string, error) {
	var keys []string
	err := db.WithContext(ctx).Model(&MailMessage{}).
		Where("tenant_id = ? AND ticket_number = ? AND direction = ?", tenantID, number, MailIn).
		Order("id DESC").Limit(1).Pluck("message_key", &keys).Error
	if err != nil || len(keys) == 0 || strings.HasPrefix(keys[0], "sha256:") {
		return "", wrap(err, "thread of ticket "+number)
	}
	return keys[0], nil
}

// MarkBounced records a delivery report against the mail it is about:
// the mail becomes OutBounced with the reason. It returns the mail, with
// found false if the desk never sent one with that Message-ID.
func MarkBounced(ctx context.Context, db *gorm.DB, tenantID int64, messageID, reason string, at time.Time) (MailMessage, bool, error) {
	var m MailMessage
	err := db.WithContext(ctx).Omit("raw").Where("tenant_id = ? AND direction = ? AND message_key = ?", tenantID, MailOut, messageID).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, false, nil
	}
	if err != nil {
		return m, false, wrap(err, "bounced mail")
	}
	return m, true, FinishOutMail(ctx, db, m.ID, OutBounced, reason, at)
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// AgentNotifyPref is an agent's choice to get (or not) one kind of
// notification by mail.
type AgentNotifyPref struct {
	AgentID int64  `gorm:"primaryKey;autoIncrement:false"`
	Kind    string `gorm:"primaryKey"`
	Mail    bool
}

// NotifyPrefs returns the kinds an agent chose, on or off; kinds not in
// the map take their default.
func NotifyPrefs(ctx context.Context, db *gorm.DB, agentID int64) (map[string]bool, error) {
	var ps []AgentNotifyPref
	if err := db.WithContext(ctx).Where("agent_id = ?", agentID).Find(&ps).Error; err != nil {
		return nil, wrap(err, "notification preferences")
	}
	out := make(map[string]bool, len(ps))
	for _, p := range ps {
		out[p.Kind] = p.Mail
	}
	return out, nil
}

// SetNotifyPrefs stores an agent's choices.
func SetNotifyPrefs(ctx context.Context, db *gorm.DB, agentID int64, prefs map[string]bool) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for kind, on := range prefs {
			p := AgentNotifyPref{AgentID: agentID, Kind: kind, Mail: on}
			if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&p).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "store notification preferences")
}

// AutoResponse is the text of an automatic answer a queue (QueueID 0: the
// tenant's default) sends, in one language.
type AutoResponse struct {
	ID       int64
	TenantID int64
	QueueID  int64
	Kind     string // AutoNew, AutoFollowUp, AutoReject
	Language string
	Subject  string
	Body     string
	Active   bool `gorm:"default:true"`
}

// Kinds of automatic answer.
const (
	AutoNew      = "new"
	AutoFollowUp = "follow-up"
	AutoReject   = "reject"
)

// AutoResponseFor returns the queue's active automatic answer of a kind in
// a language, else the tenant's default; found false if neither is set.
func AutoResponseFor(ctx context.Context, db *gorm.DB, tenantID, queueID int64, kind, lang string) (AutoResponse, bool, error) {
	var rs []AutoResponse
	err := db.WithContext(ctx).Where("tenant_id = ? AND queue_id IN ? AND kind = ? AND language = ? AND active",
		tenantID, []int64{queueID, 0}, kind, lang).Order("queue_id DESC").Limit(1).Find(&rs).Error
	if err != nil || len(rs) == 0 {
		return AutoResponse{}, false, wrap(err, "automatic answer")
	}
	return rs[0], true, nil
}

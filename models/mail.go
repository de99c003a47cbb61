package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MailMessage is one mail that came in (Direction MailIn) or went out,
// once per tenant by MessageKey: its Message-ID, or where it has none a
// hash of the raw mail.
type MailMessage struct {
	ID           int64
	TenantID     int64
	Direction    string
	MessageKey   string
	TicketNumber string
	// Outcome says what became of it: MailNewTicket, MailFollowUp, …
	Outcome   string
	Sender    string
	Subject   string
	AutoKind  string
	Raw       []byte
	CreatedAt time.Time

	// Mail going out: what it is (Out…), to whom, for which article or
	// notification, and how delivering it goes.
	Kind           string
	Recipients     string // comma-separated envelope recipients
	ArticleSeq     *int
	NotificationID *int64
	AgentID        *int64
	Status         string
	Attempts       int
	LastError      string
	SentAt         *time.Time
}

// Mail directions and what became of a mail that came in.
const (
	MailIn  = "in"
	MailOut = "out"

	MailNewTicket = "new ticket"
	MailFollowUp  = "follow-up"
	MailRejected  = "rejected" // a follow-up to a closed ticket of a queue that refuses them
	MailBounce    = "bounce"   // a delivery report, recorded on its ticket
)

// MailQuarantine is a mail that could not be read, kept as it came.
type MailQuarantine struct {
	ID        int64
	TenantID  int64
	Reason    string
	Size      int64
	Raw       []byte
	CreatedAt time.Time
}

// TableName: one quarantine.
func (MailQuarantine) TableName() string { return "mail_quarantine" }

// Attachment is a file's content, stored once however many mails carry it.
type Attachment struct {
	SHA256    string `gorm:"column:sha256;primaryKey"`
	Size      int64
	Data      []byte
	CreatedAt time.Time
}

// MailAttachment is one attachment of a mail.
type MailAttachment struct {
	MailID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Seq         int    `gorm:"primaryKey;autoIncrement:false"`
	SHA256      string `gorm:"column:sha256"`
	Filename    string
	ContentType string
	Inline      bool
	ContentID   string
}

// AttachmentFile is an attachment with its content, as a mail brings it.
type AttachmentFile struct {
	Filename, ContentType, ContentID string
	Inline                           bool
	Data                             []byte
}

// MailByKey returns the tenant's mail with the key, if any.
func MailByKey(ctx context.Context, db *gorm.DB, tenantID int64, direction, key string) (MailMessage, bool, error) {
	var m MailMessage
	err := db.WithContext(ctx).Omit("raw").Where("tenant_id = ? AND direction = ? AND message_key = ?", tenantID, direction, key).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return m, false, nil
	}
	return m, err == nil, wrap(err, "mail "+key)
}

// TicketOfMessages returns the ticket of the newest of the tenant's mails
// (either direction) with one of the keys: what a reply's In-Reply-To
// and References point at. "" if none.
func TicketOfMessages(ctx context.Context, db *gorm.DB, tenantID int64, keys []string) (string, error) {
	if len(keys) == 0 {
		return "", nil
	}
	var numbers []string
	err := db.WithContext(ctx).Model(&MailMessage{}).Where("tenant_id = ? AND message_key IN ? AND ticket_number <> ''", tenantID, keys).
		Order("id DESC").Limit(1).Pluck("ticket_number", &numbers).Error
	if err != nil || len(numbers) == 0 {
		return "", wrap(err, "tickets of mails")
	}
	return numbers[0], nil
}

// StoreMail keeps a mail and its attachments, each attachment's content
// once. A mail with the same key stored meanwhile (a delivery racing its
// re-delivery) is not stored again: the first one wins, found returns it.
func StoreMail(ctx context.Context, db *gorm.DB, m *MailMessage, files []AttachmentFile) (stored bool, err error) {
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(m)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		stored = true
		for i, f := range files {
			sum := sha256.Sum256(f.Data)
			a := Attachment{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(f.Data)), Data: f.Data}
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&a).Error; err != nil {
				return err
			}
			row := MailAttachment{MailID: m.ID, Seq: i + 1, SHA256: a.SHA256, Filename: f.Filename, ContentType: f.ContentType,
				Inline: f.Inline, ContentID: f.ContentID}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return stored, wrap(err, fmt.Sprintf("store mail %s", m.MessageKey))
}

// Quarantine keeps a mail that could not be read, with the reason.
func Quarantine(ctx context.Context, db *gorm.DB, tenantID int64, reason string, raw []byte) error {
	err := db.WithContext(ctx).Create(&MailQuarantine{TenantID: tenantID, Reason: reason, Size: int64(len(raw)), Raw: raw}).Error
	return wrap(err, "quarantine mail")
}

// QueueByEmail returns the tenant's active queue receiving mail at addr.
func QueueByEmail(ctx context.Context, db *gorm.DB, tenantID int64, addr string) (Queue, error) {
	var q Queue
	if strings.TrimSpace(addr) == "" {
		// Queues without an address have email '': no address is not
		// theirs.
		return q, fmt.Errorf("queue for no address: %w", ErrNotFound)
	}
	err := db.WithContext(ctx).Where("tenant_id = ? AND active AND LOWER(email) = ?", tenantID, strings.ToLower(strings.TrimSpace(addr))).
		Order("id").Take(&q).Error
	if err != nil {
		return q, notFound(err, "queue for "+addr)
	}
	return q, nil
}

// CustomerByEmail returns the tenant's active customer with the address.
func CustomerByEmail(ctx context.Context, db *gorm.DB, tenantID int64, addr string) (Customer, error) {
	var c Customer
	if strings.TrimSpace(addr) == "" {
		return c, fmt.Errorf("customer without address: %w", ErrNotFound)
	}
	err := db.WithContext(ctx).Where("tenant_id = ? AND active AND LOWER(email) = ?", tenantID, strings.ToLower(strings.TrimSpace(addr))).
		Order("id").Take(&c).Error
	if err != nil {
		return c, notFound(err, "customer "+addr)
	}
	return c, nil
}

// MailAttachmentsOf returns the attachments of the mails of a ticket,
// without their content.
func MailAttachmentsOf(ctx context.Context, db *gorm.DB, tenantID int64, number string) ([]MailAttachment, error) {
	var out []MailAttachment
	err := db.WithContext(ctx).Model(&MailAttachment{}).
		Joins("JOIN mail_messages ON mail_messages.id = mail_attachments.mail_id").
		Where("mail_messages.tenant_id = ? AND mail_messages.ticket_number = ?", tenantID, number).
		Order("mail_attachments.mail_id, mail_attachments.seq").Find(&out).Error
	return out, wrap(err, "attachments of ticket "+number)
}

// MailAttachmentData returns one attachment of a mail of the ticket, with
// its content; ErrNotFound when the mail is not the ticket's.
func MailAttachmentData(ctx context.Context, db *gorm.DB, tenantID int64, number string, mailID int64, seq int) (MailAttachment, []byte, error) {
	var a MailAttachment
	err := db.WithContext(ctx).Model(&MailAttachment{}).
		Joins("JOIN mail_messages ON mail_messages.id = mail_attachments.mail_id").
		Where("mail_messages.tenant_id = ? AND mail_messages.ticket_number = ? AND mail_attachments.mail_id = ? AND mail_attachments.seq = ?",
			tenantID, number, mailID, seq).Take(&a).Error
	if err != nil {
		return a, nil, notFound(err, fmt.Sprintf("attachment %d/%d of ticket %s", mailID, seq, number))
	}
	var f Attachment
	if err := db.WithContext(ctx).Where("sha256 = ?", a.SHA256).Take(&f).Error; err != nil {
		return a, nil, notFound(err, "attachment "+a.SHA256)
	}
	return a, f.Data, nil
}

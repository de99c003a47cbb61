// Package outbox writes the desk's mail going out: an agent's reply to the
// customer, an automatic answer, a notification to an agent. Each mail is
// composed once and stored (a mail_messages row, direction out, keyed by
// its Message-ID) before anything is sent — in the transaction of the
// article it carries where there is one — and then handed to a workflow
// of its own (ticket.WorkflowSendMail) that delivers it. A mail composed
// again gets the same Message-ID and finds the stored row, so writing is
// idempotent, and so is starting its delivery (the workflow ID is the
// row's).
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/mailout"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Config is how the desk's mail looks and leaves.
type Config struct {
	// From is the sender of mail from a queue without an address of its
	// own, and of notifications.
	From mailin.Address
	// Domain is the right side of the desk's Message-IDs.
	Domain string
	// TagPrefix is the subject tag's prefix ("Ticket#").
	TagPrefix string
	// Loop is the X-Loop value on every mail, by which the desk knows its
	// own mail coming back.
	Loop string
	// RetryMax is the longest wait between delivery attempts.
	RetryMax time.Duration
	// AutoReplyLimit is how many automatic answers an address gets a day.
	AutoReplyLimit int
	// BaseURL is where agents open a ticket (notifications link to it).
	BaseURL string
	// Texts are the built-in texts of notifications and automatic
	// answers.
	Texts *i18n.Catalog
}

// Starter starts a workflow; a Temporal client is one.
type Starter interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
}

// Deliver starts the delivery of stored mails. A mail whose delivery runs
// or ran already is not started again.
func (c Config) Deliver(ctx context.Context, s Starter, mailIDs ...int64) error {
	for _, id := range mailIDs {
		_, err := s.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID: ticket.MailWorkflowID(id), TaskQueue: ticket.TaskQueue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		}, ticket.WorkflowSendMail, ticket.SendMailInput{MailID: id, RetryMax: c.RetryMax})
		if err != nil && !alreadyStarted(err) {
			return fmt.Errorf("start delivery of mail %d: %w", id, err)
		}
	}
	return nil
}

// Notify starts the workflow that mails a notification, once.
func (c Config) Notify(ctx context.Context, s Starter, notificationID int64) error {
	_, err := s.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: ticket.NotifyWorkflowID(notificationID), TaskQueue: ticket.TaskQueue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}, ticket.WorkflowNotify, ticket.NotifyInput{NotificationID: notificationID, RetryMax: c.RetryMax})
	if err != nil && !alreadyStarted(err) {
		return fmt.Errorf("start notification %d: %w", notificationID, err)
	}
	return nil
}

func alreadyStarted(err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	return errors.As(err, &started)
}

// Mail is one mail to write.
type Mail struct {
	TenantID     int64
	Kind         string // models.Out…
	TicketNumber string // "" for mail of no ticket
	// Key makes the Message-ID with the ticket number; stable for the
	// mail (an article's sequence number, a notification and agent).
	Key        string
	From       mailin.Address
	To         mailin.Address
	Subject    string
	Text       string
	InReplyTo  string
	At         time.Time
	ArticleSeq int
	// Auto marks an automatic answer (RFC 3834): sent with an empty
	// envelope sender, so that no bounce answers it.
	Auto           bool
	NotificationID int64
	AgentID        int64
	// Attachments go with the text (an answer's files).
	Attachments []mailout.Attachment
}

// Write composes and stores a mail to go out; written again, it finds
// the first one. A mail without an address to go to is stored as
// models.OutNoMail, so the ticket shows why the customer got nothing.
func (c Config) Write(ctx context.Context, db *gorm.DB, m Mail) (int64, error) {
	out := mailout.Outgoing{
		From: m.From, To: []mailout.Address{m.To}, Subject: m.Subject, TicketNumber: m.TicketNumber, TagPrefix: c.TagPrefix,
		Text: m.Text, InReplyTo: m.InReplyTo, MessageIDDomain: c.Domain, ArticleKey: m.Key, Date: m.At, XLoop: c.Loop,
		Attachments: m.Attachments,
	}
	if m.Auto {
		out.AutoSubmitted = "auto-replied"
	}
	if out.From.Email == "" {
		out.From = c.From
	}
	row := models.MailMessage{
		TenantID: m.TenantID, TicketNumber: m.TicketNumber, Kind: m.Kind, Outcome: m.Kind,
		Sender: out.From.Email, Recipients: strings.ToLower(m.To.Email), Subject: truncate(m.Subject, 500),
	}
	if m.Auto {
		row.Sender = "" // the null reverse-path
	}
	if m.ArticleSeq > 0 {
		row.ArticleSeq = &m.ArticleSeq
	}
	if m.NotificationID > 0 {
		row.NotificationID = &m.NotificationID
	}
	if m.AgentID > 0 {
		row.AgentID = &m.AgentID
	}
	raw, msgID, err := mailout.Compose(out)
	if strings.TrimSpace(m.To.Email) == "" || errors.Is(err, mailout.ErrInvalid) {
		// Nothing to send: kept with the reason, under the Message-ID the
		// mail would have had.
		row.Status, row.Raw = models.OutNoMail, []byte{}
		row.MessageKey = fmt.Sprintf("%s.%s@%s", m.TicketNumber, m.Key, c.Domain)
		row.LastError = "no address to send it to"
		if err != nil && strings.TrimSpace(m.To.Email) != "" {
			row.LastError = err.Error()
		}
		_, werr := models.QueueOutMail(ctx, db, &row)
		return 0, werr
	}
	if err != nil {
		return 0, fmt.Errorf("compose mail: %w", err)
	}
	row.Raw, row.MessageKey = raw, msgID
	return models.QueueOutMail(ctx, db, &row)
}

// FromOf is the sender of a queue's mail: its own address, else the
// desk's.
func (c Config) FromOf(q models.Queue) mailin.Address {
	if strings.TrimSpace(q.Email) != "" {
		return mailin.Address{Name: q.Name, Email: q.Email}
	}
	return c.From
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

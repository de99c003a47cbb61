package ticket

import (
	"strconv"
	"time"
)

// Mail going out. Every mail is first a stored row (the article it
// carries is stored in the same transaction); then a workflow of its own
// delivers it, retrying for as long as the relay is away, so an outage
// delays mail and loses none. The workflow ID is the mail's row ID: two
// starts of the same mail (the projection retried, the sweeper) are one
// workflow, and one workflow sends a mail at most once.

// WorkflowSendMail delivers one stored mail: SendMailInput in,
// DeliverMailResult out.
const WorkflowSendMail = "SendMail"

// MailWorkflowID is the ID of the workflow that delivers mail mailID.
func MailWorkflowID(mailID int64) string { return "mail-" + strconv.FormatInt(mailID, 10) }

// SendMailInput names the stored mail. RetryMax is the longest wait
// between two delivery attempts (DefaultMailRetryMax when zero).
type SendMailInput struct {
	MailID   int64
	RetryMax time.Duration
}

// DefaultMailRetryMax: during a long relay outage a mail is tried every
// ten minutes, so it leaves at most that long after the relay is back.
const DefaultMailRetryMax = 10 * time.Minute

// ActivityDeliverMail hands a stored mail to the relay:
// DeliverMailInput in, DeliverMailResult out. It sends nothing for a mail
// no longer pending.
const ActivityDeliverMail = "DeliverMail"

// DeliverMailInput names the stored mail.
type DeliverMailInput struct{ MailID int64 }

// DeliverMailResult is where the mail ended: sent, failed (refused for
// good, Error says why) or whatever it was already.
type DeliverMailResult struct {
	Status string
	Error  string
}

// WorkflowNotify tells agents of one notification by mail, in working
// hours where the process asked for it: NotifyInput in, nothing out.
const WorkflowNotify = "Notify"

// NotifyWorkflowID is the ID of the workflow that sends notification id.
func NotifyWorkflowID(notificationID int64) string {
	return "notify-" + strconv.FormatInt(notificationID, 10)
}

// NotifyInput names the stored notification.
type NotifyInput struct {
	NotificationID int64
	RetryMax       time.Duration
}

// ActivityPlanNotification says when a notification may go out:
// NotificationInput in, PlanNotificationResult out.
const ActivityPlanNotification = "PlanNotification"

// NotificationInput names a stored notification.
type NotificationInput struct{ NotificationID int64 }

// PlanNotificationResult: NotBefore is the start of the next working
// time when the notification waits for it, zero when it goes now.
type PlanNotificationResult struct{ NotBefore time.Time }

// ActivityMailNotification writes the notification's mails, one per
// agent who wants it, and starts their delivery: NotificationInput in,
// MailNotificationResult out.
const ActivityMailNotification = "MailNotification"

// MailNotificationResult lists the mails written.
type MailNotificationResult struct{ MailIDs []int64 }

package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// SendMail delivers one stored mail. The relay may be away for hours: the
// delivery is retried without end, the wait between attempts growing to
// in.RetryMax, and the Temporal UI shows the pending attempt with its
// last error meanwhile. A relay that refuses the mail for good ends it
// (the activity records it as failed); nothing is ever sent twice by two
// runs, since a mail's workflow ID is its row's.
func SendMail(ctx workflow.Context, in ticket.SendMailInput) (ticket.DeliverMailResult, error) {
	var res ticket.DeliverMailResult
	err := workflow.ExecuteActivity(mailOptions(ctx, in.RetryMax), ticket.ActivityDeliverMail, ticket.DeliverMailInput{MailID: in.MailID}).Get(ctx, &res)
	return res, err
}

// Notify mails one notification to the agents who want it: where the
// ticket's process marked it for working hours, it waits (a durable
// timer, shown in the Temporal UI) for the next working moment of the
// ticket's calendar first.
func Notify(ctx workflow.Context, in ticket.NotifyInput) error {
	actx := mailOptions(ctx, in.RetryMax)
	var plan ticket.PlanNotificationResult
	if err := workflow.ExecuteActivity(actx, ticket.ActivityPlanNotification, ticket.NotificationInput{NotificationID: in.NotificationID}).Get(ctx, &plan); err != nil {
		return err
	}
	if wait := plan.NotBefore.Sub(workflow.Now(ctx)); !plan.NotBefore.IsZero() && wait > 0 {
		err := workflow.NewTimerWithOptions(ctx, wait, workflow.TimerOptions{
			Summary: "working time starts " + plan.NotBefore.UTC().Format(time.RFC3339),
		}).Get(ctx, nil)
		if err != nil {
			return err
		}
	}
	var res ticket.MailNotificationResult
	return workflow.ExecuteActivity(actx, ticket.ActivityMailNotification, ticket.NotificationInput{NotificationID: in.NotificationID}).Get(ctx, &res)
}

// mailOptions retry for ever: mail waits out any outage.
func mailOptions(ctx workflow.Context, retryMax time.Duration) workflow.Context {
	if retryMax <= 0 {
		retryMax = ticket.DefaultMailRetryMax
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// No heartbeat timeout: an attempt is only given up on once it
		// cannot be sending any more, or a second attempt could send the
		// mail while the first still does.
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    min(time.Second, retryMax),
			BackoffCoefficient: 2,
			MaximumInterval:    retryMax,
			MaximumAttempts:    0,
		},
	})
}

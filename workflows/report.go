package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// ReportMail mails a scheduled report: one activity renders it for each
// recipient with the recipient's own permissions and stores the mails in
// the outbox, whose SendMail workflows deliver them. A Temporal Schedule
// starts it; the run's start time fixes the period, so a retried
// activity writes the same mails (found, not doubled).
func ReportMail(ctx workflow.Context, in ticket.ReportMailInput) (ticket.ReportMailResult, error) {
	if in.At.IsZero() {
		in.At = workflow.Now(ctx)
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute, // a report over a million tickets takes seconds
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute,
			MaximumAttempts:        20,
			NonRetryableErrorTypes: []string{"MailOff"},
		},
	})
	var res ticket.ReportMailResult
	err := workflow.ExecuteActivity(ctx, ticket.ActivityMailReport, in).Get(ctx, &res)
	return res, err
}

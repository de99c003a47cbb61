package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// Retention walks the closed tickets the tenants' retention policies say
// are due, a batch per activity, in ticket order, and archives or
// anonymises them (the activity is idempotent: a batch retried, or a run
// overlapping the next, changes each ticket once). A long run continues
// as new when Temporal suggests it, where it stopped.
func Retention(ctx workflow.Context, in ticket.RetentionInput) (ticket.RetentionResult, error) {
	if in.At.IsZero() {
		in.At = workflow.Now(ctx)
	}
	if in.BatchSize <= 0 {
		in.BatchSize = ticket.DefaultRetentionBatch
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
	total := in.Totals
	for {
		var res ticket.RetentionBatchResult
		err := workflow.ExecuteActivity(actx, ticket.ActivityRetentionBatch,
			ticket.RetentionBatchInput{At: in.At, Erase: in.Erase, TenantID: in.TenantID, AfterID: in.AfterID, Limit: in.BatchSize}).Get(ctx, &res)
		if err != nil {
			return total, err
		}
		total.Archived += res.Archived
		total.Anonymised += res.Anonymised
		total.Skipped += res.Skipped
		total.Batches++
		in.AfterID = res.LastID
		if !res.More {
			return total, nil
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			in.Totals = total
			return total, workflow.NewContinueAsNewError(ctx, Retention, in)
		}
	}
}

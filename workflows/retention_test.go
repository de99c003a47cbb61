package workflows

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// The schedule starts Retention with no time: the run measures the
// policies at the workflow's clock, and walks the batches in order until
// one says it was the last.
func TestRetentionWalksBatches(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	start := time.Date(2027, 1, 31, 3, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	var calls []ticket.RetentionBatchInput
	env.RegisterActivityWithOptions(func(ctx context.Context, in ticket.RetentionBatchInput) (ticket.RetentionBatchResult, error) {
		calls = append(calls, in)
		switch in.AfterID {
		case 0:
			return ticket.RetentionBatchResult{RetentionResult: ticket.RetentionResult{Archived: 2, Skipped: 1}, LastID: 17, More: true}, nil
		case 17:
			return ticket.RetentionBatchResult{RetentionResult: ticket.RetentionResult{Anonymised: 1}, LastID: 40, More: false}, nil
		}
		t.Errorf("batch after %d", in.AfterID)
		return ticket.RetentionBatchResult{}, nil
	}, activity.RegisterOptions{Name: ticket.ActivityRetentionBatch})
	// Time skipping: a run started a month of timers later still measures
	// at its own start.
	env.RegisterDelayedCallback(func() {}, 30*24*time.Hour)
	env.ExecuteWorkflow(Retention, ticket.RetentionInput{BatchSize: 2})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res ticket.RetentionResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	want := ticket.RetentionResult{Archived: 2, Anonymised: 1, Skipped: 1, Batches: 2}
	if res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	if len(calls) != 2 || !calls[0].At.Equal(start) || !calls[1].At.Equal(start) || calls[0].Limit != 2 {
		t.Errorf("batches asked: %+v; want two at %s of 2", calls, start)
	}
}

// An erasure request goes to every batch, and a moved clock (At) is kept.
func TestRetentionErasureAndMovedClock(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	at := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	erase := &ticket.Erasure{TenantID: 1, CustomerID: 9, AdminID: 3, AdminName: "Admin"}
	env.RegisterActivityWithOptions(func(ctx context.Context, in ticket.RetentionBatchInput) (ticket.RetentionBatchResult, error) {
		if in.Erase == nil || *in.Erase != *erase || !in.At.Equal(at) || in.Limit != ticket.DefaultRetentionBatch {
			t.Errorf("batch input %+v", in)
		}
		return ticket.RetentionBatchResult{RetentionResult: ticket.RetentionResult{Anonymised: 3}, LastID: 5}, nil
	}, activity.RegisterOptions{Name: ticket.ActivityRetentionBatch})
	env.ExecuteWorkflow(Retention, ticket.RetentionInput{At: at, Erase: erase})
	var res ticket.RetentionResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Anonymised != 3 || res.Batches != 1 {
		t.Errorf("result %+v", res)
	}
}

// An admin's "run now" keeps the run to their tenant: every batch is
// asked for that tenant only.
func TestRetentionOfOneTenant(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterActivityWithOptions(func(ctx context.Context, in ticket.RetentionBatchInput) (ticket.RetentionBatchResult, error) {
		if in.TenantID != 7 || in.Erase != nil {
			t.Errorf("batch input %+v, want tenant 7", in)
		}
		return ticket.RetentionBatchResult{RetentionResult: ticket.RetentionResult{Archived: 1}, LastID: 3}, nil
	}, activity.RegisterOptions{Name: ticket.ActivityRetentionBatch})
	env.ExecuteWorkflow(Retention, ticket.RetentionInput{TenantID: 7})
	var res ticket.RetentionResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Archived != 1 || res.Batches != 1 {
		t.Errorf("result %+v", res)
	}
}

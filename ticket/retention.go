package ticket

import (
	"strconv"
	"time"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Retention: a schedule starts the Retention workflow, which archives and
// anonymises the closed tickets the tenants' policies say are due, a
// batch at a time.

// WorkflowRetention is the retention run: RetentionInput in,
// RetentionResult out.
const WorkflowRetention = "Retention"

// RetentionScheduleID names the Temporal Schedule that starts it (one per
// deployment, visible in the Temporal UI).
const RetentionScheduleID = "kizdesk-retention"

// RetentionWorkflowID is the ID of the scheduled runs (Temporal appends
// the scheduled time).
const RetentionWorkflowID = "retention"

// RetentionInput: At is the moment policies are measured against; zero
// means the workflow's clock (a test or an operator may move it on).
// BatchSize is how many tickets one activity takes (DefaultRetentionBatch
// when zero). AfterID and Totals carry a run over continue-as-new.
type RetentionInput struct {
	At time.Time
	// Erase, if set, makes the run an erasure request instead: every
	// ticket of the customer is anonymised, whatever the policy, and
	// then the customer row.
	Erase *Erasure
	// TenantID ≠ 0 keeps a run to one tenant (an admin's "run now").
	TenantID  int64
	BatchSize int
	AfterID   int64
	Totals    RetentionResult
}

// DefaultRetentionBatch keeps one activity well under its timeout.
const DefaultRetentionBatch = 50

// RetentionResult counts what a run did.
type RetentionResult struct {
	Archived   int
	Anonymised int
	// Skipped: archiving waits for a ticket whose workflow still runs
	// (its follow-up window), so the workflow alone writes its history.
	Skipped int
	Batches int
}

// ActivityRetentionBatch archives or anonymises the next batch of due
// tickets: RetentionBatchInput in, RetentionBatchResult out.
const ActivityRetentionBatch = "RetentionBatch"

// RetentionBatchInput: the batch's tickets have ids above AfterID.
type RetentionBatchInput struct {
	At       time.Time
	Erase    *Erasure
	TenantID int64
	AfterID  int64
	Limit    int
}

// RetentionBatchResult: LastID is where the next batch starts; More is
// false when this batch was the last.
type RetentionBatchResult struct {
	RetentionResult
	LastID int64
	More   bool
}

// Erasure is a customer's request to be forgotten, as an admin filed it.
type Erasure struct {
	TenantID   int64
	CustomerID int64
	AdminID    int64
	AdminName  string
}

// ErasureWorkflowID is the ID of the run that erases a customer: one at a
// time per customer.
func ErasureWorkflowID(customerID int64) string { return "erasure-" + itoa(customerID) }

// RetentionRunWorkflowID is the ID of a tenant's retention run an admin
// starts: one at a time per tenant.
func RetentionRunWorkflowID(tenantID int64) string { return "retention-tenant-" + itoa(tenantID) }

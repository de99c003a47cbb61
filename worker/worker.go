// Package worker wires the ticket workflows and their activities into a
// Temporal worker. Workers are stateless: run as many as the load needs.
package worker

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	sdkworkflow "go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// StopTimeout is how long Stop waits for running activities before it
// gives up on them. Activities are single database transactions of well
// under a second; the rest covers a database that is slow right then. An
// activity cut off is retried by another worker, so this bounds the
// shutdown and loses nothing. Orchestrators must allow more (compose
// stop_grace_period, Kubernetes terminationGracePeriodSeconds).
const StopTimeout = 20 * time.Second

// StickyTimeout is how long a workflow task waits for the worker that
// has the ticket cached before any worker may take it. The SDK's 5 s is
// shorter than the queue 1,000 tickets falling due at once make: every
// task still waiting then was moved to the shared queue, cost two more
// history writes and a full replay, and made the queue longer still
// (BenchmarkTimerLateness, 1,000 tickets: median 18 s, max 31 s; with
// 30 s: 7 s and 12 s). The price: tasks for a worker that died wait this
// long (a worker that stops sends ShutdownWorker, so the server can move
// them sooner).
const StickyTimeout = 30 * time.Second

// DefaultCacheSize is how many ticket workflows a worker keeps in memory
// between their tasks unless told otherwise (KIZDESK_WORKER_CACHE). A
// cached ticket costs about 90 KiB (BenchmarkOpenTickets), so the SDK's
// default of 10,000 alone would be about 900 MB; 2,000 keep the worker
// well below 1 GB. A ticket not cached is replayed from its history at
// its next task: a few milliseconds of CPU, no change in behaviour.
const DefaultCacheSize = 2000

// SetCacheSize sizes the cache of workflows kept between tasks. The SDK
// keeps one cache per process, shared by its workers: call it once,
// before any worker starts.
func SetCacheSize(n int) error {
	if n < 1 {
		return fmt.Errorf("worker cache size %d: must be at least 1", n)
	}
	sdkworker.SetStickyWorkflowCacheSize(n)
	return nil
}

// New returns a worker for the ticket task queue; the caller starts it
// (Run or Start) and stops it. onFatal, if set, hears of the error that
// stopped the worker for good.
func New(c client.Client, acts *activities.Activities, onFatal func(error)) sdkworker.Worker {
	w := sdkworker.New(c, ticket.TaskQueue, sdkworker.Options{
		WorkerStopTimeout: StopTimeout, OnFatalError: onFatal,
		StickyScheduleToStartTimeout: StickyTimeout,
	})
	w.RegisterWorkflow(workflows.Ticket)
	w.RegisterWorkflowWithOptions(workflows.SendMail, sdkworkflow.RegisterOptions{Name: ticket.WorkflowSendMail})
	w.RegisterWorkflowWithOptions(workflows.Notify, sdkworkflow.RegisterOptions{Name: ticket.WorkflowNotify})
	w.RegisterWorkflowWithOptions(workflows.ReportMail, sdkworkflow.RegisterOptions{Name: ticket.WorkflowReportMail})
	w.RegisterWorkflowWithOptions(workflows.Retention, sdkworkflow.RegisterOptions{Name: ticket.WorkflowRetention})
	w.RegisterActivity(acts)
	return w
}

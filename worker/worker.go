// Package worker wires the ticket workflows and their activities into a
// Temporal worker. Workers are stateless: run as many as the load needs.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// New returns a worker for the ticket task queue; the caller starts it
// (Run or Start) and stops it.
func New(c client.Client, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, ticket.TaskQueue, sdkworker.Options{})
	w.RegisterWorkflow(workflows.Ticket)
	w.RegisterActivity(acts)
	return w
}

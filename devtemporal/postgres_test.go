package devtemporal_test

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/devtemporal"
	"github.com/kiz-ulm/kizdesk/temporalsetup"
)

// napWorkflow tags itself like a ticket and sleeps on a durable timer long
// enough for the server to be stopped and started again underneath it.
func napWorkflow(ctx workflow.Context, number string, nap time.Duration) (string, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, ticketNumber.ValueSet(number)); err != nil {
		return "", err
	}
	if err := workflow.Sleep(ctx, nap); err != nil {
		return "", err
	}
	return "woke", nil
}

// postgresURL names a database of its own on the server of
// KIZDESK_TEST_DATABASE_URL, dropped (with its visibility twin) when the
// test ends.
func postgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("KIZDESK_TEST_DATABASE_URL")
	if base == "" {
		msg := "PostgreSQL: KIZDESK_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/kizdesk_test?sslmode=disable)"
		if dbtest.Strict() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KIZDESK_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/devtemporal_" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() {
		if err := devtemporal.DropPostgres(u.String()); err != nil {
			t.Errorf("drop test databases: %v", err)
		}
	})
	return u.String()
}

// TestPostgresRestartKeepsTimer runs the server on PostgreSQL, starts a
// workflow that waits on a timer, stops the server before the timer is
// due and starts it again on the same databases: the workflow is still
// there, listed by its search attribute, and finishes when the timer fires.
func TestPostgresRestartKeepsTimer(t *testing.T) {
	pg := postgresURL(t)
	opts := devtemporal.Options{PostgresURL: pg, Namespace: testNamespace, UIPort: -1, Retention: retention, SearchAttributes: searchAttributes}
	begin := time.Now()
	srv := startServer(t, opts)
	t.Logf("Start on new PostgreSQL databases took %v", time.Since(begin))
	c := dial(t, srv)
	checkNamespace(t, c)
	if err := temporalsetup.Ensure(context.Background(), c, setupOptions); err != nil {
		t.Fatalf("Ensure: %v", err)
	}

	w := napWorker(t, c)
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "ticket-123", TaskQueue: taskQueue},
		"NapWorkflow", "123", 8*time.Second)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	waitListed(t, c, run.GetID())
	w.Stop()
	srv.Stop()

	begin = time.Now()
	srv = startServer(t, opts)
	t.Logf("Start on existing PostgreSQL databases took %v", time.Since(begin))
	c = dial(t, srv)
	desc, err := c.DescribeWorkflowExecution(context.Background(), run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatalf("DescribeWorkflowExecution after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow status after restart = %v, want running", st)
	}
	checkNamespace(t, c)
	waitListed(t, c, run.GetID())
	t.Cleanup(napWorker(t, c).Stop)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var result string
	if err := c.GetWorkflow(ctx, run.GetID(), run.GetRunID()).Get(ctx, &result); err != nil || result != "woke" {
		t.Fatalf("workflow result = %q, %v; want woke", result, err)
	}
}

// napWorker is started by the caller's hand and stopped by it, before the
// server it polls goes.
func napWorker(t *testing.T, c client.Client) worker.Worker {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(napWorkflow, workflow.RegisterOptions{Name: "NapWorkflow"})
	if err := w.Start(); err != nil {
		t.Fatalf("worker start: %v", err)
	}
	return w
}

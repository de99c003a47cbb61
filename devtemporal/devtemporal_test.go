package devtemporal_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/devtemporal"
	"github.com/kiz-ulm/kizdesk/temporalsetup"
)

const (
	testNamespace = "kizdesk-test"
	taskQueue     = "devtemporal-test"
	retention     = 31 * 24 * time.Hour
	// phase1Env tells the test binary, run again as a child process, to do
	// the first half of TestRestartKeepsState against the named directory.
	phase1Env = "DEVTEMPORAL_TEST_PHASE1_DIR"
)

var (
	ticketNumber      = temporal.NewSearchAttributeKeyKeyword("TicketNumber")
	searchAttributes  = map[string]enumspb.IndexedValueType{"TicketNumber": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "TicketState": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	setupOptions      = temporalsetup.Options{Namespace: testNamespace, Retention: retention, SearchAttributes: searchAttributes}
	ticketWorkflowOpt = workflow.RegisterOptions{Name: "TicketWorkflow"}
)

// ticketWorkflow tags itself with a ticket number and waits for a "close"
// signal or a day-long timer.
func ticketWorkflow(ctx workflow.Context, number string) (string, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, ticketNumber.ValueSet(number)); err != nil {
		return "", err
	}
	var reason string
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, "close"), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, &reason)
	})
	sel.AddFuture(workflow.NewTimer(ctx, 24*time.Hour), func(workflow.Future) { reason = "timer" })
	sel.Select(ctx)
	return "closed: " + reason, nil
}

// phase1Result is what the child process hands to the parent.
type phase1Result struct {
	WorkflowID, RunID, ClusterID string
	FrontendPort, UIPort         int
	StartTook                    time.Duration
}

// TestRestartKeepsState starts a server on a new database file in a child
// process (so that the restart below really reopens the file), then restarts
// it here and checks that namespace, search attributes and the running
// workflow survived.
func TestRestartKeepsState(t *testing.T) {
	if os.Getenv(phase1Env) != "" {
		t.Skip("running as phase 1 child")
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPhase1$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), phase1Env+"="+dir)
	begin := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("phase 1 child process took %v", time.Since(begin))
	if err != nil || !strings.Contains(string(out), "--- PASS: TestPhase1") {
		t.Fatalf("phase 1 in child process failed: %v\n%s", err, out)
	}
	var p1 phase1Result
	data, err := os.ReadFile(filepath.Join(dir, "phase1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &p1); err != nil {
		t.Fatal(err)
	}
	t.Logf("Start on a new database file took %v", p1.StartTook)
	if _, err := os.Stat(devtemporal.VisibilityFile(filepath.Join(dir, "temporal.db"))); err != nil {
		t.Errorf("a new data directory has no visibility database of its own: %v", err)
	}

	// The child has exited, so its ports must be free again, as they are for
	// a restarted `kizdesk dev`.
	begin = time.Now()
	srv := startServer(t, devtemporal.Options{
		DatabaseFile: filepath.Join(dir, "temporal.db"),
		Namespace:    testNamespace,
		FrontendPort: p1.FrontendPort,
		UIPort:       p1.UIPort,
	})
	t.Logf("Start on an existing database file took %v", time.Since(begin))
	checkUI(t, srv.UIURL())
	c := dial(t, srv)

	if id := clusterID(t, c); id != p1.ClusterID {
		t.Errorf("cluster ID changed across restart: %q, was %q", id, p1.ClusterID)
	}
	checkNamespace(t, c)
	if err := temporalsetup.Ensure(context.Background(), c, setupOptions); err != nil {
		t.Fatalf("Ensure after restart: %v", err)
	}
	desc, err := c.DescribeWorkflowExecution(context.Background(), p1.WorkflowID, p1.RunID)
	if err != nil {
		t.Fatalf("DescribeWorkflowExecution after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("workflow status after restart = %v, want running", st)
	}
	waitListed(t, c, p1.WorkflowID)

	// Restart once more inside this process, then let a worker finish the
	// workflow. New ports: the stopped server leaves some internal pollers
	// behind that would otherwise reconnect to the new one.
	begin = time.Now()
	srv.Stop()
	t.Logf("Stop took %v", time.Since(begin))
	srv.Stop() // a second Stop must be harmless
	srv = startServer(t, devtemporal.Options{DatabaseFile: filepath.Join(dir, "temporal.db"), Namespace: testNamespace})
	c = dial(t, srv)
	startWorker(t, c)
	if err := c.SignalWorkflow(context.Background(), p1.WorkflowID, p1.RunID, "close", "done"); err != nil {
		t.Fatalf("signal after restart: %v", err)
	}
	var result string
	getCtx, getCancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer getCancel()
	if err := c.GetWorkflow(getCtx, p1.WorkflowID, p1.RunID).Get(getCtx, &result); err != nil {
		t.Fatalf("workflow result: %v", err)
	}
	if result != "closed: done" {
		t.Fatalf("workflow result = %q", result)
	}
}

// TestOneFileLayoutKept: a data directory from before visibility had a
// file of its own keeps its one file, and lists workflows from it.
func TestOneFileLayoutKept(t *testing.T) {
	if os.Getenv(phase1Env) != "" {
		t.Skip("running as phase 1 child")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "temporal.db")
	srv := startServer(t, devtemporal.Options{DatabaseFile: file, Namespace: testNamespace, UIPort: -1})
	srv.Stop()
	// As the old layout had it: persistence and visibility in one file.
	if err := os.Remove(devtemporal.VisibilityFile(file)); err != nil {
		t.Fatal(err)
	}
	srv = startServer(t, devtemporal.Options{DatabaseFile: file, Namespace: testNamespace, UIPort: -1})
	c := dial(t, srv)
	if err := temporalsetup.Ensure(t.Context(), c, setupOptions); err != nil {
		t.Fatal(err)
	}
	startWorker(t, c)
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: "one-file", TaskQueue: taskQueue}, ticketWorkflowOpt.Name, "123")
	if err != nil {
		t.Fatal(err)
	}
	waitListed(t, c, run.GetID())
	if _, err := os.Stat(devtemporal.VisibilityFile(file)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a one-file data directory got a visibility file: %v", err)
	}
}

// TestSearchAttributeAddedAtRunTime: an attribute a new release adds to
// an existing namespace can be set on a workflow and searched by as soon
// as temporalsetup.Ensure returns.
func TestSearchAttributeAddedAtRunTime(t *testing.T) {
	if os.Getenv(phase1Env) != "" {
		t.Skip("running as phase 1 child")
	}
	srv := startServer(t, devtemporal.Options{Namespace: testNamespace, UIPort: -1,
		SearchAttributes: map[string]enumspb.IndexedValueType{"TicketNumber": enumspb.INDEXED_VALUE_TYPE_KEYWORD}})
	c := dial(t, srv)
	added := map[string]enumspb.IndexedValueType{"TicketNumber": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "TicketQueue": enumspb.INDEXED_VALUE_TYPE_KEYWORD}
	if err := temporalsetup.Ensure(t.Context(), c, temporalsetup.Options{Namespace: testNamespace, Retention: retention, SearchAttributes: added}); err != nil {
		t.Fatal(err)
	}
	queue := temporal.NewSearchAttributeKeyKeyword("TicketQueue")
	startWorker(t, c)
	run, err := c.ExecuteWorkflow(t.Context(), client.StartWorkflowOptions{ID: "added", TaskQueue: taskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(queue.ValueSet("Helpdesk"))}, ticketWorkflowOpt.Name, "123")
	if err != nil {
		t.Fatalf("start with the added attribute: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := c.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: `TicketQueue = "Helpdesk"`})
		if err == nil && len(resp.GetExecutions()) == 1 && resp.GetExecutions()[0].GetExecution().GetWorkflowId() == run.GetID() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not found by the added attribute: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPhase1 is run only as the child process of TestRestartKeepsState.
func TestPhase1(t *testing.T) {
	dir := os.Getenv(phase1Env)
	if dir == "" {
		t.Skip("only run as a child of TestRestartKeepsState")
	}
	begin := time.Now()
	srv := startServer(t, devtemporal.Options{DatabaseFile: filepath.Join(dir, "temporal.db"), Namespace: testNamespace})
	took := time.Since(begin)
	if !strings.HasPrefix(srv.FrontendAddress(), "127.0.0.1:") {
		t.Errorf("FrontendAddress = %q", srv.FrontendAddress())
	}
	c := dial(t, srv)

	for i := range 2 {
		if err := temporalsetup.Ensure(context.Background(), c, setupOptions); err != nil {
			t.Fatalf("Ensure #%d: %v", i+1, err)
		}
	}
	checkNamespace(t, c)
	checkUI(t, srv.UIURL())

	startWorker(t, c)
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID:        "ticket-123",
		TaskQueue: taskQueue,
	}, ticketWorkflowOpt.Name, "123")
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	waitListed(t, c, run.GetID())

	data, err := json.Marshal(phase1Result{
		WorkflowID:   run.GetID(),
		RunID:        run.GetRunID(),
		ClusterID:    clusterID(t, c),
		FrontendPort: portOf(t, srv.FrontendAddress()),
		UIPort:       portOf(t, strings.TrimPrefix(srv.UIURL(), "http://")),
		StartTook:    took,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "phase1.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestInMemoryWithoutUI(t *testing.T) {
	srv := startServer(t, devtemporal.Options{
		Namespace:        testNamespace,
		UIPort:           -1,
		Retention:        retention,
		SearchAttributes: searchAttributes,
	})
	if srv.UIURL() != "" {
		t.Errorf("UIURL = %q, want empty", srv.UIURL())
	}
	c := dial(t, srv)
	// Start already registered everything, so Ensure has nothing to do.
	checkNamespace(t, c)
	if err := temporalsetup.Ensure(context.Background(), c, setupOptions); err != nil {
		t.Fatal(err)
	}
}

// TestUICodecEndpoint: the UI tells the browser to decode payloads at
// the configured codec endpoint, sending its cookies there.
func TestUICodecEndpoint(t *testing.T) {
	const endpoint = "http://localhost:8080/codec"
	srv := startServer(t, devtemporal.Options{Namespace: testNamespace, CodecEndpoint: endpoint, CodecErrorMessage: "log in as admin"})
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(srv.UIURL() + "/api/v1/settings")
	if err != nil {
		t.Fatalf("GET UI settings: %v", err)
	}
	defer resp.Body.Close()
	var settings struct {
		Codec struct {
			Endpoint            string
			PassAccessToken     bool
			IncludeCredentials  bool
			DefaultErrorMessage string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&settings); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/api/v1/settings: %s, %v", srv.UIURL(), resp.Status, err)
	}
	if c := settings.Codec; c.Endpoint != endpoint || !c.IncludeCredentials || c.PassAccessToken || c.DefaultErrorMessage != "log in as admin" {
		t.Errorf("the UI's codec settings are %+v, want endpoint %s with credentials and no access token", c, endpoint)
	}
}

func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	for _, tc := range []struct {
		opts devtemporal.Options
		want string
	}{
		{devtemporal.Options{FrontendPort: port}, fmt.Sprintf("port %d for the Temporal frontend", port)},
		{devtemporal.Options{UIPort: port}, fmt.Sprintf("port %d for the Temporal UI is in use", port)},
	} {
		tc.opts.Logger = slog.New(slog.DiscardHandler)
		srv, err := devtemporal.Start(tc.opts)
		if err == nil {
			srv.Stop()
			t.Fatalf("Start with busy port succeeded")
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %q does not contain %q", err, tc.want)
		}
	}
}

func startServer(t *testing.T, opts devtemporal.Options) *devtemporal.Server {
	t.Helper()
	opts.Logger = testLogger(t)
	opts.LogLevel = slog.LevelWarn
	srv, err := devtemporal.Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

func dial(t *testing.T, srv *devtemporal.Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.FrontendAddress(),
		Namespace: testNamespace,
		Logger:    sdklog.NewStructuredLogger(testLogger(t)),
	})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func startWorker(t *testing.T, c client.Client) {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(ticketWorkflow, ticketWorkflowOpt)
	if err := w.Start(); err != nil {
		t.Fatalf("worker start: %v", err)
	}
	t.Cleanup(w.Stop)
}

func checkNamespace(t *testing.T, c client.Client) {
	t.Helper()
	ctx := context.Background()
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: testNamespace})
	if err != nil {
		t.Fatalf("DescribeNamespace: %v", err)
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got < 30*24*time.Hour {
		t.Errorf("retention = %v, want >= 30 days", got)
	}
	attrs, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: testNamespace})
	if err != nil {
		t.Fatalf("ListSearchAttributes: %v", err)
	}
	for name, typ := range searchAttributes {
		if got, ok := attrs.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("search attribute %s = %v (present %v), want %v", name, got, ok, typ)
		}
	}
}

func checkUI(t *testing.T, url string) {
	t.Helper()
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("UIURL = %q", url)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	resp, err := hc.Get(url + "/")
	if err != nil {
		t.Fatalf("GET UI: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Fatalf("GET %s/: status %d, body starts %.200q", url, resp.StatusCode, body)
	}

	// The UI's API proxies to the frontend.
	resp, err = hc.Get(url + "/api/v1/namespaces")
	if err != nil {
		t.Fatalf("GET UI API: %v", err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), testNamespace) {
		t.Fatalf("GET %s/api/v1/namespaces: status %d, body starts %.300q", url, resp.StatusCode, body)
	}
}

// waitListed polls visibility, which is eventually consistent, until the
// ticket-number query finds the workflow.
func waitListed(t *testing.T, c client.Client, workflowID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: `TicketNumber = "123"`,
		})
		if err == nil {
			for _, e := range resp.GetExecutions() {
				if e.GetExecution().GetWorkflowId() == workflowID {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("workflow %s not listed by TicketNumber (last error: %v)", workflowID, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func clusterID(t *testing.T, c client.Client) string {
	t.Helper()
	info, err := c.WorkflowService().GetClusterInfo(context.Background(), &workflowservice.GetClusterInfoRequest{})
	if err != nil {
		t.Fatalf("GetClusterInfo: %v", err)
	}
	return info.GetClusterId()
}

func portOf(t *testing.T, hostPort string) int {
	t.Helper()
	addr, err := net.ResolveTCPAddr("tcp", hostPort)
	if err != nil {
		t.Fatal(err)
	}
	return addr.Port
}

// testLogger logs warnings and errors into the test output. Goroutines of the
// server may still log after the test ended; that goes to stderr instead of
// panicking the test binary.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{w: t.Output()}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu   sync.Mutex
	w    io.Writer
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return os.Stderr.Write(p)
	}
	return w.w.Write(p)
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}

// TestMetrics: with MetricsAddr the server serves its metrics for
// Prometheus, among them what the performance work reads: task queue
// backlog, schedule-to-start latency and persistence latency; a busy
// address is refused before the server starts (Temporal would end the
// process).
func TestMetrics(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_, err = devtemporal.Start(devtemporal.Options{MetricsAddr: addr, UIPort: -1, Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "for Temporal's metrics is in use") {
		t.Fatalf("busy metrics address: %v", err)
	}
	l.Close()
	for _, bad := range []string{"9233", "127.0.0.1:0", "127.0.0.1:x"} {
		if _, err := devtemporal.Start(devtemporal.Options{MetricsAddr: bad, UIPort: -1, Logger: slog.New(slog.DiscardHandler)}); err == nil {
			t.Errorf("metrics address %q accepted", bad)
		}
	}

	// Matching reports a task queue's backlog when it writes the queue's
	// state, every minute by default.
	srv := startServer(t, devtemporal.Options{Namespace: testNamespace, UIPort: -1, MetricsAddr: addr,
		DynamicConfig: map[string]any{"matching.updateAckInterval": time.Second}})
	if srv.MetricsURL() != "http://"+addr+"/metrics" {
		t.Errorf("MetricsURL = %q", srv.MetricsURL())
	}
	c := dial(t, srv)
	if err := temporalsetup.Ensure(t.Context(), c, setupOptions); err != nil {
		t.Fatal(err)
	}
	startWorker(t, c)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "metered", TaskQueue: taskQueue}, ticketWorkflowOpt.Name, "1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "close", "done"); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"persistence_latency", "task_schedule_to_start_latency", "approximate_backlog_count"}
	var body string
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(srv.MetricsURL())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body = string(b)
		missing := slices.DeleteFunc(slices.Clone(want), func(m string) bool { return strings.Contains(body, m) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics lack %v (%d bytes served)", missing, len(body))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

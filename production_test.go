package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/devtemporal"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestProductionCommands runs migrate, add-agent, add-token, worker and web
// as an operator would, as separate commands against a Temporal server (here
// the embedded one, reached over the network like a cluster) and a database.
func TestProductionCommands(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testProductionCommands(t, kind) })
	}
}

func testProductionCommands(t *testing.T, kind string) {
	srv, err := devtemporal.Start(devtemporal.Options{UIPort: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	dbURL := dbtest.URL(t, kind)
	addr := freeAddr(t)
	t.Setenv("KIZDESK_DATABASE_URL", dbURL)
	t.Setenv("KIZDESK_TEMPORAL_ADDRESS", srv.FrontendAddress())
	t.Setenv("KIZDESK_TEMPORAL_NAMESPACE", "kizdesk-prod") // the worker must register it
	t.Setenv("KIZDESK_HTTP_ADDR", addr)
	t.Setenv("KIZDESK_SESSION_KEY", hex.EncodeToString(bytes.Repeat([]byte{7}, 64)))
	// The same payload keys for web and worker, as an operator sets them.
	t.Setenv("KIZDESK_PAYLOAD_KEYS", "prod1:"+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{8}, 32)))
	t.Setenv("KIZDESK_PAYLOAD_KEY_FILE", "")
	t.Setenv("KIZDESK_LOG_LEVEL", "error")
	t.Setenv("KIZDESK_AUDIT_KEY_FILE", "")
	t.Setenv("KIZDESK_AUDIT_KEY", randomKey(t))
	auditDir := t.TempDir()
	t.Setenv("KIZDESK_AUDIT_DIR", auditDir)
	ctx := t.Context()
	kizdesk := func(stdin string, args ...string) (string, error) {
		var out, errw bytes.Buffer
		err := run(ctx, args, strings.NewReader(stdin), &out, &errw)
		return out.String(), err
	}

	if _, err := kizdesk("", "migrate"); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	// The catalogue comes from an admin interface later; here from the fixture.
	db, err := models.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	f := dbtest.Seed(t, db, "x")

	if _, err := kizdesk("short\n", "add-agent", "--login", "root", "--name", "Rita Root", "--email", "r@example.org"); err == nil {
		t.Error("add-agent took a 5-character password")
	}
	out, err := kizdesk("a long enough password\n", "add-agent", "--login", "root", "--name", "Rita Root", "--email", "r@example.org", "--role", "admin")
	if err != nil || !strings.Contains(out, "root") {
		t.Fatalf("add-agent: %v %s", err, out)
	}
	if _, err := kizdesk("a long enough password\n", "add-agent", "--login", "root", "--name", "Again", "--email", "r@example.org"); err == nil {
		t.Error("add-agent added a login twice")
	}
	out, err = kizdesk("", "add-token", "--login", "root", "--name", "monitoring")
	if err != nil {
		t.Fatalf("add-token: %v", err)
	}
	token := strings.TrimSpace(out)
	out, err = kizdesk("", "add-token", "--login", "root", "--integration", "mail gateway")
	if err != nil {
		t.Fatalf("add-token --integration: %v", err)
	}
	gateway := strings.TrimSpace(out)

	runCtx, stop := context.WithCancel(ctx)
	type result struct {
		cmd string
		err error
	}
	done := make(chan result, 2)
	start := func(cmd string) {
		go func() { done <- result{cmd, run(runCtx, []string{cmd}, nil, io.Discard, io.Discard)} }()
	}
	start("worker")
	waitForPoller(t, srv.FrontendAddress(), "kizdesk-prod")
	start("web")
	waitHTTP(t, "http://"+addr+"/healthz")

	// The new admin creates a ticket through the API with the new token.
	body := fmt.Sprintf(`{"customer":%q,"title":"Beamer im H1","body":"Kein Bild.","service_id":%d,"type_id":%d,"priority_id":%d}`,
		f.Customer.Login, f.Service.ID, f.Type.ID, f.Priority.ID)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("create through the production web and worker: %s", resp.Status)
	}
	var n int64
	db.Model(&models.Ticket{}).Where("title = ?", "Beamer im H1").Count(&n)
	if n != 1 {
		t.Errorf("%d tickets in the database, want 1", n)
	}
	// The mail gateway's token posts the customer's follow-up, and history
	// says who wrote it and through what; an agent's token cannot.
	var created models.Ticket
	db.Where("title = ?", "Beamer im H1").First(&created)
	followUp := func(tok string) int {
		body := fmt.Sprintf(`{"customer":%q,"body":"Geht wieder.","message_id":"<fu1@uni-ulm.de>"}`, f.Customer.Login)
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/tickets/"+created.Number+"/follow-ups", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := followUp(token); st != http.StatusForbidden {
		t.Errorf("a follow-up with an agent's token: %d, want 403", st)
	}
	if st := followUp(gateway); st != http.StatusAccepted {
		t.Errorf("a follow-up with the gateway's token: %d, want 202", st)
	}
	waitFor(t, 15*time.Second, func() bool {
		var h models.HistoryEntry
		return db.Where("ticket_id = ? AND event = ?", created.ID, ticket.EventFollowUp).Limit(1).Find(&h).Error == nil &&
			h.ActorName == f.Customer.Name && h.ActorKind == string(ticket.ActorCustomer) && h.ActorVia == "mail gateway"
	})

	// The worker wrote a checkpoint when it started (no tickets yet); the
	// operator writes one now and audits against both and the workflow.
	if models.LastCheckpoint(auditDir).IsZero() {
		t.Error("the worker wrote no checkpoint at start")
	}
	if out, err := kizdesk("", "audit", "checkpoint"); err != nil || !strings.Contains(out, "checkpoint of 1 ticket written") {
		t.Errorf("audit checkpoint: %v\n%s", err, out)
	}
	out, err = kizdesk("", "audit", "verify", "--temporal")
	if err != nil || out != "audit: 1 ticket, 3 history entries, every chain intact\n"+
		"audit: 2 checkpoints in "+auditDir+", every ticket as they record it\n"+
		"audit: 1 ticket workflow in Temporal, every ticket as its workflow records it\n" {
		t.Errorf("audit verify --temporal: %v\n%s", err, out)
	}
	// Its history, exported for the replay test, is under the replay test
	// key and reads back with it.
	var row models.Ticket
	db.Where("title = ?", "Beamer im H1").First(&row)
	out, err = kizdesk("", "history", row.Number)
	if err != nil {
		t.Fatalf("history %s: %v", row.Number, err)
	}
	if strings.Contains(out, "Beamer") || !strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(codec.ReplayTestKeyID))) {
		t.Errorf("the exported history is not under the replay test key:\n%.600s", out)
	}
	hist, err := client.HistoryFromJSON(strings.NewReader(out), client.HistoryJSONOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var input ticket.TicketInput
	if err := codec.ReplayTest().DataConverter().FromPayloads(hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput(), &input); err != nil ||
		input.Ticket.Title != "Beamer im H1" {
		t.Errorf("the exported history's input reads %q, %v", input.Ticket.Title, err)
	}

	stop()
	for range 2 {
		select {
		case r := <-done:
			if r.err != nil {
				t.Errorf("%s did not stop cleanly: %v", r.cmd, r.err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("web or worker did not stop within 30 s of the signal")
		}
	}
}

// waitForPoller waits until a worker polls the ticket task queue in
// namespace: the worker has prepared the namespace and is running.
func waitForPoller(t *testing.T, hostPort, namespace string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		c, err := client.Dial(client.Options{HostPort: hostPort, Namespace: namespace, Logger: temporalLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
		if err == nil {
			resp, err := c.DescribeTaskQueue(t.Context(), ticket.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
			c.Close()
			if err == nil && len(resp.Pollers) > 0 {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no worker polls %s in namespace %s after 60 s", ticket.TaskQueue, namespace)
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 60 s", url)
}

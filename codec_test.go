package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// TestPayloadsArePrivate: what a ticket says, and who says it, is in
// Temporal's history only as ciphertext; an admin has it decoded by the
// web's codec endpoint, anyone else does not.
func TestPayloadsArePrivate(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	f := s.fixture
	secrets := []string{
		"Zora Quellenstein", "zora.quellenstein@uni-ulm.de", "0731 50-12345",
		"kommt seit Montag nicht ins Netz", f.Agent.Name,
	}
	number := apiCreateTicket(t, s, s.token, map[string]any{
		"customer": f.Customer.Login, "title": "Zugang für Zora Quellenstein gesperrt",
		"body":       "Zora Quellenstein (zora.quellenstein@uni-ulm.de) kommt seit Montag nicht ins Netz.",
		"service_id": f.Service.ID, "type_id": f.Type.ID, "priority_id": f.Priority.ID,
	})
	apiCall(t, s, s.token, "/api/v1/tickets/"+number+"/notes", map[string]any{"kind": "internal note", "body": "Rückruf unter 0731 50-12345."})

	// Read the history as anyone with access to Temporal would: a client
	// without the codec.
	plain, err := client.Dial(client.Options{
		HostPort: s.temporal.FrontendAddress(), Namespace: "kizdesk",
		Logger: temporalLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	hist := &historypb.History{}
	it := plain.GetWorkflowHistory(ctx, ticket.WorkflowID(number), "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	raw, err := proto.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range secrets {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q is in clear in the workflow history", secret)
		}
	}

	// Every payload is encrypted with the installation's current key —
	// except the search attributes, which stay readable for ops.
	var payloads []*commonpb.Payload
	err = proxy.VisitPayloads(ctx, hist, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
			payloads = append(payloads, ps...)
			return ps, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(payloads) < 5 {
		t.Fatalf("only %d payloads in the history of ticket %s", len(payloads), number)
	}
	for i, p := range payloads {
		if !codec.IsEncrypted(p) || string(p.Metadata[codec.MetadataKeyID]) != s.codec.CurrentKeyID() {
			t.Errorf("payload %d is not encrypted with the current key: metadata %q", i, p.Metadata)
		}
	}
	started := hist.Events[0].GetWorkflowExecutionStartedEventAttributes()
	var tagged string
	if err := converter.GetDefaultDataConverter().FromPayload(started.GetSearchAttributes().GetIndexedFields()["TicketNumber"], &tagged); err != nil || tagged != number {
		t.Errorf("the TicketNumber search attribute reads %q, %v; want %s in clear", tagged, err, number)
	}

	// An admin's token has the web decode them (as the Temporal UI and
	// CLI would); a 1st-level agent's does not.
	admin := models.Agent{TenantID: f.Tenant.ID, Login: "ops", Name: "Olga Ops", Email: "o@example.org", Active: true}
	if err := s.db.Create(&admin).Error; err != nil {
		t.Fatal(err)
	}
	dbtest.Grant(t, s.db, admin, models.AdminRole)
	if err := models.CreateAPIToken(ctx, s.db, admin.ID, "codec", "admin-token"); err != nil {
		t.Fatal(err)
	}
	remote := func(token string) converter.PayloadCodec {
		return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
			Endpoint: s.srv.URL + "/codec",
			ModifyRequest: func(r *http.Request) error {
				r.Header.Set("Authorization", "Bearer "+token)
				return nil
			},
		})
	}
	decoded, err := remote("admin-token").Decode(payloads)
	if err != nil {
		t.Fatalf("decode as admin: %v", err)
	}
	var clear strings.Builder
	for _, p := range decoded {
		if codec.IsEncrypted(p) {
			t.Errorf("the codec endpoint left a payload encrypted")
		}
		clear.Write(p.Data)
	}
	for _, secret := range secrets {
		if !strings.Contains(clear.String(), secret) {
			t.Errorf("%q is not in the payloads the admin had decoded", secret)
		}
	}
	first := models.Agent{TenantID: f.Tenant.ID, Login: "first-codec", Name: "Fritz First", Email: "f@example.org", Active: true}
	if err := s.db.Create(&first).Error; err != nil {
		t.Fatal(err)
	}
	dbtest.Grant(t, s.db, first, "1st level")
	if err := models.CreateAPIToken(ctx, s.db, first.ID, "codec", "first-level-token"); err != nil {
		t.Fatal(err)
	}
	if _, err := remote("first-level-token").Decode(payloads); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("decode as a 1st-level agent: %v, want Forbidden", err)
	}
}

// apiCreateTicket creates a ticket through the API and returns its number.
func apiCreateTicket(t *testing.T, s *testStack, token string, body map[string]any) string {
	t.Helper()
	out := apiCall(t, s, token, "/api/v1/tickets", body)
	number, _ := out["number"].(string)
	if number == "" {
		t.Fatalf("create: %v", out)
	}
	return number
}

// apiCall posts body as JSON to the API with token and returns the
// answer; anything but 2xx fails the test.
func apiCall(t *testing.T, s *testStack, token, path string, body map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s %v", path, resp.Status, out)
	}
	return out
}

// TestTicketsFromBeforeEncryptionCarryOn: a ticket whose workflow was
// started with plain payloads — a dev database from before payloads were
// encrypted — is still worked, and its mixed history still replays.
func TestTicketsFromBeforeEncryptionCarryOn(t *testing.T) {
	s := startTestStack(t, "sqlite")
	ctx := context.Background()
	f := s.fixture
	plain, err := client.Dial(client.Options{
		HostPort: s.temporal.FrontendAddress(), Namespace: "kizdesk",
		Logger: temporalLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	agent := desk.AgentPrincipal(f.Agent)
	// The old desk sends plain payloads. It cannot read the worker's
	// encrypted answer, but the ticket is made.
	old := desk.New(s.db, plain, desk.Options{Location: time.UTC, SystemID: "10"})
	old.CreateTicket(ctx, agent, desk.CreateTicketRequest{CustomerLogin: f.Customer.Login,
		Title: "Alter Drucker", Body: "Von vor der Verschlüsselung.", ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	var row models.Ticket
	if err := s.db.Where("title = ?", "Alter Drucker").First(&row).Error; err != nil {
		t.Fatalf("the ticket of the old desk is not in the database: %v", err)
	}

	v, err := s.desk.AddNote(ctx, agent, row.Number, desk.AddNoteRequest{Kind: "internal note", Body: "Jetzt verschlüsselt."})
	if err != nil || v.Seq < 2 {
		t.Fatalf("note on the old ticket: %v (entry %d)", err, v.Seq)
	}
	if _, err := s.desk.Close(ctx, agent, row.Number, deskClose(ticket.StateClosedSuccessful)); err != nil {
		t.Fatalf("close the old ticket: %v", err)
	}

	hist := &historypb.History{}
	it := plain.GetWorkflowHistory(ctx, ticket.WorkflowID(row.Number), "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	input := hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()[0]
	if codec.IsEncrypted(input) {
		t.Fatal("the old desk's input is encrypted: this test no longer tests a mixed history")
	}
	r, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
		DataConverter: s.codec.DataConverter(), FailureConverter: s.codec.FailureConverter(),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.RegisterWorkflow(workflows.Ticket)
	if err := r.ReplayWorkflowHistory(temporalLogger(slog.New(slog.DiscardHandler)), hist); err != nil {
		t.Errorf("replay of the mixed history: %v", err)
	}
}

package main

import (
	"errors"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
)

// TestNoWorkerMeansUnavailable: with no worker running, an agent's action
// ends after the desk's patience with ErrUnavailable (the web shows 503 and
// a message) instead of hanging the request.
func TestNoWorkerMeansUnavailable(t *testing.T) {
	s := startTestStack(t, "sqlite")
	f := s.fixture
	ctx := t.Context()
	v, err := s.desk.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), desk.CreateTicketRequest{
		CustomerLogin: f.Customer.Login, Title: "Kein Worker", Body: "x",
		ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.worker.Stop()
	impatient := desk.New(s.db, s.client, desk.Options{Patience: time.Second})
	_, err = impatient.AddNote(ctx, desk.AgentPrincipal(f.Agent), v.Number, desk.AddNoteRequest{Kind: "internal note", Body: "hello?"})
	if !errors.Is(err, desk.ErrUnavailable) {
		t.Errorf("note without a worker: %v, want ErrUnavailable", err)
	}
	_, err = impatient.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), desk.CreateTicketRequest{
		CustomerLogin: f.Customer.Login, Title: "Noch einer", Body: "x",
		ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID,
	})
	if !errors.Is(err, desk.ErrUnavailable) {
		t.Errorf("create without a worker: %v, want ErrUnavailable", err)
	}
}

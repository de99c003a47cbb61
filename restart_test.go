package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestDevRestart starts `kizdesk dev`'s stack twice on one data directory:
// the second start reuses the data, adds no demo data twice, and the
// tickets' workflows are still there and take changes.
func TestDevRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := devConfig{
		DataDir: dir, Namespace: "kizdesk", Retention: 30 * 24 * time.Hour, TemporalPort: 0, UIPort: -1,
		Location: time.UTC, SystemID: "10", Demo: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	count := func(s *devStack) (tickets, agents int64) {
		s.db.Model(&models.Ticket{}).Count(&tickets)
		s.db.Model(&models.Agent{}).Count(&agents)
		return
	}

	s, err := startDevStack(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tickets, agents := count(s)
	if tickets == 0 || agents == 0 {
		s.close()
		t.Fatalf("demo data: %d tickets, %d agents", tickets, agents)
	}
	s.close()

	s, err = startDevStack(ctx, cfg)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer s.close()
	if t2, a2 := count(s); t2 != tickets || a2 != agents {
		t.Errorf("after restart %d tickets and %d agents, before %d and %d", t2, a2, tickets, agents)
	}
	agent, err := models.AgentByLogin(ctx, s.db, "helpdesk")
	if err != nil {
		t.Fatal(err)
	}
	var open models.Ticket
	if err := s.db.Where("state = ?", string(ticket.StateNew)).Order("id").First(&open).Error; err != nil {
		t.Fatal(err)
	}
	v, err := s.desk.Close(ctx, desk.AgentPrincipal(agent), open.Number, deskClose(ticket.StateClosedSuccessful))
	if err != nil {
		t.Fatalf("closing a ticket made before the restart: %v", err)
	}
	if v.State != ticket.StateClosedSuccessful {
		t.Errorf("state after close = %q", v.State)
	}
}

func deskClose(s ticket.State) desk.CloseRequest { return desk.CloseRequest{State: string(s)} }

package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestDevRestart starts `kizdesk dev`'s stack twice on one data directory:
// the second start reuses the data, adds no demo data twice, and the
// tickets' workflows are still there and take changes. Dev's own audit key
// is kept too: the history written before the restart still verifies, and
// so does the checkpoint written at the first start.
func TestDevRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := devConfig{
		DataDir: dir, Namespace: "kizdesk", Retention: 30 * 24 * time.Hour, TemporalPort: 0, UIPort: -1,
		Location: time.UTC, SystemID: "10", Demo: true, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Checkpoints: checkpointConfig{Dir: filepath.Join(dir, "audit"), Interval: time.Hour, Keep: 3},
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
	keyID := s.keys.Current().ID
	waitFor(t, 10*time.Second, func() bool { return !models.LastCheckpoint(cfg.Checkpoints.Dir).IsZero() })
	s.close()

	s, err = startDevStack(ctx, cfg)
	if err != nil {
		t.Fatalf("second start: %v", err)
	}
	defer s.close()
	if t2, a2 := count(s); t2 != tickets || a2 != agents {
		t.Errorf("after restart %d tickets and %d agents, before %d and %d", t2, a2, tickets, agents)
	}
	if s.keys.Current().ID != keyID {
		t.Errorf("audit key %s after restart, %s before", s.keys.Current().ID, keyID)
	}
	if r, err := models.VerifyHistory(ctx, s.db, s.keys); err != nil || !r.Intact() || r.Entries == 0 {
		t.Errorf("history after restart: %+v, %v", r, err)
	}
	cps, err := models.ReadCheckpoints(cfg.Checkpoints.Dir, s.keys)
	if err != nil || cps.Files == 0 || len(cps.Bad) > 0 || len(cps.Anchors) != int(tickets) {
		t.Fatalf("checkpoints after restart: %+v, %v; want the %d demo tickets", cps, err, tickets)
	}
	if fs, err := models.CheckAnchors(ctx, s.db, cps.Anchors); err != nil || len(fs) > 0 {
		t.Errorf("database against the checkpoint: %v, %v", fs, err)
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

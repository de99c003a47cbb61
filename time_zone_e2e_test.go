package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestAgentTimeZoneEndToEnd: on the real stack (desk zone UTC), an agent
// picks America/New_York on the preferences page, sets a ticket pending
// until 09:00 their time, the database holds the matching UTC instant
// (14:00 in winter, 13:00 in summer) and the zoom shows 09:00 again.
func TestAgentTimeZoneEndToEnd(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	v := newDeskTicket(t, s, "Zeitzone")
	var stored models.Agent
	if err := s.db.Where("id = ?", f.Agent.ID).Take(&stored).Error; err != nil {
		t.Fatal(err)
	}
	// The fixture's agent is shared with the other tests: give back what
	// it had.
	t.Cleanup(func() {
		s.db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Updates(map[string]any{"time_zone": stored.TimeZone, "language": stored.Language})
	})

	b := newBrowser(t, s.srv.URL)
	_, page := b.get("/login")
	if status, _, _ := b.post(page, "/login", map[string]string{"login": f.Agent.Login, "password": testPassword}); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	_, page = b.get("/agent/preferences")
	if status, _, _ := b.post(page, "/language", map[string]string{"lang": "en", "next": "/agent/preferences"}); status != http.StatusOK {
		t.Fatalf("language: %d", status)
	}
	_, page = b.get("/agent/preferences")
	status, path, page := b.post(page, "/agent/preferences/time-zone", map[string]string{"time_zone": "America/New_York"})
	if status != http.StatusOK || path != "/agent/preferences" || !strings.Contains(page, "Time zone saved.") {
		t.Fatalf("choosing New York: %d at %s", status, path)
	}
	var zone string
	if err := s.db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Pluck("time_zone", &zone).Error; err != nil || zone != "America/New_York" {
		t.Fatalf("stored zone %q (%v)", zone, err)
	}

	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(ny).AddDate(0, 0, 30)
	until := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, ny)
	zoomPath := "/agent/tickets/" + v.Number
	_, zoom := b.get(zoomPath)
	if !strings.Contains(zoom, "Times in America/New_York.") {
		t.Error("the zoom does not say its times are New York's")
	}
	status, path, zoom = b.post(zoom, zoomPath+"/pending", map[string]string{"state": string(ticket.StatePendingReminder),
		"until": until.Format("2006-01-02T15:04"), "note": "call back at nine"})
	if status != http.StatusOK || path != zoomPath {
		t.Fatalf("pending: %d at %s", status, path)
	}

	row := ticketRow(t, s, v.Number)
	want := until.UTC() // 14:00 UTC under EST, 13:00 under EDT
	if row.State != string(ticket.StatePendingReminder) || row.PendingUntil == nil || !row.PendingUntil.Equal(want) {
		t.Fatalf("database: state %q until %v, want pending reminder until %s", row.State, row.PendingUntil, want)
	}
	if h := want.Hour(); h != 14 && h != 13 {
		t.Errorf("09:00 in New York stored as %s", want)
	}
	_, zoom = b.get(zoomPath)
	shown := "<time>" + until.Format("2006-01-02") + " 09:00</time>"
	if !strings.Contains(zoom, "<dt>Pending until</dt><dd>"+shown+"</dd>") {
		t.Errorf("the zoom lacks pending until %s", shown)
	}
	if !strings.Contains(zoom, `name="until" type="datetime-local" value="`+until.Format("2006-01-02")+`T09:00"`) {
		t.Error("the pending form does not start from 09:00 New York time")
	}
}

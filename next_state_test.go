package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestReplyWithNextState: on the real stack, a reply (through the API) and
// a note (through the zoom's form) move the ticket to the next state they
// name, with the article, as one change.
func TestReplyWithNextState(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	v := newDeskTicket(t, s, "Drucker")

	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	body, _ := json.Marshal(map[string]string{"body": "Bitte Fach 2 nehmen.", "next_state": string(ticket.StatePendingAutoClose),
		"next_until": until.Format(time.RFC3339)})
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/tickets/"+v.Number+"/replies", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		State        string    `json:"state"`
		PendingUntil time.Time `json:"pending_until"`
	}
	err = json.NewDecoder(res.Body).Decode(&got)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("reply: %s, %v", res.Status, err)
	}
	if got.State != string(ticket.StatePendingAutoClose) || !got.PendingUntil.Equal(until) {
		t.Errorf("answer: %+v, want pending auto close+ until %s", got, until)
	}
	row := ticketRow(t, s, v.Number)
	if row.State != string(ticket.StatePendingAutoClose) || row.PendingUntil == nil || !row.PendingUntil.Equal(until) {
		t.Errorf("ticket row: state %q until %v, want pending auto close+ until %s", row.State, row.PendingUntil, until)
	}
	h := history(t, s, v.Number)
	if names := strings.Join(eventNames(h), " "); !strings.Contains(names, string(ticket.EventStateUpdate)) {
		t.Errorf("history %s has no state update", names)
	}

	// The zoom's note form: a time in the past comes back to the form,
	// then the note closes the ticket.
	b := newBrowser(t, s.srv.URL)
	_, page := b.get("/login")
	status, _, _ := b.post(page, "/login", map[string]string{"login": s.fixture.Agent.Login, "password": testPassword})
	if status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	_, zoom := b.get("/agent/tickets/" + url.PathEscape(v.Number))
	status, path, zoom := b.post(zoom, "/agent/tickets/"+v.Number+"/notes", map[string]string{"kind": "internal note", "body": "Warten.",
		"next_state": string(ticket.StatePendingReminder), "next_until": "2020-01-01T09:00"})
	if status != http.StatusUnprocessableEntity || path != "/agent/tickets/"+v.Number || !strings.Contains(zoom, `value="2020-01-01T09:00"`) {
		t.Fatalf("note with a past time: %d at %s", status, path)
	}
	status, _, zoom = b.post(zoom, "/agent/tickets/"+v.Number+"/notes", map[string]string{"kind": "internal note", "body": "Erledigt.",
		"next_state": string(ticket.StateClosedSuccessful), "next_until": ""})
	if status != http.StatusOK {
		t.Fatalf("note closing the ticket: %d\n%s", status, zoom)
	}
	if row := ticketRow(t, s, v.Number); row.State != string(ticket.StateClosedSuccessful) {
		t.Errorf("after the note: state %q, want closed successful", row.State)
	}
}

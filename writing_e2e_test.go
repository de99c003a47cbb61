package main

import (
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestReplyFormWritingAids: on the real stack, the zoom's reply form offers
// the queue's standard response filled in for the ticket and starts with
// the queue's signature; "Insert" without JavaScript adds the response to
// what was typed; and the reply, sent with the next state "pending
// reminder", leaves the ticket pending until the time given.
func TestReplyFormWritingAids(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	v := newDeskTicket(t, s, "Toner leer")
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)

	r := models.StandardResponse{TenantID: f.Tenant.ID, Name: "Toner " + stamp, Active: true,
		BodyDE: "Hallo {{.Customer}}, neuer Toner für {{.Number}} ist bestellt.",
		BodyEN: "Hello {{.Customer}}, new toner for {{.Number}} is on its way."}
	if err := s.db.Create(&r).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.db.Create(&models.StandardResponseQueue{ResponseID: r.ID, QueueID: f.Queue.ID}).Error; err != nil {
		t.Fatal(err)
	}
	sig := models.Signature{TenantID: f.Tenant.ID, Name: "Sig " + stamp, BodyDE: "Ihr {{.Queue}}", BodyEN: "Your {{.Queue}}", Active: true}
	if err := s.db.Create(&sig).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.db.Model(&models.Queue{}).Where("id = ?", f.Queue.ID).Update("signature_id", sig.ID).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.db.Model(&models.Queue{}).Where("id = ?", f.Queue.ID).Update("signature_id", nil)
		s.db.Model(&r).Update("active", false)
	})

	b := newBrowser(t, s.srv.URL)
	_, page := b.get("/login")
	if status, _, _ := b.post(page, "/login", map[string]string{"login": f.Agent.Login, "password": testPassword}); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	zoomPath := "/agent/tickets/" + v.Number
	_, zoom := b.get(zoomPath)
	// The agent's language is the browser's, German when it says none.
	filled := "Hallo " + f.Customer.Name + ", neuer Toner für " + v.Number + " ist bestellt."
	for _, want := range []string{`data-text="` + html.EscapeString(filled) + `">Toner ` + stamp + `</option>`,
		"\n\n-- \nIhr " + html.EscapeString(f.Queue.Name) + "</textarea>"} {
		if !strings.Contains(zoom, want) {
			t.Errorf("the zoom lacks %q", want)
		}
	}

	before := ticketRow(t, s, v.Number).LastSeq
	form := hidden(zoom, zoomPath+"/replies")
	form.Set("draft", "reply")
	form.Set("response", strconv.FormatInt(r.ID, 10))
	form.Set("subject", "Toner")
	form.Set("body", "Guten Tag.\n\n-- \nIhr "+f.Queue.Name)
	status, _, drafted := b.send(zoomPath+"/draft", form)
	want := "Guten Tag.\n\n" + filled + "\n\n-- \nIhr " + f.Queue.Name
	if status != http.StatusOK || !strings.Contains(drafted, ">\n"+html.EscapeString(want)+"</textarea>") {
		t.Fatalf("insert: %d, the reply does not read %q", status, want)
	}
	if row := ticketRow(t, s, v.Number); row.LastSeq != before {
		t.Errorf("inserting changed the ticket: last seq %d, was %d", row.LastSeq, before)
	}

	until := time.Now().Add(72 * time.Hour).In(time.Local).Truncate(time.Minute)
	status, path, _ := b.post(drafted, zoomPath+"/replies", map[string]string{"subject": "Toner", "body": want,
		"next_state": string(ticket.StatePendingReminder), "next_until": until.Format("2006-01-02T15:04")})
	if status != http.StatusOK || path != zoomPath {
		t.Fatalf("reply: %d at %s", status, path)
	}
	row := ticketRow(t, s, v.Number)
	// The stack's zone may not be this machine's; a day's slack covers it.
	if row.State != string(ticket.StatePendingReminder) || row.PendingUntil == nil || row.PendingUntil.Sub(until).Abs() > 24*time.Hour {
		t.Errorf("after the reply: state %q until %v, want pending reminder about %s", row.State, row.PendingUntil, until)
	}
	arts, err := models.Articles(t.Context(), s.db, row.ID)
	if err != nil || len(arts) == 0 || arts[len(arts)-1].Body != want {
		t.Errorf("the reply's article: %v %+v", err, arts)
	}
}

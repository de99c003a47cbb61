package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestBrowserScreenshots opens the agent's main pages in a real, headless
// Chromium, in German, checks that each shows its heading and no error,
// and keeps a full-page screenshot of each for reviewers: in
// $KIZDESK_SCREENSHOTS if set (not committed), else in the test's
// temporary directory.
func TestBrowserScreenshots(t *testing.T) {
	chromium := findChromium(t)
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	ctx := t.Context()
	dir := os.Getenv("KIZDESK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	agent := desk.AgentPrincipal(f.Agent)
	v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{CustomerLogin: f.Customer.Login, RequestKey: "shot-1",
		Title: "Drucker im Raum O27 druckt nicht", Body: "Der Drucker zeigt „Papierstau“, obwohl kein Papier klemmt.",
		ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.Reply(ctx, agent, v.Number, desk.ReplyRequest{RequestKey: "shot-2", Body: "Bitte einmal aus- und einschalten."}); err != nil {
		t.Fatal(err)
	}
	due := time.Now().Add(-time.Hour).UTC()
	if err := s.db.Model(&models.Ticket{}).Where("number = ?", v.Number).
		Updates(map[string]any{"update_due": due, "update_breached": true}).Error; err != nil {
		t.Fatal(err)
	}

	bctx := newChromium(t, ctx, chromium, "de-DE,de")
	bctx, cancel := context.WithTimeout(bctx, 120*time.Second)
	defer cancel()
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(1366, 900), // a desk's screen
		chromedp.Navigate(s.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), f.Agent.Login),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("widget-sla")),
	)
	if err != nil {
		t.Fatalf("log in: %v", err)
	}
	for _, page := range []struct{ name, path string }{
		{"dashboard", "/agent/dashboard"},
		{"queue", fmt.Sprintf("/agent/queues/%d", f.Queue.ID)},
		{"search", "/agent/search?q=Drucker"},
		{"zoom", "/agent/tickets/" + v.Number},
		{"outbox", "/admin/outbox"},
		{"preferences", "/agent/preferences"},
	} {
		if err := chromedp.Do(bctx, chromedp.Navigate(s.srv.URL+page.path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Errorf("%s: %v", page.name, err)
			continue
		}
		body, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("main")))
		if err != nil {
			t.Errorf("%s: %v", page.name, err)
			continue
		}
		if strings.Contains(body, "HTTP-Status") {
			t.Errorf("%s shows an error page:\n%s", page.name, body)
		}
		if page.name == "zoom" && !strings.Contains(body, "überschritten seit") {
			t.Errorf("the zoom does not say since when the breached clock is over:\n%s", body)
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Errorf("%s: screenshot: %v", page.name, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, page.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
}

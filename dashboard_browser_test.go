package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestBrowserDashboard: in a real, headless Chromium the agent lands on
// the dashboard after the login, sees a breached ticket there, and the
// page's script — allowed by the Content-Security-Policy — swaps in a
// ticket breached after the page was loaded when its minute is up (the
// browser's clock runs on virtual time, so the test does not wait it).
func TestBrowserDashboard(t *testing.T) {
	chromium := findChromium(t)
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	ctx := t.Context()
	breach := func(title string) string {
		t.Helper()
		v, err := s.desk.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), desk.CreateTicketRequest{CustomerLogin: f.Customer.Login,
			Title: title, Body: "Seit heute früh.", ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
		if err != nil {
			t.Fatal(err)
		}
		// The SLA clock ran out an hour ago: as the workflow's timer
		// would have recorded it.
		due := time.Now().Add(-time.Hour).UTC()
		if err := s.db.Model(&models.Ticket{}).Where("number = ?", v.Number).
			Updates(map[string]any{"update_due": due, "update_breached": true}).Error; err != nil {
			t.Fatal(err)
		}
		return v.Number
	}
	first := breach("Drucker brennt")

	bctx := newChromium(t, ctx, chromium, "en-US,en")
	bctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	err := chromedp.Do(bctx,
		chromedp.Navigate(s.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), f.Agent.Login),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("widget-sla")),
	)
	if err != nil {
		t.Fatalf("log in to the dashboard: %v", err)
	}
	landed, err := chromedp.Run(bctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	if landed != "/agent/dashboard" {
		t.Errorf("the login landed on %s, want /agent/dashboard", landed)
	}
	sla, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("widget-sla")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sla, first) || !strings.Contains(sla, "Drucker brennt") || !strings.Contains(sla, "Update: breached since") {
		t.Errorf("the SLA widget does not show the breached ticket %s:\n%s", first, sla)
	}

	second := breach("Beamer raucht")
	loaded, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`performance.getEntriesByType('resource').some(e => e.name.includes('/static/dashboard.js'))`))
	if err != nil || !loaded {
		t.Errorf("the page did not load dashboard.js: %v", err)
	}
	// A minute passes in the page (virtual time stands while a request is
	// under way, so the refresh's fetch is answered in it).
	budget := 65000.0
	if _, err := chromedp.Call(bctx, emulation.SetVirtualTimePolicy, emulation.SetVirtualTimePolicyParams{
		Policy: emulation.VirtualTimePolicyPauseIfNetworkFetchesPending, Budget: &budget}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx, chromedp.WaitVisible(chromedp.Search(`//section[@id="widget-sla"]//a[contains(., "`+second+`")]`)))
	if err != nil {
		t.Fatalf("the dashboard did not show the ticket breached after it was loaded: %v", err)
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// axeViolation is what the test keeps of one of axe-core's findings.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
		Why    string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestBrowserAccessibility runs axe-core (testdata/axe, test-only: kizdesk
// never serves it) in a real, headless Chromium over each main agent page,
// in German and in English, and fails on every finding of impact
// "serious" or "critical", listing each with the elements it concerns.
func TestBrowserAccessibility(t *testing.T) {
	chromium := findChromium(t)
	axe, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	ctx := t.Context()
	agent := desk.AgentPrincipal(f.Agent)
	v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{CustomerLogin: f.Customer.Login, RequestKey: "a11y-1",
		Title: "VPN-Verbindung bricht nach wenigen Minuten ab", Body: "Seit dem Update trennt der Client alle fünf Minuten.",
		ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.Reply(ctx, agent, v.Number, desk.ReplyRequest{RequestKey: "a11y-2", Body: "Bitte einmal das Profil neu laden."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.AddNote(ctx, agent, v.Number, desk.AddNoteRequest{RequestKey: "a11y-3", Kind: string(ticket.ArticleInternalNote), Body: "Intern: Gateway-Log prüfen."}); err != nil {
		t.Fatal(err)
	}
	// The browser's language decides, not one stored by another test.
	var stored string
	if err := s.db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Pluck("language", &stored).Error; err != nil {
		t.Fatal(err)
	}
	s.db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Update("language", "")
	t.Cleanup(func() { s.db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Update("language", stored) })

	pages := []struct{ name, path string }{
		{"dashboard", "/agent/dashboard"},
		{"queue", fmt.Sprintf("/agent/queues/%d", f.Queue.ID)},
		{"zoom", "/agent/tickets/" + v.Number},
		{"search", "/agent/search?q=VPN"},
		{"new ticket", "/agent/tickets/new"},
		{"preferences", "/agent/preferences"},
		{"admin", "/admin"},
	}
	for _, lang := range []string{"de", "en"} {
		t.Run(lang, func(t *testing.T) {
			bctx := newChromium(t, ctx, chromium, lang)
			bctx, cancel := context.WithTimeout(bctx, 180*time.Second)
			defer cancel()
			// run loads axe-core into the page and returns its findings.
			run := func(name string) []axeViolation {
				t.Helper()
				if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
					t.Fatalf("%s: load axe-core: %v", name, err)
				}
				found, err := chromedp.Run(bctx, chromedp.Evaluate[[]axeViolation](
					`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("%s: axe-core: %v", name, err)
				}
				return found
			}
			check := func(name string) {
				t.Helper()
				got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.lang`))
				if err != nil || got != lang {
					t.Errorf("%s: page language %q (%v), want %q", name, got, err, lang)
				}
				for _, v := range run(name) {
					if v.Impact != "serious" && v.Impact != "critical" {
						t.Logf("%s (%s): %s [%s] %s, %d elements", name, lang, v.ID, v.Impact, v.Help, len(v.Nodes))
						continue
					}
					var where []string
					for _, n := range v.Nodes {
						where = append(where, fmt.Sprintf("    %v %s\n      %s", n.Target, n.HTML, strings.ReplaceAll(n.Why, "\n", "\n      ")))
					}
					t.Errorf("%s (%s): %s [%s] %s\n%s", name, lang, v.ID, v.Impact, v.Help, strings.Join(where, "\n"))
				}
			}
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(s.srv.URL+"/login"), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
				t.Fatalf("login page: %v", err)
			}
			check("login")
			// The check can fail: a field without a label is found.
			if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('main').insertAdjacentHTML('beforeend', '<input id="a11y-probe">'); true`)); err != nil {
				t.Fatal(err)
			}
			probe := run("probe")
			if !slices.ContainsFunc(probe, func(v axeViolation) bool { return v.ID == "label" && v.Impact == "critical" }) {
				t.Fatalf("axe-core did not find a field without a label: %+v", probe)
			}
			if err := chromedp.Do(bctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
				t.Fatal(err)
			}
			err := chromedp.Do(bctx,
				chromedp.SendKeys(chromedp.ID("login"), f.Agent.Login),
				chromedp.SendKeys(chromedp.ID("password"), testPassword),
				chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
				chromedp.WaitVisible(chromedp.ID("widget-sla")))
			if err != nil {
				t.Fatalf("log in: %v", err)
			}
			for _, p := range pages {
				if err := chromedp.Do(bctx, chromedp.Navigate(s.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
					t.Errorf("%s: %v", p.name, err)
					continue
				}
				check(p.name)
			}
		})
	}
}

// TestBrowserZoomCountdown: the zoom's remaining SLA time counts down in
// the page (zoom.js), ten minutes of the browser's virtual time later it
// says ten minutes less; the article timeline says who sees each article.
func TestBrowserZoomCountdown(t *testing.T) {
	chromium := findChromium(t)
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	ctx := t.Context()
	agent := desk.AgentPrincipal(f.Agent)
	v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{CustomerLogin: f.Customer.Login, RequestKey: "countdown-1",
		Title: "Beamer in H4 zeigt kein Bild", Body: "Seit heute früh.", ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.AddNote(ctx, agent, v.Number, desk.AddNoteRequest{RequestKey: "countdown-2", Kind: string(ticket.ArticleInternalNote), Body: "Kabel tauschen."}); err != nil {
		t.Fatal(err)
	}
	// No SLA (no service): the time left is wall time, whatever the hour
	// the test runs at.
	due := time.Now().Add(150 * time.Minute).UTC()
	if err := s.db.Model(&models.Ticket{}).Where("number = ?", v.Number).
		Updates(map[string]any{"first_response_due": due, "service_id": nil}).Error; err != nil {
		t.Fatal(err)
	}
	bctx := newChromium(t, ctx, chromium, "en-US,en")
	bctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	err = chromedp.Do(bctx,
		chromedp.Navigate(s.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), f.Agent.Login),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("widget-sla")),
		chromedp.Navigate(s.srv.URL+"/agent/tickets/"+v.Number),
		chromedp.WaitVisible(chromedp.CSS(".sla-left")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text := func() string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".sla-left")))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := text(); got != "2 h 29 min left" && got != "2 h 30 min left" {
		t.Errorf("at first the zoom says %q, want 2 h 29 min left", got)
	}
	budget := 600000.0
	if _, err := chromedp.Call(bctx, emulation.SetVirtualTimePolicy, emulation.SetVirtualTimePolicyParams{
		Policy: emulation.VirtualTimePolicyPauseIfNetworkFetchesPending, Budget: &budget}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx, chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "sla-left")][contains(., "2 h 19 min left") or contains(., "2 h 20 min left")]`)))
	if err != nil {
		t.Fatalf("ten minutes later the zoom says %q, want 2 h 19 min left: %v", text(), err)
	}
	internal, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("details.article.internal summary .audience")))
	if err != nil || internal != "Internal" {
		t.Errorf("the internal note is labelled %q (%v), want Internal", internal, err)
	}
}

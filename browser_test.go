package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kiz-ulm/kizdesk/dbtest"
)

// findChromium returns the path of a Chromium-compatible browser, or skips
// (fails under KIZDESK_TEST_STRICT=1) when there is none.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "Chromium: no chromium binary on PATH (Debian: apt-get install chromium)"
	if dbtest.Strict() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// TestBrowserJourney is an agent's main journey in a real, headless
// Chromium: log in, open a phone ticket, add a note, close it.
func TestBrowserJourney(t *testing.T) {
	chromium := findChromium(t)
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture

	// The journey below reads English labels; kizdesk shows English
	// when the browser asks for it (German otherwise).
	ctx := newChromium(t, t.Context(), chromium, "en-US,en")
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	err := chromedp.Do(ctx,
		chromedp.Navigate(s.srv.URL+"/agent/queues"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), f.Agent.Login),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "New phone ticket")]`)),
		chromedp.Click(chromedp.Search(`//a[contains(., "New phone ticket")]`)),
		chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SetValue(chromedp.ID("customer"), f.Customer.Login),
		chromedp.SendKeys(chromedp.ID("title"), "Laptop bootet nicht"),
		chromedp.SendKeys(chromedp.ID("body"), "Schwarzer Bildschirm nach dem Update."),
		chromedp.SetValue(chromedp.ID("service_id"), fmt.Sprint(f.Service.ID)),
		chromedp.SetValue(chromedp.ID("type_id"), fmt.Sprint(f.Type.ID)),
		chromedp.SetValue(chromedp.ID("priority_id"), fmt.Sprint(f.Priority.ID)),
		chromedp.Click(chromedp.CSS(`form[action="/agent/tickets"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("note-body")),
	)
	if err != nil {
		t.Fatalf("log in and create a ticket: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".flash")))
	if err != nil {
		t.Fatal(err)
	}
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("note-body"), "Im BIOS Secure Boot zurückgesetzt."),
		chromedp.Click(chromedp.Search(`//button[contains(., "Add note")]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(text(), "Secure Boot zurückgesetzt")]`)),
		chromedp.SetValue(chromedp.ID("state"), "closed successful"),
		chromedp.Click(chromedp.Search(`//button[contains(., "Close ticket")]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(text(), "Ticket closed")]`)),
	)
	if err != nil {
		t.Fatalf("add a note and close: %v", err)
	}
	zoom, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	number := strings.TrimPrefix(path, "/agent/tickets/")
	if !strings.Contains(flash, number) || !strings.Contains(flash, "created") {
		t.Errorf("flash after create = %q, want it to name ticket %s", flash, number)
	}
	for _, want := range []string{"Laptop bootet nicht", "Schwarzer Bildschirm", "Secure Boot", "closed successful"} {
		if !strings.Contains(zoom, want) {
			t.Errorf("the closed ticket's page lacks %q", want)
		}
	}
	if strings.Contains(zoom, "Add note") {
		t.Error("a closed ticket still offers the note form")
	}
}

// newChromium starts a headless Chromium for the test, asking for pages in
// lang; it ends with the test.
func newChromium(t *testing.T, parent context.Context, chromium, lang string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("accept-lang", lang),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	return bctx
}

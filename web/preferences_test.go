package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
)

// The notification preferences over the fake desk: every agent reaches
// them from the menu, the form shows the stored choices (the defaults
// until one chooses), saving posts the ticked kinds and comes back with
// a confirmation; a refused form comes back as sent.

// checked returns the notification kinds a preferences page ticks.
func checked(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`name="notify" value="([^"]+)"( checked)?>`).FindAllStringSubmatch(page, -1) {
		if m[2] != "" {
			out = append(out, m[1])
		}
	}
	return out
}

func TestNotificationPreferences(t *testing.T) {
	b := newBrowser(t, Options{})
	csrf := b.login()

	// Linked from every page's menu, next to the API tokens.
	wantContains(t, b.get("/agent/queues").body, `<a href="/agent/tokens">API tokens</a>`+"\n"+`    <a href="/agent/preferences">Preferences</a>`)

	page := b.get("/agent/preferences")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, "<h1>My preferences</h1>", `action="/agent/preferences/notifications"`,
		`<legend>My tickets</legend>`, "About the tickets you own", `<legend>My queues</legend>`, "About the tickets of the queues you work in",
		"> Customer wrote again</label>", "> New ticket in one of my queues</label>", `<a href="/agent/tokens">API tokens</a>`)
	// Each kind once, in the desk's order, under its heading.
	var kinds []string
	for _, m := range regexp.MustCompile(`name="notify" value="([^"]+)"`).FindAllStringSubmatch(page.body, -1) {
		kinds = append(kinds, m[1])
	}
	var want []string
	for _, k := range desk.NotifyKinds {
		if k.ToAgent {
			want = append(want, k.Kind)
		}
	}
	for _, k := range desk.NotifyKinds {
		if !k.ToAgent {
			want = append(want, k.Kind)
		}
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("the form offers %q, want %q", kinds, want)
	}
	// The defaults: about one's own tickets on, about the queues off.
	if got := checked(page.body); !slices.Equal(got, []string{"follow-up", "assigned", "reminder", "sla-warning", "sla-breach"}) {
		t.Errorf("ticked by default: %q", got)
	}

	// Saving: the ticked kinds go to the desk, back with a confirmation.
	res := b.post("/agent/preferences/notifications", url.Values{"csrf_token": {csrf}, "notify": {"new-ticket", "assigned"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/preferences" {
		t.Errorf("saved, then to %q", loc)
	}
	page = b.get("/agent/preferences")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `<p class="flash" role="status">Notification preferences saved.</p>`)
	if got := checked(page.body); !slices.Equal(got, []string{"assigned", "new-ticket"}) {
		t.Errorf("ticked after saving: %q", got)
	}
	// Nothing ticked switches everything off.
	wantStatus(t, b.post("/agent/preferences/notifications", url.Values{"csrf_token": {csrf}}), http.StatusSeeOther)
	if got := checked(b.get("/agent/preferences").body); len(got) != 0 {
		t.Errorf("ticked after switching all off: %q", got)
	}
	st := b.desk.mailState()
	st.mu.Lock()
	saved := slices.Clone(st.saved)
	st.mu.Unlock()
	if len(saved) != 2 || !slices.Equal(saved[0], []string{"new-ticket", "assigned"}) || len(saved[1]) != 0 {
		t.Errorf("the desk got %q", saved)
	}

	// A kind the desk does not know: the form back as sent, with the
	// field's problem, and nothing stored.
	res = b.post("/agent/preferences/notifications", url.Values{"csrf_token": {csrf}, "notify": {"moved", "<b>spam</b>"}})
	page = b.follow(res)
	wantStatus(t, page, http.StatusUnprocessableEntity)
	wantContains(t, page.body, "Please correct the marked fields.", `<p class="field-error">Please choose one of the offered values.</p>`)
	if got := checked(page.body); !slices.Equal(got, []string{"moved"}) {
		t.Errorf("the refused form ticks %q, want what was sent", got)
	}
	if strings.Contains(page.body, "<b>spam</b>") {
		t.Errorf("the refused kind is echoed unescaped")
	}
	if got := checked(b.get("/agent/preferences").body); len(got) != 0 {
		t.Errorf("after the refused form the stored choice is %q", got)
	}

	// No CSRF token, no change; the desk failing is an internal error.
	wantStatus(t, b.post("/agent/preferences/notifications", url.Values{"notify": {"moved"}}), http.StatusForbidden)
	b.desk.errs["NotifyPrefs"] = desk.ErrUnavailable
	wantStatus(t, b.get("/agent/preferences"), http.StatusServiceUnavailable)
	if n := len(b.desk.mailState().saved); n != 3 {
		t.Errorf("the desk was asked to save %d times, want 3", n)
	}
}

// TestPreferencesInGerman: the page and its confirmation in German, no
// text missing.
func TestPreferencesInGerman(t *testing.T) {
	b := newBrowser(t, Options{})
	b.acceptLanguage = "de"
	csrf := b.login()
	wantStatus(t, b.post("/agent/preferences/notifications", url.Values{"csrf_token": {csrf}, "notify": {"moved"}}), http.StatusSeeOther)
	page := b.get("/agent/preferences")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `<html lang="de">`, "<h1>Meine Einstellungen</h1>", "Benachrichtigungseinstellungen gespeichert.",
		"<legend>Meine Tickets</legend>", "<legend>Meine Queues</legend>", "> Ticket in eine meiner Queues verschoben</label>",
		`<a href="/agent/preferences">Einstellungen</a>`)
	if keys := rawKeyRE.FindAllString(page.body, -1); len(keys) > 0 {
		t.Errorf("untranslated %q", keys)
	}
}

// TestPreferencesNeedLogin: no session, no preferences.
func TestPreferencesNeedLogin(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.get("/agent/preferences")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Errorf("without login: %d %q", res.status, res.header.Get("Location"))
	}
}

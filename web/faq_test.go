package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
)

// The knowledge base's pages over the fake desk: the public list and an
// entry logged out (the public tier only, text escaped, a stable slug
// URL), files as downloads, the agents' list, a new entry from a ticket,
// a refused form coming back marked, an edit and an action.
func TestFAQPages(t *testing.T) {
	anon := newBrowser(t, Options{})
	anon.acceptLanguage = "de"
	list := anon.get("/faq")
	wantStatus(t, list, http.StatusOK)
	wantContains(t, list.body, `<a href="/faq/3-outlook-profil-neu">Outlook-Profil &lt;neu&gt;</a>`)
	for _, hidden := range []string{"Kunden-VPN", "Interner Exchange-Neustart"} {
		if strings.Contains(list.body, hidden) {
			t.Errorf("the public list shows %q", hidden)
		}
	}
	wantStatus(t, anon.get("/faq/1"), http.StatusNotFound)
	wantStatus(t, anon.get("/faq/2-kunden-vpn"), http.StatusNotFound)
	wantStatus(t, anon.get("/faq/x"), http.StatusNotFound)
	entry := anon.get("/faq/3-anything")
	wantStatus(t, entry, http.StatusOK)
	wantContains(t, entry.body, "<h1>Outlook-Profil &lt;neu&gt;</h1>", "Antwort Outlook-Profil &lt;neu&gt;")
	file := anon.get("/faq/3/files/1")
	if file.status != http.StatusOK || !strings.HasPrefix(file.header.Get("Content-Disposition"), "attachment") ||
		file.header.Get("Content-Type") != "application/octet-stream" || file.header.Get("Content-Security-Policy") != "sandbox" {
		t.Errorf("a file: %d %v", file.status, file.header)
	}
	en := newBrowser(t, Options{})
	en.acceptLanguage = "en"
	wantContains(t, en.get("/faq").body, "Outlook profile &lt;new&gt;")

	b := newBrowser(t, Options{})
	csrf := b.login()
	agents := b.get("/agent/faq")
	wantContains(t, agents.body, `<a href="/agent/faq">Knowledge base</a>`, `<a href="/agent/faq/1">`, `<a href="/agent/faq/2">`, "internal (agents only)")
	zoom := b.get("/agent/tickets/" + testNumber)
	wantContains(t, zoom.body, `<a href="/agent/faq/new?ticket=`+testNumber+`">New FAQ entry from this ticket</a>`)
	form := b.get("/agent/faq/new?ticket=" + testNumber)
	wantContains(t, form.body, `value="Printer &lt;b&gt;jams&lt;/b&gt;"`, "Der Drucker klemmt.", "Papier richtig einlegen.",
		`<input type="hidden" name="ticket" value="`+testNumber+`">`)

	fields := url.Values{"csrf_token": {csrf}, "visibility": {"public"}, "service_id": {"x"}, "title_de": {"Drucker"},
		"answer_de": {"Zeile 1\nZeile 2"}, "ticket": {testNumber}, "base": {"0"}}
	refused := b.post("/agent/faq", fields)
	if refused.status != http.StatusSeeOther || refused.header.Get("Location") != "/agent/faq/new" {
		t.Fatalf("a bad number: %d to %q", refused.status, refused.header.Get("Location"))
	}
	back := b.follow(refused)
	wantStatus(t, back, http.StatusUnprocessableEntity)
	wantContains(t, back.body, "Please correct the marked fields.", `value="Drucker"`, "Zeile 1\nZeile 2")
	fields.Set("service_id", "11")
	saved := b.post("/agent/faq", fields)
	if saved.status != http.StatusSeeOther || saved.header.Get("Location") != "/agent/faq/4" {
		t.Fatalf("saving: %d to %q", saved.status, saved.header.Get("Location"))
	}
	st := b.desk.faqState()
	if f := st.forms[len(st.forms)-1]; f.AnswerDE != "Zeile 1\nZeile 2" || f.Ticket != testNumber || f.ServiceID != 11 {
		t.Errorf("the desk got %+v", f)
	}
	show := b.get("/agent/faq/1?from=1&to=2")
	wantContains(t, show.body, "Changes from version 1 to 2", `<span class="diff-del">- alt</span>`, `<span class="diff-add">&#43; neu</span>`,
		`name="action" value="withdraw"`, "Anna Agent")
	wantStatus(t, b.get("/agent/faq/1?from=x"), http.StatusNotFound)
	acted := b.post("/agent/faq/1/actions", url.Values{"csrf_token": {csrf}, "action": {"withdraw"}, "version": {"1"}})
	if acted.status != http.StatusSeeOther || len(st.acts) != 1 || st.acts[0] != "1 withdraw 1" {
		t.Errorf("withdrawing: %d, %v", acted.status, st.acts)
	}
	edit := b.get("/agent/faq/1/edit")
	wantContains(t, edit.body, `action="/agent/faq/1"`, `name="base" value="1"`)
}

// TestFAQCodesHaveTexts: the knowledge base's refusals read in German
// and English (they are not among ticket.AllCodes).
func TestFAQCodesHaveTexts(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range desk.FAQCodes() {
		for _, l := range []*i18n.Localizer{c.For("de"), c.For("en")} {
			if !l.Has(string(code)) {
				t.Errorf("%s has no %s text", code, l.Lang())
			}
		}
	}
}

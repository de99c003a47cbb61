package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The search page over the fake desk: the quick search in every agent
// page's header, a ticket number jumps to the ticket, words show the
// tickets found with the match marked and the text escaped, bad fields
// come back marked, and saved searches are kept, listed and deleted.
func TestSearchPage(t *testing.T) {
	b := newBrowser(t, Options{})
	csrf := b.login()

	queues := b.get("/agent/queues")
	wantContains(t, queues.body, `<form method="get" action="/agent/search" class="inline quick-search" role="search">`, `<a href="/agent/search">Search</a>`)

	jump := b.get("/agent/search?q=" + testNumber)
	if jump.status != http.StatusSeeOther || jump.header.Get("Location") != "/agent/tickets/"+testNumber {
		t.Errorf("a ticket number: %d to %q", jump.status, jump.header.Get("Location"))
	}
	// An unknown number is searched as words.
	wantStatus(t, b.get("/agent/search?q=123"), http.StatusOK)

	page := b.get("/agent/search?q=jams")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, "<h1>Search tickets</h1>", "Tickets found", `<a href="/agent/tickets/`+testNumber+`">`,
		"Printer &lt;b&gt;<mark>jams</mark>&lt;/b&gt;", "Best matches first.", `name="query" value="q=jams"`)
	if strings.Contains(page.body, "<b>jams") {
		t.Error("the title's markup reached the page")
	}

	empty := b.get("/agent/search")
	wantStatus(t, empty, http.StatusOK)
	if strings.Contains(empty.body, "Tickets found") {
		t.Error("an empty search shows results")
	}
	bad := b.get("/agent/search?state=gone&queue_id=x")
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if n := strings.Count(bad.body, `class="field-error"`); n != 2 {
		t.Errorf("%d fields marked, want 2 (state, queue)", n)
	}
	de := newBrowser(t, Options{})
	de.acceptLanguage = "de"
	de.login()
	wantContains(t, de.get("/agent/search?q=jams").body, "<h1>Tickets suchen</h1>", "Gefundene Tickets")

	// A word in more texts than the desk ranks: the page says so, and how
	// many were ranked.
	many := b.get("/agent/search?q=Printer")
	wantContains(t, many.body, "More than 500 articles or titles match; the newest 500 of each are ranked, the best first.")
	if strings.Contains(many.body, "Best matches first.") {
		t.Error("a capped search claims its best matches first")
	}
	wantContains(t, de.get("/agent/search?q=Printer").body, "Mehr als 500 Artikel oder Titel passen")

	saved := b.follow(b.post("/agent/search/saved", url.Values{"csrf_token": {csrf}, "name": {"Jams"}, "query": {"q=jams&evil=1"}}))
	wantContains(t, saved.body, "Search “Jams” saved.", `<a href="/agent/search?q=jams">Jams</a>`)
	refused := b.follow(b.post("/agent/search/saved", url.Values{"csrf_token": {csrf}, "name": {" "}, "query": {"q=jams"}}))
	wantStatus(t, refused, http.StatusUnprocessableEntity)
	wantContains(t, refused.body, `class="field-error"`)
	deleted := b.follow(b.post("/agent/search/saved/1/delete", url.Values{"csrf_token": {csrf}}))
	wantContains(t, deleted.body, "Saved search deleted.", "You have not saved a search yet.")
	wantStatus(t, b.post("/agent/search/saved/1/delete", url.Values{"csrf_token": {csrf}}), http.StatusNotFound)
}

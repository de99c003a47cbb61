package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestErrorPagesSayWhatToDo: an error page explains its status and where
// to go on, in the reader's language, and offers the search to agents.
func TestErrorPagesSayWhatToDo(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.get("/no/such/page")
	wantStatus(t, res, http.StatusNotFound)
	wantContains(t, res.body, "It does not exist, or it is in a queue you may not see.", "HTTP status 404")
	if strings.Contains(res.body, `href="/agent/search"`) {
		t.Errorf("the search is offered to someone not logged in")
	}
	b.login()
	b.acceptLanguage = "de"
	res = b.get("/agent/tickets/2026010110999999")
	wantStatus(t, res, http.StatusNotFound)
	wantContains(t, res.body, "Das gibt es nicht, oder es liegt in einer Queue, die Sie nicht sehen.", `href="/agent/search"`)
}

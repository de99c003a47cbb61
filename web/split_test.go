package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var splitKeyRE = regexp.MustCompile(`/articles/(\d+)/split"[^>]*>\s*<input type="hidden" name="csrf_token" value="[^"]*">\s*<input type="hidden" name="request_key" value="([^"]*)">`)

// TestSplitForm: each article of the zoom has a split form with a request
// key of this page's (two pages, two keys; never a bare "-<seq>" that
// every ticket would share), and posting it splits and comes back with
// the new ticket's number.
func TestSplitForm(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	keys := map[string]bool{}
	for range 2 {
		page := b.get("/agent/tickets/" + testNumber)
		wantStatus(t, page, http.StatusOK)
		m := splitKeyRE.FindAllStringSubmatch(page.body, -1)
		if len(m) == 0 {
			t.Fatalf("the zoom has no split form:\n%s", page.body)
		}
		for _, f := range m {
			if strings.HasPrefix(f[2], "-") || !strings.HasSuffix(f[2], "-"+f[1]) {
				t.Errorf("split form of article %s has the request key %q", f[1], f[2])
			}
			keys[f[2]] = true
		}
	}
	if len(keys) < 2 {
		t.Errorf("two zooms gave the same split keys: %v", keys)
	}
	page := b.get("/agent/tickets/" + testNumber)
	m := splitKeyRE.FindStringSubmatch(page.body)
	res := b.post("/agent/tickets/"+testNumber+"/articles/"+m[1]+"/split", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)}, "request_key": {m[2]}})
	wantStatus(t, res, http.StatusSeeOther)
	wantContains(t, b.follow(res).body, "2026112710000099")
}

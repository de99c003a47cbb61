package web

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
)

// The retention pages over the fake desk: the dry run and run now, the
// policy form, the erasure request's search, dry run, confirm step and
// refusal over open tickets, and the archive filter of the search. What
// retention does and who may do it are tested in package desk and the
// root package (retention_test.go, authz_test.go).

func TestRetentionPagesInBothLanguages(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		b := adminBrowser(t, lang)
		l := c.For(lang)
		pages := map[string]response{}
		for path, status := range map[string]int{
			"/admin": http.StatusOK, "/admin/retention": http.StatusOK, "/admin/erasure": http.StatusOK,
			"/admin/erasure?q=muster": http.StatusOK, "/admin/erasure?q=nobody": http.StatusOK,
			"/admin/erasure/3": http.StatusOK, "/admin/erasure/22": http.StatusOK, "/admin/erasure/99": http.StatusNotFound,
			"/admin/erasure/x": http.StatusNotFound, "/admin/retention-policies/new": http.StatusOK, "/admin/retention-policies/3": http.StatusOK,
		} {
			res := b.get(path)
			if res.status != status {
				t.Errorf("%s %s: status %d, want %d", lang, path, res.status, status)
			}
			pages[path] = res
			if keys := rawKeyRE.FindAllString(res.body, -1); len(keys) > 0 {
				t.Errorf("%s %s: untranslated %q", lang, path, keys)
			}
			for _, bad := range []string{"<no value>", "%!", "\u2063"} {
				if strings.Contains(res.body, bad) {
					t.Errorf("%s %s: %q in the page", lang, path, bad)
				}
			}
		}
		wantContains(t, pages["/admin"].body, `<a href="/admin/retention">`+l.Text("ui.retention.heading")+`</a>`,
			`<a href="/admin/erasure">`+l.Text("ui.erasure.heading")+`</a>`, `<a href="/admin/retention-policies">`)
		wantContains(t, pages["/admin/retention"].body, l.Text("ui.retention.dry_run"), "Drucker &lt;3. OG&gt;", "2026010110000029",
			l.Text("ui.retention.action.archive"), l.Text("ui.retention.action.anonymise"), `action="/admin/retention/run"`,
			`<a href="/admin/retention-policies/5">`, l.Text("ui.retention.period.days", "N", 365))
		wantContains(t, pages["/admin/erasure?q=muster"].body, `<a href="/admin/erasure/3">`, "Max &lt;Mustermann&gt;")
		if strings.Contains(pages["/admin/erasure?q=muster"].body, "eopen") {
			t.Errorf("%s: the search lists a customer it did not find", lang)
		}
		wantContains(t, pages["/admin/erasure?q=nobody"].body, l.Text("ui.erasure.none_found"))
		wantContains(t, pages["/admin/erasure/3"].body, `action="/admin/erasure/3"`, `name="confirm" value="yes"`, "2026010110000029",
			l.Text("ui.erasure.touch_deflections", "Count", 2))
		// Open tickets: the page says why it refuses, lists them, and
		// offers no confirm form.
		wantContains(t, pages["/admin/erasure/22"].body, html.EscapeString(l.Text("ui.erasure.open_refused")), "2026010110000037")
		if strings.Contains(pages["/admin/erasure/22"].body, `name="confirm"`) {
			t.Errorf("%s: the erasure of a customer with open tickets offers the confirm form", lang)
		}
		wantContains(t, pages["/admin/retention-policies/new"].body, l.Text("ui.admin.hint.portal_read"), l.Text("ui.admin.word.delete"))
	}
}

func TestRetentionRunNow(t *testing.T) {
	b := adminBrowser(t, "en")
	page := b.get("/admin/retention")
	res := b.post("/admin/retention/run", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/admin/retention" {
		t.Fatalf("after the run: to %q", loc)
	}
	wantContains(t, b.follow(res).body, "Retention ran: 1 archived, 1 anonymised, 0 left for the next run")
}

func TestErasureConfirmAndRefusal(t *testing.T) {
	b := adminBrowser(t, "en")
	token := hidden(t, csrfRE, b.get("/admin/erasure/3").body)

	// Not confirmed: the form comes back, the field marked; nothing erased.
	res := b.post("/admin/erasure/3", url.Values{"csrf_token": {token}})
	wantStatus(t, res, http.StatusSeeOther)
	back := b.follow(res)
	wantStatus(t, back, http.StatusUnprocessableEntity)
	wantContains(t, back.body, "Please correct the marked fields.", `<p class="field-error">`)

	// Confirmed: erased, the search page says what was done.
	res = b.post("/admin/erasure/3", url.Values{"csrf_token": {token}, "confirm": {"yes"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/admin/erasure" {
		t.Fatalf("after the erasure: to %q", loc)
	}
	wantContains(t, b.follow(res).body, "Retention ran: 0 archived, 1 anonymised")

	// Open tickets: refused, the reason and the tickets on the page.
	res = b.post("/admin/erasure/22", url.Values{"csrf_token": {token}, "confirm": {"yes"}})
	wantStatus(t, res, http.StatusSeeOther)
	back = b.follow(res)
	wantStatus(t, back, http.StatusConflict)
	wantContains(t, back.body, "The customer still has open tickets (2026010110000037)", "must not silently close")

	b.desk.mu.Lock()
	calls := strings.Join(b.desk.calls, " ")
	b.desk.mu.Unlock()
	if n := strings.Count(calls, "Erase"); n != 3 {
		t.Errorf("Erase asked %d times, want 3 (unconfirmed, confirmed, refused): %s", n, calls)
	}
}

func TestSearchArchiveFilter(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	page := b.get("/agent/search")
	wantContains(t, page.body, `name="archived" value="1"`)
	res := b.get("/agent/search?q=Drucker&archived=1")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `name="archived" value="1" checked`)
	res = b.get("/agent/search?q=Drucker")
	wantStatus(t, res, http.StatusOK)
	res = b.get("/agent/search?q=Drucker&archived=yes")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	var reqs []desk.SearchRequest
	for _, r := range requestsOf[desk.SearchRequest](b.desk, "Search") {
		if r.Text == "Drucker" {
			reqs = append(reqs, r)
		}
	}
	if len(reqs) < 2 || !reqs[0].Archived || slices.ContainsFunc(reqs[1:], func(r desk.SearchRequest) bool { return r.Archived }) {
		t.Fatalf("search requests %+v: want the archive filter on the first only (not unchecked, not with a bad value)", reqs)
	}
}

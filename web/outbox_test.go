package web

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/models"
)

// The Outbox over the fake desk: the list with its filter, paging and
// the notice of a desk that keeps its mail; one mail, its raw form
// escaped, and the .eml download in a sandbox. Who may open it is the
// desk's business (authz_test.go holds it to admins).

// TestOutboxInBothLanguages visits the Outbox's pages in German and
// English: each in its language, with no text missing, the notice of a
// desk that keeps its mail, every kind and status in words.
func TestOutboxInBothLanguages(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		b := adminBrowser(t, lang)
		b.desk.mailState().captured = true
		l := c.For(lang)
		pages := map[string]response{}
		for path, status := range map[string]int{
			"/admin": http.StatusOK, "/admin/outbox": http.StatusOK, "/admin/outbox?status=pending": http.StatusOK,
			"/admin/outbox?status=nonsense": http.StatusBadRequest, "/admin/outbox/3": http.StatusOK,
			"/admin/outbox/1": http.StatusOK, "/admin/outbox/99": http.StatusNotFound,
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
			if !strings.Contains(res.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not in %s", lang, path, lang)
			}
		}
		wantContains(t, pages["/admin"].body, `<a href="/admin/outbox">`+l.Text("ui.outbox.heading")+`</a>`)
		wantContains(t, pages["/admin/outbox"].body, l.Text("ui.outbox.captured"),
			l.Text("ui.outbox.kind.reply"), l.Text("ui.outbox.kind.auto_reply"), l.Text("ui.outbox.kind.notification"),
			`<span class="badge">`+l.Text("ui.outbox.status.pending")+`</span>`,
			`<span class="state">`+l.Text("ui.outbox.status.sent")+`</span>`,
			`<span class="badge breached">`+l.Text("ui.outbox.status.bounced")+`</span>`)
		wantContains(t, pages["/admin/outbox/3"].body, l.Text("ui.outbox.download"), l.Text("ui.outbox.raw"))
	}
	de, en := c.For("de"), c.For("en")
	if got := de.Text("ui.outbox.captured"); got != "kizdesk dev behält Mail hier, statt sie zu senden: nichts auf dieser Seite hat diesen Rechner verlassen." {
		t.Errorf("de captured notice: %q", got)
	}
	if got := en.Text("ui.outbox.captured"); got != "kizdesk dev keeps mail here instead of sending it: nothing on this page left this machine." {
		t.Errorf("en captured notice: %q", got)
	}
	// Every status the filter offers and every kind of mail has a word
	// of its own in each language.
	for _, l := range []*i18n.Localizer{de, en} {
		for _, st := range desk.OutboxStatuses {
			if _, ok := outStatusTexts[st]; !ok || !l.Has(outStatusTexts[st]) {
				t.Errorf("%s: status %q has no text", l.Lang(), st)
			}
		}
		for _, k := range []string{models.OutReply, models.OutAutoReply, models.OutReject, models.OutNotification} {
			if _, ok := outKindTexts[k]; !ok || !l.Has(outKindTexts[k]) {
				t.Errorf("%s: kind %q has no text", l.Lang(), k)
			}
		}
		for _, k := range desk.NotifyKinds {
			if _, ok := notifyKindTexts[k.Kind]; !ok || !l.Has(notifyKindTexts[k.Kind]) {
				t.Errorf("%s: notification %q has no text", l.Lang(), k.Kind)
			}
		}
	}
}

// TestOutboxList: the table newest first with what a mail is and where
// it stands, the ticket linked; a hostile subject shows as text; no
// notice unless the desk keeps its mail.
func TestOutboxList(t *testing.T) {
	b := adminBrowser(t, "en")
	st := b.desk.mailState()
	st.mails[1].Subject = `<script>alert("outbox")</script>`
	st.mails[1].Recipients = `"<img src=x onerror=alert(1)>" <x@example.org>`
	res := b.get("/admin/outbox")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body,
		`<a href="/agent/tickets/`+testNumber+`">`+testNumber+`</a>`,
		`<td>dial tcp 192.0.2.25:25: connect: connection refused</td>`,
		`<td>550 5.1.1 no such user</td>`,
		`<td><a href="/admin/outbox/2">2026-11-27 09:30</a></td>`, // the desk's zone (UTC here)
		`<td>2026-11-27 09:31</td>`,                               // sent
		`&lt;script&gt;alert(&#34;outbox&#34;)&lt;/script&gt;`,
		`&lt;img src=x onerror=alert(1)&gt;`,
		`href="/admin/outbox/3"`, `href="/admin/outbox/1"`)
	for _, bad := range []string{"<script>alert", "<img src=x", "kizdesk dev keeps mail"} {
		if strings.Contains(res.body, bad) {
			t.Errorf("the Outbox shows %q", bad)
		}
	}
	// Newest first: the desk's order, kept.
	ids := regexp.MustCompile(`<td><a href="/admin/outbox/(\d+)">\d{4}-`).FindAllStringSubmatch(res.body, -1)
	var order []string
	for _, m := range ids {
		order = append(order, m[1])
	}
	if !slices.Equal(order, []string{"3", "2", "1"}) {
		t.Errorf("rows in order %v, want 3 2 1", order)
	}
	if strings.Contains(res.body, `rel="next"`) {
		t.Errorf("a next link on the only page")
	}
}

// TestOutboxFilterAndPaging: the status filter goes to the desk and is
// kept by the next-page link; ?before= pages on; a status the desk does
// not know is a 400 with the field's problem; a malformed before is not
// found.
func TestOutboxFilterAndPaging(t *testing.T) {
	b := adminBrowser(t, "en")
	st := b.desk.mailState()
	st.pageSize = 2
	res := b.get("/admin/outbox")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `<a href="/admin/outbox?before=2" rel="next">Older mail</a>`)
	res = b.get("/admin/outbox?before=2")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `href="/admin/outbox/1"`)
	if strings.Contains(res.body, `href="/admin/outbox/3"`) || strings.Contains(res.body, `rel="next"`) {
		t.Errorf("the second page shows the first's mail or a next link:\n%s", res.body)
	}

	// Two pending mails, a page of one: the next link keeps the filter.
	st.mails = append([]models.MailMessage{{ID: 4, Kind: models.OutReply, Status: models.OutPending, Recipients: "x@example.org", CreatedAt: testTime}}, st.mails...)
	st.pageSize = 1
	res = b.get("/admin/outbox?status=pending")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `<option value="pending" selected>waiting</option>`, `href="/admin/outbox/4"`,
		`<a href="/admin/outbox?before=4&amp;status=pending" rel="next">`)
	res = b.get("/admin/outbox?before=4&status=pending")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `href="/admin/outbox/3"`)
	for _, other := range []string{`href="/admin/outbox/4"`, `href="/admin/outbox/2"`, `href="/admin/outbox/1"`} {
		if strings.Contains(res.body, other) {
			t.Errorf("the second page of pending mail shows %s", other)
		}
	}
	st.mails = st.mails[1:]
	st.pageSize = 50

	res = b.get("/admin/outbox?status=" + url.QueryEscape("<b>sent</b>"))
	wantStatus(t, res, http.StatusBadRequest)
	wantContains(t, res.body, `<p class="alert" role="alert">Please correct the marked fields.</p>`,
		`<p class="field-error">Please choose one of the offered values.</p>`, `<option value="">all</option>`)
	if strings.Contains(res.body, "<b>sent</b>") {
		t.Errorf("the refused filter is echoed unescaped")
	}
	st.mu.Lock()
	got := slices.Clone(st.outboxes)
	st.mu.Unlock()
	want := []desk.OutboxRequest{{}, {Before: 2}, {Status: "pending"}, {Status: "pending", Before: 4}, {Status: "<b>sent</b>"}}
	if !slices.Equal(got, want) {
		t.Errorf("the desk got %+v, want %+v", got, want)
	}
	wantStatus(t, b.get("/admin/outbox?before=x"), http.StatusNotFound)
	wantStatus(t, b.get("/admin/outbox?before=-1"), http.StatusNotFound)

	// Refused by the desk (not an admin): the admin pages' 403.
	b.desk.errs["Outbox"] = desk.ErrForbidden
	wantStatus(t, b.get("/admin/outbox"), http.StatusForbidden)
	b.desk.errs["OutboxMail"] = desk.ErrForbidden
	wantStatus(t, b.get("/admin/outbox/3"), http.StatusForbidden)
	wantStatus(t, b.get("/admin/outbox/3/raw"), http.StatusForbidden)
}

// TestOutboxMail: one mail's header fields and its raw form as escaped
// text; the .eml download is an attachment in a sandbox that is never
// sniffed; an unknown id is not found.
func TestOutboxMail(t *testing.T) {
	b := adminBrowser(t, "en")
	st := b.desk.mailState()
	raw := "Message-ID: <3@kizdesk.example>\r\nSubject: hi\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n"
	st.mails[0].Raw = []byte(raw)
	res := b.get("/admin/outbox/3")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, "<h1>Re: Printer jams</h1>", "<dd>carl@example.org</dd>", "<dd>&lt;3@kizdesk.example&gt;</dd>",
		`<span class="badge">waiting</span>`, "<dd>3</dd>", "<dd>dial tcp 192.0.2.25:25: connect: connection refused</dd>",
		`<a href="/admin/outbox/3/raw" download>Download as .eml</a>`,
		`<pre class="raw">Message-ID: &lt;3@kizdesk.example&gt;`, `&lt;script&gt;alert(1)&lt;/script&gt;`,
		`<a href="/agent/tickets/`+testNumber+`">`)
	if strings.Contains(res.body, "<script>alert(1)") {
		t.Errorf("the raw mail is rendered, not shown")
	}

	res = b.get("/admin/outbox/3/raw")
	wantStatus(t, res, http.StatusOK)
	for h, want := range map[string]string{
		"Content-Type":            "message/rfc822",
		"Content-Disposition":     "attachment; filename=kizdesk-mail-3.eml",
		"Content-Security-Policy": "sandbox",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := res.header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	if res.body != raw {
		t.Errorf("the download is %q, want the raw mail", res.body)
	}
	for _, path := range []string{"/admin/outbox/99", "/admin/outbox/99/raw", "/admin/outbox/x", "/admin/outbox/0/raw", "/admin/outbox/-3"} {
		wantStatus(t, b.get(path), http.StatusNotFound)
	}
}

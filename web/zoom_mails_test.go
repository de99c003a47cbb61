package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestZoomShowsMails: the zoom lists the ticket's mails going out —
// when, what, to whom, where delivery stands, and why it is stuck —
// only when there are any, and never their raw form.
func TestZoomShowsMails(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	zoom := "/agent/tickets/" + testNumber

	page := b.get(zoom)
	wantStatus(t, page, http.StatusOK)
	if strings.Contains(page.body, `id="mails"`) {
		t.Errorf("a ticket without mails shows the mails section")
	}

	sent := testTime.Add(time.Minute)
	b.setTicket(func(d *desk.TicketDetail) {
		d.Mails = []models.MailMessage{
			{ID: 2, Kind: models.OutAutoReply, Recipients: "carl@example.org", Status: models.OutSent, Attempts: 1, CreatedAt: testTime, SentAt: &sent,
				Raw: []byte("RAW-MAIL-NEVER-SHOWN")},
			{ID: 3, Kind: models.OutReply, Recipients: "carl@example.org", Status: models.OutPending, Attempts: 3,
				LastError: "dial tcp 192.0.2.25:25: connect: connection refused", CreatedAt: testTime},
			{ID: 4, Kind: models.OutReply, Recipients: "<script>x</script>@example.org", Status: models.OutFailed, Attempts: 1,
				LastError: "550 5.7.1 <relaying denied>", CreatedAt: testTime},
			{ID: 5, Kind: models.OutReject, Recipients: "", Status: models.OutNoMail, LastError: "the customer has no address", CreatedAt: testTime},
		}
	})
	page = b.get(zoom)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `<section id="mails">`, "<h2>Mails sent</h2>",
		// In the desk's zone (Berlin), with the status's word and look.
		`<span class="when">2026-11-27 10:30</span> · auto-reply · to carl@example.org · <span class="state">sent</span></li>`,
		`reply · to carl@example.org · <span class="badge">waiting</span>: <span class="last-error">dial tcp 192.0.2.25:25: connect: connection refused (3 attempts)</span>`,
		`to &lt;script&gt;x&lt;/script&gt;@example.org · <span class="badge breached">failed</span>: <span class="last-error">550 5.7.1 &lt;relaying denied&gt; (1 attempt)</span>`,
		`reject · <span class="state">no mail</span>: <span class="last-error">the customer has no address</span></li>`)
	for _, bad := range []string{"RAW-MAIL-NEVER-SHOWN", "<script>x", "/admin/outbox"} {
		if strings.Contains(page.body, bad) {
			t.Errorf("the zoom shows %q", bad)
		}
	}

	// In German too.
	b.acceptLanguage = "de"
	page = b.get(zoom)
	wantContains(t, page.body, "<h2>Gesendete Mails</h2>", `<span class="when">27.11.2026 10:30</span> · automatische Antwort · an carl@example.org · <span class="state">gesendet</span>`,
		`<span class="badge">wartet</span>: <span class="last-error">dial tcp 192.0.2.25:25: connect: connection refused (3 Versuche)</span>`,
		`(1 Versuch)`)
	if keys := rawKeyRE.FindAllString(page.body, -1); len(keys) > 0 {
		t.Errorf("untranslated %q", keys)
	}
}

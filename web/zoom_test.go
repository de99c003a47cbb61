package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

var articleRE = regexp.MustCompile(`<details class="article (visible|internal)" id="article-(\d+)"( open)?>\s*<summary><span class="audience">([^<]*)</span>`)

// TestZoomTimeline: the articles are folding boxes that say in words who
// sees them; a long ticket shows its newest ones unfolded; the agent may
// turn the order round.
func TestZoomTimeline(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	b.setTicket(func(d *desk.TicketDetail) {
		d.Articles = nil
		for i := 1; i <= 12; i++ {
			d.Articles = append(d.Articles, models.Article{Seq: i, Kind: string(ticket.ArticleInternalNote), CustomerVisible: i%2 == 0,
				Author: "Anna", Body: fmt.Sprintf("Text %d", i), CreatedAt: time.Date(2026, 11, 2, 8, i, 0, 0, time.UTC)})
		}
	})
	for _, tc := range []struct {
		query string
		first int
	}{{"", 1}, {"?articles=newest", 12}} {
		page := b.get("/agent/tickets/" + testNumber + tc.query)
		wantStatus(t, page, http.StatusOK)
		m := articleRE.FindAllStringSubmatch(page.body, -1)
		if len(m) != 12 {
			t.Fatalf("%q: %d articles in the timeline, want 12", tc.query, len(m))
		}
		if m[0][2] != fmt.Sprint(tc.first) {
			t.Errorf("%q: the timeline starts with article %s, want %d", tc.query, m[0][2], tc.first)
		}
		for _, a := range m {
			var seq int
			fmt.Sscan(a[2], &seq)
			if open := a[3] != ""; open != (seq > 7) {
				t.Errorf("%q: article %d open=%v; only the newest five should be", tc.query, seq, open)
			}
			want := map[bool]string{true: "visible", false: "internal"}[seq%2 == 0]
			label := map[bool]string{true: "visible to customer", false: "Internal"}[seq%2 == 0]
			if a[1] != want || a[4] != label {
				t.Errorf("%q: article %d is %s labelled %q, want %s labelled %q", tc.query, seq, a[1], a[4], want, label)
			}
		}
	}
	page := b.get("/agent/tickets/" + testNumber + "?articles=newest")
	wantContains(t, page.body, `<a href="?articles=oldest#articles">Show oldest first</a>`)
	// The order chosen stays for the session, until chosen again.
	for _, tc := range []struct {
		query string
		first string
	}{{"", "12"}, {"?articles=oldest", "1"}, {"", "1"}} {
		m := articleRE.FindStringSubmatch(b.get("/agent/tickets/" + testNumber + tc.query).body)
		if m == nil || m[2] != tc.first {
			t.Errorf("%q after a choice: the timeline starts with %v, want article %s", tc.query, m, tc.first)
		}
	}
}

// TestZoomFormErrorsFocused: a form sent back with errors opens its box
// and carries the one autofocus of the page, so the browser scrolls to it
// wherever the box sits.
func TestZoomFormErrorsFocused(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	page := b.get("/agent/tickets/" + testNumber)
	if strings.Contains(page.body, "autofocus") {
		t.Error("a fresh zoom takes the focus")
	}
	res, _ := b.postForm("pending", url.Values{"state": {"pending reminder"}, "until": {"not a time"}})
	res = b.follow(res)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, `<details class="card action" id="pending" open>`)
	box := res.body[strings.Index(res.body, `id="pending"`):]
	box = box[:strings.Index(box, "</details>")]
	wantContains(t, box, `<p class="form-errors" role="alert" tabindex="-1" autofocus>This form was not sent: please correct the marked fields below.</p>`)
	if n := strings.Count(res.body, "autofocus"); n != 1 {
		t.Errorf("%d autofocus on the page, want 1", n)
	}
}

// TestZoomLiveSLA: the remaining time carries what zoom.js needs to count
// it down; a paused or breached clock carries nothing to count.
func TestZoomLiveSLA(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	now := time.Now()
	b.setTicket(func(d *desk.TicketDetail) {
		d.SLA = &desk.SLAStatus{Clock: ticket.ClockSolution, Due: now.Add(5 * time.Hour), Left: 2*time.Hour + 15*time.Minute, Working: true}
		d.SLARun = desk.SLARun{Running: true, Until: now.Add(time.Hour), Now: now}
	})
	page := b.get("/agent/tickets/" + testNumber)
	wantContains(t, page.body, `class="sla-left" role="timer" data-left="8100" data-running="true" data-for="3600"`,
		`data-text="{D} working time left"`, `data-hours="{H} h {M} min"`, `>2 h 15 min working time left</strong>`,
		`<script src="/static/zoom.js?v=`)
	for _, st := range []desk.SLAStatus{
		{Clock: ticket.ClockSolution, Paused: true, Left: time.Hour},
		{Clock: ticket.ClockSolution, Breached: true, Due: now.Add(-time.Hour)},
	} {
		b.setTicket(func(d *desk.TicketDetail) { d.SLA = &st })
		if page := b.get("/agent/tickets/" + testNumber); strings.Contains(page.body, "data-left") {
			t.Errorf("%+v: the page counts down a clock that stands", st)
		}
	}
}

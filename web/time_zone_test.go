package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
)

// An agent's own time zone over the fake desk: chosen on the preferences
// page, then every time on their pages is shown in it and every time they
// type is read in it; a zone that does not load is refused at the field.
func TestAgentTimeZone(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	csrf := b.login()
	reminder := time.Date(2026, 1, 16, 7, 0, 0, 0, time.UTC) // 08:00 in Berlin, 02:00 in New York
	b.setTicket(func(d *desk.TicketDetail) {
		d.Ticket.State, d.Ticket.PendingUntil, d.Ticket.ReminderDue = "pending reminder", &reminder, &reminder
	})

	// The select shows each zone's offset now (it changes with summer time).
	offset := func(name string) string {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		// html/template writes a plus as &#43;.
		return strings.ReplaceAll("UTC"+time.Now().In(loc).Format("-07:00"), "+", "&#43;")
	}
	berlinNow, newYorkNow := offset("Europe/Berlin"), offset("America/New_York")

	// Before choosing: the desk's zone.
	page := b.get("/agent/preferences")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `action="/agent/preferences/time-zone"`, "<h2>Time zone</h2>", "Now: Europe/Berlin.",
		`<option value="" selected>As the service desk (Europe/Berlin, `+berlinNow+`)</option>`,
		`<option value="America/New_York">America/New_York (`+newYorkNow+`)</option>`, `<option value="UTC">UTC (UTC&#43;00:00)</option>`)
	zoom := b.get("/agent/tickets/" + testNumber).body
	wantContains(t, zoom, `<dt>Pending until</dt><dd><time>2026-01-16 08:00</time></dd>`, "Times in Europe/Berlin.",
		`name="until" type="datetime-local" value="2026-01-16T08:00"`)

	res := b.post("/agent/preferences/time-zone", url.Values{"csrf_token": {csrf}, "time_zone": {"America/New_York"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/preferences" {
		t.Errorf("saved, then to %q", loc)
	}
	if n := b.desk.called("SetTimeZone"); n != 1 {
		t.Fatalf("the desk was asked to store the zone %d times, want once", n)
	}
	page = b.get("/agent/preferences")
	wantContains(t, page.body, `<p class="flash" role="status">Time zone saved.</p>`, "Now: America/New_York.",
		`<option value="America/New_York" selected>America/New_York (`+newYorkNow+`)</option>`,
		`<option value="">As the service desk (Europe/Berlin, `+berlinNow+`)</option>`)

	// The zoom speaks New York: the facts, the hint, the forms' values and labels.
	zoom = b.get("/agent/tickets/" + testNumber).body
	wantContains(t, zoom, `<dt>Pending until</dt><dd><time>2026-01-16 02:00</time></dd>`, "Times in America/New_York.",
		`name="until" type="datetime-local" value="2026-01-16T02:00"`, "(America/New_York)</span></label>")
	for _, stale := range []string{"Europe/Berlin", "2026-01-16 08:00"} {
		if strings.Contains(zoom, stale) {
			t.Errorf("the zoom in New York time still shows %q", stale)
		}
	}

	// What the agent types is read in New York, winter and summer time.
	for _, tc := range []struct {
		until string
		want  time.Time
	}{
		{"2026-12-01T09:00", time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)}, // EST, UTC-5
		{"2027-07-01T09:00", time.Date(2027, 7, 1, 13, 0, 0, 0, time.UTC)},  // EDT, UTC-4
	} {
		res, _ := b.postForm("pending", url.Values{"state": {"pending reminder"}, "until": {tc.until}})
		wantStatus(t, res, http.StatusSeeOther)
		reqs := requestsOf[desk.PendingRequest](b.desk, "SetPending")
		if got := reqs[len(reqs)-1].Until; !got.Equal(tc.want) {
			t.Errorf("until %q reached the desk as %s, want %s", tc.until, got.UTC(), tc.want)
		}
	}
	wantContains(t, b.get("/agent/tickets/"+testNumber).body, "Ticket set to pending reminder until 2027-07-01 09:00.")
	res, _ = b.postForm("notes", url.Values{"kind": {"internal note"}, "body": {"later"}, "next_state": {"pending reminder"}, "next_until": {"2026-12-01T09:00"}})
	wantStatus(t, res, http.StatusSeeOther)
	if notes := b.desk.notes; len(notes) != 1 || !notes[0].NextUntil.Equal(time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("a note's next state until reached the desk as %+v", notes)
	}
	// Search date ranges are days in the agent's zone.
	wantStatus(t, b.get("/agent/search?q=jams&from=2026-12-01&to=2026-12-02"), http.StatusOK)
	if s := requestsOf[desk.SearchRequest](b.desk, "Search"); len(s) == 0 || s[len(s)-1].Loc.String() != "America/New_York" {
		t.Errorf("search read its dates in %v", s)
	}

	// A zone that does not load: refused at the field, kept as sent,
	// nothing stored.
	res = b.post("/agent/preferences/time-zone", url.Values{"csrf_token": {csrf}, "time_zone": {"Mars/Olympus_Mons"}})
	page = b.follow(res)
	wantStatus(t, page, http.StatusUnprocessableEntity)
	wantContains(t, page.body, "Please correct the marked fields.", `<option value="Mars/Olympus_Mons" selected>Mars/Olympus_Mons</option>`,
		`<p class="field-error" id="time-zone-error">Not found.</p>`, "Now: America/New_York.")
	if a := b.desk.agents[7]; a.TimeZone != "America/New_York" {
		t.Errorf("after a refused zone the agent has %q", a.TimeZone)
	}

	// Back to the desk's zone, in German.
	res = b.post("/agent/preferences/time-zone", url.Values{"csrf_token": {csrf}, "time_zone": {""}})
	wantStatus(t, res, http.StatusSeeOther)
	b.post("/language", url.Values{"csrf_token": {csrf}, "lang": {"de"}, "next": {"/agent/preferences"}})
	page = b.get("/agent/preferences")
	wantContains(t, page.body, "<h2>Zeitzone</h2>", "Zurzeit: Europe/Berlin.", `<option value="" selected>Wie der Servicedesk (Europe/Berlin, `+berlinNow+`)</option>`)
	wantContains(t, b.get("/agent/tickets/"+testNumber).body, `<time>16.01.2026 08:00</time>`)
}

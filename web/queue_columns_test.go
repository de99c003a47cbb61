package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestQueueColumnsAndHeaders: the queue view shows the columns the agent
// chose, each header that has an order links to the view sorted by it
// (filters kept) and says which one sorts now; a choice of none comes
// back with the form open.
func TestQueueColumnsAndHeaders(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	b.desk.tickets[otherNumber] = desk.TicketDetail{Ticket: reminderRow()}
	page := b.get("/agent/queues/3?state=new&customer=anton")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body,
		`<th scope="col" aria-sort="descending"><a href="/agent/queues/3?customer=anton&amp;sort=priority&amp;state=new">Priority <span aria-hidden="true">▼</span></a></th>`,
		`<th scope="col"><a href="/agent/queues/3?customer=anton&amp;sort=due&amp;state=new">Solution due</a></th>`,
		`<th scope="col"><a href="/agent/queues/3?customer=anton&amp;sort=oldest&amp;state=new">Age</a></th>`,
		`<th scope="col">Customer</th>`,
		`<td class="title" title="Call back about &lt;VPN&gt;"><span class="cut">Call back about &lt;VPN&gt;</span></td>`,
		`<input type="hidden" name="back" value="/agent/queues/3?customer=anton&amp;state=new">`)
	if strings.Contains(page.body, `<th scope="col">Last changed</th>`) {
		t.Error("a column shown that is not among the default ones")
	}
	// Sorted by age, oldest first: a click turns it round.
	page = b.get("/agent/queues/3?sort=oldest")
	wantContains(t, page.body, `<th scope="col" aria-sort="ascending"><a href="/agent/queues/3?sort=newest">Age <span aria-hidden="true">▲</span></a></th>`)

	csrf := hidden(t, csrfRE, page.body)
	res := b.post("/agent/preferences/queue-columns", url.Values{"csrf_token": {csrf}, "column": {"updated", "queue"}, "back": {"/agent/queues/3?state=new"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/queues/3?state=new" {
		t.Errorf("back to %q, want the queue view with its filter", loc)
	}
	page = b.follow(res)
	wantContains(t, page.body, "Columns saved.", `<a href="/agent/queues/3?sort=updated&amp;state=new">Last changed</a></th>`, `<th scope="col">Queue</th>`,
		`<input type="checkbox" name="column" value="queue" checked> Queue</label>`)
	if strings.Contains(page.body, `<th scope="col">Customer</th>`) {
		t.Error("a column shown that the agent took away")
	}

	res = b.post("/agent/preferences/queue-columns", url.Values{"csrf_token": {csrf}, "back": {"/agent/queues/3"}})
	page = b.follow(res)
	wantStatus(t, page, http.StatusUnprocessableEntity)
	wantContains(t, page.body, `<details class="columns" open>`, `<p class="form-errors" role="alert" tabindex="-1" autofocus>`,
		`<p class="field-error">Required.</p>`)
}

// TestQueueFilters: the filters reach the desk, stay in the form and in
// the header links; a filter that is no number is refused before.
func TestQueueFilters(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	page := b.get("/agent/queues/3?service_id=11&type_id=1&priority_id=3&level=2nd+level&customer=anton")
	wantStatus(t, page, http.StatusOK)
	got := requestsOf[desk.QueueViewRequest](b.desk, "QueueView")
	want := desk.QueueViewRequest{ServiceID: 11, TypeID: 1, PriorityID: 3, Level: string(models.LevelSecond), Customer: "anton"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("desk got %+v, want %+v", got, want)
	}
	wantContains(t, page.body, `<option value="2nd level" selected>`, `<input id="view-customer" name="customer" value="anton"`)
	res := b.get("/agent/queues/3?service_id=eleven")
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if n := b.desk.called("QueueView"); n != 1 {
		t.Errorf("a bad filter reached the desk (%d calls)", n)
	}
}

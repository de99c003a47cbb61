package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/workflows"
)

// Tests of the lifecycle actions beyond notes and closing: the zoom's
// action forms, the reminders page, and their API.

const otherNumber = "2026112710000025"

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// formKeys returns the CSRF token and request key of the zoom's form that
// posts to action, failing the test when the page has no such form.
func formKeys(t *testing.T, page, action string) (csrf, key string) {
	t.Helper()
	m := regexp.MustCompile(`action="` + regexp.QuoteMeta(action) + `"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)">\s*<input type="hidden" name="request_key" value="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form posting to %s with csrf_token and request_key in page:\n%s", action, page)
	}
	return m[1], m[2]
}

// setTicket changes the fake's ticket before a page is read.
func (b *browser) setTicket(change func(d *desk.TicketDetail)) {
	d := b.desk.tickets[testNumber]
	change(&d)
	b.desk.tickets[testNumber] = d
}

// postForm posts the zoom's form for action with the form's own CSRF token
// and request key plus fields, and returns the response and the key.
func (b *browser) postForm(action string, fields url.Values) (response, string) {
	b.t.Helper()
	page := b.get("/agent/tickets/" + testNumber).body
	csrf, key := formKeys(b.t, page, "/agent/tickets/"+testNumber+"/"+action)
	form := url.Values{"csrf_token": {csrf}, "request_key": {key}}
	for k, v := range fields {
		form[k] = v
	}
	return b.post("/agent/tickets/"+testNumber+"/"+action, form), key
}

func TestActionFormsCallTheDesk(t *testing.T) {
	closed := func(d *desk.TicketDetail) { d.Ticket.State = string(ticket.StateClosedSuccessful) }
	secondLevel := func(d *desk.TicketDetail) { d.Ticket.Level, d.Ticket.QueueID = models.LevelSecond, 4 }
	for _, tc := range []struct {
		name, action string
		prepare      func(*desk.TicketDetail)
		fields       url.Values
		method       string
		want         func(key string) any
		flash        string
	}{
		{"reply", "replies", nil, url.Values{"subject": {"Re: Printer"}, "body": {"Use tray 2.\r\nRegards"}}, "Reply",
			func(k string) any {
				return desk.ReplyRequest{RequestKey: k, Subject: "Re: Printer", Body: "Use tray 2.\nRegards"}
			}, "Reply sent."},
		{"assign", "assign", nil, url.Values{"owner_id": {"8"}, "responsible_id": {""}}, "Assign",
			func(k string) any { return desk.AssignRequest{RequestKey: k, OwnerID: 8} }, "Owner and responsible saved."},
		{"lock", "lock", nil, url.Values{"locked": {"true"}}, "Lock",
			func(k string) any { return desk.LockRequest{RequestKey: k, Locked: true} }, "Ticket locked."},
		{"unlock", "lock", func(d *desk.TicketDetail) { d.Ticket.Locked = true }, url.Values{"locked": {"false"}}, "Lock",
			func(k string) any { return desk.LockRequest{RequestKey: k} }, "Ticket unlocked."},
		{"watch myself", "watch", nil, url.Values{"agent_id": {""}, "watch": {"true"}}, "Watch",
			func(k string) any { return desk.WatchRequest{RequestKey: k, Watch: true} }, "Watcher added."},
		{"unwatch another", "watch", nil, url.Values{"agent_id": {"8"}, "watch": {"false"}}, "Watch",
			func(k string) any { return desk.WatchRequest{RequestKey: k, AgentID: 8} }, "Watcher removed."},
		{"move", "move", nil, url.Values{"queue_id": {"4"}}, "Move",
			func(k string) any { return desk.MoveRequest{RequestKey: k, QueueID: 4} }, "Ticket moved to Netz 2nd."},
		{"escalate", "escalate", nil, url.Values{"queue_id": {"5"}, "note": {"printer team please"}}, "Escalate",
			func(k string) any {
				return desk.EscalateRequest{RequestKey: k, QueueID: 5, Note: "printer team please"}
			},
			"Ticket escalated to Team Druck."},
		{"hand back", "hand-back", secondLevel, url.Values{"note": {"not ours"}}, "HandBack",
			func(k string) any { return desk.HandBackRequest{RequestKey: k, Note: "not ours"} }, "Ticket handed back"},
		{"classify", "classify", nil, url.Values{"service_id": {""}, "type_id": {"2"}, "priority_id": {"4"}}, "Classify",
			func(k string) any { return desk.ClassifyRequest{RequestKey: k, TypeID: 2, PriorityID: 4} },
			"Service, type and priority saved."},
		{"reopen", "reopen", closed, url.Values{"note": {"customer called again"}}, "Reopen",
			func(k string) any { return desk.ReopenRequest{RequestKey: k, Note: "customer called again"} }, "Ticket reopened."},
		{"merge", "merge", nil, url.Values{"into": {" " + otherNumber + " "}}, "Merge",
			func(k string) any { return desk.MergeRequest{RequestKey: k, Into: otherNumber} }, "Ticket merged into " + otherNumber + "."},
		{"link a closed ticket", "links", closed, url.Values{"other": {otherNumber}}, "Link",
			func(k string) any { return desk.LinkRequest{RequestKey: k, Other: otherNumber} }, "Ticket linked with " + otherNumber + "."},
		{"link", "links", nil, url.Values{"other": {otherNumber}}, "Link",
			func(k string) any { return desk.LinkRequest{RequestKey: k, Other: otherNumber} }, "Ticket linked with " + otherNumber + "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, Options{})
			b.login()
			if tc.prepare != nil {
				b.setTicket(tc.prepare)
			}
			res, key := b.postForm(tc.action, tc.fields)
			wantStatus(t, res, http.StatusSeeOther)
			if loc := res.header.Get("Location"); loc != "/agent/tickets/"+testNumber {
				t.Errorf("redirected to %q, want the zoom", loc)
			}
			got := b.desk.requests[tc.method]
			if len(got) != 1 {
				t.Fatalf("%s called %d times, want once", tc.method, len(got))
			}
			if want := tc.want(key); !reflect.DeepEqual(got[0], want) {
				t.Errorf("desk got %#v\nwant %#v", got[0], want)
			}
			wantContains(t, b.get(res.header.Get("Location")).body, tc.flash)
		})
	}
}

func TestPendingFormReadsTheDesksZone(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	for _, tc := range []struct {
		until string
		want  time.Time
	}{
		{"2026-12-01T09:30", time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)}, // CET, UTC+1
		{"2027-07-01T09:30", time.Date(2027, 7, 1, 7, 30, 0, 0, time.UTC)},  // CEST, UTC+2
		{"2027-07-01 18:05", time.Date(2027, 7, 1, 16, 5, 0, 0, time.UTC)},  // typed into a text field
		{"01.07.2027 18:05", time.Date(2027, 7, 1, 16, 5, 0, 0, time.UTC)},  // as Germans write it
		{"1.7.2027 18:05", time.Date(2027, 7, 1, 16, 5, 0, 0, time.UTC)},
		{"2026-12-01T09:30:15", time.Date(2026, 12, 1, 8, 30, 15, 0, time.UTC)}, // with seconds
	} {
		res, key := b.postForm("pending", url.Values{"state": {"pending reminder"}, "until": {tc.until}, "note": {"waiting for the customer"}})
		wantStatus(t, res, http.StatusSeeOther)
		reqs := requestsOf[desk.PendingRequest](b.desk, "SetPending")
		got := reqs[len(reqs)-1]
		if !got.Until.Equal(tc.want) {
			t.Errorf("until %q reached the desk as %s, want %s", tc.until, got.Until.UTC(), tc.want)
		}
		if got.RequestKey != key || got.State != "pending reminder" || got.Note != "waiting for the customer" {
			t.Errorf("desk got %+v", got)
		}
	}
	wantContains(t, b.get("/agent/tickets/"+testNumber).body, "Ticket set to pending reminder until 2026-12-01 09:30.")
}

func TestPendingFormUnreadableTime(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	res, key := b.postForm("pending", url.Values{"state": {"pending auto close-"}, "until": {"next tuesday"}, "note": {"wait <here>"}})
	res = b.follow(res)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if n := b.desk.called("SetPending"); n != 0 {
		t.Errorf("SetPending called %d times with an unreadable time", n)
	}
	wantContains(t, res.body,
		"Please correct the marked fields.",
		`<details class="card action" id="pending" open>`,
		`<option value="pending auto close-" selected>`,
		`value="next tuesday"`,
		`<p class="field-error">Not a date and time (YYYY-MM-DD HH:MM).</p>`,
		"rows=\"3\">\nwait &lt;here&gt;</textarea>",
		"(Europe/Berlin)")
	if _, again := formKeys(t, res.body, "/agent/tickets/"+testNumber+"/pending"); again != key {
		t.Errorf("request key changed on re-render: %q, want %q", again, key)
	}
}

func TestActionFieldErrors(t *testing.T) {
	t.Run("from the desk", func(t *testing.T) {
		b := newBrowser(t, Options{})
		b.login()
		b.desk.errs["Assign"] = desk.FieldErrors{"owner_id": ticket.P(ticket.FieldUnknown)}
		res, _ := b.postForm("assign", url.Values{"owner_id": {"8"}, "responsible_id": {"7"}})
		res = b.follow(res)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, res.body,
			`<details class="card action" id="people" open>`,
			`<select id="assign-owner" name="owner_id">`,
			`</select><p class="field-error">Not found.</p>
  <label for="assign-responsible">`,
			`<option value="8" selected>Bert Second</option>`,
			`<option value="7" selected>Anna Agent</option>`)
		if got := requestsOf[desk.AssignRequest](b.desk, "Assign"); len(got) != 1 || got[0].OwnerID != 8 || got[0].ResponsibleID != 7 {
			t.Errorf("desk got %+v", got)
		}
	})
	t.Run("found by the web", func(t *testing.T) {
		b := newBrowser(t, Options{})
		b.login()
		res, _ := b.postForm("assign", url.Values{"owner_id": {"eight"}})
		res = b.follow(res)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, res.body, `</select><p class="field-error">Please choose one of the offered values.</p>
  <label for="assign-responsible">`)
		res, _ = b.postForm("lock", nil)
		res = b.follow(res)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, res.body, `<details class="card action" id="people" open>`,
			`Lock (and own it)</button><p class="field-error">Please choose one of the offered values.</p>`)
		if n := b.desk.called("Assign") + b.desk.called("Lock"); n != 0 {
			t.Errorf("the desk was called %d times with input the web could not read", n)
		}
	})
	t.Run("merge into an unknown ticket", func(t *testing.T) {
		b := newBrowser(t, Options{})
		b.login()
		b.desk.errs["Merge"] = desk.FieldErrors{"into": ticket.P(ticket.FieldUnknown)}
		res, _ := b.postForm("merge", url.Values{"into": {"2099010110000011"}})
		res = b.follow(res)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, res.body, `<details class="card action" id="merge-link" open>`, `value="2099010110000011"`,
			`value="2099010110000011" inputmode="numeric" pattern="[0-9]+" required><p class="field-error">Not found.</p>`)
	})
}

func TestActionRejected(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	b.desk.errs["Move"] = &desk.RejectedError{Problem: ticket.P(ticket.RefusedLocked, "Owner", "Bert Second", "Action", "move")}
	res, _ := b.postForm("move", url.Values{"queue_id": {"5"}})
	res = b.follow(res)
	wantStatus(t, res, http.StatusConflict)
	wantContains(t, res.body,
		`<p class="alert" role="alert">The ticket is locked by Bert Second; only they can do “move” until it is unlocked.</p>`,
		`<details class="card action" id="routing" open>`,
		`<option value="5" selected>Team Druck (team)</option>`)

	b.desk.errs["Reply"] = fmt.Errorf("reply: %w", desk.ErrUnavailable)
	res, _ = b.postForm("replies", url.Values{"body": {"x"}})
	wantStatus(t, res, http.StatusServiceUnavailable)
	wantContains(t, res.body, "Reload the ticket")

	delete(b.desk.errs, "Move")
	wantStatus(t, b.post("/agent/tickets/2099010110000011/move", url.Values{
		"csrf_token": {hidden(t, csrfRE, b.get("/agent/queues").body)}, "queue_id": {"4"},
	}), http.StatusNotFound)
}

func TestActionsNeedCSRF(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	paths := []string{"replies", "pending", "assign", "lock", "watch", "move", "escalate", "hand-back", "classify", "reopen", "merge", "links"}
	for _, p := range paths {
		for name, token := range map[string][]string{"missing": nil, "wrong": {"not-the-token"}} {
			form := url.Values{"body": {"x"}, "locked": {"true"}, "watch": {"true"}, "queue_id": {"4"}, "into": {otherNumber},
				"other": {otherNumber}, "state": {"pending reminder"}, "until": {"2099-01-01T10:00"}, "type_id": {"1"}, "priority_id": {"3"}}
			if token != nil {
				form["csrf_token"] = token
			}
			res := b.post("/agent/tickets/"+testNumber+"/"+p, form)
			if res.status != http.StatusForbidden {
				t.Errorf("POST %s with %s token: status %d, want 403", p, name, res.status)
			}
		}
	}
	if len(b.desk.requests) != 0 {
		t.Errorf("the desk got %v without a valid CSRF token", b.desk.requests)
	}
}

// TestActionFormsFollowTheProcess: the zoom offers a form exactly in the
// states whose process allows its action.
func TestActionFormsFollowTheProcess(t *testing.T) {
	forms := map[string]ticket.Action{
		"replies": ticket.ActionReply, "notes": ticket.ActionNote, "pending": ticket.ActionPending,
		"assign": ticket.ActionAssign, "lock": ticket.ActionLock, "watch": ticket.ActionWatch,
		"move": ticket.ActionMove, "escalate": ticket.ActionEscalate, "hand-back": ticket.ActionHandBack,
		"classify": ticket.ActionClassify, "close": ticket.ActionClose, "reopen": ticket.ActionReopen,
		"merge": ticket.ActionMerge, "links": ticket.ActionLink,
	}
	b := newBrowser(t, Options{})
	b.login()
	offered := map[string]int{}
	for _, st := range ticket.AllStates() {
		b.setTicket(func(d *desk.TicketDetail) {
			// At 2nd level, so handing back is possible as far as the level goes.
			d.Ticket.State, d.Ticket.Level, d.Ticket.MergedInto = string(st), models.LevelSecond, ""
			if st == ticket.StateMerged {
				d.Ticket.MergedInto = otherNumber
			}
		})
		res := b.get("/agent/tickets/" + testNumber)
		wantStatus(t, res, http.StatusOK)
		for path, act := range forms {
			shown := strings.Contains(res.body, `action="/agent/tickets/`+testNumber+`/`+path+`"`)
			if want := workflows.Allows(st, act); shown != want {
				t.Errorf("state %q: form %s shown=%v, but the process allows %s: %v", st, path, shown, act, want)
			}
			if shown {
				offered[path]++
			}
		}
	}
	for path := range forms {
		if offered[path] == 0 {
			t.Errorf("form %s is offered in no state at all", path)
		}
	}

	// A ticket at 1st level cannot be handed back: no form for it.
	b.setTicket(func(d *desk.TicketDetail) { d.Ticket.State, d.Ticket.Level = "open", models.LevelFirst })
	if body := b.get("/agent/tickets/" + testNumber).body; strings.Contains(body, "/hand-back\"") {
		t.Error("a 1st-level ticket offers hand back")
	}
}

func TestZoomShowsLifecycle(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	anna, bert := b.desk.agents[7], b.desk.choices.Agents[1]
	past := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)    // 10:30 in Berlin
	future := time.Date(2099, 1, 2, 7, 0, 0, 0, time.UTC)    // 08:00 in Berlin
	reminder := time.Date(2026, 1, 16, 7, 0, 0, 0, time.UTC) // 08:00 in Berlin
	owner, responsible := int64(8), int64(7)
	b.setTicket(func(d *desk.TicketDetail) {
		t := &d.Ticket
		t.State, t.PendingUntil, t.ReminderDue = "pending reminder", &reminder, &reminder
		t.OwnerID, t.OwnerName, t.ResponsibleID, t.ResponsibleName, t.Locked = &owner, "Bert Second", &responsible, "Anna Agent", true
		t.SLAName, t.FirstResponseDue, t.SolutionDue, t.EscalationDue = "Standard 8x5", &past, &future, &future
		t.UpdateBreached, t.FirstResponseAt, t.EscalatedAt = true, &past, &past
		d.Watchers = []models.Agent{anna, bert}
		d.Linked = []models.TicketRow{{Ticket: models.Ticket{Number: otherNumber, Title: "Scanner too", State: "open"}}}
		d.Merged = []desk.MergedTicket{{
			Ticket:   models.TicketRow{Ticket: models.Ticket{Number: "2026112710000033", Title: "Printer again", State: "merged", MergedInto: testNumber}},
			Articles: []models.Article{{Seq: 1, Kind: "phone note", Author: "Anna Agent", Body: "It jams <again>", CreatedAt: past}},
		}}
		d.History = append(d.History,
			models.HistoryEntry{Seq: 2, Event: ticket.EventPendingTime, ActorKind: "agent", ActorName: "Anna Agent",
				Field: "PendingUntil", NewValue: reminder.Format(time.RFC3339), CreatedAt: past},
			models.HistoryEntry{Seq: 3, Event: ticket.EventLock, ActorKind: "agent", ActorName: "Bert Second",
				Field: "Lock", OldValue: "unlock", NewValue: "lock", CreatedAt: past},
			models.HistoryEntry{Seq: 4, Event: ticket.EventSLABreach, ActorKind: "system", ActorName: "kizdesk",
				Field: "UpdateTime", NewValue: past.Format(time.RFC3339), CreatedAt: past},
			models.HistoryEntry{Seq: 5, Event: ticket.EventMergedIn, ActorKind: "agent", ActorName: "Anna Agent",
				Field: "MergedFrom", NewValue: "2026112710000033", CreatedAt: past},
		)
	})
	res := b.get("/agent/tickets/" + testNumber)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body,
		`<span class="state">pending reminder</span> <span class="badge">reminder reached</span>`,
		`<dt>Pending until</dt><dd><time>2026-01-16 08:00</time></dd>`,
		`<dt>Owner</dt><dd>Bert Second</dd>`, `<dt>Responsible</dt><dd>Anna Agent</dd>`, `<dt>Lock</dt><dd>locked</dd>`,
		`<dt>Watchers</dt><dd>Anna Agent, Bert Second</dd>`, `<option value="" selected>me (watching)</option>`,
		"Bert Second has locked this ticket", `name="locked" value="false">Unlock</button>`,
		// The forms start from the ticket's values.
		`<option value="pending reminder" selected>`, `name="until" type="datetime-local" value="2026-01-16T08:00"`,
		`<option value="8" selected>Bert Second</option>`, `<option value="7" selected>Anna Agent</option>`,
		`<a href="/agent/tickets/`+otherNumber+`">`+otherNumber+`</a> Scanner too`,
		// The SLA box, in Berlin time, the overdue due time marked.
		"SLA: Standard 8x5",
		`<dt>First response due</dt><dd><time class="overdue">2026-01-15 10:30</time> <strong class="overdue">overdue</strong></dd>`,
		`<dt>Update due</dt><dd>— <span class="badge breached">breached</span></dd>`,
		`<dt>Solution due</dt><dd>2099-01-02 08:00</dd>`,
		`<dt>Escalation due</dt><dd>2099-01-02 08:00</dd>`,
		`<dt>First response at</dt><dd>2026-01-15 10:30</dd>`,
		"Times in Europe/Berlin.",
		// The merged ticket stays readable.
		"Merged into this ticket", `<a href="/agent/tickets/2026112710000033">Ticket#2026112710000033</a> Printer again`,
		"It jams &lt;again&gt;",
		// History reads well.
		`<td title="SetPendingTime">Pending time set</td>`, "Pending until: — → 2026-01-16 08:00",
		"Lock: unlocked → locked",
		`<td title="EscalationStart">SLA breached</td>`, `kizdesk <span class="muted">(system)</span>`, "Update due: 2026-01-15 10:30</td>",
		`Merged from: — → <a href="/agent/tickets/2026112710000033">2026112710000033</a>`)

	// The badge follows the working-time due the workflow projects, not
	// the pending time: a reminder set for a Sunday is reached on Monday.
	notYet := time.Now().Add(time.Hour)
	b.setTicket(func(d *desk.TicketDetail) { d.Ticket.ReminderDue = &notYet })
	if body := b.get("/agent/tickets/" + testNumber).body; strings.Contains(body, "reminder reached") {
		t.Error("reminder reached shown before the reminder's working-time due")
	}

	// A merged ticket says where it went and offers nothing.
	b.setTicket(func(d *desk.TicketDetail) { d.Ticket.State, d.Ticket.MergedInto = "merged", otherNumber })
	res = b.get("/agent/tickets/" + testNumber)
	wantContains(t, res.body, `This ticket was merged into <a href="/agent/tickets/`+otherNumber+`">Ticket#`+otherNumber+`</a>.`)
	if strings.Contains(res.body, `<details class="card action"`) {
		t.Error("a merged ticket offers action forms")
	}
}

func reminderRow() models.TicketRow {
	until := time.Date(2026, 1, 20, 8, 0, 0, 0, time.UTC)
	reminderDue := until // inside working hours: due when set
	due := time.Date(2026, 1, 21, 15, 0, 0, 0, time.UTC)
	owner := int64(7)
	return models.TicketRow{
		Ticket: models.Ticket{
			ID: 2, TenantID: 1, Number: otherNumber, Title: "Call back about <VPN>", State: "pending reminder",
			Level: models.LevelFirst, QueueID: 3, TypeID: 1, PriorityID: 3, CustomerID: 5, OwnerID: &owner,
			Channel: "phone", CreatedAt: testTime, UpdatedAt: testTime, PendingUntil: &until, ReminderDue: &reminderDue,
			SolutionDue: &due,
		},
		QueueName: "Helpdesk", TypeName: "Incident", PriorityName: "3 normal", CustomerName: "Carl Customer",
		CustomerLogin: "carl", OwnerName: "Anna Agent",
	}
}

func TestRemindersPage(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	res := b.get("/agent/reminders")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, "No reminder has been reached.", `<a href="/agent/reminders">Reminders</a>`)
	if strings.Contains(b.get("/agent/queues").body, "reached</a>") {
		t.Error("the queue overview announces reminders when there are none")
	}

	b.desk.reminders = []models.TicketRow{reminderRow()}
	res = b.get("/agent/reminders")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body,
		`<a href="/agent/tickets/`+otherNumber+`">`+otherNumber+`</a>`, "Call back about &lt;VPN&gt;",
		`<span class="state">pending reminder</span><br><span class="muted">until <time>2026-01-20 09:00</time></span> <span class="badge">reminder reached</span>`,
		`<time class="overdue">2026-01-21 16:00</time> <strong class="overdue">overdue</strong>`,
		"Anna Agent")
	wantContains(t, b.get("/agent/queues").body, `<a href="/agent/reminders">1 reminder reached</a>`)

	// The queue's list shows the same columns.
	b.desk.tickets[otherNumber] = desk.TicketDetail{Ticket: reminderRow()}
	wantContains(t, b.get("/agent/queues/3").body, "until <time>2026-01-20 09:00</time>", "Solution due</a></th>",
		`<time class="overdue">2026-01-21 16:00</time>`)

	b.desk.errs["RemindersReached"] = fmt.Errorf("pq: connection refused")
	wantStatus(t, b.get("/agent/reminders"), http.StatusInternalServerError)
	wantStatus(t, b.get("/agent/queues"), http.StatusOK)
}

func TestAPIActions(t *testing.T) {
	for _, tc := range []struct {
		path, body, method string
		want               any
	}{
		{"replies", `{"subject":"Re: Printer","body":"Use tray 2."}`, "Reply", desk.ReplyRequest{RequestKey: "k-1", Subject: "Re: Printer", Body: "Use tray 2."}},
		{"assign", `{"owner_id":8,"responsible_id":7}`, "Assign", desk.AssignRequest{RequestKey: "k-1", OwnerID: 8, ResponsibleID: 7}},
		{"lock", `{"locked":false}`, "Lock", desk.LockRequest{RequestKey: "k-1"}},
		{"watch", `{"watch":true}`, "Watch", desk.WatchRequest{RequestKey: "k-1", Watch: true}},
		{"move", `{"queue_id":4}`, "Move", desk.MoveRequest{RequestKey: "k-1", QueueID: 4}},
		{"escalate", `{"queue_id":5,"note":"team"}`, "Escalate", desk.EscalateRequest{RequestKey: "k-1", QueueID: 5, Note: "team"}},
		{"hand-back", `{}`, "HandBack", desk.HandBackRequest{RequestKey: "k-1"}},
		{"classify", `{"service_id":11,"type_id":2,"priority_id":4}`, "Classify", desk.ClassifyRequest{RequestKey: "k-1", ServiceID: 11, TypeID: 2, PriorityID: 4}},
		{"reopen", `{"note":"again"}`, "Reopen", desk.ReopenRequest{RequestKey: "k-1", Note: "again"}},
		{"merge", `{"into":"` + otherNumber + `"}`, "Merge", desk.MergeRequest{RequestKey: "k-1", Into: otherNumber}},
		{"links", `{"other":"` + otherNumber + `"}`, "Link", desk.LinkRequest{RequestKey: "k-1", Other: otherNumber}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			b := newBrowser(t, Options{})
			path := "/api/v1/tickets/" + testNumber + "/" + tc.path
			res := b.api(http.MethodPost, path, testToken, tc.body, "Idempotency-Key", "k-1")
			wantStatus(t, res, http.StatusOK)
			var got map[string]any
			if err := json.Unmarshal([]byte(res.body), &got); err != nil || got["number"] != testNumber {
				t.Errorf("answer %s is not the ticket (%v)", res.body, err)
			}
			if reqs := b.desk.requests[tc.method]; len(reqs) != 1 || !reflect.DeepEqual(reqs[0], tc.want) {
				t.Errorf("desk got %#v\nwant %#v", reqs, tc.want)
			}

			wantStatus(t, b.api(http.MethodPost, path, testToken, `{"nonsense":1}`), http.StatusBadRequest)
			wantStatus(t, b.api(http.MethodPost, path, "", tc.body), http.StatusUnauthorized)
			wantStatus(t, b.api(http.MethodPost, "/api/v1/tickets/2099010110000011/"+tc.path, testToken, tc.body), http.StatusNotFound)
			b.desk.errs[tc.method] = &desk.RejectedError{Problem: ticket.P(ticket.RefusedMerged, "Into", "2026112710000099", "Action", "close")}
			res = b.api(http.MethodPost, path, testToken, tc.body)
			wantStatus(t, res, http.StatusConflict)
			wantContains(t, res.body, `"code":"refused.merged"`, `"error":"The ticket was merged into 2026112710000099; work on that ticket instead."`)
		})
	}
}

func TestAPIPendingAndRequiredFlags(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	path := "/api/v1/tickets/" + testNumber + "/pending"
	res := b.api(http.MethodPost, path, testToken, `{"state":"pending auto close+","until":"2026-12-01T09:30:00+01:00","note":"n"}`, "Idempotency-Key", "p-1")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `"state":"pending auto close+"`, `"pending_until":"2026-12-01T08:30:00Z"`)
	got := requestsOf[desk.PendingRequest](b.desk, "SetPending")[0]
	if !got.Until.Equal(time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)) || got.State != "pending auto close+" || got.RequestKey != "p-1" || got.Note != "n" {
		t.Errorf("desk got %+v", got)
	}

	for _, until := range []string{"tomorrow", "2026-12-01T09:30", "2026-12-01 09:30:00+01:00"} {
		res = b.api(http.MethodPost, path, testToken, `{"state":"pending reminder","until":"`+until+`"}`)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, res.body, `"fields":{"until":"Not an RFC 3339 time`, `"field_codes":{"until":"field.bad_rfc3339"}`)
	}
	if n := b.desk.called("SetPending"); n != 1 {
		t.Errorf("SetPending called %d times, want only for the readable time", n)
	}

	for path, body := range map[string]string{"lock": `{}`, "watch": `{"agent_id":8}`} {
		res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/"+path, testToken, body)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		wantContains(t, res.body, `"fields":{"`)
	}
	if n := b.desk.called("Lock") + b.desk.called("Watch"); n != 0 {
		t.Errorf("the desk was called %d times without lock or watch said", n)
	}

	b.desk.errs["Escalate"] = fmt.Errorf("escalate: %w", desk.ErrUnavailable)
	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/escalate", testToken, `{"queue_id":4}`)
	wantStatus(t, res, http.StatusServiceUnavailable)
}

func TestAPIFollowUp(t *testing.T) {
	b := newBrowser(t, Options{})
	path := "/api/v1/tickets/" + testNumber + "/follow-ups"
	body := `{"customer":"carl","subject":"Re: Printer","body":"Still jams.","message_id":"<m1@example.org>"}`
	res := b.api(http.MethodPost, path, testToken, body)
	wantStatus(t, res, http.StatusAccepted)
	wantContains(t, res.body, `{"number":"`+testNumber+`","new_ticket":false}`)
	want := desk.FollowUpRequest{CustomerLogin: "carl", Subject: "Re: Printer", Body: "Still jams.", Key: "<m1@example.org>"}
	if got := requestsOf[desk.FollowUpRequest](b.desk, "FollowUp"); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("desk got %+v, want %+v", got, want)
	}

	// Past the follow-up window the desk opens a new ticket.
	b.desk.followUpTo = desk.FollowUpResult{Number: otherNumber, NewTicket: true}
	res = b.api(http.MethodPost, path, testToken, `{"customer":"carl","body":"Hello?"}`, "Idempotency-Key", "m2")
	wantStatus(t, res, http.StatusAccepted)
	wantContains(t, res.body, `{"number":"`+otherNumber+`","new_ticket":true}`)
	if loc := res.header.Get("Location"); loc != "/api/v1/tickets/"+otherNumber {
		t.Errorf("Location %q", loc)
	}
	if got := requestsOf[desk.FollowUpRequest](b.desk, "FollowUp"); got[1].Key != "m2" {
		t.Errorf("the Idempotency-Key did not become the message's key: %+v", got[1])
	}

	wantStatus(t, b.api(http.MethodPost, path, testToken, body, "Idempotency-Key", "other"), http.StatusBadRequest)
	b.desk.errs["FollowUp"] = desk.FieldErrors{"customer": ticket.P(ticket.FieldUnknown), "key": ticket.P(ticket.FieldTooLong, "Max", "200")}
	res = b.api(http.MethodPost, path, testToken, `{"customer":"nobody","body":"x"}`)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, `"fields":{"customer":"Not found.","message_id":"Too long (at most 200 bytes)."}`,
		`"field_codes":{"customer":"field.unknown","message_id":"field.too_long"}`)
	if n := b.desk.called("FollowUp"); n != 3 {
		t.Errorf("FollowUp called %d times, want 3", n)
	}
}

func TestAPIRemindersAndDetail(t *testing.T) {
	b := newBrowser(t, Options{})
	b.desk.reminders = []models.TicketRow{reminderRow()}
	res := b.api(http.MethodGet, "/api/v1/reminders", testToken, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `{"tickets":[{"number":"`+otherNumber+`"`, `"state":"pending reminder"`,
		`"pending_until":"2026-01-20T08:00:00Z"`, `"reminder_reached":true`, `"solution_due":"2026-01-21T15:00:00Z"`)
	wantStatus(t, b.api(http.MethodGet, "/api/v1/reminders", "", ""), http.StatusUnauthorized)

	d := b.desk.tickets[testNumber]
	d.Watchers = []models.Agent{b.desk.agents[7]}
	d.Linked = []models.TicketRow{reminderRow()}
	d.Merged = []desk.MergedTicket{{Ticket: models.TicketRow{Ticket: models.Ticket{Number: "2026112710000033", State: "merged", MergedInto: testNumber}},
		Articles: []models.Article{{Seq: 1, Kind: "phone note", Body: "again"}}}}
	d.Ticket.SLAName = "Standard 8x5"
	b.desk.tickets[testNumber] = d
	res = b.api(http.MethodGet, "/api/v1/tickets/"+testNumber, testToken, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `"watchers":[{"id":7,"name":"Anna Agent"}]`, `"linked":[{"number":"`+otherNumber+`"`,
		`"merged":[{"number":"2026112710000033"`, `"merged_into":"`+testNumber+`"`, `"articles":[{"seq":1,"kind":"phone note"`,
		`"sla":{"name":"Standard 8x5","first_response_due":null`, `"locked":false`, `"responsible_id":null`)
}

func TestAllowsRefusesUnknownActions(t *testing.T) {
	if ok, err := allows("open", string(ticket.ActionReply)); !ok || err != nil {
		t.Errorf("allows(open, reply) = %v, %v", ok, err)
	}
	if ok, err := allows("closed successful", string(ticket.ActionReply)); ok || err != nil {
		t.Errorf("allows(closed successful, reply) = %v, %v", ok, err)
	}
	if _, err := allows("open", "replies"); err == nil {
		t.Error("allows accepted an action that does not exist")
	}
}

package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Refused forms: post, redirect, get. The post is answered with a 303 to
// the page of the form; that page shows the form as sent, once, with the
// refusal's status.

func TestRefusedNoteComesBackOnce(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	b.desk.noteErr = desk.FieldErrors{"next_until": ticket.P(ticket.FieldPast)}
	body := "Zeile 1\r\nZeile <2>\r\n" + strings.Repeat("lang ", 30_000) // 150 kB: more than a cookie holds
	res, key := b.postForm("notes", url.Values{"kind": {"phone note"}, "body": {body},
		"next_state": {"pending reminder"}, "next_until": {"2026-12-01T09:30"}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/tickets/"+testNumber {
		t.Fatalf("redirected to %q, want the zoom", loc)
	}
	if strings.Contains(res.body, "Zeile") {
		t.Error("the redirect carries the page")
	}

	page := b.get(res.header.Get("Location"))
	wantStatus(t, page, http.StatusUnprocessableEntity)
	wantContains(t, page.body,
		`<p class="alert" role="alert">Please correct the marked fields.</p>`,
		`<option value="phone note" selected>`,
		"required>\nZeile 1\nZeile &lt;2&gt;\nlang lang",
		`<option value="pending reminder" selected>`,
		`name="next_until" type="datetime-local" value="2026-12-01T09:30"`,
		`<p class="field-error">Must lie in the future.</p>`)
	if _, again := formKeys(t, page.body, "/agent/tickets/"+testNumber+"/notes"); again != key {
		t.Errorf("request key changed: %q, want %q", again, key)
	}
	if n := strings.Count(page.body, "lang "); n != 30_000 {
		t.Errorf("the note came back with %d words, want 30000", n)
	}

	// Shown once: the next load is the plain zoom.
	again := b.get("/agent/tickets/" + testNumber)
	wantStatus(t, again, http.StatusOK)
	for _, gone := range []string{"Zeile 1", "Must lie in the future.", "Please correct", `value="2026-12-01T09:30"`} {
		if strings.Contains(again.body, gone) {
			t.Errorf("the second load still shows %q", gone)
		}
	}
	if n := b.desk.called("AddNote"); n != 1 {
		t.Errorf("AddNote called %d times, want once", n)
	}
}

func TestRejectedReplyComesBackWithConflict(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	b.desk.errs["Reply"] = &desk.RejectedError{Problem: ticket.P(ticket.RefusedLocked, "Owner", "Bert Second", "Action", "reply")}
	res, _ := b.postForm("replies", url.Values{"subject": {"Re: Drucker"}, "body": {"Bitte Fach 2."}, "next_state": {"closed successful"}})
	page := b.follow(res)
	wantStatus(t, page, http.StatusConflict)
	wantContains(t, page.body,
		`<p class="alert" role="alert">The ticket is locked by Bert Second; only they can do “reply” until it is unlocked.</p>`,
		`<details class="card action" id="reply" open>`,
		`value="Re: Drucker"`, "Bitte Fach 2.</textarea>",
		`<option value="closed successful" selected>`)
	wantStatus(t, b.get("/agent/tickets/"+testNumber), http.StatusOK)
}

// TestRefusedFormWithoutStore: when the form cannot be kept, the post is
// answered with the page at once, as before.
func TestRefusedFormWithoutStore(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	b.desk.noteErr = desk.FieldErrors{"body": ticket.P(ticket.FieldRequired)}
	b.desk.errs["SaveFormState"] = errors.New("database gone")
	res, _ := b.postForm("notes", url.Values{"kind": {"internal note"}, "body": {" "}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, `<p class="field-error">Required.</p>`)
	if !strings.Contains(b.log.String(), "database gone") {
		t.Error("the failure to keep the form was not logged")
	}
}

func TestRefusedNewTicketComesBackOnce(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.login()
	b.desk.createErr = desk.FieldErrors{"title": ticket.P(ticket.FieldRequired)}
	key := hidden(t, requestKeyRE, b.get("/agent/tickets/new").body)
	res := b.post("/agent/tickets", url.Values{
		"csrf_token": {token}, "request_key": {key}, "customer": {"carl"}, "title": {""},
		"body": {"Drucker druckt nicht"}, "service_id": {"11"}, "type_id": {"2"}, "priority_id": {"4"},
	})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/tickets/new" {
		t.Fatalf("redirected to %q, want the new ticket form", loc)
	}
	page := b.get("/agent/tickets/new")
	wantStatus(t, page, http.StatusUnprocessableEntity)
	wantContains(t, page.body, `<p class="field-error">Required.</p>`, `<input id="customer" name="customer" value="carl"`,
		`<option value="4" selected>4 high</option>`, "Drucker druckt nicht</textarea>")
	if got := hidden(t, requestKeyRE, page.body); got != key {
		t.Errorf("request key %q, want the one sent %q", got, key)
	}
	again := b.get("/agent/tickets/new")
	wantStatus(t, again, http.StatusOK)
	if strings.Contains(again.body, "Drucker druckt nicht") || hidden(t, requestKeyRE, again.body) == key {
		t.Error("the new ticket form shows the refused form twice")
	}
}

func TestRefusedLoginComesBackOnce(t *testing.T) {
	b := newBrowser(t, Options{})
	token := hidden(t, csrfRE, b.get("/login").body)
	const password = "Geheim-4711"
	res := b.post("/login", url.Values{"csrf_token": {token}, "login": {"anna"}, "password": {password},
		"next": {"/agent/tickets/" + testNumber}})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/login?next=%2Fagent%2Ftickets%2F"+testNumber {
		t.Fatalf("redirected to %q", loc)
	}
	for k, v := range sessionValues(t, b.sessionCookie()) {
		if strings.Contains(fmt.Sprint(k, v), password) {
			t.Fatalf("the cookie keeps the password in %v", k)
		}
	}
	page := b.get(res.header.Get("Location"))
	wantStatus(t, page, http.StatusUnauthorized)
	wantContains(t, page.body, "Wrong login or password.", `value="anna"`, `name="next" value="/agent/tickets/`+testNumber+`"`)
	if strings.Contains(page.body, password) {
		t.Error("the login page shows the password")
	}
	again := b.get("/login")
	wantStatus(t, again, http.StatusOK)
	if strings.Contains(again.body, "Wrong login") || strings.Contains(again.body, `value="anna"`) {
		t.Error("the refused login is shown twice")
	}

	// Field problems come back the same way.
	res = b.post("/login", url.Values{"csrf_token": {token}, "login": {"anna"}, "password": {""}})
	page = b.follow(res)
	wantStatus(t, page, http.StatusUnprocessableEntity)
	wantContains(t, page.body, `<p class="field-error">Required.</p>`)
}

// TestAPIRefusalsUnchanged: the API answers refusals itself, in JSON,
// and keeps nothing.
func TestAPIRefusalsUnchanged(t *testing.T) {
	b := newBrowser(t, Options{})
	b.desk.noteErr = desk.FieldErrors{"body": ticket.P(ticket.FieldRequired)}
	res := b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/notes", testToken, `{"kind":"internal note","body":""}`)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, `"field_codes":{"body":"field.required"}`)
	b.desk.errs["Reply"] = &desk.RejectedError{Problem: ticket.P(ticket.RefusedNotLocked)}
	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/replies", testToken, `{"body":"x"}`)
	wantStatus(t, res, http.StatusConflict)
	wantContains(t, res.body, `"code":"refused.not_locked"`)
	if res.header.Get("Location") != "" || b.desk.called("SaveFormState") != 0 {
		t.Error("an API refusal was redirected or kept")
	}
}

func TestNextStateOnReplyAndNote(t *testing.T) {
	b := newBrowser(t, Options{Location: berlin})
	b.login()
	page := b.get("/agent/tickets/" + testNumber).body
	if n := strings.Count(page, `<select id="reply-next-state" name="next_state">`) + strings.Count(page, `<select id="note-next-state" name="next_state">`); n != 2 {
		t.Fatalf("%d next state selects, want one on the reply and one on the note form", n)
	}
	wantContains(t, page, `<option value="" selected>keep as is</option>`, `<option value="pending auto close&#43;">pending auto close&#43;</option>`,
		`<option value="closed unsuccessful">closed unsuccessful</option>`, `name="next_until" type="datetime-local" value=""`)

	res, key := b.postForm("replies", url.Values{"body": {"Bitte Fach 2."}, "next_state": {"pending auto close+"}, "next_until": {"2026-12-01T09:30"}})
	wantStatus(t, res, http.StatusSeeOther)
	want := desk.ReplyRequest{RequestKey: key, Body: "Bitte Fach 2.", NextState: "pending auto close+",
		NextUntil: time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)}
	if got := requestsOf[desk.ReplyRequest](b.desk, "Reply"); len(got) != 1 || got[0].RequestKey != want.RequestKey ||
		got[0].NextState != want.NextState || !got[0].NextUntil.Equal(want.NextUntil) || got[0].Body != want.Body {
		t.Errorf("desk got %+v\nwant %+v", got, want)
	}

	res, _ = b.postForm("notes", url.Values{"kind": {"internal note"}, "body": {"erledigt"}, "next_state": {"closed successful"}})
	wantStatus(t, res, http.StatusSeeOther)
	if n := b.desk.notes[0]; n.NextState != "closed successful" || !n.NextUntil.IsZero() {
		t.Errorf("desk got %+v", n)
	}

	// A time the web cannot read is the field's problem; the desk is not asked.
	res, _ = b.postForm("notes", url.Values{"kind": {"internal note"}, "body": {"x"}, "next_state": {"pending reminder"}, "next_until": {"morgen"}})
	page = b.follow(res).body
	wantContains(t, page, `value="morgen"`, `<p class="field-error">Not a date and time (YYYY-MM-DD HH:MM).</p>`)
	if n := b.desk.called("AddNote"); n != 1 {
		t.Errorf("AddNote called %d times, want once", n)
	}
}

func TestAPINextState(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/replies", testToken,
		`{"body":"Bitte Fach 2.","next_state":"pending auto close+","next_until":"2026-12-01T09:30:00+01:00"}`)
	wantStatus(t, res, http.StatusOK)
	if got := requestsOf[desk.ReplyRequest](b.desk, "Reply"); len(got) != 1 || got[0].NextState != "pending auto close+" ||
		!got[0].NextUntil.Equal(time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)) {
		t.Errorf("desk got %+v", got)
	}
	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/notes", testToken,
		`{"kind":"internal note","body":"x","next_state":"closed successful"}`)
	wantStatus(t, res, http.StatusOK)
	if n := b.desk.notes[0]; n.NextState != "closed successful" || !n.NextUntil.IsZero() {
		t.Errorf("desk got %+v", n)
	}
	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/notes", testToken,
		`{"kind":"internal note","body":"x","next_state":"pending reminder","next_until":"tomorrow"}`)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, `"field_codes":{"next_until":"field.bad_rfc3339"}`)
	if len(b.desk.notes) != 1 {
		t.Errorf("AddNote called %d times, want once", len(b.desk.notes))
	}
}

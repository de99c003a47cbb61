package web

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// portalLogin logs the browser into the portal as carl, the fake's
// customer, and returns a CSRF token of the new session.
func (b *browser) portalLogin() string {
	b.t.Helper()
	page := b.get("/portal/login")
	res := b.post("/portal/login", url.Values{
		"csrf_token": {hidden(b.t, csrfRE, page.body)}, "login": {"carl"}, "password": {"right"},
	})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/portal" {
		b.t.Fatalf("portal login: status %d to %q, want 303 to /portal\n%s", res.status, res.header.Get("Location"), res.body)
	}
	return hidden(b.t, csrfRE, b.get("/portal").body)
}

// TestPortalLogin: a wrong password shows the form again (401) with the
// login as typed; the right one leads to the portal, or to the portal
// page asked for, never out of the portal.
func TestPortalLogin(t *testing.T) {
	b := newBrowser(t, Options{})
	page := b.get("/portal/login")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `action="/portal/login"`)
	res := b.post("/portal/login", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)}, "login": {"carl"}, "password": {"wrong"}})
	wantStatus(t, res, http.StatusUnauthorized)
	wantContains(t, res.body, `value="carl"`)
	res = b.post("/portal/login", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)}, "login": {""}, "password": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, "Please correct the marked fields.")
	for next, want := range map[string]string{"/portal/tickets/new": "/portal/tickets/new", "/agent/queues": "/portal", "//evil.example": "/portal"} {
		b := newBrowser(t, Options{})
		page := b.get("/portal/login?next=" + url.QueryEscape(next))
		res := b.post("/portal/login", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)}, "login": {"carl"}, "password": {"right"},
			"next": {next}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != want {
			t.Errorf("login with next %q: %d to %q, want 303 to %q", next, res.status, res.header.Get("Location"), want)
		}
	}
}

// TestPortalSessionsStayApart: an agent's session is no customer's and a
// customer's no agent's.
func TestPortalSessionsStayApart(t *testing.T) {
	agent := newBrowser(t, Options{})
	agent.login()
	for _, path := range []string{"/portal", "/portal/tickets/new", "/portal/tickets/" + testNumber} {
		res := agent.get(path)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/portal/login") {
			t.Errorf("an agent at %s: %d to %q, want the portal's login", path, res.status, res.header.Get("Location"))
		}
	}
	customer := newBrowser(t, Options{})
	customer.portalLogin()
	for _, path := range []string{"/agent/queues", "/agent/tickets/" + testNumber, "/admin"} {
		res := customer.get(path)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Errorf("a customer at %s: %d to %q, want the agents' login", path, res.status, res.header.Get("Location"))
		}
	}
	// An agent who logs into the portal in the same browser is logged out
	// as an agent, on the server too.
	agent.portalLogin()
	if agent.desk.called("Logout") != 1 {
		t.Error("the agent's session did not end with the customer's login")
	}
	if res := agent.get("/agent/queues"); res.status != http.StatusSeeOther {
		t.Errorf("after a customer's login in the same browser, the agent pages: %d", res.status)
	}
	if n := customer.desk.called("SessionAgent"); n != 0 {
		t.Errorf("a customer's session was looked up as an agent's %d times", n)
	}
	// Logging out ends the portal session on the server.
	token := hidden(t, csrfRE, customer.get("/portal").body)
	res := customer.post("/portal/logout", url.Values{"csrf_token": {token}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/portal/login" {
		t.Fatalf("logout: %d to %q", res.status, res.header.Get("Location"))
	}
	if res := customer.get("/portal"); res.status != http.StatusSeeOther {
		t.Errorf("after logout /portal: %d, want the login", res.status)
	}
	if customer.desk.called("PortalLogout") != 1 {
		t.Error("the desk was not told of the logout")
	}
}

// TestPortalPages: the start page lists the customer's tickets with the
// state in plain words; the ticket page shows what the desk gives it and
// offers reply and "problem solved"; the new-ticket form offers the
// services with their descriptions, in the reader's language.
func TestPortalPages(t *testing.T) {
	b := newBrowser(t, Options{})
	b.portalLogin()
	index := b.get("/portal")
	wantStatus(t, index, http.StatusOK)
	wantContains(t, index.body, "Printer &lt;b&gt;jams&lt;/b&gt;")
	wantContains(t, index.body, "Being worked on")
	wantContains(t, index.body, `href="/portal/tickets/`+testNumber+`"`)
	if strings.Contains(index.body, `href="/agent/`) {
		t.Errorf("the portal links into the agent interface:\n%s", index.body)
	}

	show := b.get("/portal/tickets/" + testNumber)
	wantStatus(t, show, http.StatusOK)
	wantContains(t, show.body, "line one")
	wantContains(t, show.body, `action="/portal/tickets/`+testNumber+`/replies" enctype="multipart/form-data"`)
	wantContains(t, show.body, `action="/portal/tickets/`+testNumber+`/close"`)
	wantContains(t, show.body, "Problem solved")

	newPage := b.get("/portal/tickets/new")
	wantStatus(t, newPage, http.StatusOK)
	wantContains(t, newPage.body, "Printing in the pools and offices")
	wantContains(t, newPage.body, `enctype="multipart/form-data"`)
	wantContains(t, newPage.body, `id="faq-suggestions"`)
	wantContains(t, newPage.body, "Urgent – I cannot work")

	b.acceptLanguage = "de"
	de := b.get("/portal/tickets/new")
	wantContains(t, de.body, "Drucken im Pool und im Büro")
	wantContains(t, de.body, "Anfrage absenden")
	wantContains(t, b.get("/portal").body, "In Bearbeitung")
}

// TestPortalForms: a new ticket, a reply and a close go to the desk once
// each and lead to the ticket; a refusal shows the form again, marked.
func TestPortalForms(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.portalLogin()
	form := url.Values{"csrf_token": {token}, "request_key": {"k1"}, "service_id": {"11"}, "type_id": {"1"}, "urgency": {"high"},
		"title": {"Drucker druckt nicht"}, "body": {"Seit heute früh."}}
	res := b.post("/portal/tickets", form)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/portal/tickets/"+testNumber {
		t.Fatalf("create: %d to %q\n%s", res.status, res.header.Get("Location"), res.body)
	}
	st := b.desk.portalState()
	if len(st.creates) != 1 || !reflect.DeepEqual(st.creates[0], desk.PortalCreateRequest{RequestKey: "k1", ServiceID: 11, TypeID: 1, Urgency: desk.UrgencyHigh,
		Title: "Drucker druckt nicht", Body: "Seit heute früh."}) {
		t.Errorf("creates: %+v", st.creates)
	}

	b.desk.errs["PortalCreate"] = desk.FieldErrors{"title": ticket.P(ticket.FieldRequired)}
	form.Set("title", "")
	res = b.post("/portal/tickets", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, "Please correct the marked fields.")
	wantContains(t, res.body, "Seit heute früh.")

	res = b.post("/portal/tickets/"+testNumber+"/replies", url.Values{"csrf_token": {token}, "request_key": {"r1"}, "body": {"Geht wieder nicht."}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/portal/tickets/"+testNumber {
		t.Fatalf("reply: %d to %q\n%s", res.status, res.header.Get("Location"), res.body)
	}
	if len(st.replies) != 1 || st.replies[0].Body != "Geht wieder nicht." {
		t.Errorf("replies: %+v", st.replies)
	}
	b.desk.errs["PortalReply"] = desk.FieldErrors{"body": ticket.P(ticket.FieldRequired)}
	res = b.post("/portal/tickets/"+testNumber+"/replies", url.Values{"csrf_token": {token}, "request_key": {"r2"}, "body": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)

	res = b.post("/portal/tickets/"+testNumber+"/close", url.Values{"csrf_token": {token}, "request_key": {"c1"}})
	if res.status != http.StatusSeeOther || len(st.closes) != 1 {
		t.Errorf("close: %d, closes %v", res.status, st.closes)
	}
	// Another customer's ticket, or none: not found, in the portal's frame.
	if res := b.get("/portal/tickets/2026112710000099"); res.status != http.StatusNotFound ||
		!strings.Contains(res.body, `<a href="/portal">Back to my requests</a>`) || strings.Contains(res.body, `href="/agent/`) {
		t.Errorf("an unknown ticket: %d, want 404 in the portal\n%s", res.status, res.body)
	}
	// Without the CSRF token nothing reaches the desk.
	before := b.desk.called("PortalClose")
	if res := b.post("/portal/tickets/"+testNumber+"/close", url.Values{"request_key": {"c2"}}); res.status != http.StatusForbidden {
		t.Errorf("close without CSRF token: %d, want 403", res.status)
	}
	if b.desk.called("PortalClose") != before {
		t.Error("a close without CSRF token reached the desk")
	}
}

// TestPortalPasswordReset: asking for a link answers the same for any
// login; a good link's form sets the password and leads to the login; a
// bad or used link says so (404); a short password is refused, marked.
func TestPortalPasswordReset(t *testing.T) {
	b := newBrowser(t, Options{})
	login := b.get("/portal/login")
	wantContains(t, login.body, `href="/portal/password-reset"`)
	page := b.get("/portal/password-reset")
	wantStatus(t, page, http.StatusOK)
	token := hidden(t, csrfRE, page.body)
	for _, who := range []string{"carl", "nobody"} {
		res := b.post("/portal/password-reset", url.Values{"csrf_token": {token}, "login": {who}})
		wantStatus(t, res, http.StatusOK)
		wantContains(t, res.body, "If there is a customer account with this user name")
	}
	if n := b.desk.called("RequestPasswordReset"); n != 2 {
		t.Errorf("the desk was asked %d times, want 2", n)
	}
	b.desk.errs["RequestPasswordReset"] = desk.FieldErrors{"login": ticket.P(ticket.FieldRequired)}
	res := b.post("/portal/password-reset", url.Values{"csrf_token": {token}, "login": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)

	if res := b.get("/portal/password-reset/WRONGTOKEN"); res.status != http.StatusNotFound || !strings.Contains(res.body, "no longer works") {
		t.Errorf("a bad link: %d\n%s", res.status, res.body)
	}
	set := b.get("/portal/password-reset/" + resetToken)
	wantStatus(t, set, http.StatusOK)
	res = b.post("/portal/password-reset/"+resetToken, url.Values{"csrf_token": {token}, "password": {"short"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	res = b.post("/portal/password-reset/"+resetToken, url.Values{"csrf_token": {token}, "password": {"a good new password"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/portal/login" {
		t.Errorf("setting the password: %d to %q", res.status, res.header.Get("Location"))
	}
	wantContains(t, b.get("/portal/login").body, "Your new password works now.")
}

// TestPortalFAQSuggestions: the new-request form offers matching FAQ
// entries — while typing (the fragment portal.js fetches) and, without
// JavaScript, by its "search the FAQ first" button, which keeps what was
// typed and stores nothing; "this solved it" records the deflection with
// the typed text and opens no request.
func TestPortalFAQSuggestions(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.portalLogin()
	frag := b.get("/portal/faq-suggestions?q=" + url.QueryEscape("Outlook fragt"))
	wantStatus(t, frag, http.StatusOK)
	wantContains(t, frag.body, `href="/faq/7"`, "Outlook &lt;fragt&gt; nach dem Passwort", "<mark>Outlook</mark>",
		`formaction="/portal/faq/7/solved"`)
	if strings.Contains(frag.body, "<html") {
		t.Error("the suggestions fragment came in a whole page")
	}
	if none := b.get("/portal/faq-suggestions?q=Drucker"); !strings.Contains(none.body, "No FAQ entry matches yet") {
		t.Errorf("no match: %s", none.body)
	}

	form := url.Values{"csrf_token": {token}, "request_key": {"k9"}, "service_id": {"11"}, "type_id": {"1"}, "urgency": {"normal"},
		"title": {"Outlook fragt ständig"}, "body": {"Nach dem Passwort."}}
	page := b.postFiles("/portal/tickets/suggest", form, nil)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `value="Outlook fragt ständig"`, "Nach dem Passwort.", `formaction="/portal/faq/7/solved"`)
	if n := len(b.desk.portalState().creates); n != 0 {
		t.Errorf("searching the FAQ opened %d requests", n)
	}

	res := b.postFiles("/portal/faq/7/solved", form, nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/portal" {
		t.Fatalf("solved: %d to %q\n%s", res.status, res.header.Get("Location"), res.body)
	}
	if len(b.desk.deflected) != 1 || b.desk.deflected[0] != "Outlook fragt ständig\nNach dem Passwort." {
		t.Errorf("deflections: %q", b.desk.deflected)
	}
	if n := len(b.desk.portalState().creates); n != 0 {
		t.Errorf("'this solved it' opened %d requests", n)
	}
	wantStatus(t, b.postFiles("/portal/faq/8/solved", form, nil), http.StatusNotFound)
}

// TestPortalFiles: a request and an answer carry their files to the desk;
// a message's file is a download.
func TestPortalFiles(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.portalLogin()
	res := b.postFiles("/portal/tickets", url.Values{"csrf_token": {token}, "request_key": {"k1"}, "service_id": {"11"}, "type_id": {"1"},
		"urgency": {"normal"}, "title": {"Drucker"}, "body": {"Foto anbei."}}, map[string][]byte{"foto.jpg": []byte("\xff\xd8jpeg")})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create with a file: %d\n%s", res.status, res.body)
	}
	st := b.desk.portalState()
	if len(st.creates) != 1 || len(st.creates[0].Files) != 1 || st.creates[0].Files[0].Name != "foto.jpg" {
		t.Errorf("creates: %+v", st.creates)
	}
	res = b.postFiles("/portal/tickets/"+testNumber+"/replies", url.Values{"csrf_token": {token}, "request_key": {"r1"}, "body": {"Noch ein Foto."}},
		map[string][]byte{"foto2.jpg": []byte("jpeg")})
	if res.status != http.StatusSeeOther || len(st.replies) != 1 || len(st.replies[0].Files) != 1 {
		t.Errorf("reply with a file: %d, %+v", res.status, st.replies)
	}
	file := b.get("/portal/tickets/" + testNumber + "/articles/2/files/1")
	wantStatus(t, file, http.StatusOK)
	if cd := file.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || file.header.Get("Content-Security-Policy") != "sandbox" {
		t.Errorf("file headers: %v", file.header)
	}
	wantStatus(t, b.get("/portal/tickets/"+testNumber+"/articles/3/files/1"), http.StatusNotFound)
}

package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The e2e test of the lead parses the hidden inputs with regexps like these,
// so these tests use them too.
var (
	csrfRE       = regexp.MustCompile(`<input type="hidden" name="csrf_token" value="([^"]*)">`)
	requestKeyRE = regexp.MustCompile(`<input type="hidden" name="request_key" value="([^"]*)">`)
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// browser is a test client with a cookie jar that does not follow
// redirects, so tests see each redirect.
type browser struct {
	t    *testing.T
	base string
	hc   *http.Client
	desk *fakeDesk
	log  *syncBuffer
	// acceptLanguage is sent with requests that set none; "" sends none.
	acceptLanguage string
}

type response struct {
	status int
	header http.Header
	body   string
}

// testSessionKey signs and encrypts the test servers' cookies.
var testSessionKey = bytes.Repeat([]byte("k"), 64)

func newBrowser(t *testing.T, opts Options) *browser {
	t.Helper()
	fd := newFakeDesk()
	b := newBrowserOf(t, fd, opts)
	b.desk = fd
	return b
}

// newBrowserOf is a browser of a server over d.
func newBrowserOf(t *testing.T, d Desk, opts Options) *browser {
	t.Helper()
	logs := &syncBuffer{}
	opts.SessionKey = testSessionKey
	opts.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := New(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &browser{t: t, base: srv.URL, hc: hc, log: logs, acceptLanguage: "en"}
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if req.Header.Get("Accept-Language") == "" && b.acceptLanguage != "" {
		req.Header.Set("Accept-Language", b.acceptLanguage)
	}
	res, err := b.hc.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) api(method, path, token, body string, header ...string) response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func hidden(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil || m[1] == "" {
		t.Fatalf("no hidden input %s in page:\n%s", re, body)
	}
	return m[1]
}

// login logs in as anna and returns the CSRF token of the new session.
func (b *browser) login() string {
	b.t.Helper()
	page := b.get("/login")
	res := b.post("/login", url.Values{
		"csrf_token": {hidden(b.t, csrfRE, page.body)}, "login": {"anna"}, "password": {"right"},
	})
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("login: status %d, want 303\n%s", res.status, res.body)
	}
	return hidden(b.t, csrfRE, b.get("/agent/queues").body)
}

// follow checks that a post was answered with a redirect (303) to a page,
// as refused forms are, and returns that page as the browser then gets it.
func (b *browser) follow(res response) response {
	b.t.Helper()
	if res.status != http.StatusSeeOther || res.header.Get("Location") == "" {
		b.t.Fatalf("status %d, want a redirect (303)\n%s", res.status, res.body)
	}
	return b.get(res.header.Get("Location"))
}

func wantStatus(t *testing.T, res response, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("status %d, want %d\n%s", res.status, want, res.body)
	}
}

func wantContains(t *testing.T, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("response lacks %q:\n%s", p, body)
		}
	}
}

func TestLogin(t *testing.T) {
	b := newBrowser(t, Options{})
	page := b.get("/login")
	wantStatus(t, page, http.StatusOK)
	token := hidden(t, csrfRE, page.body)

	res := b.follow(b.post("/login", url.Values{"csrf_token": {token}, "login": {"anna"}, "password": {"wrong"}}))
	wantStatus(t, res, http.StatusUnauthorized)
	wantContains(t, res.body, "Wrong login or password.", `value="anna"`)

	res = b.post("/login", url.Values{
		"csrf_token": {token}, "login": {"anna"}, "password": {"right"}, "next": {"/agent/tickets/new"},
	})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/tickets/new" {
		t.Errorf("after login redirected to %q, want the next page", loc)
	}

	res = b.get("/agent/queues")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, "Anna Agent", "1st level", "Helpdesk", `href="/agent/queues/3"`)
	if after := hidden(t, csrfRE, res.body); after == token {
		t.Error("the CSRF token was not replaced at login")
	}
}

func TestLoginNextStaysLocal(t *testing.T) {
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"} {
		b := newBrowser(t, Options{})
		token := hidden(t, csrfRE, b.get("/login").body)
		res := b.post("/login", url.Values{"csrf_token": {token}, "login": {"anna"}, "password": {"right"}, "next": {next}})
		wantStatus(t, res, http.StatusSeeOther)
		if loc := res.header.Get("Location"); loc != "/agent/dashboard" {
			t.Errorf("next=%q redirected to %q, want the start page /agent/dashboard", next, loc)
		}
	}
}

func TestAgentPagesNeedLogin(t *testing.T) {
	b := newBrowser(t, Options{})
	for _, path := range []string{"/agent/queues", "/agent/queues/3", "/agent/tickets/new", "/agent/tickets/" + testNumber} {
		res := b.get(path)
		wantStatus(t, res, http.StatusSeeOther)
		if want := "/login?next=" + url.QueryEscape(path); res.header.Get("Location") != want {
			t.Errorf("GET %s redirected to %q, want %q", path, res.header.Get("Location"), want)
		}
	}
	if n := b.desk.called("QueueOverview") + b.desk.called("Ticket") + b.desk.called("FormChoices"); n != 0 {
		t.Errorf("the desk was asked %d times for data without a login", n)
	}
	res := b.get("/")
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/dashboard" {
		t.Errorf("/ redirected to %q, want the start page /agent/dashboard", loc)
	}
}

func TestLogout(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.login()
	res := b.post("/logout", url.Values{"csrf_token": {token}})
	wantStatus(t, res, http.StatusSeeOther)
	wantContains(t, b.get("/login").body, "You are logged out.")
	wantStatus(t, b.get("/agent/queues"), http.StatusSeeOther)
}

func TestCSRF(t *testing.T) {
	b := newBrowser(t, Options{})

	// The login form is protected too.
	b.get("/login")
	res := b.post("/login", url.Values{"login": {"anna"}, "password": {"right"}})
	wantStatus(t, res, http.StatusForbidden)
	if b.desk.called("Login") != 0 {
		t.Error("Login was called without a CSRF token")
	}

	b.login()
	form := url.Values{"customer": {"carl"}, "title": {"x"}, "body": {"y"}, "request_key": {"k1"}}
	for name, token := range map[string][]string{"missing": nil, "empty": {""}, "wrong": {"not-the-token"}} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if token != nil {
			f["csrf_token"] = token
		}
		res := b.post("/agent/tickets", f)
		if res.status != http.StatusForbidden {
			t.Errorf("%s token: status %d, want 403", name, res.status)
		}
		wantContains(t, res.body, "The form has expired, please go back and try again.")
	}
	for _, path := range []string{"/agent/tickets/" + testNumber + "/notes", "/agent/tickets/" + testNumber + "/close", "/logout"} {
		wantStatus(t, b.post(path, url.Values{"csrf_token": {"wrong"}, "kind": {"internal note"}, "body": {"x"}, "state": {"closed successful"}}), http.StatusForbidden)
	}
	for _, m := range []string{"CreateTicket", "AddNote", "Close"} {
		if n := b.desk.called(m); n != 0 {
			t.Errorf("%s was called %d times without a valid CSRF token", m, n)
		}
	}
}

func TestCreateTicketFieldErrors(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.login()
	b.desk.createErr = desk.FieldErrors{"title": ticket.P(ticket.FieldRequired), "queue_id": ticket.P(ticket.FieldChoose)}

	page := b.get("/agent/tickets/new")
	wantStatus(t, page, http.StatusOK)
	key := hidden(t, requestKeyRE, page.body)
	wantContains(t, page.body, `<option value="3" selected>3 normal</option>`)

	res := b.post("/agent/tickets", url.Values{
		"csrf_token": {token}, "request_key": {key}, "customer": {"carl"}, "title": {""},
		"body": {"Drucker <druckt> nicht\r\nseit gestern"}, "service_id": {""}, "queue_id": {""},
		"type_id": {"2"}, "priority_id": {"4"},
	})
	res = b.follow(res)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body,
		`<input id="title" name="title" value="" maxlength="200" required><p class="field-error">Required.</p>`,
		`<p class="field-error">Please choose one of the offered values.</p>`,
		`<input id="customer" name="customer" value="carl"`, `<option value="2" selected>Service Request</option>`,
		`<option value="4" selected>4 high</option>`,
		"required>\nDrucker &lt;druckt&gt; nicht\nseit gestern</textarea>")
	if got := hidden(t, requestKeyRE, res.body); got != key {
		t.Errorf("request key changed on re-render: %q, want %q", got, key)
	}
	if len(b.desk.creates) != 1 {
		t.Fatalf("CreateTicket called %d times, want 1", len(b.desk.creates))
	}
	if c := b.desk.creates[0]; c.RequestKey != key || c.CustomerLogin != "carl" || c.TypeID != 2 || c.PriorityID != 4 || c.Body != "Drucker <druckt> nicht\nseit gestern" {
		t.Errorf("desk got %+v", c)
	}
}

func TestCreateTicketShowsZoomWithFlash(t *testing.T) {
	b := newBrowser(t, Options{TemporalUIURL: "http://localhost:8233/", Namespace: "kizdesk"})
	token := b.login()
	key := hidden(t, requestKeyRE, b.get("/agent/tickets/new").body)

	res := b.post("/agent/tickets", url.Values{
		"csrf_token": {token}, "request_key": {key}, "customer": {"carl"}, "title": {"Printer jams"},
		"body": {"It jams."}, "service_id": {"11"}, "queue_id": {""}, "type_id": {"1"}, "priority_id": {"3"},
	})
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/tickets/"+testNumber {
		t.Fatalf("redirected to %q, want the zoom", loc)
	}
	if c := b.desk.creates[0]; c.RequestKey != key || c.ServiceID != 11 || c.QueueID != 0 {
		t.Errorf("desk got %+v", c)
	}

	zoom := b.get("/agent/tickets/" + testNumber)
	wantStatus(t, zoom, http.StatusOK)
	wantContains(t, zoom.body,
		"Ticket "+testNumber+" created.",
		"Printer &lt;b&gt;jams&lt;/b&gt;",
		"line one\nline &lt;two&gt;",
		"visible to customer",
		"2026-11-27", "NewTicket",
		`action="/agent/tickets/`+testNumber+`/notes"`, `action="/agent/tickets/`+testNumber+`/close"`,
		`href="http://localhost:8233/namespaces/kizdesk/workflows/ticket-`+testNumber+`"`)
	if strings.Contains(b.get("/agent/tickets/"+testNumber).body, "created.") {
		t.Error("the flash was shown twice")
	}
}

func TestClosedTicketHasNoForms(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	d := b.desk.tickets[testNumber]
	d.Ticket.State = "closed successful"
	b.desk.tickets[testNumber] = d
	res := b.get("/agent/tickets/" + testNumber)
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "/notes\"") || strings.Contains(res.body, "/close\"") {
		t.Error("a closed ticket offers the note or close form")
	}
	if strings.Contains(res.body, "/merge\"") {
		t.Error("a closed ticket offers merge; it only comes back by reopening")
	}
	wantContains(t, res.body, `action="/agent/tickets/`+testNumber+`/reopen"`)
	if strings.Contains(res.body, "Temporal UI") {
		t.Error("Temporal UI link shown without TemporalUIURL")
	}
}

func TestAddNote(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.login()
	res := b.post("/agent/tickets/"+testNumber+"/notes", url.Values{"csrf_token": {token}, "kind": {"phone note"}, "body": {"called back"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantContains(t, b.get(res.header.Get("Location")).body, "Note added.")
	if n := b.desk.notes[0]; n.Kind != "phone note" || n.Body != "called back" {
		t.Errorf("desk got %+v", n)
	}
}

func TestCloseRejected(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.login()
	b.desk.closeErr = &desk.RejectedError{Problem: ticket.P(ticket.RefusedState, "State", "merged", "Action", "close")}
	res := b.post("/agent/tickets/"+testNumber+"/close", url.Values{
		"csrf_token": {token}, "state": {"closed unsuccessful"}, "note": {"gave up"},
	})
	res = b.follow(res)
	wantStatus(t, res, http.StatusConflict)
	wantContains(t, res.body, `<p class="alert" role="alert">A ticket in state “merged” cannot be changed by “close”.</p>`,
		`<option value="closed unsuccessful" selected>`, "rows=\"3\">\ngave up</textarea>")
}

func TestNotFoundAndInternalError(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	wantStatus(t, b.get("/agent/tickets/2099010110000011"), http.StatusNotFound)
	wantStatus(t, b.get("/agent/tickets/not-a-number"), http.StatusNotFound)
	wantStatus(t, b.get("/agent/queues/abc"), http.StatusNotFound)
	wantStatus(t, b.get("/no/such/page"), http.StatusNotFound)

	b.desk.ticketErr = errors.New("pq: connection refused to 10.0.0.5")
	res := b.get("/agent/tickets/" + testNumber)
	wantStatus(t, res, http.StatusInternalServerError)
	wantContains(t, res.body, "Something went wrong")
	if strings.Contains(res.body, "10.0.0.5") {
		t.Error("internal error text shown to the user")
	}
	if !strings.Contains(b.log.String(), "10.0.0.5") {
		t.Error("internal error not logged")
	}
}

func TestPanicShowsErrorPage(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	b.desk.panicInOverview = true
	res := b.get("/agent/queues")
	wantStatus(t, res, http.StatusInternalServerError)
	wantContains(t, res.body, "Something went wrong")
	if strings.Contains(res.body, "0xdeadbeef") {
		t.Error("panic text shown to the user")
	}
	if !strings.Contains(b.log.String(), "0xdeadbeef") {
		t.Error("panic not logged")
	}
	wantStatus(t, b.get("/healthz"), http.StatusOK)
}

func TestHeadersHealthzStatic(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.get("/healthz")
	wantStatus(t, res, http.StatusOK)
	if res.body != "ok" {
		t.Errorf("healthz body %q", res.body)
	}
	for k, v := range map[string]string{
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
	} {
		if got := res.header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	csp := res.header.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q", csp)
	}

	login := b.get("/login")
	css := regexp.MustCompile(`href="(/static/style\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(login.body)
	if css == nil {
		t.Fatalf("no style sheet link in\n%s", login.body)
	}
	res = b.get(css[1])
	wantStatus(t, res, http.StatusOK)
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("style sheet served as %q", ct)
	}
	wantStatus(t, b.get("/static/"), http.StatusNotFound)
	wantStatus(t, b.get("/static/../openapi.yaml"), http.StatusNotFound)
}

func TestAPIAuth(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login() // a browser session must not open the API
	for name, token := range map[string]string{"none": "", "unknown": "guess"} {
		res := b.api(http.MethodGet, "/api/v1/queues", token, "")
		if res.status != http.StatusUnauthorized {
			t.Errorf("%s token: status %d, want 401", name, res.status)
		}
		var e apiError
		if err := json.Unmarshal([]byte(res.body), &e); err != nil || e.Error == "" {
			t.Errorf("%s token: body %q is not a JSON error", name, res.body)
		}
		if res.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s token: no WWW-Authenticate header", name)
		}
	}
	res := b.api(http.MethodGet, "/api/v1/queues", testToken, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `"name":"Helpdesk"`, `"new":1`, `"total":3`)
}

func TestAPICreateTicket(t *testing.T) {
	b := newBrowser(t, Options{})
	body := `{"customer":"carl","title":"Printer jams","body":"It jams.","service_id":11,"queue_id":0,"type_id":1,"priority_id":3}`

	res := b.api(http.MethodPost, "/api/v1/tickets", testToken, body, "Idempotency-Key", "key-123")
	wantStatus(t, res, http.StatusCreated)
	if loc := res.header.Get("Location"); loc != "/api/v1/tickets/"+testNumber {
		t.Errorf("Location %q", loc)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatal(err)
	}
	if got["number"] != testNumber || got["state"] != "open" {
		t.Errorf("ticket JSON %s", res.body)
	}
	if c := b.desk.creates[0]; c.RequestKey != "key-123" || c.CustomerLogin != "carl" || c.ServiceID != 11 || c.TypeID != 1 || c.PriorityID != 3 {
		t.Errorf("desk got %+v", c)
	}

	wantStatus(t, b.api(http.MethodPost, "/api/v1/tickets", testToken, body), http.StatusCreated)
	if b.desk.creates[1].RequestKey == "" {
		t.Error("a create without a key reached the desk without one")
	}

	withField := strings.Replace(body, "{", `{"request_key":"field-key",`, 1)
	wantStatus(t, b.api(http.MethodPost, "/api/v1/tickets", testToken, withField), http.StatusCreated)
	if k := b.desk.creates[2].RequestKey; k != "field-key" {
		t.Errorf("request_key field gave key %q", k)
	}

	b.desk.createErr = desk.FieldErrors{"customer": ticket.P(ticket.FieldUnknown)}
	res = b.api(http.MethodPost, "/api/v1/tickets", testToken, body)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, `"code":"msg.fix_fields"`, `"fields":{"customer":"Not found."}`, `"field_codes":{"customer":"field.unknown"}`)
}

func TestAPIRefusesBadBodies(t *testing.T) {
	b := newBrowser(t, Options{})
	for name, body := range map[string]string{
		"unknown field": `{"customer":"carl","title":"x","body":"y","type_id":1,"priority_id":3,"queue_id":3,"colour":"red"}`,
		"two objects":   `{"customer":"carl"} {"customer":"carl"}`,
		"not JSON":      `customer=carl`,
		"empty":         ``,
	} {
		res := b.api(http.MethodPost, "/api/v1/tickets", testToken, body)
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 (%s)", name, res.status, res.body)
		}
		wantContains(t, res.body, `"code":"msg.bad_request"`, `"error":"The request could not be read: `)
	}
	tooLarge := `{"customer":"carl","title":"x","type_id":1,"priority_id":3,"queue_id":3,"body":"` + strings.Repeat("a", 1<<20) + `"}`
	res := b.api(http.MethodPost, "/api/v1/tickets", testToken, tooLarge)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	wantContains(t, res.body, `"code":"msg.too_large"`, `"error":"The request is too large: the request body is larger than 1 MiB"`)
	wantStatus(t, b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/notes", testToken, `{"kind":"internal note","body":"x","extra":1}`), http.StatusBadRequest)
	if n := b.desk.called("CreateTicket") + b.desk.called("AddNote"); n != 0 {
		t.Errorf("the desk was called %d times with a bad body", n)
	}
}

func TestAPITicketNotesClose(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.api(http.MethodGet, "/api/v1/tickets/"+testNumber, testToken, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `"number":"`+testNumber+`"`, `"articles":[{"seq":1`, `"history":[{"seq":1`, `"customer_login":"carl"`, `"service_id":11`)
	wantStatus(t, b.api(http.MethodGet, "/api/v1/tickets/2099010110000011", testToken, ""), http.StatusNotFound)

	res = b.api(http.MethodGet, "/api/v1/queues/3/tickets", testToken, "")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `"queue":{"id":3`, `"tickets":[{"number":"`+testNumber+`"`)

	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/notes", testToken, `{"kind":"internal note","body":"checked"}`)
	wantStatus(t, res, http.StatusOK)
	if n := b.desk.notes[0]; n.Kind != "internal note" || n.Body != "checked" {
		t.Errorf("desk got %+v", n)
	}

	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/close", testToken, `{"state":"closed successful","note":"done"}`)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, `"state":"closed successful"`, `"closed_at":"2026-11-27T09:30:00Z"`)

	b.desk.closeErr = &desk.RejectedError{Problem: ticket.P(ticket.RefusedState, "State", "closed successful", "Action", "close")}
	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/close", testToken, `{"state":"closed successful"}`)
	wantStatus(t, res, http.StatusConflict)
	wantContains(t, res.body, `"code":"refused.state"`, `"error":"A ticket in state “closed successful” cannot be changed by “close”."`)

	b.desk.noteErr = fmt.Errorf("add-note: %w", desk.ErrUnavailable)
	res = b.api(http.MethodPost, "/api/v1/tickets/"+testNumber+"/notes", testToken, `{"kind":"internal note","body":"again"}`)
	wantStatus(t, res, http.StatusServiceUnavailable)
	wantContains(t, res.body, "did not answer in time")
}

func TestNoteKeyAgainstDoubleSubmit(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	page := b.get("/agent/tickets/" + testNumber).body
	m := regexp.MustCompile(`action="/agent/tickets/` + testNumber + `/notes"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)">\s*<input type="hidden" name="request_key" value="([^"]+)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the note form carries no request_key")
	}
	res := b.post("/agent/tickets/"+testNumber+"/notes", url.Values{"csrf_token": {m[1]}, "request_key": {m[2]}, "kind": {"internal note"}, "body": {"x"}})
	wantStatus(t, res, http.StatusSeeOther)
	if got := b.desk.notes[0].RequestKey; got != m[2] {
		t.Errorf("desk got request key %q, want the form's %q", got, m[2])
	}
	b.desk.noteErr = desk.ErrUnavailable
	res = b.post("/agent/tickets/"+testNumber+"/notes", url.Values{"csrf_token": {m[1]}, "request_key": {m[2]}, "kind": {"internal note"}, "body": {"x"}})
	wantStatus(t, res, http.StatusServiceUnavailable)
	wantContains(t, res.body, "Reload the ticket")
}

// TestOpenAPI checks that the document is served and names every API route
// and method the router has, so the two cannot drift apart unnoticed.
func TestOpenAPI(t *testing.T) {
	b := newBrowser(t, Options{})
	res := b.get("/api/v1/openapi.yaml")
	wantStatus(t, res, http.StatusOK)
	wantContains(t, res.body, "openapi: 3.0")

	h, err := New(newFakeDesk(), Options{SessionKey: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	paths := openAPIPaths(res.body)
	n := 0
	for _, r := range h.(interface{ Routes() gin.RoutesInfo }).Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		n++
		p := regexp.MustCompile(`:(\w+)`).ReplaceAllString(strings.TrimPrefix(r.Path, "/api/v1"), "{$1}")
		if !paths[p][strings.ToLower(r.Method)] {
			t.Errorf("openapi.yaml does not describe %s %s", r.Method, p)
		}
	}
	if n != 25 {
		t.Errorf("found %d API routes, want 25", n)
	}
	described := 0
	for _, ms := range paths {
		described += len(ms)
	}
	if described != n {
		t.Errorf("openapi.yaml describes %d operations, the router has %d", described, n)
	}
}

// openAPIPaths reads path → methods from the document's paths section, by
// indentation, which is enough for the document we write ourselves.
func openAPIPaths(doc string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	in, cur := false, ""
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case line == "paths:":
			in = true
		case in && line != "" && !strings.HasPrefix(line, " "):
			in = false
		case in && strings.HasPrefix(line, "  /"):
			cur = strings.TrimSuffix(strings.TrimSpace(line), ":")
			out[cur] = map[string]bool{}
		case in && cur != "" && regexp.MustCompile(`^    (get|post|put|patch|delete):$`).MatchString(line):
			out[cur][strings.TrimSuffix(strings.TrimSpace(line), ":")] = true
		}
	}
	return out
}

func TestNewRefusesBadKey(t *testing.T) {
	if _, err := New(newFakeDesk(), Options{SessionKey: []byte("short")}); err == nil {
		t.Error("New accepted a 5-byte session key")
	}
}

// TestCustomerLookUp: the phone-ticket form finds customers by part of
// their name and takes the one picked; nobody found says so.
func TestCustomerLookUp(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	page := b.get("/agent/tickets/new?q=CARL")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.body, `<a href="/agent/tickets/new?customer=carl">Carl Customer (carl)</a>`)
	page = b.get("/agent/tickets/new?customer=carl")
	wantContains(t, page.body, `<input id="customer" name="customer" value="carl"`)
	page = b.get("/agent/tickets/new?q=nobody")
	wantContains(t, page.body, "Nobody found.")
}

// TestAttachmentIsADownload: a customer's file is sent as a download in a
// sandbox, never as a page of the desk's origin — an HTML attachment's
// script does not run.
func TestAttachmentIsADownload(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	res := b.get("/agent/tickets/2026112710000017/attachments/1/1")
	wantStatus(t, res, http.StatusOK)
	if got := res.header.Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("content type %q", got)
	}
	if got := res.header.Get("Content-Disposition"); got != "attachment; filename*=utf-8''Gr%C3%BC%C3%9Fe.html" {
		t.Errorf("disposition %q", got)
	}
	if got := res.header.Get("Content-Security-Policy"); got != "sandbox" {
		t.Errorf("CSP %q", got)
	}
	wantStatus(t, b.get("/agent/tickets/2026112710000017/attachments/2/1"), http.StatusNotFound)
	wantStatus(t, b.get("/agent/tickets/2026112710000017/attachments/x/1"), http.StatusNotFound)
}

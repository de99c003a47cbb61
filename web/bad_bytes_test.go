package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// Bad bytes never give a 500 and never reach the desk: every route of the
// router (listed from it, so a new route is covered or the test says what
// it lacks) gets invalid UTF-8, NUL and other control characters in each
// form or JSON field, in its path parameters, its query, the
// Idempotency-Key header, the bearer token and the session cookie.

// badBytes are values no field, parameter or header may carry. raw is
// what goes into a form, URL or header; json how it is written inside a
// JSON string.
var badBytes = []struct{ name, raw, json string }{
	{"NUL", "a\x00b", `a\u0000b`},
	{"invalid UTF-8", "a\xffb", "a\xffb"},
	{"escape", "a\x1b[31mb", `a\u001b[31mb`},
	{"C1 control", "a\u0085b", `a\u0085b`},
	{"non-character", "a\uffffb", `a\uffffb`},
}

// sampleForms are valid posts of every HTML form, by route.
var sampleForms = map[string]url.Values{
	"/language": {"lang": {"en"}, "next": {"/agent/queues"}},
	"/login":    {"login": {"anna"}, "password": {"right"}, "next": {"/agent/queues"}},
	"/logout":   {},
	"/agent/tickets/:number/articles/:seq/split": {"request_key": {"k"}},
	"/agent/bulk":                            {"request_key": {"k"}, "number": {"2026112710000017"}, "action": {"close"}, "state": {"closed successful"}, "into": {""}, "back": {"/agent/queues/3"}},
	"/agent/tickets":                         {"request_key": {"k1"}, "customer": {"carl"}, "title": {"t"}, "body": {"b"}, "service_id": {"11"}, "queue_id": {""}, "type_id": {"1"}, "priority_id": {"3"}},
	"/agent/tickets/:number/notes":           {"request_key": {"k"}, "kind": {"internal note"}, "body": {"b"}, "next_state": {""}, "next_until": {""}},
	"/agent/tickets/:number/close":           {"request_key": {"k"}, "state": {"closed successful"}, "note": {"n"}},
	"/agent/tickets/:number/replies":         {"request_key": {"k"}, "subject": {"s"}, "body": {"b"}, "next_state": {""}, "next_until": {""}},
	"/agent/tickets/:number/pending":         {"request_key": {"k"}, "state": {"pending reminder"}, "until": {"2030-01-01T09:00"}, "note": {"n"}},
	"/agent/tickets/:number/assign":          {"request_key": {"k"}, "owner_id": {"7"}, "responsible_id": {""}},
	"/agent/tickets/:number/lock":            {"request_key": {"k"}, "locked": {"true"}},
	"/agent/tickets/:number/watch":           {"request_key": {"k"}, "agent_id": {""}, "watch": {"true"}},
	"/agent/tickets/:number/move":            {"request_key": {"k"}, "queue_id": {"4"}},
	"/agent/tickets/:number/escalate":        {"request_key": {"k"}, "queue_id": {"5"}, "note": {"n"}},
	"/agent/tickets/:number/hand-back":       {"request_key": {"k"}, "note": {"n"}},
	"/agent/tickets/:number/classify":        {"request_key": {"k"}, "service_id": {"11"}, "type_id": {"1"}, "priority_id": {"3"}},
	"/agent/tickets/:number/reopen":          {"request_key": {"k"}, "note": {"n"}},
	"/agent/tickets/:number/merge":           {"request_key": {"k"}, "into": {otherNumber}},
	"/agent/tickets/:number/links":           {"request_key": {"k"}, "other": {otherNumber}},
	"/agent/tickets/:number/time":            {"request_key": {"k"}, "minutes": {"15"}, "note": {"Printer queue"}},
	"/agent/tokens":                          {"name": {"CI"}},
	"/agent/tokens/:id/revoke":               {},
	"/admin/agents/:id/tokens":               {"name": {"CI"}},
	"/admin/agents/:id/tokens/:token/revoke": {},
	"/admin/ldap-mappings":                   {"ldap_group": {"kiz-helpdesk"}, "role_id": {"2"}},
	"/admin/ldap-mappings/remove":            {"ldap_group": {"kiz-helpdesk"}, "role_id": {"2"}},
	"/admin/faq-rights":                      {"perm": {"2:edit", "2:publish"}, "approval": {"0", "11"}},
	"/agent/preferences/notifications":       {"notify": {"assigned", "new-ticket"}},
	"/agent/preferences/time-zone":           {"time_zone": {"America/New_York"}},
	"/agent/preferences/queue-columns":       {"column": {"state", "age"}, "back": {"/agent/queues/3?state=new"}},
	"/agent/search/saved":                    {"name": {"Drucker"}, "query": {"q=Drucker&state=open"}},
	"/agent/search/saved/:id/delete":         {},
	"/agent/reports/schedules":               {"name": {"Monthly"}, "kind": {"volume"}, "group": {"service"}, "granularity": {"month"}, "period_days": {"30"}, "format": {"csv"}, "cron": {"0 7 1 * *"}, "recipients": {"7"}},
	"/agent/reports/schedules/:id/delete":    {},
	"/agent/tickets/:number/draft":           {"draft": {"reply"}, "response": {"21"}, "request_key": {"k"}, "subject": {"s"}, "body": {"b"}, "next_state": {""}, "next_until": {""}},
	"/agent/faq":                             {"visibility": {"public"}, "service_id": {"11"}, "title_de": {"t"}, "question_de": {"q\nz"}, "answer_de": {"a\nb"}, "title_en": {""}, "question_en": {""}, "answer_en": {""}, "ticket": {""}, "base": {"0"}},
	"/agent/faq/:id":                         {"visibility": {"public"}, "service_id": {""}, "title_de": {"t"}, "question_de": {"q"}, "answer_de": {"a"}, "title_en": {"t"}, "question_en": {"q"}, "answer_en": {"a"}, "ticket": {""}, "base": {"1"}},
	"/agent/faq/:id/actions":                 {"action": {"withdraw"}, "version": {"1"}},
	// The customer portal's forms, posted by a logged-in customer.
	"/portal/login":                   {"login": {"carl"}, "password": {"right"}, "next": {"/portal"}},
	"/portal/logout":                  {},
	"/portal/tickets":                 {"request_key": {"k"}, "service_id": {"11"}, "type_id": {"1"}, "urgency": {"normal"}, "title": {"t"}, "body": {"b"}},
	"/portal/tickets/:number/replies": {"request_key": {"k"}, "body": {"b"}},
	"/portal/tickets/:number/close":   {"request_key": {"k"}},
	"/portal/tickets/suggest":         {"request_key": {"k"}, "service_id": {"11"}, "type_id": {"1"}, "urgency": {"normal"}, "title": {"Outlook"}, "body": {"b"}},
	"/portal/faq/:id/solved":          {"request_key": {"k"}, "service_id": {"11"}, "type_id": {"1"}, "urgency": {"normal"}, "title": {"Outlook"}, "body": {"b"}},
	"/portal/password-reset":          {"login": {"carl"}},
	"/portal/password-reset/:token":   {"password": {"a new password"}},
	"/admin/retention/run":            {},
	"/admin/erasure/:id":              {"confirm": {"yes"}},
	// The admin objects' forms: adminSampleForms (admin_test.go).
}

// sampleJSON are valid bodies of every API post, by route.
var sampleJSON = map[string]map[string]any{
	// A mail is raw bytes, judged by the desk's mail reader; here only
	// its query and headers are the web's to check.
	"/api/v1/mail":                       {},
	"/api/v1/tickets":                    {"customer": "carl", "title": "t", "body": "b", "service_id": 11, "type_id": 1, "priority_id": 3, "request_key": "k"},
	"/api/v1/tickets/:number/notes":      {"kind": "internal note", "body": "b", "next_state": "", "next_until": ""},
	"/api/v1/tickets/:number/close":      {"state": "closed successful", "note": "n"},
	"/api/v1/tickets/:number/replies":    {"subject": "s", "body": "b", "next_state": "", "next_until": ""},
	"/api/v1/tickets/:number/pending":    {"state": "pending reminder", "until": "2030-01-01T09:00:00Z", "note": "n"},
	"/api/v1/tickets/:number/assign":     {"owner_id": 7, "responsible_id": 0},
	"/api/v1/tickets/:number/lock":       {"locked": true},
	"/api/v1/tickets/:number/watch":      {"agent_id": 0, "watch": true},
	"/api/v1/tickets/:number/move":       {"queue_id": 4},
	"/api/v1/tickets/:number/escalate":   {"queue_id": 5, "note": "n"},
	"/api/v1/tickets/:number/hand-back":  {"note": "n"},
	"/api/v1/tickets/:number/classify":   {"service_id": 11, "type_id": 1, "priority_id": 3},
	"/api/v1/tickets/:number/reopen":     {"note": "n"},
	"/api/v1/tickets/:number/merge":      {"into": otherNumber},
	"/api/v1/tickets/:number/links":      {"other": otherNumber},
	"/api/v1/tickets/:number/time":       {"minutes": 15, "note": "Printer queue"},
	"/api/v1/tickets/:number/follow-ups": {"customer": "carl", "subject": "s", "body": "b", "message_id": "m"},
}

// paramValues fill the routes' path parameters with what names something.
var paramValues = map[string]string{":number": testNumber, ":id": "3", ":token": "4", "*file": "style.css"}

// routePath is route's path with its parameters filled in, the one named
// bad (if any) with value.
func routePath(route, bad, value string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if v, ok := paramValues[p]; ok {
			if p == bad {
				v = url.PathEscape(value)
			}
			parts[i] = v
		}
	}
	return strings.Join(parts, "/")
}

func routeParams(route string) []string {
	var out []string
	for _, p := range strings.Split(route, "/") {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			out = append(out, p)
		}
	}
	return out
}

func TestBadBytesNeverReachTheDesk(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	h, err := New(newFakeDesk(), Options{SessionKey: testSessionKey})
	if err != nil {
		t.Fatal(err)
	}
	routes := h.(interface{ Routes() gin.RoutesInfo }).Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes found", len(routes))
	}
	seen := 0
	// check asserts what holds for every request with bad bytes.
	check := func(t *testing.T, what string, res response) {
		t.Helper()
		seen++
		if res.status >= 500 {
			t.Errorf("%s: status %d\n%s", what, res.status, res.body)
		}
		if bad := b.desk.taints(); len(bad) > 0 {
			t.Fatalf("%s: the desk got bad bytes: %v", what, bad)
		}
	}
	// token is a fresh CSRF token of a logged-in session.
	token := func() string {
		page := b.get("/agent/queues")
		if page.status != http.StatusOK {
			b.login()
			page = b.get("/agent/queues")
		}
		return hidden(t, csrfRE, page.body)
	}

	// The portal's pages are a customer's: a browser logged in there.
	pb := newBrowserOf(t, b.desk, Options{})
	pb.desk = b.desk
	pb.portalLogin()
	portalToken := func() string {
		page := pb.get("/portal")
		if page.status != http.StatusOK {
			pb.portalLogin()
			page = pb.get("/portal")
		}
		return hidden(t, csrfRE, page.body)
	}
	plainToken := token

	for _, r := range routes {
		if strings.HasPrefix(r.Path, "/codec/") {
			// The Temporal UI's codec endpoint reads only encoded payloads
			// (protobuf JSON), never text for the desk: TestCodecBadPayloads.
			continue
		}
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			api := strings.HasPrefix(r.Path, "/api/")
			b, token := b, plainToken
			// The portal's forms (but its login) answer a refusal with the
			// form marked at once (422), not with a redirect.
			portal := strings.HasPrefix(r.Path, "/portal") && r.Path != "/portal/login"
			if portal {
				b, token = pb, portalToken
			}
			send := func(path string, body string, header ...string) response {
				t.Helper()
				ct := "application/x-www-form-urlencoded"
				if api {
					ct = "application/json"
				}
				req, err := http.NewRequest(r.Method, b.base+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", ct)
				if api {
					req.Header.Set("Authorization", "Bearer "+testToken)
				}
				for i := 0; i+1 < len(header); i += 2 {
					req.Header.Set(header[i], header[i+1])
				}
				return b.do(req)
			}
			// The form a post sends besides the bad part: the sample with
			// a valid CSRF token.
			form := func() url.Values {
				f := url.Values{}
				for k, v := range sampleForms[r.Path] {
					f[k] = slices.Clone(v)
				}
				if !api {
					f.Set("csrf_token", token())
				}
				return f
			}
			body := func() string {
				if r.Method != http.MethodPost {
					return ""
				}
				if api {
					j, _ := json.Marshal(sampleJSON[r.Path])
					return string(j)
				}
				return form().Encode()
			}
			if r.Method == http.MethodPost {
				if _, ok := sampleForms[r.Path]; !ok && !api {
					t.Fatalf("no sample form for %s: add one to sampleForms", r.Path)
				}
				if _, ok := sampleJSON[r.Path]; !ok && api {
					t.Fatalf("no sample body for %s: add one to sampleJSON", r.Path)
				}
			}

			for _, bad := range badBytes {
				for _, p := range routeParams(r.Path) {
					check(t, bad.name+" in "+p, send(routePath(r.Path, p, bad.raw), body()))
				}
				res := send(routePath(r.Path, "", "")+"?next="+url.QueryEscape(bad.raw)+"&q="+url.QueryEscape(bad.raw), body())
				check(t, bad.name+" in the query", res)
				wantStatus(t, res, http.StatusBadRequest)
				if bad.name != "NUL" && bad.name != "escape" { // a header cannot carry these at all
					res = send(routePath(r.Path, "", ""), body(), "Idempotency-Key", bad.raw)
					check(t, bad.name+" in Idempotency-Key", res)
					wantStatus(t, res, http.StatusBadRequest)
					check(t, bad.name+" in the cookie", send(routePath(r.Path, "", ""), body(), "Cookie", sessionCookie+"="+bad.raw))
					if api && r.Path != "/api/v1/openapi.yaml" {
						res = send(routePath(r.Path, "", ""), body(), "Authorization", "Bearer "+testToken+bad.raw)
						check(t, bad.name+" in the token", res)
						wantStatus(t, res, http.StatusUnauthorized)
					}
				}
				if r.Method != http.MethodPost {
					continue
				}
				if api {
					for field, v := range sampleJSON[r.Path] {
						if _, ok := v.(string); !ok {
							continue
						}
						j := map[string]any{}
						for k, v := range sampleJSON[r.Path] {
							j[k] = v
						}
						j[field] = "BAD"
						enc, _ := json.Marshal(j)
						enc = bytes.Replace(enc, []byte(`"BAD"`), []byte(`"`+bad.json+`"`), 1)
						res := send(routePath(r.Path, "", ""), string(enc))
						check(t, bad.name+" in JSON field "+field, res)
						wantStatus(t, res, http.StatusUnprocessableEntity)
						wantContains(t, res.body, `"field_codes":{"`+field+`":"field.`)
					}
					continue
				}
				for field := range sampleForms[r.Path] {
					f := form()
					f.Set(field, bad.raw)
					var res response
					if r.Path == "/login" || r.Path == "/portal/login" {
						// Logged out, as one logs in.
						anon := newBrowserOf(t, b.desk, Options{})
						f.Set("csrf_token", hidden(t, csrfRE, anon.get(r.Path).body))
						res = anon.post(r.Path, f)
						check(t, bad.name+" in field "+field, res)
						if field != "next" && r.Path == "/login" {
							res = anon.follow(res)
						}
					} else if portal {
						res = b.post(routePath(r.Path, "", ""), f)
					} else if r.Path == "/language" {
						// No form to go back to: the switch answers at once
						// (and a bad next goes to the start page).
						res = b.post(r.Path, f)
					} else {
						res = b.post(routePath(r.Path, "", ""), f)
						check(t, bad.name+" in field "+field, res)
						res = b.follow(res)
					}
					check(t, bad.name+" in field "+field+", the page after", res)
					if field != "next" {
						wantStatus(t, res, http.StatusUnprocessableEntity)
						wantContains(t, res.body, "Please correct the marked fields.")
					}
				}
				// A bad name of a field is no field of ours: a bad request.
				f := form()
				f.Set("x"+bad.raw, "1")
				res = b.post(routePath(r.Path, "", ""), f)
				if !api && r.Path != "/login" {
					check(t, bad.name+" in a field's name", res)
					wantStatus(t, res, http.StatusBadRequest)
				}
			}
		})
	}
	t.Logf("%d requests with bad bytes to %d routes", seen, len(routes))

	// Bytes a header cannot carry: the server refuses the request itself.
	for _, v := range []string{"a\x00b", "a\x1bb"} {
		status := rawStatus(t, b.base, "POST /api/v1/tickets/"+testNumber+"/notes HTTP/1.1\r\nHost: x\r\n"+
			"Authorization: Bearer "+testToken+"\r\nIdempotency-Key: "+v+"\r\nContent-Length: 2\r\n\r\n{}")
		if status != http.StatusBadRequest {
			t.Errorf("Idempotency-Key %q: status %d, want 400", v, status)
		}
	}
	if bad := b.desk.taints(); len(bad) > 0 {
		t.Errorf("the desk got bad bytes: %v", bad)
	}
}

// rawStatus sends a request as written and returns the answer's status.
func rawStatus(t *testing.T, base, req string) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprint(conn, req); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestLargeFormsRefused: a form body over 1 MiB is refused before any
// handler reads it; a form that may carry files, once over what an
// article's files and text may be.
func TestLargeFormsRefused(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.login()
	res := b.post("/agent/tickets/"+testNumber+"/close", url.Values{"csrf_token": {token}, "state": {"closed successful"},
		"note": {strings.Repeat("x", 1<<20)}})
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if n := b.desk.called("Close"); n != 0 {
		t.Errorf("Close called %d times with a body over 1 MiB", n)
	}
	res = b.postFiles("/agent/tickets/"+testNumber+"/notes", url.Values{"csrf_token": {token}, "kind": {"internal note"}, "body": {"b"}},
		map[string][]byte{"huge.bin": bytes.Repeat([]byte{0}, maxUploadBody)})
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if n := b.desk.called("AddNote"); n != 0 {
		t.Errorf("AddNote called %d times with files over %d bytes", n, maxUploadBody)
	}
}

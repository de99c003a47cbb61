package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/devtemporal"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// testStack is kizdesk as `kizdesk dev` runs it — embedded Temporal server,
// worker, database, web handler — on loopback with free ports, plus a
// minimal tenant.
type testStack struct {
	*devStack
	srv     *httptest.Server
	fixture dbtest.Fixture
	token   string
	// gatewayToken and gateway are an integration's (the mail gateway's):
	// it posts customers' follow-ups, naming the sender it saw.
	gatewayToken string
	gateway      desk.Principal
	dir          string // the data directory (SQLite's file is kizdesk.db there)
	// payloadKeyFile holds the stack's payload keys, for commands run
	// against it.
	payloadKeyFile string
}

const testPassword = "correct horse"

func startTestStack(t testing.TB, kind string) *testStack {
	t.Helper()
	return startTestStackWith(t, kind, nil)
}

// startTestStackWith starts a stack whose embedded Temporal server runs
// with the given dynamic config overrides.
func startTestStackWith(t testing.TB, kind string, dynamicConfig map[string]any) *testStack {
	t.Helper()
	return startTestStackOn(t, kind, dbURL(t, kind), dynamicConfig)
}

// startTestStackOn starts a stack on the database at url ("" is SQLite in
// the stack's data directory).
func startTestStackOn(t testing.TB, kind, url string, dynamicConfig map[string]any) *testStack {
	t.Helper()
	return startTestStackConfig(t, kind, url, func(c *devConfig) { c.TemporalDynamicConfig = dynamicConfig })
}

// startTestStackConfig starts a stack on the database at url with its
// dev config adjusted (mail, dynamic config).
func startTestStackConfig(t testing.TB, kind, url string, adjust func(*devConfig)) *testStack {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("KIZDESK_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	dir := t.TempDir()
	temporalURL := testTemporalDatabaseURL(t)
	began := time.Now()
	cfg := devConfig{
		DataDir: dir, DatabaseURL: url, TemporalDatabaseURL: temporalURL, Namespace: "kizdesk", Retention: 30 * 24 * time.Hour,
		TemporalPort: 0, UIPort: -1, Location: time.UTC, SystemID: "10", Log: log,
	}
	adjust(&cfg)
	s, err := startDevStack(ctx, cfg)
	if err != nil {
		t.Fatalf("start stack: %v", err)
	}
	temporalOn := "SQLite"
	if temporalURL != "" {
		temporalOn = "PostgreSQL"
	}
	t.Logf("%s stack (Temporal on %s) started in %s", kind, temporalOn, time.Since(began).Round(time.Millisecond))
	ts := &testStack{devStack: s, dir: dir, payloadKeyFile: filepath.Join(dir, "payload.keys")}
	t.Cleanup(s.close)
	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	ts.fixture = dbtest.Seed(t, s.db, string(hash))
	// The tests of the lifecycle escalate, move and hand back with the
	// fixture's agent: it works every queue. Permissions have their own
	// tenants (authz_test.go).
	dbtest.Grant(t, s.db, ts.fixture.Agent, models.AdminRole)
	ts.token = "test-token-" + kind
	if err := models.CreateAPIToken(ctx, s.db, ts.fixture.Agent.ID, "test", ts.token); err != nil {
		t.Fatal(err)
	}
	ts.gatewayToken = "gateway-token-" + kind
	if err := models.CreateIntegrationToken(ctx, s.db, ts.fixture.Agent.ID, "mail gateway", ts.gatewayToken); err != nil {
		t.Fatal(err)
	}
	if ts.gateway, err = s.desk.PrincipalByToken(ctx, ts.gatewayToken); err != nil {
		t.Fatal(err)
	}
	ts.srv = httptest.NewServer(s.handler)
	t.Cleanup(ts.srv.Close)
	return ts
}

// testTemporalDatabaseURL is where a test stack's embedded Temporal keeps
// its data: with KIZDESK_TEST_TEMPORAL_DATABASE_URL set, databases of the
// stack's own on that PostgreSQL server, dropped when the stack is gone;
// else "" (SQLite in the stack's directory).
func testTemporalDatabaseURL(t testing.TB) string {
	base := os.Getenv("KIZDESK_TEST_TEMPORAL_DATABASE_URL")
	if base == "" {
		return ""
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KIZDESK_TEST_TEMPORAL_DATABASE_URL: %v", err)
	}
	u.Path = "/temporal_test_" + strings.ToLower(rand.Text()[:10])
	// Registered before the stack's own cleanup, so it runs after it.
	t.Cleanup(func() {
		if err := devtemporal.DropPostgres(u.String()); err != nil {
			t.Logf("drop Temporal test databases: %v", err)
		}
	})
	return u.String()
}

func dbURL(t testing.TB, kind string) string {
	if kind == "sqlite" {
		return "" // dev's default: SQLite in the data directory
	}
	return dbtest.URL(t, kind)
}

// browser is an agent's browser: cookies, forms, redirects.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: base}
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="(csrf_token|request_key)" value="([^"]*)">`)

// get fetches a page and returns its final URL and body.
func (b *browser) get(path string) (string, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %s\n%s", path, resp.Status, body)
	}
	return resp.Request.URL.Path, string(body)
}

// hidden returns the hidden values of the form in page that posts to
// action, as a browser would send them.
func hidden(page, action string) url.Values {
	v := url.Values{}
	if i := strings.Index(page, `action="`+action+`"`); i >= 0 {
		form := page[i:]
		if end := strings.Index(form, "</form>"); end >= 0 {
			form = form[:end]
		}
		for _, m := range hiddenRE.FindAllStringSubmatch(form, -1) {
			v.Set(m[1], m[2])
		}
	}
	return v
}

// post submits the form of page that posts to path (a page without such a
// form, e.g. a stale one: its layout's CSRF token) and follows the
// redirect; it returns the final status, path and body.
func (b *browser) post(page, path string, fields map[string]string) (int, string, string) {
	b.t.Helper()
	form := hidden(page, path)
	if form.Get("csrf_token") == "" {
		form = hidden(page, "/logout")
	}
	if form.Get("csrf_token") == "" {
		b.t.Fatalf("no csrf_token on the page before POST %s", path)
	}
	for k, v := range fields {
		form.Set(k, v)
	}
	return b.send(path, form)
}

// send posts form to path and follows the redirect.
func (b *browser) send(path string, form url.Values) (int, string, string) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(body)
}

func TestEndToEnd(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testEndToEnd(t, sharedStack(t, kind, nil)) })
	}
}

func testEndToEnd(t *testing.T, s *testStack) {
	ctx := context.Background()
	f := s.fixture
	b := newBrowser(t, s.srv.URL)

	// Not logged in: the agent pages send us to the login form.
	path, login := b.get("/agent/queues")
	if path != "/login" {
		t.Fatalf("without a session /agent/queues ended at %s, want /login", path)
	}
	status, _, page := b.post(login, "/login", map[string]string{"login": f.Agent.Login, "password": "wrong"})
	if status != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d", status)
	}
	status, path, page = b.post(page, "/login", map[string]string{"login": f.Agent.Login, "password": testPassword})
	if status != http.StatusOK || !strings.HasPrefix(path, "/agent") {
		t.Fatalf("login: %d at %s", status, path)
	}

	// A new phone ticket.
	_, form := b.get("/agent/tickets/new")
	fields := map[string]string{
		"customer": f.Customer.Login, "title": "VPN verbindet nicht", "body": "Seit dem Update kein Tunnel.",
		"service_id": fmt.Sprint(f.Service.ID), "queue_id": "", "type_id": fmt.Sprint(f.Type.ID),
		"priority_id": fmt.Sprint(f.Priority.ID),
	}
	status, path, zoom := b.post(form, "/agent/tickets", fields)
	if status != http.StatusOK || !strings.HasPrefix(path, "/agent/tickets/") {
		t.Fatalf("create: %d at %s\n%s", status, path, zoom)
	}
	number := strings.TrimPrefix(path, "/agent/tickets/")
	if !strings.Contains(zoom, "VPN verbindet nicht") || !strings.Contains(zoom, "Seit dem Update kein Tunnel.") {
		t.Error("the zoom after create does not show the ticket's title and text")
	}
	// The same form sent again (a double click, a reload) makes no second ticket.
	_, again, _ := b.post(form, "/agent/tickets", fields)
	if again != path {
		t.Errorf("second submit of the same form went to %s, want %s", again, path)
	}
	var n int64
	s.db.Model(&models.Ticket{}).Where("title = ?", "VPN verbindet nicht").Count(&n)
	if n != 1 {
		t.Errorf("%d tickets after a double submit, want 1", n)
	}

	// It is in its queue.
	_, queues := b.get("/agent/queues")
	if !strings.Contains(queues, f.Queue.Name) {
		t.Error("queue overview lacks the queue")
	}
	_, list := b.get(fmt.Sprintf("/agent/queues/%d", f.Queue.ID))
	if !strings.Contains(list, number) {
		t.Error("the queue's list lacks the new ticket")
	}

	// A note (sent twice, as a double click does: one note), then close.
	noteFields := map[string]string{"kind": "internal note", "body": "Zertifikat erneuert."}
	b.post(zoom, "/agent/tickets/"+number+"/notes", noteFields)
	status, _, zoom = b.post(zoom, "/agent/tickets/"+number+"/notes", noteFields)
	if status != http.StatusOK || strings.Count(zoom, "Zertifikat erneuert.") != 1 {
		t.Fatalf("note: %d; the zoom shows the note %d times, want once", status, strings.Count(zoom, "Zertifikat erneuert."))
	}
	status, _, zoom = b.post(zoom, "/agent/tickets/"+number+"/close", map[string]string{"state": "closed successful", "note": "Kunde bestätigt."})
	if status != http.StatusOK {
		t.Fatalf("close: %d", status)
	}
	// The page after the redirect already shows the change (read-your-writes),
	// in German: the browser names no language, and the kiz works in German.
	if !strings.Contains(zoom, `<span class="state">erfolgreich geschlossen</span>`) || !strings.Contains(zoom, `<html lang="de">`) {
		t.Error("the zoom after close does not show the closed state in German")
	}
	// A note on the closed ticket is refused, clearly, and nothing is written.
	status, _, page = b.post(zoom, "/agent/tickets/"+number+"/notes", map[string]string{"kind": "internal note", "body": "zu spät"})
	if status != http.StatusConflict || !strings.Contains(page, "Ein Ticket im Status „erfolgreich geschlossen“ kann nicht") {
		t.Errorf("note on a closed ticket: status %d", status)
	}

	// The database row and history.
	row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, number)
	if err != nil {
		t.Fatal(err)
	}
	if row.State != string(ticket.StateClosedSuccessful) || row.ClosedAt == nil || row.CustomerID != f.Customer.ID ||
		row.ServiceID == nil || *row.ServiceID != f.Service.ID || row.QueueID != f.Queue.ID || row.Level != models.LevelFirst {
		t.Errorf("ticket row = %+v", row.Ticket)
	}
	hist, _ := models.History(ctx, s.db, row.ID)
	var evs []string
	for _, h := range hist {
		evs = append(evs, h.Event)
	}
	want := "NewTicket PhoneCallCustomer AddNote StateUpdate AddNote StateUpdate"
	if got := strings.Join(evs, " "); got != want {
		t.Errorf("history = %s, want %s", got, want)
	}

	// The workflow's live state agrees.
	live, err := s.desk.LiveTicket(ctx, desk.AgentPrincipal(f.Agent), number)
	if err != nil {
		t.Fatal(err)
	}
	if live.State != ticket.StateClosedSuccessful || live.Seq != row.LastSeq {
		t.Errorf("workflow state %q at entry %d, database at %d", live.State, live.Seq, row.LastSeq)
	}

	// Ops find the ticket in Temporal by its number.
	found := false
	for deadline := time.Now().Add(15 * time.Second); !found && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := s.client.ListWorkflow(ctx, listRequest(fmt.Sprintf("TicketNumber = %q AND TicketState = %q", number, ticket.StateClosedSuccessful)))
		if err != nil {
			t.Fatalf("list workflows: %v", err)
		}
		found = len(resp.Executions) == 1 && resp.Executions[0].Execution.WorkflowId == ticket.WorkflowID(number)
	}
	if !found {
		t.Error("the ticket's workflow is not found by its TicketNumber and TicketState search attributes")
	}
	if s.db.Dialector.Name() == "sqlite" {
		recordHistory(t, s, number, "phone-ticket-note-close")
	}

	testAPI(t, s)
}

func testAPI(t *testing.T, s *testStack) {
	f := s.fixture
	call := func(method, path, key string, body any) (int, map[string]any) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, s.srv.URL+path, r)
		req.Header.Set("Authorization", "Bearer "+s.token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	create := map[string]any{"customer": f.Customer.Login, "title": "Drucker im Pool", "body": "Papierstau.",
		"service_id": f.Service.ID, "type_id": f.Type.ID, "priority_id": f.Priority.ID}

	// The same key from 8 clients at once: one ticket.
	var wg sync.WaitGroup
	numbers := make([]string, 8)
	for i := range numbers {
		wg.Go(func() {
			status, out := call("POST", "/api/v1/tickets", "printer-1", create)
			if status != http.StatusCreated && status != http.StatusOK {
				t.Errorf("API create: %d %v", status, out)
			}
			numbers[i], _ = out["number"].(string)
		})
	}
	wg.Wait()
	for _, n := range numbers {
		if n == "" || n != numbers[0] {
			t.Fatalf("one key gave numbers %v", numbers)
		}
	}
	var n int64
	s.db.Model(&models.Ticket{}).Where("title = ?", "Drucker im Pool").Count(&n)
	if n != 1 {
		t.Errorf("%d tickets for one idempotency key, want 1", n)
	}
	number := numbers[0]

	status, out := call("POST", "/api/v1/tickets/"+number+"/notes", "", map[string]any{"kind": "internal note", "body": "Fach 2 geleert."})
	if status != http.StatusOK {
		t.Errorf("API note: %d %v", status, out)
	}
	status, out = call("GET", "/api/v1/tickets/"+number, "", nil)
	if status != http.StatusOK || !strings.Contains(fmt.Sprint(out), "Fach 2 geleert.") {
		t.Errorf("API get: %d %v", status, out)
	}
	status, out = call("GET", fmt.Sprintf("/api/v1/queues/%d/tickets", f.Queue.ID), "", nil)
	if status != http.StatusOK || !strings.Contains(fmt.Sprint(out), number) {
		t.Errorf("API queue list: %d %v", status, out)
	}
	status, out = call("POST", "/api/v1/tickets/"+number+"/close", "", map[string]any{"state": "closed unsuccessful"})
	if status != http.StatusOK || out["state"] != "closed unsuccessful" {
		t.Errorf("API close: %d %v", status, out)
	}
	if s.db.Dialector.Name() == "sqlite" {
		recordHistory(t, s, number, "api-ticket-8-duplicate-creates-note-close")
	}
	status, _ = call("POST", "/api/v1/tickets", "", map[string]any{"customer": "nobody", "title": "", "body": "x"})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("API create with bad input: %d, want 422", status)
	}
}

func listRequest(query string) *workflowservice.ListWorkflowExecutionsRequest {
	return &workflowservice.ListWorkflowExecutionsRequest{Namespace: "kizdesk", Query: query}
}

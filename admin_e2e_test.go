package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/demo"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestAdminNewTenantInTheBrowser: the operator's admin opens a tenant in
// the browser, and that tenant's admin sets it up from nothing — calendar,
// queues, service, SLA, role, agent, customer — until its agent works a
// ticket, all through the admin pages; permissions keep the tenants and
// the levels apart, and the audit log names who changed what.
func TestAdminNewTenantInTheBrowser(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) { testAdminNewTenant(t, startDemoStack(t, kind)) })
	}
}

// startDemoStack is `kizdesk dev` with its demo data (the operator tenant
// kiz and its agents), on loopback.
func startDemoStack(t *testing.T, kind string) *testStack {
	t.Helper()
	url := dbURL(t, kind)
	dir := t.TempDir()
	s, err := startDevStack(context.Background(), devConfig{
		DataDir: dir, DatabaseURL: url, TemporalDatabaseURL: testTemporalDatabaseURL(t), Namespace: "kizdesk",
		Retention: 30 * 24 * time.Hour, UIPort: -1, Location: time.UTC, SystemID: "10", Demo: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("start stack: %v", err)
	}
	t.Cleanup(s.close)
	ts := &testStack{devStack: s, dir: dir}
	ts.srv = httptest.NewServer(s.handler)
	t.Cleanup(ts.srv.Close)
	return ts
}

// postValues is post with fields of several values (checkboxes).
func (b *browser) postValues(page, path string, fields url.Values) (int, string, string) {
	b.t.Helper()
	form := hidden(page, path)
	if form.Get("csrf_token") == "" {
		b.t.Fatalf("no form posting to %s on the page", path)
	}
	for k, v := range fields {
		form[k] = v
	}
	return b.send(path, form)
}

// status is the status of GET path, whatever it is.
func (b *browser) status(path string) int {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (b *browser) login(login, password string) {
	b.t.Helper()
	_, page := b.get("/login")
	status, path, body := b.post(page, "/login", map[string]string{"login": login, "password": password})
	if status != http.StatusOK || !strings.HasPrefix(path, "/agent") {
		b.t.Fatalf("login as %s: %d at %s\n%s", login, status, path, body)
	}
}

// create fills in the new-object form of kind and returns the new
// object's ID (its form is where the browser ends).
func (b *browser) create(kind string, fields url.Values) string {
	b.t.Helper()
	_, form := b.get("/admin/" + kind + "/new")
	status, path, body := b.postValues(form, "/admin/"+kind, fields)
	id := strings.TrimPrefix(path, "/admin/"+kind+"/")
	if status != http.StatusOK || id == path || id == "new" {
		b.t.Fatalf("create %s: %d at %s\n%s", kind, status, path, body)
	}
	return id
}

func one(v string) []string { return []string{v} }

func testAdminNewTenant(t *testing.T, s *testStack) {
	ctx := context.Background()

	// The kiz's admin opens the tenant "fak" with its first admin.
	kiz := newBrowser(t, s.srv.URL)
	kiz.login("admin", demo.Password)
	_, index := kiz.get("/admin")
	if !strings.Contains(index, `href="/admin/tenants"`) {
		t.Fatal("the operator's admin is not offered tenants")
	}
	// A password too short comes back, with everything else as typed.
	_, form := kiz.get("/admin/tenants/new")
	tenant := url.Values{"slug": one("fak"), "name": one("Fakultät für Ingenieurwissenschaften"), "active": one("true"),
		"admin_login": one("fakadmin"), "admin_name": one("Fiona Fak"), "admin_email": one("fiona@fak.example"),
		"admin_password": one("short")}
	status, _, page := kiz.postValues(form, "/admin/tenants", tenant)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, `value="Fiona Fak"`) || !strings.Contains(page, "mindestens 10 Zeichen") {
		t.Fatalf("short password: %d\n%s", status, page)
	}
	tenant.Set("admin_password", "fak admin password")
	kiz.postValues(page, "/admin/tenants", tenant)
	fak, err := models.TenantBySlug(ctx, s.db, "fak")
	if err != nil || fak.Operator || !fak.Active {
		t.Fatalf("tenant fak: %+v, %v", fak, err)
	}

	// Its admin sets it up.
	admin := newBrowser(t, s.srv.URL)
	admin.login("fakadmin", "fak admin password")
	if admin.status("/admin/tenants") != http.StatusForbidden {
		t.Error("a tenant's admin may administer tenants")
	}
	cal := admin.create("calendars", url.Values{"name": one("FAK rund um die Uhr"), "location": one("Europe/Berlin"),
		"week": one("mon-sun 00:00-24:00"), "holidays": one("2026-12-25 2026-12-24")})
	first := admin.create("queues", url.Values{"name": one("Service Desk FAK"), "level": one("1st level"), "group_id": one(""),
		"follow_up": one("reopen"), "follow_up_days": one("14"), "active": one("true")})
	second := admin.create("queues", url.Values{"name": one("Labor FAK"), "level": one("2nd level"), "group_id": one(""),
		"follow_up": one("new"), "follow_up_days": one("0"), "active": one("true")})
	svc := admin.create("services", url.Values{"name": one("Labor FAK :: Messgeräte"), "queue_id": one(first),
		"second_level_queue_id": one(second), "description": one("Messgeräte der Labore"), "active": one("true")})
	admin.create("slas", url.Values{"name": one("FAK Standard"), "service_id": one(svc), "priority_id": one(""), "calendar_id": one(cal),
		"first_response_minutes": one("60"), "update_minutes": one("240"), "solution_minutes": one("480"), "warn_percent": one("80"), "active": one("true")})
	// The queues made groups named like them; the role form offers them.
	_, roleForm := admin.get("/admin/roles/new")
	group := func(name string) string {
		m := regexp.MustCompile(`value="(\d+):rw" aria-label="` + regexp.QuoteMeta(name) + `: rw"`).FindStringSubmatch(roleForm)
		if m == nil {
			t.Fatalf("the role form offers no group %q", name)
		}
		return m[1]
	}
	role := admin.create("roles", url.Values{"name": one("FAK 1st level"), "active": one("true"),
		"perm": {group("Service Desk FAK") + ":rw", group("Labor FAK") + ":move_into"}})
	agentID := admin.create("agents", url.Values{"login": one("fakagent"), "name": one("Felix Fak"), "email": one("felix@fak.example"),
		"source": one("local"), "active": one("true"), "password": one("fak agent password"), "role_id": one(role)})
	admin.create("customers", url.Values{"login": one("fstudent"), "name": one("Frida Studentin"), "email": one("frida@fak.example"),
		"department": one("Labor 3"), "active": one("true")})
	// An API token for the agent, shown once, working until revoked.
	_, agentPage := admin.get("/admin/agents/" + agentID)
	_, _, agentPage = admin.post(agentPage, "/admin/agents/"+agentID+"/tokens", map[string]string{"name": "Messplatz"})
	token := regexp.MustCompile(`kzd_[A-Z2-7]+`).FindString(agentPage)
	if token == "" {
		t.Fatalf("no token shown after its creation:\n%s", agentPage)
	}
	api := func() (int, string) {
		req, _ := http.NewRequest(http.MethodGet, s.srv.URL+"/api/v1/queues", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := api(); status != http.StatusOK || !strings.Contains(body, "Service Desk FAK") {
		t.Errorf("the agent's token: %d %s", status, body)
	}
	_, agentPage = admin.get("/admin/agents/" + agentID)
	if strings.Contains(agentPage, token) {
		t.Error("the token is shown a second time")
	}
	revoke := regexp.MustCompile(`action="(/admin/agents/` + agentID + `/tokens/\d+/revoke)"`).FindStringSubmatch(agentPage)
	if revoke == nil {
		t.Fatal("no revoke form for the token")
	}
	admin.post(agentPage, revoke[1], nil)
	if status, _ := api(); status != http.StatusUnauthorized {
		t.Errorf("a revoked token: %d, want 401", status)
	}
	_, services := admin.get("/admin/services")
	if !strings.Contains(services, "Labor FAK::Messgeräte") {
		t.Error("the service list lacks the new service")
	}

	// Its agent works a ticket.
	agent := newBrowser(t, s.srv.URL)
	agent.login("fakagent", "fak agent password")
	var typ models.TicketType
	var prio models.Priority
	s.db.Order("id").First(&typ)
	s.db.Where("name = ?", "3 normal").First(&prio)
	// The customer look-up finds the tenant's customers, not the kiz's.
	if _, found := agent.get("/agent/tickets/new?q=Muster"); strings.Contains(found, "mmuster") {
		t.Error("the fak agent finds the kiz's customers")
	}
	if _, found := agent.get("/agent/tickets/new?q=Frida"); !strings.Contains(found, "?customer=fstudent") {
		t.Error("the fak agent does not find the customer its admin made")
	}
	_, form = agent.get("/agent/tickets/new?customer=fstudent")
	status, path, zoom := agent.post(form, "/agent/tickets", map[string]string{"customer": "fstudent", "title": "Oszilloskop zeigt nichts",
		"body": "Kanal 2 bleibt dunkel.", "service_id": svc, "queue_id": "", "type_id": fmt.Sprint(typ.ID), "priority_id": fmt.Sprint(prio.ID)})
	if status != http.StatusOK || !strings.HasPrefix(path, "/agent/tickets/") {
		t.Fatalf("create ticket: %d at %s\n%s", status, path, zoom)
	}
	number := strings.TrimPrefix(path, "/agent/tickets/")
	if !strings.Contains(zoom, "FAK Standard") {
		t.Error("the ticket does not run under the tenant's SLA")
	}
	_, queues := agent.get("/agent/queues")
	if !strings.Contains(queues, "Service Desk FAK") {
		t.Error("the agent does not see its queue")
	}
	_, list := agent.get("/agent/queues/" + first)
	if !strings.Contains(list, number) {
		t.Error("the queue lacks the new ticket")
	}
	// Escalated into the lab, the ticket is out of the agent's sight:
	// move_into lets it in, not read it afterwards.
	status, _, _ = agent.post(zoom, "/agent/tickets/"+number+"/escalate", map[string]string{"queue_id": second, "note": "Bitte Labor ansehen."})
	if status != http.StatusNotFound {
		t.Errorf("after the escalation the zoom answers the agent %d, want 404", status)
	}
	if got := agent.status("/agent/tickets/" + number); got != http.StatusNotFound {
		t.Errorf("the agent opens the escalated ticket: %d, want 404", got)
	}
	row, err := models.TicketByNumber(ctx, s.db, fak.ID, number)
	if err != nil || fmt.Sprint(row.QueueID) != second {
		t.Fatalf("ticket after the escalation: queue %d, want %s (%v)", row.QueueID, second, err)
	}
	_, adminZoom := admin.get("/agent/tickets/" + number)
	if !strings.Contains(adminZoom, "Labor FAK") {
		t.Error("the tenant's admin does not see the ticket in the lab")
	}

	// The audit log says who changed what.
	_, audit := admin.get("/admin/audit")
	for _, want := range []string{"Fiona Fak", "FAK rund um die Uhr", "Service Desk FAK", "Labor FAK::Messgeräte", "FAK Standard",
		"FAK 1st level", "Felix Fak", "Frida Studentin", "Service Desk FAK: rw"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	if strings.Contains(audit, "$2a$") || strings.Contains(audit, "fak agent password") {
		t.Error("the audit log shows a password or its hash")
	}
	var entries []models.AdminAudit
	s.db.Where("tenant_id = ?", fak.ID).Order("id").Find(&entries)
	if len(entries) != 10 {
		t.Errorf("%d audit entries of fak, want 10 (calendar, 2 queues, service, SLA, role, agent, token, revoke, customer)", len(entries))
	}
	_, kizAudit := kiz.get("/admin/audit")
	if !strings.Contains(kizAudit, "Anna Admin") || !strings.Contains(kizAudit, "fakadmin") || strings.Contains(kizAudit, "Felix Fak") {
		t.Error("the kiz's audit log does not show the new tenant (only)")
	}

	// The kiz's 1st level never sees the faculty's queues.
	helpdesk := newBrowser(t, s.srv.URL)
	helpdesk.login("helpdesk", demo.Password)
	_, kizQueues := helpdesk.get("/agent/queues")
	if strings.Contains(kizQueues, "Service Desk FAK") || strings.Contains(kizQueues, "Labor FAK") {
		t.Error("a kiz agent sees the faculty's queues")
	}
	if got := helpdesk.status("/agent/queues/" + first); got != http.StatusNotFound {
		t.Errorf("a kiz agent opens the faculty's queue: %d", got)
	}
	if got := helpdesk.status("/admin"); got != http.StatusForbidden {
		t.Errorf("a kiz 1st-level agent opens /admin: %d", got)
	}
}

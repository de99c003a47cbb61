package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// The principal kinds of the authorization matrix: the kiz's roles, an
// agent of another tenant, a customer logged into the portal (a
// customer's session is no agent's: agent and admin pages send it to the
// agents' login, the API wants a token), an integration's token, and
// nobody.
var principalKinds = []string{"admin", "1st level", "2nd level", "team", "other tenant", "customer", "integration", "no login"}

// What a request gets: "ok" — let through to what the route does (a page,
// a redirect elsewhere, field errors, a refusal by the ticket's process);
// "login" — sent to the agents' login form; "portal login" — sent to the
// customer portal's login form; or the status code of a refusal.
//
// The ticket and queue in the paths are the Helpdesk's of the matrix's
// tenant: the admin and 1st level work them, the 2nd level and the team
// do not see them (404, as if they did not exist), the other tenant's
// agent neither. The API takes tokens only, the HTML pages sessions only.
var (
	public      = row("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
	anyAgent    = row("ok", "ok", "ok", "ok", "ok", "login", "login", "login")
	helpdesk    = row("ok", "ok", "404", "404", "404", "login", "login", "login")
	apiAgent    = row("ok", "ok", "ok", "ok", "ok", "401", "403", "401")
	apiHelpdesk = row("ok", "ok", "404", "404", "404", "401", "403", "401")
	codecAdmin  = row("ok", "403", "403", "403", "403", "401", "403", "401")
	// The admin pages: admins only; an object of another tenant is not
	// found; tenants, ticket types and priorities are the operator's.
	adminPage   = row("ok", "403", "403", "403", "ok", "login", "login", "login")
	adminObject = row("ok", "403", "403", "403", "404", "login", "login", "login")
	operator    = row("ok", "403", "403", "403", "403", "login", "login", "login")
	// A token of one's own (the admin's, in the matrix).
	ownToken = row("ok", "404", "404", "404", "404", "login", "login", "login")
	// The customer portal: customers only; an agent's session is no
	// customer's. The matrix's ticket is the customer's own (their mail).
	portalPage = row("portal login", "portal login", "portal login", "portal login", "portal login", "ok", "portal login", "portal login")
)

func row(outcomes ...string) []string { return outcomes }

// authzMatrix has an entry for every route the web registers; a route
// without one fails the test.
var authzMatrix = map[string][]string{
	"GET /healthz":      public,
	"GET /readyz":       public,
	"GET /static/*file": public,
	"GET /":             public, // a redirect to the dashboard, which decides
	"GET /login":        public,
	"POST /login":       row("login", "login", "login", "login", "login", "login", "login", "login"), // an empty form: back to it
	"POST /language":    public,
	"POST /logout":      row("login", "login", "login", "login", "login", "login", "login", "login"),

	"GET /agent/queues":                                  anyAgent,
	"GET /agent/queues/:id":                              helpdesk,
	"GET /agent/reminders":                               anyAgent,
	"GET /agent/tickets/new":                             anyAgent,
	"POST /agent/tickets":                                anyAgent, // each may create where it has create
	"GET /agent/tickets/:number":                         helpdesk,
	"GET /agent/tickets/:number/attachments/:mail/:seq":  helpdesk,
	"GET /agent/tickets/:number/articles/:seq/files/:n":  helpdesk,
	"GET /api/v1/tickets/:number/articles/:seq/files/:n": apiHelpdesk,
	"POST /agent/tickets/:number/notes":                  helpdesk,
	"POST /agent/tickets/:number/close":                  helpdesk,
	"POST /agent/tickets/:number/articles/:seq/split":    helpdesk, // the ticket's first article: a new ticket in the Helpdesk
	"POST /agent/tickets/:number/replies":                helpdesk,
	"POST /agent/tickets/:number/pending":                helpdesk,
	"POST /agent/tickets/:number/assign":                 helpdesk,
	"POST /agent/tickets/:number/lock":                   helpdesk,
	"POST /agent/tickets/:number/watch":                  helpdesk,
	"POST /agent/tickets/:number/move":                   helpdesk,
	"POST /agent/tickets/:number/escalate":               helpdesk,
	"POST /agent/tickets/:number/hand-back":              helpdesk,
	"POST /agent/tickets/:number/classify":               helpdesk,
	"POST /agent/tickets/:number/reopen":                 helpdesk,
	"POST /agent/tickets/:number/merge":                  helpdesk,
	"POST /agent/tickets/:number/links":                  helpdesk,
	"POST /agent/tickets/:number/time":                   helpdesk,
	"POST /agent/tickets/:number/draft":                  helpdesk, // inserting a standard response
	// The dashboard shows each agent what it reads; any agent may ask.
	"GET /agent/dashboard":         anyAgent,
	"GET /agent/dashboard/:widget": anyAgent,

	"GET /portal/login":                    public, // a logged-in customer is sent on to the portal
	"POST /portal/login":                   public, // an empty form: shown again, marked
	"POST /portal/logout":                  row("portal login", "portal login", "portal login", "portal login", "portal login", "portal login", "portal login", "portal login"),
	"GET /portal":                          portalPage,
	"GET /portal/tickets/new":              portalPage,
	"POST /portal/tickets":                 portalPage, // an empty form: shown again, marked
	"GET /portal/tickets/:number":          portalPage,
	"POST /portal/tickets/:number/replies": portalPage, // no text: shown again, marked
	"POST /portal/tickets/:number/close":   portalPage, // "problem solved": sent late, it closes the matrix's ticket
	"POST /portal/tickets/suggest":         portalPage, // an empty form: shown again, nothing suggested
	"GET /portal/faq-suggestions":          portalPage,
	// No FAQ entry of that ID: nothing recorded.
	"POST /portal/faq/:id/solved": row("portal login", "portal login", "portal login", "portal login", "portal login", "404", "portal login", "portal login"),
	// The file of an answer to the matrix customer's ticket.
	"GET /portal/tickets/:number/articles/:seq/files/:n": portalPage,
	// Password resets: anyone may ask (the answer is the same for every
	// login); a link that is no token is not found.
	"GET /portal/password-reset":         public,
	"POST /portal/password-reset":        public,
	"GET /portal/password-reset/:token":  row("404", "404", "404", "404", "404", "404", "404", "404"),
	"POST /portal/password-reset/:token": row("404", "404", "404", "404", "404", "404", "404", "404"),

	// A CORS preflight carries no credentials; from no allowed origin
	// (the matrix sends none) it is refused alike for everyone.
	"OPTIONS /codec/encode": row("403", "403", "403", "403", "403", "403", "403", "403"),
	"OPTIONS /codec/decode": row("403", "403", "403", "403", "403", "403", "403", "403"),
	"POST /codec/encode":    codecAdmin,
	"POST /codec/decode":    codecAdmin,

	"GET /api/v1/openapi.yaml":               public,
	"GET /api/v1/queues":                     apiAgent,
	"GET /api/v1/queues/:id/tickets":         apiHelpdesk,
	"GET /api/v1/reminders":                  apiAgent,
	"POST /api/v1/tickets":                   apiAgent,
	"GET /api/v1/tickets/:number":            apiHelpdesk,
	"POST /api/v1/tickets/:number/notes":     apiHelpdesk,
	"POST /api/v1/tickets/:number/close":     apiHelpdesk,
	"POST /api/v1/tickets/:number/replies":   apiHelpdesk,
	"POST /api/v1/tickets/:number/pending":   apiHelpdesk,
	"POST /api/v1/tickets/:number/assign":    apiHelpdesk,
	"POST /api/v1/tickets/:number/lock":      apiHelpdesk,
	"POST /api/v1/tickets/:number/watch":     apiHelpdesk,
	"POST /api/v1/tickets/:number/move":      apiHelpdesk,
	"POST /api/v1/tickets/:number/escalate":  apiHelpdesk,
	"POST /api/v1/tickets/:number/hand-back": apiHelpdesk,
	"POST /api/v1/tickets/:number/classify":  apiHelpdesk,
	"POST /api/v1/tickets/:number/reopen":    apiHelpdesk,
	"POST /api/v1/tickets/:number/merge":     apiHelpdesk,
	"POST /api/v1/tickets/:number/links":     apiHelpdesk,
	"POST /api/v1/tickets/:number/time":      apiHelpdesk,
	"GET /api/v1/customers":                  apiAgent,
	// Follow-ups are the customer's words: an integration (the mail
	// gateway) posts them; an agent's token never speaks as a customer.
	"POST /api/v1/tickets/:number/follow-ups": row("403", "403", "404", "404", "404", "401", "ok", "401"),
	// A whole mail: only a gateway's token hands mail over.
	"POST /api/v1/mail": row("403", "403", "403", "403", "403", "401", "ok", "401"),

	"GET /agent/tokens":                           anyAgent,
	"POST /agent/tokens":                          anyAgent,
	"POST /agent/tokens/:id/revoke":               ownToken,
	"GET /admin":                                  adminPage,
	"GET /admin/audit":                            adminPage,
	"GET /admin/ldap-mappings":                    adminPage,
	"GET /admin/outbox":                           adminPage, // each admin their tenant's mail
	"GET /admin/outbox/:id":                       adminObject,
	"GET /admin/outbox/:id/raw":                   adminObject,
	"GET /admin/retention":                        adminPage, // each admin their tenant's policy and due tickets
	"POST /admin/retention/run":                   adminPage, // runs the admin's own tenant only
	"GET /admin/erasure":                          adminPage,
	"GET /admin/erasure/:id":                      adminObject, // a customer of another tenant is not there
	"POST /admin/erasure/:id":                     adminObject, // unconfirmed in the matrix: the form comes back
	"GET /agent/preferences":                      anyAgent,
	"POST /agent/preferences/notifications":       anyAgent, // nothing ticked: all off, back to the page
	"POST /agent/preferences/time-zone":           anyAgent, // nothing chosen: the desk's zone, back to the page
	"POST /agent/preferences/queue-columns":       anyAgent, // nothing ticked: refused, back to the queues
	"POST /agent/bulk":                            anyAgent, // nothing ticked: refused, back to the queues; each ticket is checked on its own
	"GET /agent/search":                           anyAgent, // each agent finds only what it may read
	"POST /agent/search/saved":                    anyAgent, // no name: the form comes back
	"POST /agent/search/saved/:id/delete":         ownToken, // the admin's saved search: nobody else's
	"POST /admin/ldap-mappings":                   adminPage,
	"POST /admin/ldap-mappings/remove":            adminPage,
	"POST /admin/agents/:id/tokens":               adminObject,
	"POST /admin/agents/:id/tokens/:token/revoke": adminObject,

	// Reports: admins (each over its tenant) and roles that allow them;
	// the matrix's 1st and 2nd level and team roles do not.
	"GET /agent/reports":                       adminPage,
	"GET /agent/reports/export":                adminPage,
	"POST /agent/reports/schedules":            adminPage, // an empty form: field errors
	"POST /agent/reports/schedules/:id/delete": adminObject,
	"GET /api/v1/reports/:kind":                row("ok", "403", "403", "403", "ok", "401", "403", "401"),
}

func init() {
	// Every admin object kind has the same five routes.
	for _, k := range desk.AllAdminKinds() {
		list, object := adminPage, adminObject
		if k.Operator {
			list, object = operator, operator
		}
		authzMatrix["GET /admin/"+k.Name] = list
		authzMatrix["GET /admin/"+k.Name+"/new"] = list
		authzMatrix["POST /admin/"+k.Name] = list // an empty form: field errors
		authzMatrix["GET /admin/"+k.Name+"/:id"] = object
		authzMatrix["POST /admin/"+k.Name+"/:id"] = object
	}
}

// adminPaths makes an object of every admin kind in m's tenant and
// returns the paths the admin routes are sent to: each :id an object of
// its kind (the admin agent for the agent routes), each :token a token
// of the admin's made to be revoked.
func adminPaths(t *testing.T, s *testStack, m matrixTenant) map[string]string {
	t.Helper()
	ctx := context.Background()
	admin := desk.AgentPrincipal(m.agents["admin"])
	must := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	role, err := models.RoleByName(ctx, s.db, m.tenant.ID, models.AdminRole)
	must(0, err)
	q, err := models.QueueByID(ctx, s.db, m.tenant.ID, m.queues["Helpdesk"].ID)
	must(0, err)
	ids := map[string]int64{"agents": admin.ID, "roles": role.ID, "groups": *q.GroupID, "queues": q.ID, "customers": m.customer.ID,
		"tenants": m.tenant.ID, "ticket-types": s.fixture.Type.ID, "priorities": s.fixture.Priority.ID}
	save := func(kind string, v desk.AdminValues) int64 {
		t.Helper()
		return must(s.desk.AdminSave(ctx, admin, kind, 0, v))
	}
	one := func(v int64) []string { return []string{fmt.Sprint(v)} }
	ids["calendars"] = save("calendars", desk.AdminValues{"name": {"Matrix"}, "location": {"Europe/Berlin"}, "week": {"mon-fri 08:00-18:00"}})
	ids["services"] = save("services", desk.AdminValues{"name": {"Matrix"}, "queue_id": one(q.ID), "active": {"true"}})
	ids["slas"] = save("slas", desk.AdminValues{"name": {"Matrix"}, "service_id": one(ids["services"]), "calendar_id": one(ids["calendars"])})
	for _, kind := range []string{"customer-companies", "signatures", "standard-responses"} {
		ids[kind] = save(kind, desk.AdminValues{"name": {"Matrix"}, "active": {"true"}})
	}
	ids["auto-responses"] = save("auto-responses", desk.AdminValues{"auto_kind": {"new"}, "language": {"de"}, "subject": {"Matrix"},
		"body": {"Matrix"}, "active": {"true"}})
	token := func() int64 {
		t.Helper()
		if _, err := s.desk.CreateToken(ctx, admin, admin.ID, "matrix revoke"); err != nil {
			t.Fatal(err)
		}
		ts, err := s.desk.AgentTokens(ctx, admin, admin.ID)
		if err != nil || len(ts) == 0 {
			t.Fatal(err)
		}
		return ts[0].ID // the newest
	}
	paths := map[string]string{
		"/admin/agents/:id/tokens":               fmt.Sprintf("/admin/agents/%d/tokens", admin.ID),
		"/admin/agents/:id/tokens/:token/revoke": fmt.Sprintf("/admin/agents/%d/tokens/%d/revoke", admin.ID, token()),
		"/agent/tokens/:id/revoke":               fmt.Sprintf("/agent/tokens/%d/revoke", token()),
	}
	// A mail of the tenant's going out, for the Outbox's mail routes
	// (kept, not sent: it has nobody to go to).
	out := models.MailMessage{TenantID: m.tenant.ID, MessageKey: "matrix-out@kizdesk.example", Kind: models.OutReply,
		Status: models.OutNoMail, Subject: "Matrix", Raw: []byte("Subject: Matrix\r\n\r\nMatrix\r\n")}
	outID := must(models.QueueOutMail(ctx, s.db, &out))
	paths["/admin/outbox/:id"] = fmt.Sprintf("/admin/outbox/%d", outID)
	// The admin's saved search, for deleting it.
	if err := s.desk.SaveSearch(ctx, admin, "matrix", "q=matrix"); err != nil {
		t.Fatal(err)
	}
	saved, err := models.SavedSearches(ctx, s.db, admin.ID)
	if err != nil || len(saved) == 0 {
		t.Fatalf("saved searches: %v, %v", saved, err)
	}
	paths["/agent/search/saved/:id/delete"] = fmt.Sprintf("/agent/search/saved/%d/delete", saved[0].ID)
	paths["/admin/outbox/:id/raw"] = fmt.Sprintf("/admin/outbox/%d/raw", outID)
	// A scheduled report of the admin's (a real Temporal Schedule), for
	// deleting it; and a report the API route asks for.
	schedule := must(s.desk.SaveReportSchedule(ctx, admin, desk.ReportScheduleRequest{Name: "matrix", Kind: desk.ReportVolume,
		GroupBy: models.DimService, Granularity: desk.Month, PeriodDays: 30, Format: desk.FormatCSV, Cron: "0 7 1 * *",
		Recipients: []int64{admin.ID}}))
	paths["/agent/reports/schedules/:id/delete"] = fmt.Sprintf("/agent/reports/schedules/%d/delete", schedule)
	paths["/api/v1/reports/:kind"] = "/api/v1/reports/volume"
	paths["/admin/erasure/:id"] = fmt.Sprintf("/admin/erasure/%d", m.customer.ID)
	ids["retention-policies"] = save("retention-policies", desk.AdminValues{"portal_read": {"90"}, "archive_after": {"0"},
		"anonymise_after": {"0"}, "anonymise_mode": {models.AnonymisePseudonymise}})
	for _, k := range desk.AllAdminKinds() {
		if ids[k.Name] == 0 {
			t.Fatalf("no %s for the matrix", k.Name)
		}
		paths["/admin/"+k.Name+"/:id"] = fmt.Sprintf("/admin/%s/%d", k.Name, ids[k.Name])
	}
	return paths
}

// matrixTenant is a tenant of its own on the shared stack, set up as the
// kiz is: Helpdesk (1st level), E-Mail & Kalender (2nd level), Team
// Netzwerk (team), the predefined roles, one agent of each.
type matrixTenant struct {
	tenant   models.Tenant
	queues   map[string]models.Queue
	agents   map[string]models.Agent // by principal kind
	tokens   map[string]string       // by principal kind
	customer models.Customer
}

const matrixPassword = "matrix password"

func setUpMatrixTenant(t *testing.T, s *testStack, slug string, operator bool) matrixTenant {
	t.Helper()
	ctx := context.Background()
	db := s.db
	m := matrixTenant{tenant: models.Tenant{Slug: slug, Name: "Matrix " + slug, Operator: operator}, queues: map[string]models.Queue{},
		agents: map[string]models.Agent{}, tokens: map[string]string{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Create(&m.tenant).Error)
	for name, level := range map[string]models.Level{"Helpdesk": models.LevelFirst, "E-Mail & Kalender": models.LevelSecond, "Team Netzwerk": models.LevelTeam} {
		q := models.Queue{TenantID: m.tenant.ID, Name: name, Level: level}
		must(db.Create(&q).Error)
		m.queues[name] = q
	}
	roles, err := models.PredefinedRoles(ctx, db, m.tenant.ID)
	must(err)
	hash, _ := bcrypt.GenerateFromPassword([]byte(matrixPassword), bcrypt.MinCost)
	for kind, role := range map[string]string{"admin": models.AdminRole, "1st level": "1st level",
		"2nd level": models.SecondLevelRole("E-Mail & Kalender"), "team": "Team Netzwerk"} {
		a := models.Agent{TenantID: m.tenant.ID, Login: slug + "-" + strings.ReplaceAll(kind, " ", ""), Name: kind + " " + slug,
			Email: kind + "@example.org", PasswordHash: string(hash), Active: true}
		must(db.Create(&a).Error)
		must(db.Create(&models.AgentRole{AgentID: a.ID, RoleID: roles[role].ID, Source: models.RoleManual}).Error)
		m.agents[kind] = a
		m.tokens[kind] = "token-" + a.Login
		must(models.CreateAPIToken(ctx, db, a.ID, "matrix", m.tokens[kind]))
	}
	m.customer = models.Customer{TenantID: m.tenant.ID, Login: slug + "-kunde", Name: "Kunde " + slug, Email: "kunde@example.org",
		PasswordHash: string(hash)}
	must(db.Create(&m.customer).Error)
	m.tokens["integration"] = "gateway-" + slug
	must(models.CreateIntegrationToken(ctx, db, m.agents["admin"].ID, "mail gateway", m.tokens["integration"]))
	return m
}

// matrixClient is one principal kind's way in: a browser (cookies, CSRF
// token, no redirects followed) and its API token, if any.
type matrixClient struct {
	c     *http.Client
	csrf  string
	token string
	// refresh reads the session's CSRF token anew (after a logout).
	refresh func()
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func newMatrixClient(t *testing.T, base, login, password, token string) *matrixClient {
	return newMatrixClientAt(t, base, "/login", login, password, token)
}

// newMatrixClientAt logs in at loginPath: the agents' login or the portal's.
func newMatrixClientAt(t *testing.T, base, loginPath, login, password, token string) *matrixClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	mc := &matrixClient{token: token, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	// The login page, or for a logged-in agent the queues, carries the
	// session's CSRF token.
	refresh := func() {
		for _, page := range []string{"/login", "/agent/queues"} {
			resp, err := mc.c.Get(base + page)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := csrfRE.FindSubmatch(body); m != nil {
				mc.csrf = string(m[1])
				return
			}
		}
		t.Fatalf("no CSRF token for %q", login)
	}
	refresh()
	mc.refresh = refresh
	if login != "" {
		resp, err := mc.c.PostForm(base+loginPath, url.Values{"csrf_token": {mc.csrf}, "login": {login}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		refresh() // the login rotated the session and its CSRF token
	}
	return mc
}

// outcome sends one request of the route as the client and says what it got.
func (mc *matrixClient) outcome(t *testing.T, base, method, path string) (string, int) {
	t.Helper()
	var req *http.Request
	var err error
	switch {
	case strings.HasPrefix(path, "/api/v1/") && method == http.MethodPost:
		req, err = http.NewRequest(method, base+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
	case method == http.MethodPost:
		form := url.Values{"csrf_token": {mc.csrf}, "request_key": {desk.NewRequestKey()}}
		if strings.HasPrefix(path, "/codec/") {
			req, err = http.NewRequest(method, base+path, strings.NewReader(`{"payloads":[]}`))
			req.Header.Set("Content-Type", "application/json")
		} else {
			req, err = http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	default:
		req, err = http.NewRequest(method, base+path, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	if mc.token != "" && (strings.HasPrefix(path, "/api/v1/") || strings.HasPrefix(path, "/codec/")) {
		req.Header.Set("Authorization", "Bearer "+mc.token)
	}
	resp, err := mc.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400 && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		return "login", code
	case code >= 300 && code < 400 && strings.HasPrefix(resp.Header.Get("Location"), "/portal/login"):
		return "portal login", code
	case code == http.StatusUnauthorized, code == http.StatusForbidden, code == http.StatusNotFound:
		return fmt.Sprint(code), code
	case code >= 500:
		return fmt.Sprint(code), code
	}
	return "ok", resp.StatusCode
}

// TestAuthorizationMatrix sends every registered route as every kind of
// principal and holds the answer to the matrix above. A new route fails
// the test until it has an entry: nobody adds a page without saying who
// may open it.
func TestAuthorizationMatrix(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	// mx runs the desk (the operator tenant, whose admins decode
	// payloads); mx-other is a tenant beside it.
	m := setUpMatrixTenant(t, s, "mx", true)
	other := setUpMatrixTenant(t, s, "mx-other", false)

	// The Helpdesk ticket every ticket route addresses: a customer's
	// mail with an attachment, so the attachment route has one to send.
	// The mail is the matrix's customer's, so the portal shows it to them.
	if err := s.db.Model(&models.Customer{}).Where("id = ?", m.customer.ID).Update("email", "erika.mueller@uni-ulm.example").Error; err != nil {
		t.Fatal(err)
	}
	gateway, err := s.desk.PrincipalByToken(ctx, m.tokens["integration"])
	if err != nil {
		t.Fatal(err)
	}
	mail, err := s.desk.IngestMail(ctx, gateway, desk.MailRequest{Raw: printerMail("matrix-1@uni-ulm.example")})
	if err != nil || mail.Outcome != models.MailNewTicket {
		t.Fatalf("the matrix's ticket: %+v, %v", mail, err)
	}
	v := struct{ Number string }{mail.Number}
	mailRow, _, err := models.MailByKey(ctx, s.db, m.tenant.ID, models.MailIn, "matrix-1@uni-ulm.example")
	if err != nil {
		t.Fatal(err)
	}

	base := s.srv.URL
	clients := map[string]*matrixClient{}
	for _, kind := range []string{"admin", "1st level", "2nd level", "team"} {
		clients[kind] = newMatrixClient(t, base, m.agents[kind].Login, matrixPassword, m.tokens[kind])
	}
	clients["other tenant"] = newMatrixClient(t, base, other.agents["admin"].Login, matrixPassword, other.tokens["admin"])
	clients["customer"] = newMatrixClientAt(t, base, "/portal/login", m.customer.Login, matrixPassword, "")
	clients["integration"] = newMatrixClient(t, base, "", "", m.tokens["integration"])
	clients["no login"] = newMatrixClient(t, base, "", "", "")

	routes := s.handler.(*gin.Engine).Routes()
	// Logging out ends the session the other routes need: last; before
	// it the customer's "problem solved", which closes the ticket.
	last := func(r gin.RouteInfo) int {
		switch r.Path {
		case "/logout", "/portal/logout":
			return 2
		case "/portal/tickets/:number/close":
			return 1
		}
		return 0
	}
	slices.SortStableFunc(routes, func(a, b gin.RouteInfo) int { return last(a) - last(b) })
	replacer := strings.NewReplacer(":number", v.Number, ":id", fmt.Sprint(m.queues["Helpdesk"].ID), "*file", "style.css",
		":mail", fmt.Sprint(mailRow.ID), ":seq", "1", ":widget", desk.WidgetSLA)
	special := adminPaths(t, s, m)
	// A file on an internal note of the matrix's ticket.
	noted, err := s.desk.AddNote(ctx, desk.AgentPrincipal(m.agents["admin"]), v.Number, desk.AddNoteRequest{
		Kind: "internal note", Body: "Screenshot attached", Files: []desk.Upload{{Name: "screen.png", Type: "image/png", Data: []byte("\x89PNG")}}})
	if err != nil {
		t.Fatal(err)
	}
	// Its seq: the note's entry may be followed by others (a new ticket
	// opens when an agent writes on it).
	noteSeq := 0
	if d, err := s.desk.Ticket(ctx, desk.AgentPrincipal(m.agents["admin"]), v.Number); err == nil {
		for _, a := range d.Articles {
			if len(a.Files) > 0 {
				noteSeq = a.Seq
			}
		}
	}
	if noteSeq == 0 || noteSeq > noted.Seq {
		t.Fatalf("the note with a file is not among the articles (last seq %d)", noted.Seq)
	}
	special["/agent/tickets/:number/articles/:seq/files/:n"] = fmt.Sprintf("/agent/tickets/%s/articles/%d/files/1", v.Number, noteSeq)
	special["/api/v1/tickets/:number/articles/:seq/files/:n"] = fmt.Sprintf("/api/v1/tickets/%s/articles/%d/files/1", v.Number, noteSeq)
	// A file on an answer to it, which its customer sees in the portal.
	if _, err := s.desk.Reply(ctx, desk.AgentPrincipal(m.agents["admin"]), v.Number, desk.ReplyRequest{
		Body: "Anleitung anbei", Files: []desk.Upload{{Name: "anleitung.pdf", Data: []byte("%PDF")}}}); err != nil {
		t.Fatal(err)
	}
	replySeq := 0
	if d, err := s.desk.Ticket(ctx, desk.AgentPrincipal(m.agents["admin"]), v.Number); err == nil {
		for _, a := range d.Articles {
			if a.CustomerVisible && len(a.Files) > 0 {
				replySeq = a.Seq
			}
		}
	}
	special["/portal/tickets/:number/articles/:seq/files/:n"] = fmt.Sprintf("/portal/tickets/%s/articles/%d/files/1", v.Number, replySeq)
	maps.Copy(special, faqPaths(t, s, m))
	cells, wrong := 0, 0
	for _, r := range routes {
		key := r.Method + " " + r.Path
		want, ok := authzMatrix[key]
		if !ok {
			t.Errorf("route %s has no entry in the authorization matrix", key)
			continue
		}
		path := replacer.Replace(r.Path)
		if p, ok := special[r.Path]; ok {
			path = p
		}
		if r.Path == "/api/v1/customers" {
			path += "?q=kunde"
		}
		for i, kind := range principalKinds {
			got, code := clients[kind].outcome(t, base, r.Method, path)
			cells++
			if got != want[i] {
				wrong++
				t.Errorf("%s as %s: %s (%d), want %s", key, kind, got, code, want[i])
			}
			if strings.HasSuffix(r.Path, "/logout") {
				clients[kind].refresh() // a logout makes a new CSRF token
			}
		}
	}
	for key := range authzMatrix {
		if !slices.ContainsFunc(routes, func(r gin.RouteInfo) bool { return r.Method+" "+r.Path == key }) {
			t.Errorf("the matrix lists %s, which the web does not register", key)
		}
	}
	t.Logf("authorization matrix: %d routes × %d principal kinds = %d cells, %d wrong", len(routes), len(principalKinds), cells, wrong)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestRolesAtWork: the kiz's role concept on a working day, through the
// web as the agents see it. The team agent does not see the Helpdesk
// queue and its tickets answer 404; a 1st-level agent escalates a ticket
// into E-Mail & Kalender and cannot open it afterwards, while the 2nd
// level now can; the 1st level cannot move it back into its own queue
// from there either (no move_into from a queue it cannot see).
func TestRolesAtWork(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	m := setUpMatrixTenant(t, s, "roles", false)
	first := desk.AgentPrincipal(m.agents["1st level"])
	v, err := s.desk.CreateTicket(ctx, first, desk.CreateTicketRequest{CustomerLogin: m.customer.Login, Title: "Kalender synchronisiert nicht",
		Body: "Outlook zeigt alte Termine.", QueueID: m.queues["Helpdesk"].ID, TypeID: s.fixture.Type.ID, PriorityID: s.fixture.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	login := func(kind string) *browser {
		b := newBrowser(t, s.srv.URL)
		_, page := b.get("/login")
		if status, path, _ := b.post(page, "/login", map[string]string{"login": m.agents[kind].Login, "password": matrixPassword}); status != http.StatusOK || path != "/agent/dashboard" {
			t.Fatalf("login as %s: %d at %s", kind, status, path)
		}
		return b
	}

	team := login("team")
	if _, page := team.get("/agent/queues"); strings.Contains(page, ">Helpdesk<") || !strings.Contains(page, ">Team Netzwerk<") {
		t.Errorf("the team agent's queues:\n%s", page)
	}
	if got := team.status("/agent/tickets/" + v.Number); got != http.StatusNotFound {
		t.Errorf("the team agent opening a Helpdesk ticket: %d, want 404", got)
	}

	helpdesk := login("1st level")
	_, zoom := helpdesk.get("/agent/tickets/" + v.Number)
	code, path, _ := helpdesk.post(zoom, "/agent/tickets/"+v.Number+"/escalate",
		map[string]string{"queue_id": fmt.Sprint(m.queues["E-Mail & Kalender"].ID), "note": "Exchange-Postfach prüfen."})
	if code != http.StatusNotFound || path != "/agent/tickets/"+v.Number {
		// After the redirect the zoom is no longer the agent's to see.
		t.Errorf("escalating: %d at %s, want the ticket gone from view (404)", code, path)
	}
	if got := helpdesk.status("/agent/tickets/" + v.Number); got != http.StatusNotFound {
		t.Errorf("the 1st level opening the escalated ticket: %d, want 404", got)
	}
	if _, page := helpdesk.get("/agent/queues"); strings.Contains(page, ">E-Mail &amp; Kalender<") {
		t.Errorf("the 1st level sees the 2nd-level queue:\n%s", page)
	}
	// Nor does its dashboard show the queue or the ticket; the 2nd
	// level's shows the queue.
	mailQueue := fmt.Sprintf(`href="/agent/queues/%d"`, m.queues["E-Mail & Kalender"].ID)
	for _, page := range []string{"/agent/dashboard", "/agent/dashboard/new", "/agent/dashboard/sla", "/agent/dashboard/watched"} {
		if _, body := helpdesk.get(page); strings.Contains(body, v.Number) || strings.Contains(body, mailQueue) {
			t.Errorf("the 1st level's %s shows the escalated ticket or its queue:\n%s", page, body)
		}
	}
	second := login("2nd level")
	if _, body := second.get("/agent/dashboard"); !strings.Contains(body, mailQueue) {
		t.Errorf("the 2nd level's dashboard lacks its queue:\n%s", body)
	}
	if _, page := second.get("/agent/tickets/" + v.Number); !strings.Contains(page, "Kalender synchronisiert nicht") {
		t.Errorf("the 2nd level cannot read the escalated ticket")
	}
	// The ticket's process checks the grant itself: an action sent with
	// the 1st level's permissions on the Helpdesk, now that the ticket is
	// elsewhere, is refused.
	_, err = s.desk.AddNote(ctx, first, v.Number, desk.AddNoteRequest{Kind: "internal note", Body: "noch da?"})
	if !errors.Is(err, desk.ErrNotFound) {
		t.Errorf("a 1st-level note on the escalated ticket: %v, want not found", err)
	}
}

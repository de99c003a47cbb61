package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// Sessions and logins against the real desk on a real database (SQLite,
// and PostgreSQL when KIZDESK_TEST_DATABASE_URL is set): these tests log
// in, look at the queues and log out, which needs no Temporal.

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const realPassword = "secret password"

// realServer is a web server over the real desk with one agent, whose
// login is f.Agent.Login and password realPassword.
type realServer struct {
	db    *gorm.DB
	f     dbtest.Fixture
	clock *testClock
	d     *desk.Desk
}

func newRealServer(t *testing.T, db *gorm.DB) *realServer {
	t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte(realPassword), bcrypt.MinCost)
	rs := &realServer{db: db, f: dbtest.Seed(t, db, string(hash)), clock: &testClock{now: time.Now()}}
	rs.d = desk.New(db, nil, desk.Options{Now: rs.clock.Now})
	return rs
}

// browser is a new browser (its own cookies) of a server over the desk.
func (rs *realServer) browser(t *testing.T) *browser {
	return newBrowserOf(t, rs.d, Options{})
}

// loginAs posts the login form of a fresh login page.
func (b *browser) loginAs(login, password string) response {
	b.t.Helper()
	token := hidden(b.t, csrfRE, b.get("/login").body)
	return b.post("/login", url.Values{"csrf_token": {token}, "login": {login}, "password": {password}})
}

// sessionCookie returns the browser's session cookie.
func (b *browser) sessionCookie() *http.Cookie {
	b.t.Helper()
	u, _ := url.Parse(b.base)
	for _, c := range b.hc.Jar.Cookies(u) {
		if c.Name == sessionCookie {
			return c
		}
	}
	b.t.Fatal("no session cookie")
	return nil
}

// replay sends GET path with nothing but cookie, as someone who copied it.
func (b *browser) replay(cookie *http.Cookie, path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	req.AddCookie(cookie)
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	res.Body.Close()
	return response{status: res.StatusCode, header: res.Header}
}

// sessionValues decodes a session cookie as the server does.
func sessionValues(t *testing.T, c *http.Cookie) map[any]any {
	t.Helper()
	st := newCookieStore([][]byte{testSessionKey[:32], testSessionKey[32:]}, false)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	s, err := st.New(req, sessionCookie)
	if err != nil {
		t.Fatalf("decode session cookie: %v", err)
	}
	return s.Values
}

func wantToLogin(t *testing.T, res response) {
	t.Helper()
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
		t.Fatalf("status %d to %q, want a redirect to the login page", res.status, res.header.Get("Location"))
	}
}

func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		rs := newRealServer(t, db)
		b := rs.browser(t)
		wantStatus(t, b.loginAs(rs.f.Agent.Login, realPassword), http.StatusSeeOther)
		copied := b.sessionCookie()
		page := b.get("/agent/queues")
		wantStatus(t, page, http.StatusOK)
		wantStatus(t, b.replay(copied, "/agent/queues"), http.StatusOK)

		wantStatus(t, b.post("/logout", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)}}), http.StatusSeeOther)
		wantToLogin(t, b.get("/agent/queues"))
		// The cookie from before the logout opens nothing any more.
		wantToLogin(t, b.replay(copied, "/agent/queues"))
		wantToLogin(t, b.replay(copied, "/agent/tickets/new"))
	})
}

func TestDeactivationEndsTheSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		rs := newRealServer(t, db)
		b := rs.browser(t)
		wantStatus(t, b.loginAs(rs.f.Agent.Login, realPassword), http.StatusSeeOther)
		copied := b.sessionCookie()
		wantStatus(t, b.get("/agent/queues"), http.StatusOK)

		if err := models.SetAgentActive(t.Context(), db, rs.f.Agent.ID, false, rs.clock.Now()); err != nil {
			t.Fatal(err)
		}
		wantToLogin(t, b.replay(copied, "/agent/queues"))
		wantToLogin(t, b.get("/agent/queues"))
		// Active again, the agent logs in anew; the old cookie stays dead.
		if err := models.SetAgentActive(t.Context(), db, rs.f.Agent.ID, true, rs.clock.Now()); err != nil {
			t.Fatal(err)
		}
		wantToLogin(t, b.replay(copied, "/agent/queues"))
		wantStatus(t, b.loginAs(rs.f.Agent.Login, realPassword), http.StatusSeeOther)
		wantStatus(t, b.get("/agent/queues"), http.StatusOK)
	})
}

func TestLoginMakesANewSession(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		rs := newRealServer(t, db)
		b := rs.browser(t)
		// Someone plants a session cookie of their own in the agent's
		// browser before the login (session fixation).
		token := hidden(t, csrfRE, b.get("/login").body)
		planted := b.sessionCookie()
		before, _ := sessionValues(t, planted)[valSession].(string)
		if before == "" {
			t.Fatal("the session before the login has no ID")
		}
		res := b.post("/login", url.Values{"csrf_token": {token}, "login": {rs.f.Agent.Login}, "password": {realPassword}})
		wantStatus(t, res, http.StatusSeeOther)
		first := b.sessionCookie()
		after, _ := sessionValues(t, first)[valSession].(string)
		if after == "" || after == before {
			t.Fatalf("session ID %q after the login, %q before: want a new one", after, before)
		}
		page := b.get("/agent/queues")
		wantStatus(t, page, http.StatusOK)
		wantToLogin(t, b.replay(planted, "/agent/queues"))

		// Logging in again (a login form left open in another tab)
		// replaces the session, and the old one ends.
		wantStatus(t, b.post("/login", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)},
			"login": {rs.f.Agent.Login}, "password": {realPassword}}), http.StatusSeeOther)
		if again, _ := sessionValues(t, b.sessionCookie())[valSession].(string); again == after {
			t.Error("a second login kept the session ID")
		}
		wantStatus(t, b.get("/agent/queues"), http.StatusOK)
		wantToLogin(t, b.replay(first, "/agent/queues"))
	})
}

var csrfValueRE = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)

// sameLoginPage strips what differs between two login pages anyway: the
// CSRF token and the login as typed.
func sameLoginPage(body, login string) string {
	body = csrfValueRE.ReplaceAllString(body, `name="csrf_token" value="…"`)
	return strings.ReplaceAll(body, `value="`+login+`"`, `value="…"`)
}

// TestLoginThrottle: after five failed logins the sixth is refused even
// with the right password, and nothing tells an existing login from an
// unknown one; once the window has passed, logging in works again.
func TestLoginThrottle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		rs := newRealServer(t, db)
		known, unknown := rs.browser(t), rs.browser(t)
		compare := func(k, u response) response {
			t.Helper()
			k, u = known.follow(k), unknown.follow(u)
			if k.status != u.status || sameLoginPage(k.body, rs.f.Agent.Login) != sameLoginPage(u.body, "nobody") {
				t.Fatalf("the login pages tell a known login from an unknown one:\n%d %s\n---\n%d %s", k.status, k.body, u.status, u.body)
			}
			return k
		}
		for range 5 {
			res := compare(known.loginAs(rs.f.Agent.Login, "guess"), unknown.loginAs("nobody", "guess"))
			wantStatus(t, res, http.StatusUnauthorized)
			wantContains(t, res.body, "Wrong login or password.")
		}
		res := compare(known.loginAs(rs.f.Agent.Login, realPassword), unknown.loginAs("nobody", realPassword))
		wantStatus(t, res, http.StatusTooManyRequests)
		wantContains(t, res.body, "Too many failed logins. Please wait 15 minutes and try again.")
		if ra := res.header.Get("Retry-After"); ra != "900" {
			t.Errorf("Retry-After %q, want 900", ra)
		}
		if strings.Contains(res.body, "Wrong login") {
			t.Error("the throttled page says which part was wrong")
		}
		wantToLogin(t, known.get("/agent/queues"))
		if s := known.sessionCookie(); sessionValues(t, s)[valAgentID] != nil {
			t.Error("a throttled login got a session")
		}

		rs.clock.add(15*time.Minute + time.Second)
		wantStatus(t, known.loginAs(rs.f.Agent.Login, realPassword), http.StatusSeeOther)
		wantStatus(t, known.get("/agent/queues"), http.StatusOK)
	})
}

// TestClientAddress: the login throttle counts by the peer's address;
// X-Forwarded-For counts only when it comes from a trusted proxy.
func TestClientAddress(t *testing.T) {
	for _, tc := range []struct {
		proxies []string
		want    string
	}{{nil, "127.0.0.1"}, {[]string{"127.0.0.1/32"}, "203.0.113.9"}} {
		b := newBrowser(t, Options{TrustedProxies: tc.proxies})
		token := hidden(t, csrfRE, b.get("/login").body)
		req, _ := http.NewRequest(http.MethodPost, b.base+"/login",
			strings.NewReader(url.Values{"csrf_token": {token}, "login": {"anna"}, "password": {"wrong"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		b.do(req)
		if got := b.desk.logins[0].Client; got != tc.want {
			t.Errorf("proxies %v: the desk was told the client is %q, want %q", tc.proxies, got, tc.want)
		}
	}
	if _, err := New(newFakeDesk(), Options{SessionKey: testSessionKey, TrustedProxies: []string{"not an address"}}); err == nil {
		t.Error("New accepted a bad proxy address")
	}
}

package directory

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testConfig is the configuration kizdesk would use for the test directory.
func testConfig(urls ...string) Config {
	return Config{
		URLs:         urls,
		BindDN:       serviceDN,
		BindPassword: servicePass,
		BaseDN:       testPeople,
		UserFilter:   testUserFilter,
		GroupBaseDN:  testGroups,
	}
}

func newDir(t *testing.T, cfg Config) *Directory {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// bounded runs f and fails the test if it has not returned within limit:
// whatever the servers do, a call into the directory must come back.
func bounded[T any](t *testing.T, limit time.Duration, f func() T) (T, time.Duration) {
	t.Helper()
	done := make(chan T, 1)
	start := time.Now()
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v, time.Since(start)
	case <-time.After(limit):
		t.Fatalf("call did not return within %v", limit)
		panic("unreachable")
	}
}

type authResult struct {
	p   Person
	err error
}

func TestDirectory(t *testing.T) {
	s := startSlapd(t)
	ctx := context.Background()
	d := newDir(t, testConfig(s.ldapURL))

	t.Run("login maps the account and its groups", func(t *testing.T) {
		p, err := d.Authenticate(ctx, "mmuster", testPasswords["mmuster"])
		if err != nil {
			t.Fatal(err)
		}
		want := Person{
			DN: "uid=mmuster," + testPeople, Login: "mmuster", Name: "Max Mustermann",
			Mail: "max.mustermann@uni-ulm.example", Phone: "+49 731 50-12345",
			Department: "Institut für Biochemie",
		}
		if !equalPerson(p, want) {
			t.Fatalf("got %+v\nwant %+v", p, want)
		}

		for login, groups := range map[string][]string{
			"hhelp": {"kiz-helpdesk", "kiz-rufbereitschaft"}, // member and memberUid
			"mmail": {"kiz-helpdesk", "kiz-mail"},
		} {
			p, err := d.Authenticate(ctx, login, testPasswords[login])
			if err != nil {
				t.Fatalf("%s: %v", login, err)
			}
			if !slices.Equal(p.Groups, groups) {
				t.Errorf("%s: groups %q, want %q", login, p.Groups, groups)
			}
		}
		p, _ = d.Authenticate(ctx, "hhelp", testPasswords["hhelp"])
		if p.Name != "Hanna Hülsmann" || p.Department != "kiz Servicedesk" {
			t.Errorf("hhelp: %+v", p)
		}
	})

	t.Run("every failed login is ErrBadLogin", func(t *testing.T) {
		for _, c := range []struct{ name, login, password string }{
			{"wrong password", "mmuster", "wrong"},
			{"another's password", "mmuster", testPasswords["hhelp"]},
			{"unknown login", "nobody", "whatever"},
			{"empty password", "mmuster", ""}, // an anonymous bind would "succeed"
			{"empty login", "", "x"},
			{"disabled account, right password", "alt", testPasswords["alt"]},
			{"service account is no login", "kizdesk", servicePass},
		} {
			_, err := d.Authenticate(ctx, c.login, c.password)
			if !errors.Is(err, ErrBadLogin) {
				t.Errorf("%s: err = %v, want ErrBadLogin", c.name, err)
			}
		}
	})

	injections := []string{
		"*", "mmuster)(uid=*", "*)(|(uid=*", "mmuster)(|(uid=*))", `\`, `\2a`, "(", ")",
		"mmuster\x00", "\x00", "mm*", "*muster", "uid=mmuster," + testPeople,
		strings.Repeat("a", 257), strings.Repeat("*", 10000), "mm\nuster", "\xff\xfe",
	}

	t.Run("injection as login", func(t *testing.T) {
		for _, login := range injections {
			// Even with a real password, a pattern must not log in.
			for _, pw := range []string{"x", testPasswords["mmuster"]} {
				_, err := d.Authenticate(ctx, login, pw)
				if !errors.Is(err, ErrBadLogin) {
					t.Errorf("Authenticate(%.40q): err = %v, want ErrBadLogin", login, err)
				}
			}
			if _, err := d.Lookup(ctx, login); !errors.Is(err, ErrNotFound) {
				t.Errorf("Lookup(%.40q): err = %v, want ErrNotFound", login, err)
			}
		}
	})

	t.Run("injection as search query", func(t *testing.T) {
		for _, q := range injections {
			ps, err := d.Search(ctx, q, 50)
			if err != nil || len(ps) != 0 {
				t.Errorf("Search(%.40q) = %d people, %v; want none", q, len(ps), err)
			}
		}
	})

	t.Run("lookup", func(t *testing.T) {
		p, err := d.Lookup(ctx, "mmail")
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "Jörg Mählmann" || !slices.Equal(p.Groups, []string{"kiz-helpdesk", "kiz-mail"}) {
			t.Errorf("%+v", p)
		}
		for _, login := range []string{"nobody", "alt"} {
			if _, err := d.Lookup(ctx, login); !errors.Is(err, ErrNotFound) {
				t.Errorf("Lookup(%q): %v, want ErrNotFound", login, err)
			}
		}
	})

	t.Run("search", func(t *testing.T) {
		for _, c := range []struct {
			query  string
			logins []string
		}{
			{"müll", []string{"amueller", "bmueller", "cmueller"}}, // part of a name, umlaut, any case
			{"MÜLLER", []string{"amueller", "bmueller", "cmueller"}},
			{"Hülsm", []string{"hhelp"}},
			{"jörg mähl", []string{"mmail"}},
			{"hhel", []string{"hhelp"}},          // part of a login
			{"maehlmann@uni", []string{"mmail"}}, // part of a mail
			{"  mmuster ", []string{"mmuster"}},  // pasted with blanks
			{"altmann", nil},                     // disabled accounts are not offered
			{"kizdesk", nil},                     // nor is anything outside the base DN
			{"", nil},
		} {
			ps, err := d.Search(ctx, c.query, 10)
			if err != nil {
				t.Errorf("Search(%q): %v", c.query, err)
				continue
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Login)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.logins) {
				t.Errorf("Search(%q) = %q, want %q", c.query, got, c.logins)
			}
		}
		ps, err := d.Search(ctx, "Mustermann", 10)
		if err != nil || len(ps) != 1 || ps[0].Mail != "max.mustermann@uni-ulm.example" || ps[0].Phone != "+49 731 50-12345" {
			t.Errorf("Search(Mustermann) = %+v, %v", ps, err)
		}
	})

	t.Run("search limit", func(t *testing.T) {
		for _, limit := range []int{1, 2} {
			ps, err := d.Search(ctx, "müller", limit)
			if err != nil || len(ps) != limit {
				t.Errorf("Search(müller, %d) = %d people, %v", limit, len(ps), err)
			}
		}
		// u matches more than 3 accounts; limit 3 caps it.
		if ps, err := d.Search(ctx, "u", 3); err != nil || len(ps) != 3 {
			t.Errorf("Search(u, 3) = %d people, %v", len(ps), err)
		}
	})

	t.Run("wrong service password is unavailable, not a bad login", func(t *testing.T) {
		cfg := testConfig(s.ldapURL)
		cfg.BindPassword = "wrong"
		_, err := newDir(t, cfg).Authenticate(ctx, "mmuster", testPasswords["mmuster"])
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBadLogin) {
			t.Errorf("err = %v, want ErrUnavailable", err)
		}
	})

	t.Run("anonymous searches", func(t *testing.T) {
		cfg := testConfig(s.ldapURL)
		cfg.BindDN, cfg.BindPassword = "", ""
		d := newDir(t, cfg)
		p, err := d.Authenticate(ctx, "hhelp", testPasswords["hhelp"])
		if err != nil || !slices.Equal(p.Groups, []string{"kiz-helpdesk", "kiz-rufbereitschaft"}) {
			t.Fatalf("%+v, %v", p, err)
		}
		for _, pw := range []string{"", "wrong"} {
			if _, err := d.Authenticate(ctx, "hhelp", pw); !errors.Is(err, ErrBadLogin) {
				t.Errorf("password %q: %v", pw, err)
			}
		}
	})

	t.Run("ldaps with the test CA", func(t *testing.T) {
		cfg := testConfig(s.ldapsURL)
		cfg.CAFile = s.caFile
		if _, err := newDir(t, cfg).Authenticate(ctx, "hhelp", testPasswords["hhelp"]); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ldaps with a server name override", func(t *testing.T) {
		cfg := testConfig(strings.Replace(s.ldapsURL, "127.0.0.1", "localhost", 1))
		cfg.CAFile = s.caFile
		cfg.ServerName = "127.0.0.1"
		if _, err := newDir(t, cfg).Lookup(ctx, "hhelp"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("starttls", func(t *testing.T) {
		cfg := testConfig(s.ldapURL)
		cfg.StartTLS = true
		cfg.CAFile = s.caFile
		if _, err := newDir(t, cfg).Authenticate(ctx, "mmail", testPasswords["mmail"]); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong CA is a server failure", func(t *testing.T) {
		for _, c := range []struct {
			name     string
			url      string
			startTLS bool
		}{{"ldaps", s.ldapsURL, false}, {"starttls", s.ldapURL, true}} {
			cfg := testConfig(c.url)
			cfg.StartTLS = c.startTLS
			cfg.CAFile = s.wrongCAFile
			_, err := newDir(t, cfg).Authenticate(ctx, "mmuster", testPasswords["mmuster"])
			if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("%s: err = %v, want ErrUnavailable for the certificate", c.name, err)
			}
		}
		// and the next server is asked
		cfg := testConfig(s.ldapsURL, s.ldapURL)
		cfg.CAFile = s.wrongCAFile
		if _, err := newDir(t, cfg).Authenticate(ctx, "mmuster", testPasswords["mmuster"]); err != nil {
			t.Errorf("fail-over after TLS failure: %v", err)
		}
	})

	t.Run("fail-over from a closed port", func(t *testing.T) {
		cfg := testConfig("ldap://127.0.0.1:"+strconv.Itoa(freePort(t)), s.ldapURL)
		cfg.Timeout = 500 * time.Millisecond
		d := newDir(t, cfg)
		r, took := bounded(t, 10*time.Second, func() authResult {
			p, err := d.Authenticate(ctx, "mmuster", testPasswords["mmuster"])
			return authResult{p, err}
		})
		if r.err != nil || r.p.Login != "mmuster" {
			t.Fatalf("%+v", r)
		}
		t.Logf("login with a closed port first (Timeout 500ms) took %v", took.Round(time.Millisecond))
	})

	t.Run("fail-over from a silent server", func(t *testing.T) {
		cfg := testConfig(silentServer(t), s.ldapURL)
		cfg.Timeout = 500 * time.Millisecond
		d := newDir(t, cfg)
		r, took := bounded(t, 10*time.Second, func() authResult {
			p, err := d.Authenticate(ctx, "mmuster", testPasswords["mmuster"])
			return authResult{p, err}
		})
		if r.err != nil || r.p.Login != "mmuster" {
			t.Fatalf("%+v", r)
		}
		t.Logf("login with a silent server first (Timeout 500ms) took %v", took.Round(time.Millisecond))

		// StartTLS against a silent server: the StartTLS request times out.
		cfg.StartTLS, cfg.CAFile = true, s.caFile
		d = newDir(t, cfg)
		r, took = bounded(t, 10*time.Second, func() authResult {
			p, err := d.Authenticate(ctx, "mmuster", testPasswords["mmuster"])
			return authResult{p, err}
		})
		if r.err != nil {
			t.Fatal(r.err)
		}
		t.Logf("StartTLS login with a silent server first (Timeout 500ms) took %v", took.Round(time.Millisecond))

		// ldaps: the TLS handshake is never answered.
		cfg = testConfig("ldaps"+strings.TrimPrefix(silentServer(t), "ldap"), s.ldapsURL)
		cfg.CAFile, cfg.Timeout = s.caFile, 500*time.Millisecond
		d = newDir(t, cfg)
		r, took = bounded(t, 10*time.Second, func() authResult {
			p, err := d.Authenticate(ctx, "mmuster", testPasswords["mmuster"])
			return authResult{p, err}
		})
		if r.err != nil {
			t.Fatal(r.err)
		}
		t.Logf("ldaps login with a silent server first (Timeout 500ms) took %v", took.Round(time.Millisecond))
	})

	t.Run("a bad password is final: the next server is not asked", func(t *testing.T) {
		next, accepted := countingServer(t)
		d := newDir(t, testConfig(s.ldapURL, next))
		if _, err := d.Authenticate(ctx, "mmuster", "wrong"); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("err = %v", err)
		}
		if _, err := d.Authenticate(ctx, "nobody", "wrong"); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("err = %v", err)
		}
		if _, err := d.Lookup(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
		if n := accepted.Load(); n != 0 {
			t.Errorf("the second server was asked %d times", n)
		}
	})

	t.Run("all servers down", func(t *testing.T) {
		cfg := testConfig("ldap://127.0.0.1:"+strconv.Itoa(freePort(t)), silentServer(t))
		cfg.Timeout = 500 * time.Millisecond
		d := newDir(t, cfg)
		r, took := bounded(t, 10*time.Second, func() authResult {
			p, err := d.Authenticate(ctx, "mmuster", testPasswords["mmuster"])
			return authResult{p, err}
		})
		if !errors.Is(r.err, ErrUnavailable) || errors.Is(r.err, ErrBadLogin) {
			t.Fatalf("err = %v, want ErrUnavailable", r.err)
		}
		t.Logf("all servers down (closed port, silent server; Timeout 500ms): %v after %v", r.err, took.Round(time.Millisecond))
		if _, err := d.Lookup(ctx, "mmuster"); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Lookup: %v", err)
		}
		if _, err := d.Search(ctx, "muster", 5); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Search: %v", err)
		}
	})

	t.Run("the context deadline is kept", func(t *testing.T) {
		d := newDir(t, testConfig(silentServer(t), s.ldapURL)) // Timeout 5s
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		r, took := bounded(t, 10*time.Second, func() authResult {
			p, err := d.Authenticate(cctx, "mmuster", testPasswords["mmuster"])
			return authResult{p, err}
		})
		if !errors.Is(r.err, ErrUnavailable) || !errors.Is(r.err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want ErrUnavailable and DeadlineExceeded", r.err)
		}
		t.Logf("context deadline 300ms, silent server with Timeout 5s: returned after %v", took.Round(time.Millisecond))

		cctx, cancel = context.WithCancel(ctx)
		time.AfterFunc(200*time.Millisecond, cancel)
		r, _ = bounded(t, 10*time.Second, func() authResult {
			p, err := d.Authenticate(cctx, "mmuster", testPasswords["mmuster"])
			return authResult{p, err}
		})
		if !errors.Is(r.err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", r.err)
		}
	})

	t.Run("concurrent logins", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				login := []string{"mmuster", "hhelp", "mmail", "amueller"}[i%4]
				if _, err := d.Authenticate(ctx, login, testPasswords[login]); err != nil {
					t.Errorf("%s: %v", login, err)
				}
			})
		}
		wg.Wait()
	})
}

func TestNewRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := testConfig("ldap://127.0.0.1:389")
	for _, c := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no URL", func(c *Config) { c.URLs = nil }, "no LDAP URL"},
		{"bad scheme", func(c *Config) { c.URLs = []string{"http://127.0.0.1"} }, "scheme"},
		{"no host", func(c *Config) { c.URLs = []string{"ldap://"} }, "no host"},
		{"ldapi", func(c *Config) { c.URLs = []string{"ldapi:///run/slapd/ldapi"} }, "scheme"},
		{"no base DN", func(c *Config) { c.BaseDN = "" }, "base DN"},
		{"bad base DN", func(c *Config) { c.BaseDN = "people" }, "base DN"},
		{"bad group base DN", func(c *Config) { c.GroupBaseDN = "groups" }, "group base DN"},
		{"CA file missing", func(c *Config) { c.CAFile = filepath.Join(dir, "missing.pem") }, "CA file"},
		{"CA file not PEM", func(c *Config) { c.CAFile = notPEM }, "no PEM certificate"},
		{"bad user filter", func(c *Config) { c.UserFilter = "(objectClass=person" }, "user filter"},
		{"bad group filter", func(c *Config) { c.GroupFilter = "member={dn}" }, "group filter"},
		{"bind DN without password", func(c *Config) { c.BindPassword = "" }, "without bind password"},
		{"password without bind DN", func(c *Config) { c.BindDN = "" }, "without bind DN"},
	} {
		cfg := ok
		c.change(&cfg)
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	if _, err := New(ok); err != nil {
		t.Errorf("good config: %v", err)
	}
}

// A login that cannot be one is refused without any traffic: the only
// server here is one that fails the test when contacted.
func TestInvalidLoginNoTraffic(t *testing.T) {
	srv, accepted := countingServer(t)
	d := newDir(t, testConfig(srv))
	ctx := context.Background()
	for _, login := range []string{"", "a\x00b", "tab\there", strings.Repeat("x", 257), "\xc3"} {
		if _, err := d.Authenticate(ctx, login, "pw"); !errors.Is(err, ErrBadLogin) {
			t.Errorf("Authenticate(%.20q): %v", login, err)
		}
		if _, err := d.Lookup(ctx, login); !errors.Is(err, ErrNotFound) {
			t.Errorf("Lookup(%.20q): %v", login, err)
		}
		if ps, err := d.Search(ctx, login, 5); err != nil || ps != nil {
			t.Errorf("Search(%.20q): %v, %v", login, ps, err)
		}
	}
	if _, err := d.Authenticate(ctx, "mmuster", ""); !errors.Is(err, ErrBadLogin) {
		t.Errorf("empty password: %v", err)
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections for logins that cannot be one", n)
	}
}

// silentServer accepts connections and never answers: a hung LDAP server.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "ldap://" + l.Addr().String()
}

// countingServer counts connections and closes them at once.
func countingServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return "ldap://" + l.Addr().String(), &n
}

func equalPerson(a, b Person) bool {
	return a.DN == b.DN && a.Login == b.Login && a.Name == b.Name && a.Mail == b.Mail &&
		a.Phone == b.Phone && a.Department == b.Department && slices.Equal(a.Groups, b.Groups)
}

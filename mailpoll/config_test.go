package mailpoll

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	good := []struct {
		url  string
		want Config
	}{
		{"imaps://desk:pw@mail.kiz.example:993/INBOX?recipient=helpdesk@kiz.example&move=Processed",
			Config{Addr: "mail.kiz.example:993", TLS: ModeTLS, Username: "desk", Password: "pw", Mailbox: "INBOX", Recipient: "helpdesk@kiz.example", MoveTo: "Processed"}},
		{"imaps://desk:pw@mail.kiz.example?recipient=helpdesk@kiz.example",
			Config{Addr: "mail.kiz.example:993", TLS: ModeTLS, Username: "desk", Password: "pw", Recipient: "helpdesk@kiz.example"}},
		{"imap://desk:pw@mail.kiz.example/Service%20Desk?recipient=helpdesk@kiz.example",
			Config{Addr: "mail.kiz.example:143", TLS: ModeSTARTTLS, Username: "desk", Password: "pw", Mailbox: "Service Desk", Recipient: "helpdesk@kiz.example"}},
		{"imap+plain://desk:pw@127.0.0.1:1143/?recipient=helpdesk@kiz.example",
			Config{Addr: "127.0.0.1:1143", TLS: ModePlain, Username: "desk", Password: "pw", Recipient: "helpdesk@kiz.example"}},
		{"imap+plain://desk:pw@[::1]/?recipient=helpdesk@kiz.example",
			Config{Addr: "[::1]:143", TLS: ModePlain, Username: "desk", Password: "pw", Recipient: "helpdesk@kiz.example"}},
		// user and password percent-decoded; '@' and ':' in the password
		{"imaps://desk%40kiz.example:p%40ss:w%2Frd@mail.kiz.example/?recipient=helpdesk@kiz.example&interval=30s&idle_refresh=2m&max_backoff=1m&max_size=1000",
			Config{Addr: "mail.kiz.example:993", TLS: ModeTLS, Username: "desk@kiz.example", Password: "p@ss:w/rd", Recipient: "helpdesk@kiz.example",
				Interval: 30 * time.Second, IdleRefresh: 2 * time.Minute, MaxBackoff: time.Minute, MaxMessageSize: 1000}},
		{"IMAPS://desk:p@ss@mail.kiz.example/?recipient=helpdesk@kiz.example",
			Config{Addr: "mail.kiz.example:993", TLS: ModeTLS, Username: "desk", Password: "p@ss", Recipient: "helpdesk@kiz.example"}},
	}
	for _, tc := range good {
		got, err := ParseURL(tc.url)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tc.url, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseURL(%q)\n got %+v\nwant %+v", tc.url, got, tc.want)
		}
	}

	const pw = "Zq9-secret"
	bad := []struct{ url, mention string }{
		{"mail.kiz.example", "scheme"},
		{"imaps://desk:Zq9/secret@mail.kiz.example/?recipient=a@b.example", "percent-encode"},
		{"imaps://desk:Zq9#secret@mail.kiz.example/?recipient=a@b.example", "percent-encode"},
		{"imaps://desk:Zq9?secret@mail.kiz.example/?recipient=a@b.example", "percent-encode"},
		{"pop3://desk:" + pw + "@mail.kiz.example/?recipient=a@b.example", "pop3"},
		{"imaps://mail.kiz.example/?recipient=a@b.example", "no user"},
		{"imaps://desk@mail.kiz.example/?recipient=a@b.example", "no password"},
		{"imaps://:" + pw + "@mail.kiz.example/?recipient=a@b.example", "user"},
		{"imaps://desk:" + pw + "%zz@mail.kiz.example/?recipient=a@b.example", "password is badly percent-encoded"},
		{"imaps://desk:" + pw + "@/?recipient=a@b.example", "no host"},
		{"imaps://desk:" + pw + "@mail.kiz.example:99x/?recipient=a@b.example", "port"},
		{"imaps://desk:" + pw + "@mail.kiz.example/", "recipient is missing"},
		{"imaps://desk:" + pw + "@mail.kiz.example/?recipient=nobody", "recipient"},
		{"imaps://desk:" + pw + "@mail.kiz.example/?recipent=a@b.example", `"recipent" unknown`},
		{"imaps://desk:" + pw + "@mail.kiz.example/?recipient=a@b.example&interval=soon", "interval"},
		{"imaps://desk:" + pw + "@mail.kiz.example/?recipient=a@b.example&max_size=-1", "max_size"},
		{"imaps://desk:" + pw + "@mail.kiz.example/?recipient=a@b.example&recipient=c@d.example", "2 times"},
		{"imaps://desk:" + pw + "@mail.kiz.example/INBOX?recipient=a@b.example&move=inbox", "polled mailbox itself"},
		{"imaps://desk:" + pw + "@mail.kiz.example/#x?recipient=a@b.example", "fragment"},
		{"imap+plain://desk:" + pw + "@mail.kiz.example/?recipient=a@b.example", "loopback"},
		{"imaps://desk:" + pw + "@mail.kiz.example/\x7f?recipient=a@b.example", "malformed"},
	}
	for _, tc := range bad {
		_, err := ParseURL(tc.url)
		if err == nil {
			t.Errorf("ParseURL(%q) accepted", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseURL(%q) = %q, want it to mention %q", tc.url, err, tc.mention)
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "Zq9") {
			t.Errorf("ParseURL(%q) error echoes the password: %q", tc.url, err)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	ok := Config{Addr: "127.0.0.1:993", Username: "u", Password: "p", Recipient: "helpdesk@kiz.example"}
	p, err := New(ok, HandlerFunc(nil))
	if err != nil {
		t.Fatal(err)
	}
	if p.cfg.Mailbox != "INBOX" || p.cfg.Interval != DefaultInterval || p.cfg.IdleRefresh != DefaultIdleRefresh ||
		p.cfg.MaxBackoff != DefaultMaxBackoff || p.cfg.MaxMessageSize != DefaultMaxMessageSize || p.cfg.Logger == nil {
		t.Errorf("defaults not applied: %+v", p.cfg)
	}
	if _, err := New(ok, nil); err == nil {
		t.Error("nil handler accepted")
	}
	for name, mut := range map[string]func(*Config){
		"addr without port":   func(c *Config) { c.Addr = "mail.kiz.example" },
		"plain off loopback":  func(c *Config) { c.TLS, c.Addr = ModePlain, "192.0.2.1:143" },
		"unknown mode":        func(c *Config) { c.TLS = Mode(7) },
		"no user":             func(c *Config) { c.Username = "" },
		"no password":         func(c *Config) { c.Password = "" },
		"no recipient":        func(c *Config) { c.Recipient = "" },
		"move to itself":      func(c *Config) { c.MoveTo = "INBOX" },
		"negative interval":   func(c *Config) { c.Interval = -time.Second },
		"negative max size":   func(c *Config) { c.MaxMessageSize = -1 },
		"recipient not addr":  func(c *Config) { c.Recipient = "helpdesk" },
		"negative backoff":    func(c *Config) { c.MaxBackoff = -1 },
		"negative idle":       func(c *Config) { c.IdleRefresh = -1 },
		"plain to a hostname": func(c *Config) { c.TLS, c.Addr = ModePlain, "localhost.kiz.example:143" },
	} {
		c := ok
		mut(&c)
		if _, err := New(c, HandlerFunc(nil)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, addr := range []string{"localhost:143", "127.0.0.1:143", "[::1]:143"} {
		c := ok
		c.TLS, c.Addr = ModePlain, addr
		if _, err := New(c, HandlerFunc(nil)); err != nil {
			t.Errorf("plain to %s refused: %v", addr, err)
		}
	}
}

// TestPureLibrary keeps the poller free of the desk: the caller wires it to
// storage through Handler, so it runs (and is tested) without a database,
// Temporal or the rest of kizdesk.
func TestPureLibrary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbids := []string{"gorm.io/", "github.com/jackc/", "modernc.org/sqlite", "go.temporal.io/", "github.com/kiz-ulm/kizdesk/"}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/kiz-ulm/kizdesk/mailpoll" {
			continue
		}
		for _, f := range forbids {
			if strings.HasPrefix(dep, f) {
				t.Errorf("mailpoll links %s", dep)
			}
		}
	}
}

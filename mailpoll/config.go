package mailpoll

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Mode is how the connection to the IMAP server is secured.
type Mode int

const (
	ModeTLS      Mode = iota // implicit TLS (imaps, port 993)
	ModeSTARTTLS             // plain connect, then STARTTLS before login
	ModePlain                // no TLS at all: the password crosses the wire, so loopback only
)

func (m Mode) String() string {
	switch m {
	case ModeTLS:
		return "tls"
	case ModeSTARTTLS:
		return "starttls"
	case ModePlain:
		return "plain"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

const (
	DefaultMailbox  = "INBOX"
	DefaultInterval = 60 * time.Second
	// DefaultIdleRefresh is well below the 29 minutes after which RFC 9051
	// lets a server drop an idle client, and below common NAT timeouts.
	DefaultIdleRefresh    = 4 * time.Minute
	DefaultMaxBackoff     = 5 * time.Minute
	DefaultMaxMessageSize = 50 << 20
	firstBackoff          = time.Second
)

// Config says which mailbox to poll and how to reach it.
type Config struct {
	Addr      string // host:port
	TLS       Mode
	TLSConfig *tls.Config // RootCAs/ServerName for private CAs and tests; nil: system roots, ServerName from Addr

	Username, Password string

	Mailbox string // DefaultMailbox when empty

	// Recipient is the address this mailbox receives for; each Delivery
	// carries it because IMAP does not say to whom a stored mail was sent,
	// and the desk picks the queue by it.
	Recipient string

	// MoveTo, when set, names the mailbox a stored message is moved to;
	// otherwise it stays and is flagged.
	MoveTo string

	Interval    time.Duration // polling interval without IDLE; DefaultInterval when 0
	IdleRefresh time.Duration // longest single IDLE; DefaultIdleRefresh when 0
	MaxBackoff  time.Duration // cap of the reconnect backoff; DefaultMaxBackoff when 0

	// MaxMessageSize is the size the desk is expected to handle; larger
	// mail is still handed on (the desk quarantines it), but a message
	// larger than twice this is left on the server and reported, so one
	// huge mail cannot exhaust memory. DefaultMaxMessageSize when 0.
	MaxMessageSize int64

	Logger *slog.Logger // slog.Default() when nil
}

// withDefaults checks cfg and fills in what was left empty. Errors name
// the field, never its value where that could be the password.
func (cfg Config) withDefaults() (Config, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || port == "" {
		return cfg, fmt.Errorf("mailpoll: Addr %q is not host:port", cfg.Addr)
	}
	switch cfg.TLS {
	case ModeTLS, ModeSTARTTLS:
	case ModePlain:
		if !isLoopback(host) {
			return cfg, fmt.Errorf("mailpoll: plain IMAP (no TLS) to %s refused: it would send the password in clear; only loopback hosts may use it", host)
		}
	default:
		return cfg, fmt.Errorf("mailpoll: unknown TLS mode %d", int(cfg.TLS))
	}
	if cfg.Username == "" {
		return cfg, errors.New("mailpoll: username is missing")
	}
	if cfg.Password == "" {
		return cfg, errors.New("mailpoll: password is missing")
	}
	if cfg.Mailbox == "" {
		cfg.Mailbox = DefaultMailbox
	}
	if cfg.Recipient == "" {
		return cfg, errors.New("mailpoll: recipient is missing (the address this mailbox receives for)")
	}
	addr, err := mail.ParseAddress(cfg.Recipient)
	if err != nil {
		return cfg, fmt.Errorf("mailpoll: recipient %q is not a mail address", cfg.Recipient)
	}
	cfg.Recipient = addr.Address
	if cfg.MoveTo != "" && strings.EqualFold(cfg.MoveTo, cfg.Mailbox) {
		// Moving into the polled mailbox would deliver every mail forever.
		return cfg, fmt.Errorf("mailpoll: move target %q is the polled mailbox itself", cfg.MoveTo)
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"interval", &cfg.Interval, DefaultInterval},
		{"idle refresh", &cfg.IdleRefresh, DefaultIdleRefresh},
		{"max backoff", &cfg.MaxBackoff, DefaultMaxBackoff},
	} {
		if *d.v < 0 {
			return cfg, fmt.Errorf("mailpoll: %s %v is negative", d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if cfg.MaxMessageSize < 0 {
		return cfg, fmt.Errorf("mailpoll: max message size %d is negative", cfg.MaxMessageSize)
	}
	if cfg.MaxMessageSize == 0 {
		cfg.MaxMessageSize = DefaultMaxMessageSize
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseURL reads a mailbox URL:
//
//	imaps://user:pass@host:993/INBOX?recipient=helpdesk@kiz.example&move=Processed
//
// imaps:// is implicit TLS (port 993), imap:// is STARTTLS (port 143),
// imap+plain:// is unencrypted and allowed for loopback hosts only. The
// path is the mailbox (INBOX when empty); user and password are
// percent-decoded. Query parameters: recipient (required), move, interval,
// idle_refresh, max_backoff (Go durations) and max_size (bytes).
//
// Errors never contain the password: the URL is usually read from the
// environment, and its errors end up in logs.
func ParseURL(s string) (Config, error) {
	var cfg Config
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return cfg, errors.New("mailpoll: mailbox URL has no scheme (want imaps://, imap:// or imap+plain://)")
	}
	var defPort string
	switch strings.ToLower(scheme) {
	case "imaps":
		cfg.TLS, defPort = ModeTLS, "993"
	case "imap":
		cfg.TLS, defPort = ModeSTARTTLS, "143"
	case "imap+plain":
		cfg.TLS, defPort = ModePlain, "143"
	default:
		return cfg, fmt.Errorf("mailpoll: mailbox URL scheme %q unknown (want imaps, imap or imap+plain)", scheme)
	}

	// The user information is split off by hand: net/url quotes the whole
	// URL, password included, in its errors.
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	authority, tail := rest[:authEnd], rest[authEnd:]
	at := strings.LastIndex(authority, "@")
	if i := strings.Index(tail, "@"); at < 0 && i >= 0 && !strings.Contains(tail[:i], "=") {
		// An '@' before any query value: the user information was cut short.
		return cfg, errors.New("mailpoll: mailbox URL user or password holds '/', '?' or '#': percent-encode them (%2F, %3F, %23)")
	}
	if at < 0 {
		return cfg, errors.New("mailpoll: mailbox URL has no user (want scheme://user:password@host/...)")
	}
	userinfo, hostport := authority[:at], authority[at+1:]
	user, pass, hasPass := strings.Cut(userinfo, ":")
	var err error
	if cfg.Username, err = url.PathUnescape(user); err != nil || cfg.Username == "" {
		return cfg, errors.New("mailpoll: mailbox URL user is empty or badly percent-encoded")
	}
	if cfg.Password, err = url.PathUnescape(pass); err != nil {
		return cfg, errors.New("mailpoll: mailbox URL password is badly percent-encoded")
	}
	if !hasPass || cfg.Password == "" {
		return cfg, errors.New("mailpoll: mailbox URL has no password (want scheme://user:password@host/...)")
	}

	u, err := url.Parse("imap://" + hostport + tail)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return cfg, fmt.Errorf("mailpoll: mailbox URL malformed after the password: %v", err)
	}
	if u.Fragment != "" {
		return cfg, errors.New("mailpoll: mailbox URL must not have a #fragment")
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return cfg, errors.New("mailpoll: mailbox URL has no host")
	}
	if port == "" {
		port = defPort
	}
	cfg.Addr = net.JoinHostPort(host, port)
	cfg.Mailbox = strings.TrimPrefix(u.Path, "/")

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return cfg, fmt.Errorf("mailpoll: mailbox URL query malformed: %v", err)
	}
	for key, vals := range q {
		if len(vals) != 1 {
			return cfg, fmt.Errorf("mailpoll: mailbox URL parameter %q given %d times", key, len(vals))
		}
		v := vals[0]
		switch key {
		case "recipient":
			cfg.Recipient = v
		case "move":
			cfg.MoveTo = v
		case "interval", "idle_refresh", "max_backoff":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return cfg, fmt.Errorf("mailpoll: mailbox URL parameter %s=%q is not a positive duration (like 30s)", key, v)
			}
			switch key {
			case "interval":
				cfg.Interval = d
			case "idle_refresh":
				cfg.IdleRefresh = d
			default:
				cfg.MaxBackoff = d
			}
		case "max_size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return cfg, fmt.Errorf("mailpoll: mailbox URL parameter max_size=%q is not a positive number of bytes", v)
			}
			cfg.MaxMessageSize = n
		default:
			return cfg, fmt.Errorf("mailpoll: mailbox URL parameter %q unknown (known: recipient, move, interval, idle_refresh, max_backoff, max_size)", key)
		}
	}
	if _, err := cfg.withDefaults(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

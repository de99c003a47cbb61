package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/directory"
)

// setting is one configuration value: an environment variable, the same as
// a command-line flag, with its default. The README's configuration table
// lists exactly these (TestReadmeListsEverySetting keeps them in step).
type setting struct {
	env      string
	flag     string
	def      string
	help     string
	commands []string // the commands that read it
}

var settings = []setting{
	{"KIZDESK_HTTP_ADDR", "http-addr", ":8080", "address the web server listens on", []string{"dev", "web"}},
	{"KIZDESK_DATABASE_URL", "database-url", "", "PostgreSQL URL (postgres://user:pass@host:5432/db?sslmode=require); in dev, empty means SQLite under the data directory", []string{"dev", "web", "worker", "migrate", "add-agent", "add-token", "audit verify", "audit checkpoint", "gen-tickets", "retention"}},
	{"KIZDESK_DATA_DIR", "data-dir", "./data", "where dev keeps its SQLite files, session key, audit key and checkpoints", []string{"dev", "temporal-dev"}},
	{"KIZDESK_TEMPORAL_DATABASE_URL", "temporal-database-url", "", "PostgreSQL URL for the embedded Temporal server's persistence (its database and <name>_visibility beside it, created with their schemas if missing; the user needs CREATEDB); empty: SQLite under the data directory", []string{"dev", "temporal-dev"}},
	{"KIZDESK_TEMPORAL_ADDRESS", "temporal-address", "localhost:7233", "Temporal frontend host:port", []string{"web", "worker", "history", "audit verify"}},
	{"KIZDESK_TEMPORAL_NAMESPACE", "temporal-namespace", "kizdesk", "Temporal namespace of the tickets", []string{"dev", "temporal-dev", "web", "worker", "history", "audit verify"}},
	{"KIZDESK_TEMPORAL_TLS_CERT", "temporal-tls-cert", "", "client certificate file (PEM) for mTLS to Temporal", []string{"web", "worker", "history", "audit verify"}},
	{"KIZDESK_TEMPORAL_TLS_KEY", "temporal-tls-key", "", "client key file (PEM) for mTLS to Temporal", []string{"web", "worker", "history", "audit verify"}},
	{"KIZDESK_TEMPORAL_TLS_CA", "temporal-tls-ca", "", "CA bundle (PEM) to verify Temporal's server certificate; empty: system roots", []string{"web", "worker", "history", "audit verify"}},
	{"KIZDESK_TEMPORAL_TLS_SERVER_NAME", "temporal-tls-server-name", "", "server name to verify; setting it (or any TLS file) turns TLS on", []string{"web", "worker", "history", "audit verify"}},
	{"KIZDESK_TEMPORAL_API_KEY", "temporal-api-key", "", "API key for Temporal Cloud (turns TLS on)", []string{"web", "worker", "history", "audit verify"}},
	{"KIZDESK_TEMPORAL_RETENTION", "temporal-retention", "2160h", "how long Temporal keeps a finished ticket's workflow history (at least 720h)", []string{"dev", "temporal-dev", "worker"}},
	{"KIZDESK_TEMPORAL_SETUP", "temporal-setup", "true", "worker registers namespace and search attributes at start (false where an operator does it)", []string{"worker"}},
	{"KIZDESK_TEMPORAL_PORT", "temporal-port", "7233", "port of the embedded Temporal server", []string{"dev", "temporal-dev"}},
	{"KIZDESK_TEMPORAL_UI_PORT", "temporal-ui-port", "8233", "port of the embedded Temporal UI", []string{"dev", "temporal-dev"}},
	{"KIZDESK_TEMPORAL_METRICS_ADDR", "temporal-metrics-addr", "", "host:port where the embedded Temporal server serves its metrics for Prometheus (/metrics: task queue backlog, schedule-to-start and persistence latency, …), e.g. 127.0.0.1:9233; empty: off", []string{"dev", "temporal-dev"}},
	{"KIZDESK_TEMPORAL_UI_URL", "temporal-ui-url", "", "Temporal UI base URL for the \"open in Temporal UI\" link; its origin may call /codec (dev sets it itself)", []string{"web"}},
	{"KIZDESK_SESSION_KEY", "session-key", "", "64 hex-encoded random bytes (128 hex digits) that sign and encrypt session cookies; dev keeps one in the data directory", []string{"web"}},
	{"KIZDESK_PAYLOAD_KEYS", "payload-keys", "", "keys that encrypt Temporal payloads: comma-separated id:base64key (32 bytes, `openssl rand -base64 32`), the current key first", []string{"dev", "web", "worker", "history", "audit verify"}},
	{"KIZDESK_PAYLOAD_KEY_FILE", "payload-key-file", "", "file of payload keys, one \"id base64key\" a line, the current key first; dev makes one in the data directory if neither is set", []string{"dev", "web", "worker", "history", "audit verify"}},
	{"KIZDESK_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or networks (CIDR) of the reverse proxies in front of the web; their X-Forwarded-For names the client (login throttling per address, logs); empty: the peer is the client", []string{"web"}},
	{"KIZDESK_WORKER_HEALTH_ADDR", "worker-health-addr", "", "host:port of the worker's health listener (GET /healthz: alive, /readyz: started, database and Temporal answer), e.g. :8081; empty: off", []string{"worker"}},
	{"KIZDESK_WORKER_CACHE", "worker-cache", "2000", "how many ticket workflows the worker keeps in memory between their tasks (about 90 KiB each); one not kept is replayed from its history at its next task", []string{"dev", "worker"}},
	{"KIZDESK_SHUTDOWN_DELAY", "shutdown-delay", "0s", "after SIGTERM, how long the web answers /readyz with 503 and keeps serving before it stops accepting connections (time for a load balancer to take it out); in-flight requests then get up to 35s", []string{"web"}},
	{"KIZDESK_PPROF_ADDR", "pprof-addr", "", "host:port to serve Go profiles on (/debug/pprof/: CPU, heap, mutex, block), e.g. 127.0.0.1:6060; a listener of its own, keep it on loopback; empty: off", []string{"dev", "web", "worker"}},
	{"KIZDESK_SECURE_COOKIES", "secure-cookies", "true", "mark cookies Secure (serve over HTTPS); dev sets false", []string{"web"}},
	{"KIZDESK_TIMEZONE", "timezone", "Europe/Berlin", "the desk's time zone (ticket number dates)", []string{"dev", "web", "gen-tickets"}},
	{"KIZDESK_SYSTEM_ID", "system-id", "10", "two-digit system ID inside ticket numbers", []string{"dev", "web", "gen-tickets"}},
	{"KIZDESK_AUDIT_KEY_FILE", "audit-key-file", "", "file with the audit key ring that keys history hashes and checkpoints: base64 keys of at least 32 random bytes, one a line, the current one first; dev makes <data dir>/audit.key if neither this nor KIZDESK_AUDIT_KEY is set", []string{"dev", "worker", "audit verify", "audit checkpoint"}},
	{"KIZDESK_AUDIT_KEY", "audit-key", "", "the audit key ring itself instead of a file: base64 keys, comma-separated, the current one first", []string{"dev", "worker", "audit verify", "audit checkpoint"}},
	{"KIZDESK_AUDIT_DIR", "audit-dir", "", "directory for signed checkpoints of every ticket's chain head, on other storage than the database; dev: <data dir>/audit", []string{"dev", "worker", "audit verify", "audit checkpoint"}},
	{"KIZDESK_AUDIT_CHECKPOINT_INTERVAL", "audit-checkpoint-interval", "1h", "how often a checkpoint is written when KIZDESK_AUDIT_DIR is set", []string{"dev", "worker"}},
	{"KIZDESK_AUDIT_CHECKPOINT_KEEP", "audit-checkpoint-keep", "48", "how many checkpoint files to keep, the newest (each carries over what the one before it recorded)", []string{"dev", "worker", "audit checkpoint"}},
	{"KIZDESK_LDAP_URLS", "ldap-urls", "", "the kiz directory's LDAP servers, tried in this order (fail-over), comma-separated: ldaps://host:636 or ldap://host:389; empty: no LDAP (local accounts only)", []string{"dev", "web"}},
	{"KIZDESK_LDAP_STARTTLS", "ldap-starttls", "false", "upgrade ldap:// connections with StartTLS; a server where that fails counts as down", []string{"dev", "web"}},
	{"KIZDESK_LDAP_CA_FILE", "ldap-ca-file", "", "PEM CA bundle that verifies the LDAP servers; empty: system roots", []string{"dev", "web"}},
	{"KIZDESK_LDAP_SERVER_NAME", "ldap-server-name", "", "TLS server name to verify instead of each URL's host", []string{"dev", "web"}},
	{"KIZDESK_LDAP_BIND_DN", "ldap-bind-dn", "", "service account the searches bind as; empty: anonymous", []string{"dev", "web"}},
	{"KIZDESK_LDAP_BIND_PASSWORD", "ldap-bind-password", "", "the service account's password", []string{"dev", "web"}},
	{"KIZDESK_LDAP_BASE_DN", "ldap-base-dn", "", "where the kiz accounts are, e.g. ou=people,dc=uni-ulm,dc=de", []string{"dev", "web"}},
	{"KIZDESK_LDAP_USER_FILTER", "ldap-user-filter", "", "LDAP filter ANDed to every account search; accounts it excludes (disabled ones) cannot log in, e.g. (&(objectClass=inetOrgPerson)(!(employeeType=disabled)))", []string{"dev", "web"}},
	{"KIZDESK_LDAP_LOGIN_ATTR", "ldap-login-attr", "uid", "attribute that holds the login", []string{"dev", "web"}},
	{"KIZDESK_LDAP_NAME_ATTR", "ldap-name-attr", "cn", "attribute that holds the full name", []string{"dev", "web"}},
	{"KIZDESK_LDAP_MAIL_ATTR", "ldap-mail-attr", "mail", "attribute that holds the e-mail address", []string{"dev", "web"}},
	{"KIZDESK_LDAP_PHONE_ATTR", "ldap-phone-attr", "telephoneNumber", "attribute that holds the phone number", []string{"dev", "web"}},
	{"KIZDESK_LDAP_DEPARTMENT_ATTR", "ldap-department-attr", "ou", "attribute that holds the department", []string{"dev", "web"}},
	{"KIZDESK_LDAP_GROUP_BASE_DN", "ldap-group-base-dn", "", "where the groups are (their names map to roles in the admin interface); empty: no groups", []string{"dev", "web"}},
	{"KIZDESK_LDAP_GROUP_FILTER", "ldap-group-filter", "(|(member={dn})(uniqueMember={dn})(memberUid={login}))", "finds an account's groups; {dn} and {login} are filled in, escaped", []string{"dev", "web"}},
	{"KIZDESK_LDAP_GROUP_NAME_ATTR", "ldap-group-name-attr", "cn", "attribute that holds a group's name", []string{"dev", "web"}},
	{"KIZDESK_LDAP_TIMEOUT", "ldap-timeout", "5s", "per LDAP server: connecting and each operation; then the next server is tried", []string{"dev", "web"}},
	{"KIZDESK_LDAP_TENANT", "ldap-tenant", "kiz", "short name of the tenant the directory's agents and customers belong to", []string{"dev", "web"}},
	{"KIZDESK_MAIL_ADDR", "mail-addr", "", "host:port of the SMTP/LMTP listener the MTA delivers the desk's mail to; empty: dev listens on 127.0.0.1:2525, web not at all; off: none", []string{"dev", "web"}},
	{"KIZDESK_MAIL_LMTP", "mail-lmtp", "false", "speak LMTP instead of SMTP on the mail listener (Postfix's lmtp transport)", []string{"dev", "web"}},
	{"KIZDESK_MAIL_TENANT", "mail-tenant", "kiz", "short name of the tenant the listener's mail is for", []string{"dev", "web"}},
	{"KIZDESK_MAIL_ALLOWED_NETS", "mail-allowed-nets", "", "comma-separated networks (CIDR) the MTA delivers from; empty: loopback only (never an open relay)", []string{"dev", "web"}},
	{"KIZDESK_IMAP", "imap", "", "IMAP mailboxes to poll (IDLE where offered), space-separated: imaps://user:password@host:993/INBOX?recipient=helpdesk@kiz.uni-ulm.de (recipient picks the queue; imap:// is STARTTLS; &move=Done moves stored mail there instead of flagging it); a mail is marked only once stored", []string{"dev", "web"}},
	{"KIZDESK_MAIL_UNKNOWN_SENDERS", "mail-unknown-senders", "customer", "what an unknown mail sender becomes: customer (a customer account with the address as login) or external (recorded for the ticket, not offered as a customer)", []string{"dev", "web"}},
	{"KIZDESK_MAIL_FROM", "mail-from", "kizdesk <kizdesk@localhost>", "sender of notifications and of mail from queues without an address of their own; its domain makes the Message-IDs", []string{"dev", "web", "worker"}},
	{"KIZDESK_MAIL_OWN_ADDRESSES", "mail-own-addresses", "", "the desk's other addresses, comma-separated (the queues' and KIZDESK_MAIL_FROM count anyway): mail from them is never answered", []string{"dev", "web"}},
	{"KIZDESK_MAIL_DOMAIN", "mail-domain", "", "right side of the desk's Message-IDs; empty: KIZDESK_MAIL_FROM's domain", []string{"dev", "web", "worker"}},
	{"KIZDESK_MAIL_TAG_PREFIX", "mail-tag-prefix", "Ticket#", "prefix of the ticket tag in subjects, [Ticket#2026113010000052]", []string{"dev", "web", "worker"}},
	{"KIZDESK_MAIL_AUTOREPLY_LIMIT", "mail-autoreply-limit", "10", "automatic answers one address gets in 24 hours at most (loop protection)", []string{"dev", "web", "worker"}},
	{"KIZDESK_MAIL_RETRY_MAX", "mail-retry-max", "10m", "longest wait between delivery attempts while the relay is away (mail is retried without end)", []string{"dev", "web", "worker"}},
	{"KIZDESK_SMTP_ADDR", "smtp-addr", "", "host:port of the relay that sends the desk's mail; empty: the worker keeps mail waiting, dev captures it (Outbox page)", []string{"dev", "worker"}},
	{"KIZDESK_SMTP_MODE", "smtp-mode", "starttls", "starttls (required, no fallback), smtps (port 465) or plain (a relay on the same host only; never with credentials)", []string{"dev", "worker"}},
	{"KIZDESK_SMTP_USER", "smtp-user", "", "SMTP AUTH user; empty: no AUTH", []string{"dev", "worker"}},
	{"KIZDESK_SMTP_PASSWORD", "smtp-password", "", "SMTP AUTH password", []string{"dev", "worker"}},
	{"KIZDESK_SMTP_CA_FILE", "smtp-ca-file", "", "PEM CA bundle that verifies the relay; empty: system roots", []string{"dev", "worker"}},
	{"KIZDESK_BASE_URL", "base-url", "", "where agents reach kizdesk (https://kizdesk.kiz.uni-ulm.de/), for links in notification mails; dev: its own address", []string{"dev", "worker"}},
	{"KIZDESK_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", []string{"dev", "temporal-dev", "web", "worker", "migrate", "add-agent", "add-token", "audit verify", "audit checkpoint", "history", "gen-tickets", "retention"}},
}

// envSettings reads the command's settings from the environment alone, for
// commands whose flags are their own.
func envSettings(cmd string) values {
	out := values{}
	for _, s := range settings {
		if slices.Contains(s.commands, cmd) {
			out[s.env] = s.def
			if e, ok := os.LookupEnv(s.env); ok {
				out[s.env] = e
			}
		}
	}
	return out
}

// values are the settings after flags and environment have been read.
type values map[string]string

func (v values) get(env string) string { return v[env] }

func (v values) bool(env string) (bool, error) {
	switch strings.ToLower(v[env]) {
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off", "":
		return false, nil
	}
	return false, fmt.Errorf("%s: %q is not true or false", env, v[env])
}

// parseSettings reads the command's settings: a flag wins over the
// environment, which wins over the default.
func parseSettings(cmd, summary string, args []string, stderr io.Writer) (values, error) {
	return parseSettingsWith(cmd, summary, args, stderr, nil)
}

// parseSettingsWith is parseSettings for a command that has flags of its
// own besides the settings; own adds them.
func parseSettingsWith(cmd, summary string, args []string, stderr io.Writer, own func(*flag.FlagSet)) (values, error) {
	fs := flag.NewFlagSet("kizdesk "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := values{}
	ptrs := map[string]*string{}
	for _, s := range settings {
		if !slices.Contains(s.commands, cmd) {
			continue
		}
		def := s.def
		if e, ok := os.LookupEnv(s.env); ok {
			def = e
		}
		ptrs[s.env] = fs.String(s.flag, def, s.help+" ($"+s.env+")")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: kizdesk %s [flags]\n\n%s\n\nFlags (each also an environment variable):\n", cmd, summary)
		w := tabwriter.NewWriter(stderr, 2, 4, 2, ' ', 0)
		for _, s := range settings {
			if slices.Contains(s.commands, cmd) {
				fmt.Fprintf(w, "  --%s\t$%s\tdefault %q\t%s\n", s.flag, s.env, s.def, s.help)
			}
		}
		w.Flush()
		if own != nil {
			fmt.Fprintf(stderr, "\nFlags of this command:\n")
			fs.VisitAll(func(f *flag.Flag) {
				if settingEnv(f.Name) == "" {
					fmt.Fprintf(stderr, "  --%s\t%s\n", f.Name, f.Usage)
				}
			})
		}
	}
	if own != nil {
		own(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for env, p := range ptrs {
		out[env] = *p
	}
	return out, nil
}

// settingEnv is the environment variable of the setting whose flag is
// name, "" if none.
func settingEnv(name string) string {
	for _, s := range settings {
		if s.flag == name {
			return s.env
		}
	}
	return ""
}

// payloadKeys reads the payload key ring from KIZDESK_PAYLOAD_KEYS and
// KIZDESK_PAYLOAD_KEY_FILE. Both may be set: the variable's keys come
// first (its first key is the current one), the file's follow — say, a
// new key in the variable and the older ones in a mounted secret file.
// No keys at all is nil, nil: the caller decides whether that is an error
// (web, worker) or makes a key (dev).
func payloadKeys(v values) ([]codec.Key, error) {
	var keys []codec.Key
	if s := v.get("KIZDESK_PAYLOAD_KEYS"); strings.TrimSpace(s) != "" {
		k, err := codec.ParseKeys(s)
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_PAYLOAD_KEYS: %w", err)
		}
		keys = k
	}
	if path := v.get("KIZDESK_PAYLOAD_KEY_FILE"); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_PAYLOAD_KEY_FILE: %w", err)
		}
		k, err := codec.ParseKeyFile(b)
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_PAYLOAD_KEY_FILE %s: %w", path, err)
		}
		if len(k) == 0 {
			return nil, fmt.Errorf("KIZDESK_PAYLOAD_KEY_FILE %s holds no key", path)
		}
		keys = append(keys, k...)
	}
	return keys, nil
}

// payloadCodec is the codec of web, worker and history, which refuse to
// start without keys: a worker with a key of its own would write
// payloads no other process can read.
func payloadCodec(v values) (*codec.Codec, error) {
	keys, err := payloadKeys(v)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("payload encryption keys are required: set KIZDESK_PAYLOAD_KEYS " +
			"(e.g. k1:$(openssl rand -base64 32)) or KIZDESK_PAYLOAD_KEY_FILE, the same on every web and worker")
	}
	c, err := codec.New(keys)
	if err != nil {
		return nil, fmt.Errorf("KIZDESK_PAYLOAD_KEYS / KIZDESK_PAYLOAD_KEY_FILE: %w", err)
	}
	return c, nil
}

// directoryOf opens the kiz directory from the KIZDESK_LDAP_* settings;
// nil without KIZDESK_LDAP_URLS. No server is asked here: kizdesk starts
// while the directory is down, and local accounts still log in.
func directoryOf(v values) (*directory.Directory, error) {
	urls := strings.FieldsFunc(v.get("KIZDESK_LDAP_URLS"), func(r rune) bool { return r == ',' || r == ' ' })
	if len(urls) == 0 {
		return nil, nil
	}
	startTLS, err := v.bool("KIZDESK_LDAP_STARTTLS")
	if err != nil {
		return nil, err
	}
	timeout, err := time.ParseDuration(v.get("KIZDESK_LDAP_TIMEOUT"))
	if err != nil || timeout <= 0 {
		return nil, fmt.Errorf("KIZDESK_LDAP_TIMEOUT: %q is not a duration like 5s", v.get("KIZDESK_LDAP_TIMEOUT"))
	}
	d, err := directory.New(directory.Config{
		URLs: urls, StartTLS: startTLS, CAFile: v.get("KIZDESK_LDAP_CA_FILE"), ServerName: v.get("KIZDESK_LDAP_SERVER_NAME"),
		BindDN: v.get("KIZDESK_LDAP_BIND_DN"), BindPassword: v.get("KIZDESK_LDAP_BIND_PASSWORD"),
		BaseDN: v.get("KIZDESK_LDAP_BASE_DN"), UserFilter: v.get("KIZDESK_LDAP_USER_FILTER"),
		LoginAttr: v.get("KIZDESK_LDAP_LOGIN_ATTR"), NameAttr: v.get("KIZDESK_LDAP_NAME_ATTR"), MailAttr: v.get("KIZDESK_LDAP_MAIL_ATTR"),
		PhoneAttr: v.get("KIZDESK_LDAP_PHONE_ATTR"), DepartmentAttr: v.get("KIZDESK_LDAP_DEPARTMENT_ATTR"),
		GroupBaseDN: v.get("KIZDESK_LDAP_GROUP_BASE_DN"), GroupFilter: v.get("KIZDESK_LDAP_GROUP_FILTER"),
		GroupNameAttr: v.get("KIZDESK_LDAP_GROUP_NAME_ATTR"), Timeout: timeout,
	})
	if err != nil {
		return nil, fmt.Errorf("KIZDESK_LDAP_*: %w", err)
	}
	return d, nil
}

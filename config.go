package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
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
	{"KIZDESK_DATABASE_URL", "database-url", "", "PostgreSQL URL (postgres://user:pass@host:5432/db?sslmode=require); in dev, empty means SQLite under the data directory", []string{"dev", "web", "worker", "migrate", "add-agent", "add-token", "audit verify"}},
	{"KIZDESK_DATA_DIR", "data-dir", "./data", "where dev keeps its SQLite files and session key", []string{"dev"}},
	{"KIZDESK_TEMPORAL_ADDRESS", "temporal-address", "localhost:7233", "Temporal frontend host:port", []string{"web", "worker", "history"}},
	{"KIZDESK_TEMPORAL_NAMESPACE", "temporal-namespace", "kizdesk", "Temporal namespace of the tickets", []string{"dev", "web", "worker", "history"}},
	{"KIZDESK_TEMPORAL_TLS_CERT", "temporal-tls-cert", "", "client certificate file (PEM) for mTLS to Temporal", []string{"web", "worker", "history"}},
	{"KIZDESK_TEMPORAL_TLS_KEY", "temporal-tls-key", "", "client key file (PEM) for mTLS to Temporal", []string{"web", "worker", "history"}},
	{"KIZDESK_TEMPORAL_TLS_CA", "temporal-tls-ca", "", "CA bundle (PEM) to verify Temporal's server certificate; empty: system roots", []string{"web", "worker", "history"}},
	{"KIZDESK_TEMPORAL_TLS_SERVER_NAME", "temporal-tls-server-name", "", "server name to verify; setting it (or any TLS file) turns TLS on", []string{"web", "worker", "history"}},
	{"KIZDESK_TEMPORAL_API_KEY", "temporal-api-key", "", "API key for Temporal Cloud (turns TLS on)", []string{"web", "worker", "history"}},
	{"KIZDESK_TEMPORAL_RETENTION", "temporal-retention", "2160h", "how long Temporal keeps a finished ticket's workflow history (at least 720h)", []string{"dev", "worker"}},
	{"KIZDESK_TEMPORAL_SETUP", "temporal-setup", "true", "worker registers namespace and search attributes at start (false where an operator does it)", []string{"worker"}},
	{"KIZDESK_TEMPORAL_PORT", "temporal-port", "7233", "port of the embedded Temporal server", []string{"dev"}},
	{"KIZDESK_TEMPORAL_UI_PORT", "temporal-ui-port", "8233", "port of the embedded Temporal UI", []string{"dev"}},
	{"KIZDESK_TEMPORAL_UI_URL", "temporal-ui-url", "", "Temporal UI base URL for the \"open in Temporal UI\" link (dev sets it itself)", []string{"web"}},
	{"KIZDESK_SESSION_KEY", "session-key", "", "64 hex-encoded random bytes (128 hex digits) that sign and encrypt session cookies; dev keeps one in the data directory", []string{"web"}},
	{"KIZDESK_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or networks (CIDR) of the reverse proxies in front of the web; their X-Forwarded-For names the client (login throttling per address, logs); empty: the peer is the client", []string{"web"}},
	{"KIZDESK_SECURE_COOKIES", "secure-cookies", "true", "mark cookies Secure (serve over HTTPS); dev sets false", []string{"web"}},
	{"KIZDESK_TIMEZONE", "timezone", "Europe/Berlin", "the desk's time zone (ticket number dates)", []string{"dev", "web"}},
	{"KIZDESK_SYSTEM_ID", "system-id", "10", "two-digit system ID inside ticket numbers", []string{"dev", "web"}},
	{"KIZDESK_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", []string{"dev", "web", "worker", "migrate", "add-agent", "add-token", "audit verify", "history"}},
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

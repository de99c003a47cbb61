package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/demo"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/devtemporal"
	"github.com/kiz-ulm/kizdesk/directory"
	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/temporalsetup"
	"github.com/kiz-ulm/kizdesk/web"
	"github.com/kiz-ulm/kizdesk/worker"
	"github.com/kiz-ulm/kizdesk/workflows"
)

type webConfig struct {
	Location      *time.Location
	SystemID      string
	SessionKey    []byte
	SecureCookies bool
	TemporalUIURL string
	Namespace     string
	Log           *slog.Logger
	// Codec serves /codec to CodecOrigins (the Temporal UI's).
	Codec        *codec.Codec
	CodecOrigins []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For
	// names the client.
	TrustedProxies []string
	// Ready answers /readyz.
	Ready func(context.Context) error
	// Directory is the kiz directory (LDAP), nil for none; its agents
	// and customers belong to DirectoryTenant.
	Directory       *directory.Directory
	DirectoryTenant string
	// MailOut is how the desk's automatic answers look and leave; nil:
	// none are sent.
	MailOut *mailOutConfig
}

func newWebHandler(db *gorm.DB, c client.Client, cfg webConfig) (http.Handler, *desk.Desk, error) {
	opts := desk.Options{Location: cfg.Location, SystemID: cfg.SystemID, DirectoryTenant: cfg.DirectoryTenant}
	if m := cfg.MailOut; m != nil {
		out := m.Out
		opts.MailOut, opts.MailCaptured = &out, m.Captured
		opts.Mail = mailin.Options{TagPrefix: out.TagPrefix, LoopHeader: out.Loop, OwnAddresses: m.OwnAddresses}
		opts.MailExternalSenders = m.ExternalSenders
	}
	if cfg.Directory != nil {
		// A nil *Directory in the interface would not be nil.
		opts.Directory = cfg.Directory
	}
	d := desk.New(db, c, opts)
	h, err := web.New(d, web.Options{
		SessionKey: cfg.SessionKey, SecureCookies: cfg.SecureCookies, Log: cfg.Log,
		TemporalUIURL: cfg.TemporalUIURL, Namespace: cfg.Namespace, Location: cfg.Location,
		Codec: cfg.Codec, CodecOrigins: cfg.CodecOrigins,
		TrustedProxies: cfg.TrustedProxies, Ready: cfg.Ready,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("web: %w", err)
	}
	return h, d, nil
}

// devConfig is what `kizdesk dev` (and the end-to-end test) runs with.
type devConfig struct {
	DataDir     string
	DatabaseURL string // "" = SQLite in DataDir
	// TemporalDatabaseURL keeps the embedded Temporal server's data in
	// PostgreSQL; "" = SQLite in DataDir.
	TemporalDatabaseURL string
	Namespace           string
	Retention           time.Duration
	TemporalPort        int    // 0 = any free port
	UIPort              int    // 0 = any free port, -1 = no UI
	MetricsAddr         string // the Temporal server's metrics; "" = none
	Location            *time.Location
	SystemID            string
	// Directory is the kiz directory (LDAP), off unless configured.
	Directory       *directory.Directory
	DirectoryTenant string
	Demo            bool
	Log             *slog.Logger
	// AuditKeys key the history; none = dev's own key in DataDir, made
	// on first start.
	AuditKeys models.AuditKeys
	// Checkpoints: where and how often audit checkpoints are written (no
	// Dir: none).
	Checkpoints checkpointConfig
	// PayloadKeys encrypt the Temporal payloads; nil = the key file in
	// DataDir, made on the first start.
	PayloadKeys []codec.Key
	// CodecEndpoint is where the embedded UI's browser reaches the web's
	// /codec (the web listens only after the stack is up); "" = none.
	CodecEndpoint string
	// TemporalDynamicConfig overrides the embedded server's dynamic config
	// (tests only).
	TemporalDynamicConfig map[string]any
	// MailOut sends the desk's mail; nil: no mail is written or sent.
	MailOut *mailOutConfig
}

// devStack is all of kizdesk in one process.
type devStack struct {
	temporal *devtemporal.Server
	codec    *codec.Codec
	client   client.Client
	db       *gorm.DB
	worker   sdkworker.Worker
	desk     *desk.Desk
	handler  http.Handler
	dbURL    string // the database as opened: a PostgreSQL URL or the SQLite file
	keys     models.AuditKeys
	keyFile  string // dev's own audit key file; "" when the key came from the settings
	auditDir string // where checkpoints go; "" = none
	// stopCheckpoints ends the checkpoint writer.
	stopCheckpoints func()
	// stopSweeper ends the mail sweeper.
	stopSweeper func()
}

func startDevStack(ctx context.Context, cfg devConfig) (_ *devStack, err error) {
	s := &devStack{}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	keys := cfg.PayloadKeys
	if keys == nil {
		if keys, err = devPayloadKeys(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	if s.codec, err = codec.New(keys); err != nil {
		return nil, fmt.Errorf("payload keys: %w", err)
	}
	s.temporal, err = devtemporal.Start(devtemporal.Options{
		DatabaseFile:     filepath.Join(cfg.DataDir, "temporal.db"),
		PostgresURL:      cfg.TemporalDatabaseURL,
		FrontendPort:     cfg.TemporalPort,
		UIPort:           cfg.UIPort,
		MetricsAddr:      cfg.MetricsAddr,
		Namespace:        cfg.Namespace,
		Retention:        cfg.Retention,
		SearchAttributes: workflows.SearchAttributeTypes(),
		Logger:           cfg.Log.With("component", "temporal"),
		LogLevel:         slog.LevelError,
		DynamicConfig:    cfg.TemporalDynamicConfig,
		CodecEndpoint:    cfg.CodecEndpoint,
		CodecErrorMessage: "Payloads are encrypted. Log in to kizdesk as an admin (in this browser, at " +
			strings.TrimSuffix(cfg.CodecEndpoint, "/codec") + "/) to read them here.",
	})
	if err != nil {
		return nil, fmt.Errorf("embedded Temporal: %w", err)
	}
	opts := client.Options{
		HostPort: s.temporal.FrontendAddress(), Namespace: cfg.Namespace, Logger: temporalLogger(cfg.Log),
	}
	withPayloadCodec(&opts, s.codec)
	s.client, err = client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to embedded Temporal: %w", err)
	}
	err = temporalsetup.Ensure(ctx, s.client, temporalsetup.Options{
		Namespace: cfg.Namespace, Retention: cfg.Retention, SearchAttributes: workflows.SearchAttributeTypes(),
	})
	if err != nil {
		return nil, err
	}
	url := cfg.DatabaseURL
	if url == "" {
		url = filepath.Join(cfg.DataDir, "kizdesk.db")
	}
	s.dbURL = url
	if s.db, err = openDB(ctx, url, cfg.Log); err != nil {
		return nil, err
	}
	s.keys = cfg.AuditKeys
	if len(s.keys) == 0 {
		s.keyFile = filepath.Join(cfg.DataDir, "audit.key")
		if s.keys, err = devAuditKeys(s.keyFile); err != nil {
			return nil, err
		}
	}
	reports := desk.New(s.db, s.client, desk.Options{Location: cfg.Location}) // renders scheduled reports
	s.worker = worker.New(s.client, &activities.Activities{DB: s.db, AuditKey: s.keys.Current(), Mail: cfg.MailOut.activitiesMail(s.client), Reports: reports,
		Temporal: s.client}, nil)
	if err := s.worker.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	if err := ensureRetentionSchedule(ctx, s.client); err != nil {
		return nil, err
	}
	key, err := devSessionKey(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	uiURL := browserURL(s.temporal.UIURL())
	var origins []string
	if uiURL != "" {
		// The UI answers on both names of loopback; either may call.
		origins = []string{uiURL, s.temporal.UIURL()}
	}
	s.handler, s.desk, err = newWebHandler(s.db, s.client, webConfig{
		Location: cfg.Location, SystemID: cfg.SystemID, SessionKey: key, SecureCookies: false,
		TemporalUIURL: uiURL, Namespace: cfg.Namespace, Log: cfg.Log,
		Codec: s.codec, CodecOrigins: origins,
		Ready:     newReadiness(s.db, s.client, cfg.Log, true).check,
		Directory: cfg.Directory, DirectoryTenant: cfg.DirectoryTenant,
		MailOut: cfg.MailOut,
	})
	if err != nil {
		return nil, err
	}
	s.stopSweeper = startMailSweeper(s.db, s.client, cfg.MailOut, cfg.Log)
	if cfg.Demo {
		if err := demo.Seed(ctx, s.db, s.desk); err != nil {
			return nil, err
		}
	}
	s.auditDir = cfg.Checkpoints.Dir
	s.stopCheckpoints = startCheckpoints(s.db, s.keys, cfg.Checkpoints, cfg.Log)
	return s, nil
}

// browserURL names the embedded UI by localhost rather than 127.0.0.1:
// the banner sends people to http://localhost:<port>/ for kizdesk, and the
// UI's codec calls carry kizdesk's session cookie only when both are on
// the same site — localhost and 127.0.0.1 are two sites to a browser.
func browserURL(u string) string {
	return strings.Replace(u, "://127.0.0.1:", "://localhost:", 1)
}

// devCodecEndpoint is the web's /codec as a browser on this machine
// reaches it, for an HTTP address like ":8080"; "" if the port is not
// known before the web listens (port 0).
func devCodecEndpoint(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "0" || port == "" {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && (ip.IsUnspecified() || ip.IsLoopback())) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/codec"
}

// close stops everything in the reverse order of starting.
func (s *devStack) close() {
	if s.stopSweeper != nil {
		s.stopSweeper()
	}
	if s.stopCheckpoints != nil {
		s.stopCheckpoints()
	}
	if s.worker != nil {
		s.worker.Stop()
	}
	if s.client != nil {
		s.client.Close()
	}
	if s.temporal != nil {
		s.temporal.Stop()
	}
	if s.db != nil {
		models.Close(s.db)
	}
}

func runDev(ctx context.Context, v values, log *slog.Logger, stdout io.Writer) error {
	began := time.Now()
	if os.Getenv("GOGC") == "" {
		// The embedded Temporal server allocates much and briefly:
		// collecting at five times the live heap rather than twice cost
		// 10 % less CPU per create (BenchmarkCreateTicket8Clients with
		// GOGC=400 against 100, two rounds each), for memory dev has.
		debug.SetGCPercent(400)
	}
	retention, err := parseRetention(v.get("KIZDESK_TEMPORAL_RETENTION"))
	if err != nil {
		return err
	}
	if err := setWorkerCache(v); err != nil {
		return err
	}
	loc, err := time.LoadLocation(v.get("KIZDESK_TIMEZONE"))
	if err != nil {
		return fmt.Errorf("KIZDESK_TIMEZONE: %w", err)
	}
	tport, err := portOf(v.get("KIZDESK_TEMPORAL_PORT"), "KIZDESK_TEMPORAL_PORT")
	if err != nil {
		return err
	}
	uport, err := portOf(v.get("KIZDESK_TEMPORAL_UI_PORT"), "KIZDESK_TEMPORAL_UI_PORT")
	if err != nil {
		return err
	}
	keys, err := auditKeys(v)
	if err != nil {
		return err
	}
	checkpoints, err := checkpointSettings(v)
	if err != nil {
		return err
	}
	if checkpoints.Dir == "" {
		checkpoints.Dir = filepath.Join(v.get("KIZDESK_DATA_DIR"), "audit")
	}
	// Fail before the slow start-up if the web port is taken.
	addr := v.get("KIZDESK_HTTP_ADDR")
	if ln, err := net.Listen("tcp", addr); err != nil {
		return fmt.Errorf("listen on %s (set KIZDESK_HTTP_ADDR): %w", addr, err)
	} else {
		ln.Close()
	}
	// Keys from the settings if given, else dev's own key file.
	pkeys, err := payloadKeys(v)
	if err != nil {
		return err
	}
	dir, err := directoryOf(v)
	if err != nil {
		return err
	}
	mailCfg, err := mailConfigOf(v, "127.0.0.1:2525")
	if err != nil {
		return err
	}
	mailOut, err := mailOutConfigOf(v, true, "http://"+net.JoinHostPort("localhost", portOfAddr(addr))+"/")
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "kizdesk dev: starting the embedded Temporal server, database, worker and web server …")
	s, err := startDevStack(ctx, devConfig{
		DataDir: v.get("KIZDESK_DATA_DIR"), DatabaseURL: v.get("KIZDESK_DATABASE_URL"),
		TemporalDatabaseURL: v.get("KIZDESK_TEMPORAL_DATABASE_URL"),
		Namespace:           v.get("KIZDESK_TEMPORAL_NAMESPACE"), Retention: retention,
		TemporalPort: tport, UIPort: uport, MetricsAddr: v.get("KIZDESK_TEMPORAL_METRICS_ADDR"),
		Location: loc, SystemID: v.get("KIZDESK_SYSTEM_ID"),
		Demo: true, Log: log, AuditKeys: keys, Checkpoints: checkpoints,
		PayloadKeys: pkeys, CodecEndpoint: devCodecEndpoint(addr),
		Directory: dir, DirectoryTenant: v.get("KIZDESK_LDAP_TENANT"),
		MailOut: mailOut,
	})
	if err != nil {
		return err
	}
	defer s.close()
	mailAddr, stopMail, err := startMailGateway(ctx, s.desk, s.db, mailCfg, log)
	if err != nil {
		return err
	}
	defer stopMail(context.Background())
	stopIMAP, err := startIMAPPollers(ctx, s.desk, s.db, v.get("KIZDESK_IMAP"), mailCfg.Tenant, log)
	if err != nil {
		return err
	}
	defer stopIMAP()
	err = serveHTTP(ctx, addr, s.handler, defaultHTTPLimits, log, func(a net.Addr) {
		printBanner(stdout, a, mailAddr, s, v, time.Since(began))
	})
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	fmt.Fprintln(stdout, "kizdesk dev: stopped")
	return err
}

func printBanner(w io.Writer, a, mail net.Addr, s *devStack, v values, took time.Duration) {
	port := a.(*net.TCPAddr).Port
	fmt.Fprintf(w, "\nkizdesk is running (started in %s)\n\n", took.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  Agent interface   http://localhost:%d/\n", port)
	fmt.Fprintf(w, "  JSON API          http://localhost:%d/api/v1/  (Authorization: Bearer %s)\n", port, demo.APIToken)
	if u := browserURL(s.temporal.UIURL()); u != "" {
		fmt.Fprintf(w, "  Temporal UI       %s/namespaces/%s/workflows\n", u, v.get("KIZDESK_TEMPORAL_NAMESPACE"))
		fmt.Fprintf(w, "                    (payloads are encrypted: log in to kizdesk as admin to read them there)\n")
	}
	fmt.Fprintf(w, "  Temporal server   %s (namespace %s)\n", s.temporal.FrontendAddress(), v.get("KIZDESK_TEMPORAL_NAMESPACE"))
	if u := s.temporal.MetricsURL(); u != "" {
		fmt.Fprintf(w, "  Temporal metrics  %s\n", u)
	}
	if mail != nil {
		fmt.Fprintf(w, "  Mail in (SMTP)    %s  (e.g. swaks --server %s --to helpdesk@kiz.example)\n", mail, mail)
	}
	if v.get("KIZDESK_SMTP_ADDR") == "" {
		fmt.Fprintf(w, "  Mail out          captured, not sent: http://localhost:%d/admin/outbox\n", port)
	} else {
		fmt.Fprintf(w, "  Mail out          via %s\n", v.get("KIZDESK_SMTP_ADDR"))
	}
	fmt.Fprintf(w, "  Data              %s\n", v.get("KIZDESK_DATA_DIR"))
	key := "key " + s.keys.Current().ID
	if s.keyFile != "" {
		key += " in " + s.keyFile
	}
	fmt.Fprintf(w, "  Audit             %s, checkpoints in %s\n\n", key, s.auditDir)
	fmt.Fprintf(w, "  Demo logins (password %q):\n", demo.Password)
	for _, l := range demo.Logins {
		fmt.Fprintf(w, "    %-10s %-18s %s\n", l.Login, l.Name, l.Role)
	}
	fmt.Fprintf(w, "    %-10s %-18s customer portal: http://localhost:%d/portal\n", demo.PortalLogin, "Max Mustermann", port)
	fmt.Fprintln(w, "\nPress Ctrl-C to stop.")
}

// runTemporalDev runs only the embedded Temporal server and UI, for trying
// the production roles — migrate, worker, web as processes of their own —
// on one machine without a Temporal cluster.
func runTemporalDev(ctx context.Context, v values, log *slog.Logger, stdout io.Writer) error {
	retention, err := parseRetention(v.get("KIZDESK_TEMPORAL_RETENTION"))
	if err != nil {
		return err
	}
	tport, err := portOf(v.get("KIZDESK_TEMPORAL_PORT"), "KIZDESK_TEMPORAL_PORT")
	if err != nil {
		return err
	}
	uport, err := portOf(v.get("KIZDESK_TEMPORAL_UI_PORT"), "KIZDESK_TEMPORAL_UI_PORT")
	if err != nil {
		return err
	}
	opts := devtemporal.Options{
		PostgresURL:  v.get("KIZDESK_TEMPORAL_DATABASE_URL"),
		FrontendPort: tport, UIPort: uport, MetricsAddr: v.get("KIZDESK_TEMPORAL_METRICS_ADDR"),
		Namespace: v.get("KIZDESK_TEMPORAL_NAMESPACE"), Retention: retention,
		SearchAttributes: workflows.SearchAttributeTypes(),
		Logger:           log.With("component", "temporal"), LogLevel: slog.LevelError,
	}
	where := "PostgreSQL"
	if opts.PostgresURL == "" {
		if err := os.MkdirAll(v.get("KIZDESK_DATA_DIR"), 0o755); err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
		opts.DatabaseFile = filepath.Join(v.get("KIZDESK_DATA_DIR"), "temporal.db")
		where = opts.DatabaseFile
	}
	srv, err := devtemporal.Start(opts)
	if err != nil {
		return fmt.Errorf("embedded Temporal: %w", err)
	}
	defer srv.Stop()
	fmt.Fprintf(stdout, "Temporal server %s (namespace %s), UI %s, data in %s. Press Ctrl-C to stop.\n",
		srv.FrontendAddress(), opts.Namespace, browserURL(srv.UIURL()), where)
	if u := srv.MetricsURL(); u != "" {
		fmt.Fprintf(stdout, "Temporal metrics %s\n", u)
	}
	<-ctx.Done()
	return nil
}

// portOfAddr is the port of a listen address like ":8080", "8080" if it
// has none.
func portOfAddr(addr string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil && port != "" {
		return port
	}
	return "8080"
}

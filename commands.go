package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/codec"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/temporalsetup"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/worker"
	"github.com/kiz-ulm/kizdesk/workflows"
)

func runMigrate(ctx context.Context, v values, log *slog.Logger, _ io.Writer) error {
	db, err := openProductionDB(ctx, v, log)
	if err != nil {
		return err
	}
	defer models.Close(db)
	log.Info("database schema is up to date")
	return nil
}

func runWorker(ctx context.Context, v values, log *slog.Logger, _ io.Writer) error {
	url := v.get("KIZDESK_DATABASE_URL")
	if url == "" {
		return errors.New("KIZDESK_DATABASE_URL is required")
	}
	retention, err := parseRetention(v.get("KIZDESK_TEMPORAL_RETENTION"))
	if err != nil {
		return err
	}
	setup, err := v.bool("KIZDESK_TEMPORAL_SETUP")
	if err != nil {
		return err
	}
	if err := setWorkerCache(v); err != nil {
		return err
	}
	keys, err := requireAuditKeys(v)
	if err != nil {
		return err
	}
	checkpoints, err := checkpointSettings(v)
	if err != nil {
		return err
	}
	pc, err := payloadCodec(v)
	if err != nil {
		return err
	}
	c, err := dialTemporal(ctx, v, pc, log)
	if err != nil {
		return err
	}
	defer c.Close()
	// The health listener comes up first, so a liveness probe passes
	// during the (possibly slow) namespace setup; readiness waits for
	// the worker to poll.
	db, err := models.Open(ctx, url)
	if err != nil {
		return err
	}
	defer models.Close(db)
	ready := newReadiness(db, c, log, false)
	if addr := v.get("KIZDESK_WORKER_HEALTH_ADDR"); addr != "" {
		stopHealth, err := serveHealth(addr, healthHandler(ready), log)
		if err != nil {
			return err
		}
		defer stopHealth()
	}
	if setup {
		err := temporalsetup.Ensure(ctx, c, temporalsetup.Options{
			Namespace: v.get("KIZDESK_TEMPORAL_NAMESPACE"), Retention: retention,
			SearchAttributes: workflows.SearchAttributeTypes(),
		})
		if err != nil {
			return fmt.Errorf("prepare Temporal namespace (set KIZDESK_TEMPORAL_SETUP=false if an operator does it): %w", err)
		}
	}
	mailOut, err := mailOutConfigOf(v, false, "")
	if err != nil {
		return err
	}
	if mailOut.Sender == nil {
		log.Warn("KIZDESK_SMTP_ADDR is not set: mail going out waits (Outbox page) until a relay is configured")
	}
	stopSweeper := startMailSweeper(db, c, mailOut, log)
	defer stopSweeper()
	fatal := make(chan error, 1)
	loc, err := time.LoadLocation(v.get("KIZDESK_TIMEZONE"))
	if err != nil {
		return fmt.Errorf("KIZDESK_TIMEZONE: %w", err)
	}
	// Scheduled reports are rendered by the desk, with each recipient's
	// permissions.
	reports := desk.New(db, c, desk.Options{Location: loc})
	w := worker.New(c, &activities.Activities{DB: db, AuditKey: keys.Current(), Mail: mailOut.activitiesMail(c), Reports: reports, Temporal: c}, func(err error) {
		select {
		case fatal <- err:
		default:
		}
	})
	log.Info("worker running", "task_queue", ticket.TaskQueue, "namespace", v.get("KIZDESK_TEMPORAL_NAMESPACE"),
		"audit_key", keys.Current().ID, "audit_dir", checkpoints.Dir)
	if checkpoints.Dir == "" {
		log.Warn("KIZDESK_AUDIT_DIR is not set: no audit checkpoints are written, so a cut history tail or a deleted ticket " +
			"is seen only while Temporal keeps the ticket's workflow")
	}
	stopCheckpoints := startCheckpoints(db, keys, checkpoints, log)
	defer stopCheckpoints()
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	if err := ensureRetentionSchedule(ctx, c); err != nil {
		return err
	}
	ready.started.Store(true)
	// A worker that gives up — its namespace gone, its credentials
	// revoked — ends the process and gets restarted, instead of idling
	// without polling.
	select {
	case err := <-fatal:
		ready.draining.Store(true)
		w.Stop()
		return fmt.Errorf("worker: %w", err)
	case <-ctx.Done():
	}
	ready.draining.Store(true)
	log.Info("worker stopping: no new tasks, waiting for running activities", "timeout", worker.StopTimeout)
	w.Stop()
	return nil
}

func runWeb(ctx context.Context, v values, log *slog.Logger, _ io.Writer) error {
	url := v.get("KIZDESK_DATABASE_URL")
	if url == "" {
		return errors.New("KIZDESK_DATABASE_URL is required")
	}
	key, err := parseSessionKey(v.get("KIZDESK_SESSION_KEY"))
	if err != nil {
		return err
	}
	secure, err := v.bool("KIZDESK_SECURE_COOKIES")
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(v.get("KIZDESK_TIMEZONE"))
	if err != nil {
		return fmt.Errorf("KIZDESK_TIMEZONE: %w", err)
	}
	pc, err := payloadCodec(v)
	if err != nil {
		return err
	}
	origins, err := codecOrigins(v.get("KIZDESK_TEMPORAL_UI_URL"))
	if err != nil {
		return err
	}
	proxies, err := parseProxies(v.get("KIZDESK_TRUSTED_PROXIES"))
	if err != nil {
		return err
	}
	delay, err := time.ParseDuration(v.get("KIZDESK_SHUTDOWN_DELAY"))
	if err != nil || delay < 0 {
		return fmt.Errorf("KIZDESK_SHUTDOWN_DELAY: %q is not a duration like 5s", v.get("KIZDESK_SHUTDOWN_DELAY"))
	}
	dir, err := directoryOf(v)
	if err != nil {
		return err
	}
	mailCfg, err := mailConfigOf(v, "")
	if err != nil {
		return err
	}
	mailOut, err := mailOutConfigOf(v, false, "")
	if err != nil {
		return err
	}
	c, err := dialTemporal(ctx, v, pc, log)
	if err != nil {
		return err
	}
	defer c.Close()
	db, err := models.Open(ctx, url)
	if err != nil {
		return err
	}
	defer models.Close(db)
	ready := newReadiness(db, c, log, true)
	h, d, err := newWebHandler(db, c, webConfig{
		Location: loc, SystemID: v.get("KIZDESK_SYSTEM_ID"), SessionKey: key, SecureCookies: secure,
		TemporalUIURL: v.get("KIZDESK_TEMPORAL_UI_URL"), Namespace: v.get("KIZDESK_TEMPORAL_NAMESPACE"), Log: log,
		Codec: pc, CodecOrigins: origins,
		TrustedProxies: proxies, Ready: ready.check,
		Directory: dir, DirectoryTenant: v.get("KIZDESK_LDAP_TENANT"),
		MailOut: mailOut,
	})
	if err != nil {
		return err
	}
	// The mail listener and the IMAP pollers go with the web: they all
	// take what people send.
	_, stopMail, err := startMailGateway(ctx, d, db, mailCfg, log)
	if err != nil {
		return err
	}
	defer stopMail(context.Background())
	stopIMAP, err := startIMAPPollers(ctx, d, db, v.get("KIZDESK_IMAP"), mailCfg.Tenant, log)
	if err != nil {
		return err
	}
	defer stopIMAP()
	return serveHTTP(drain(ctx, ready, delay, log), v.get("KIZDESK_HTTP_ADDR"), h, defaultHTTPLimits, log, nil)
}

// drain returns a context that ends delay after ctx, with readiness
// turned off at once: a load balancer stops sending new requests to this
// copy before it stops accepting them.
func drain(ctx context.Context, r *readiness, delay time.Duration, log *slog.Logger) context.Context {
	serving, stop := context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		<-ctx.Done()
		r.draining.Store(true)
		if delay > 0 {
			log.Info("shutting down: not ready, still serving", "for", delay)
			time.Sleep(delay)
		}
		stop()
	}()
	return serving
}

// openDB connects and migrates: every command that touches the database
// makes sure the schema is current first (migrations are idempotent).
func openDB(ctx context.Context, url string, log *slog.Logger) (*gorm.DB, error) {
	db, err := models.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := models.Migrate(ctx, db, log); err != nil {
		models.Close(db)
		return nil, err
	}
	return db, nil
}

func dialTemporal(ctx context.Context, v values, pc *codec.Codec, log *slog.Logger) (client.Client, error) {
	opts := client.Options{
		HostPort:  v.get("KIZDESK_TEMPORAL_ADDRESS"),
		Namespace: v.get("KIZDESK_TEMPORAL_NAMESPACE"),
		Logger:    temporalLogger(log),
	}
	withPayloadCodec(&opts, pc)
	cert, key, ca := v.get("KIZDESK_TEMPORAL_TLS_CERT"), v.get("KIZDESK_TEMPORAL_TLS_KEY"), v.get("KIZDESK_TEMPORAL_TLS_CA")
	serverName, apiKey := v.get("KIZDESK_TEMPORAL_TLS_SERVER_NAME"), v.get("KIZDESK_TEMPORAL_API_KEY")
	if cert != "" || key != "" || ca != "" || serverName != "" || apiKey != "" {
		tc := &tls.Config{ServerName: serverName, MinVersion: tls.VersionTLS12}
		if (cert == "") != (key == "") {
			return nil, errors.New("KIZDESK_TEMPORAL_TLS_CERT and KIZDESK_TEMPORAL_TLS_KEY go together")
		}
		if cert != "" {
			pair, err := tls.LoadX509KeyPair(cert, key)
			if err != nil {
				return nil, fmt.Errorf("load Temporal client certificate: %w", err)
			}
			tc.Certificates = []tls.Certificate{pair}
		}
		if ca != "" {
			pem, err := os.ReadFile(ca)
			if err != nil {
				return nil, fmt.Errorf("read KIZDESK_TEMPORAL_TLS_CA: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("KIZDESK_TEMPORAL_TLS_CA: no certificate in %s", ca)
			}
			tc.RootCAs = pool
		}
		opts.ConnectionOptions.TLS = tc
		if apiKey != "" {
			opts.Credentials = client.NewAPIKeyStaticCredentials(apiKey)
		}
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", opts.HostPort, err)
	}
	return c, nil
}

// codecOrigins are the origins that may call the codec endpoint from a
// browser: the Temporal UI's, the one KIZDESK_TEMPORAL_UI_URL links to
// (none if unset: then only non-browser clients such as the CLI use it).
func codecOrigins(uiURL string) ([]string, error) {
	if uiURL == "" {
		return nil, nil
	}
	u, err := url.Parse(uiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("KIZDESK_TEMPORAL_UI_URL: %q is not an http(s) URL", uiURL)
	}
	return []string{u.Scheme + "://" + u.Host}, nil
}

// withPayloadCodec makes every Temporal client — and the workers built on
// it, which take the client's converters — encrypt payloads and failure
// messages with pc.
func withPayloadCodec(opts *client.Options, pc *codec.Codec) {
	opts.DataConverter = pc.DataConverter()
	opts.FailureConverter = pc.FailureConverter()
	// Encrypted payloads do not compress: gzip on every call (the SDK's
	// default) cost 3 % of the CPU of a create and saved nothing.
	opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
}

// temporalLogger passes the SDK's warnings and errors to our log; its info
// lines (one per worker poll start and so on) are noise for a desk.
func temporalLogger(log *slog.Logger) sdklog.Logger {
	return sdklog.NewStructuredLogger(slog.New(levelFilter{log.Handler(), slog.LevelWarn}))
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func parseRetention(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("KIZDESK_TEMPORAL_RETENTION: %w", err)
	}
	if d < 30*24*time.Hour {
		return 0, fmt.Errorf("KIZDESK_TEMPORAL_RETENTION: %s is less than 30 days (720h): closed tickets must stay inspectable", s)
	}
	return d, nil
}

func parseSessionKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("KIZDESK_SESSION_KEY is required: 128 hex digits, e.g. from `openssl rand -hex 64`")
	}
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != 64 {
		return nil, errors.New("KIZDESK_SESSION_KEY must be 128 hex digits (64 random bytes), e.g. from `openssl rand -hex 64`")
	}
	return key, nil
}

// parseProxies reads KIZDESK_TRUSTED_PROXIES: addresses or networks,
// separated by commas.
func parseProxies(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return nil, fmt.Errorf("KIZDESK_TRUSTED_PROXIES: %q is neither an address nor a network like 10.0.0.0/8", p)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// devSessionKey keeps dev's session key in the data directory, so a restart
// does not log everybody out.
func devSessionKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, "session.key")
	b, err := os.ReadFile(path)
	if err == nil {
		return parseSessionKey(string(b))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	key := make([]byte, 64)
	rand.Read(key)
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)), 0o600); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return key, nil
}

// devPayloadKeys keeps dev's payload key in the data directory, made on
// the first start, so a newcomer needs no setting and a restart still
// reads the tickets it wrote. To rotate, put a new line first.
func devPayloadKeys(dir string) ([]codec.Key, error) {
	path := filepath.Join(dir, "payload.keys")
	b, err := os.ReadFile(path)
	if err == nil {
		keys, err := codec.ParseKeyFile(b)
		if err != nil {
			return nil, fmt.Errorf("payload key file %s: %w", path, err)
		}
		return keys, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read payload key file: %w", err)
	}
	k, err := codec.NewKey("dev-" + time.Now().UTC().Format("20060102"))
	if err != nil {
		return nil, err
	}
	line := "# kizdesk dev's payload keys: one \"id base64key\" a line, the current key first.\n" + codec.KeyFileLine(k)
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		return nil, fmt.Errorf("write payload key file: %w", err)
	}
	return []codec.Key{k}, nil
}

// httpLimits bound what one client can take of the web server: slow or
// endless headers (slowloris), slow bodies, idle connections, huge headers.
// Bodies are bounded by the handlers (1 MiB, forms and JSON alike).
type httpLimits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration // headers and body
	// WriteTimeout runs from the end of the headers to the end of the
	// answer: it covers reading the body and an action that waits for its
	// ticket's workflow (the desk's patience).
	WriteTimeout   time.Duration
	IdleTimeout    time.Duration
	MaxHeaderBytes int
	// ShutdownTimeout is how long requests in flight get to finish once
	// the server stops accepting; 0 means 10 s.
	ShutdownTimeout time.Duration
}

// defaultHTTPLimits: a 1 MiB form needs 60 s at 140 kbit/s; cookies and
// headers of a browser fit 64 KiB many times over.
var defaultHTTPLimits = httpLimits{
	ReadHeaderTimeout: 10 * time.Second,
	ReadTimeout:       60 * time.Second,
	WriteTimeout:      60*time.Second + desk.DefaultPatience + 30*time.Second,
	IdleTimeout:       2 * time.Minute,
	MaxHeaderBytes:    64 << 10,
	// An action in flight may be waiting for its ticket's workflow for
	// the desk's whole patience; cut it short and the agent sees an error
	// for a change that may still be made.
	ShutdownTimeout: desk.DefaultPatience + 5*time.Second,
}

// serveHTTP serves h on addr until ctx ends, then shuts down gracefully.
// ready, if set, gets the address actually listened on.
func serveHTTP(ctx context.Context, addr string, h http.Handler, limits httpLimits, log *slog.Logger, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set KIZDESK_HTTP_ADDR): %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: limits.ReadHeaderTimeout,
		ReadTimeout:       limits.ReadTimeout,
		WriteTimeout:      limits.WriteTimeout,
		IdleTimeout:       limits.IdleTimeout,
		MaxHeaderBytes:    limits.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr())
	} else {
		log.Info("web server listening", "addr", ln.Addr().String())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	timeout := limits.ShutdownTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	log.Info("web server stopping: no new connections, finishing requests in flight", "timeout", timeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

func portOf(s, env string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 0 || p > 65535 {
		return 0, fmt.Errorf("%s: %q is not a port number", env, s)
	}
	return p, nil
}

// setWorkerCache sizes the worker's cache of workflows (KIZDESK_WORKER_CACHE).
func setWorkerCache(v values) error {
	n, err := strconv.Atoi(v.get("KIZDESK_WORKER_CACHE"))
	if err != nil {
		return fmt.Errorf("KIZDESK_WORKER_CACHE: %q is not a number", v.get("KIZDESK_WORKER_CACHE"))
	}
	if err := worker.SetCacheSize(n); err != nil {
		return fmt.Errorf("KIZDESK_WORKER_CACHE: %w", err)
	}
	return nil
}

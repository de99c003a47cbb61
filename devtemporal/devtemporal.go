// Package devtemporal runs a complete Temporal server (frontend, history,
// matching and worker services, SQLite or PostgreSQL persistence) and optionally the
// Temporal Web UI inside the current process. It is meant for `kizdesk dev`
// and for tests; production uses a separately operated Temporal cluster.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/metrics"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	defaultIP        = "127.0.0.1"
	defaultRetention = 30 * 24 * time.Hour
	clusterName      = "active"
	startTimeout     = 60 * time.Second
	uiStartTimeout   = 15 * time.Second
	workflowService  = "temporal.api.workflowservice.v1.WorkflowService"
)

// Options configures Start.
type Options struct {
	// DatabaseFile is the SQLite file for Temporal's persistence; "" keeps
	// everything in memory. The parent directory must exist. The schema is
	// created when the file does not exist yet; an existing file is reused, so
	// workflows and timers survive a restart.
	DatabaseFile string
	// PostgresURL, if set, keeps persistence and visibility in PostgreSQL
	// instead of SQLite (DatabaseFile is then ignored), as a production
	// cluster does: the database the URL names and one beside it named
	// with VisibilitySuffix. Both are created, and their schemas set up or
	// upgraded to this server version's, at every start; the URL's user
	// needs CREATEDB for the first. Workflows and timers survive a restart.
	PostgresURL string
	// IP is the bind address of the frontend and the UI; default "127.0.0.1".
	IP string
	// FrontendPort is the gRPC port; 0 picks a free port.
	FrontendPort int
	// UIPort is the Temporal UI HTTP port; 0 picks a free port, -1 disables the UI.
	UIPort int
	// Namespace is created if missing, besides "default".
	Namespace string
	// Retention of a newly created Namespace; 0 means 30 days.
	Retention time.Duration
	// SearchAttributes are pre-registered in a newly created Namespace. For
	// an existing namespace use temporalsetup.Ensure.
	SearchAttributes map[string]enumspb.IndexedValueType
	// Logger receives Temporal's logs. Required.
	Logger *slog.Logger
	// DynamicConfig overrides settings of the server's dynamic config by
	// key, e.g. "limit.historyCount.suggestContinueAsNew" for a test that
	// needs continue-as-new suggested early.
	DynamicConfig map[string]any
	// CodecEndpoint, if set, is the codec server the UI decodes payloads
	// with (e.g. "http://localhost:8080/codec"). The UI calls it from the
	// browser with the browser's cookies, so a user logged in there (and
	// allowed by it) reads payloads in clear.
	CodecEndpoint string
	// CodecErrorMessage is what the UI shows when the codec endpoint
	// refuses or fails, e.g. how to get permission.
	CodecErrorMessage string
	// MetricsAddr, if set, is the host:port where the server serves its
	// own metrics for Prometheus at /metrics: task queue backlog
	// (approximate_backlog_count), schedule-to-start latency
	// (task_schedule_to_start_latency, asyncmatch_latency), persistence
	// latency (persistence_latency) and the rest Temporal records. Off by
	// default, as the server then records them on every request.
	MetricsAddr string
	// LogLevel drops Temporal's own logs below this level. At Warn or above,
	// warnings are also dropped while the server starts (the services warn
	// about each other until all are up); everything is dropped from Stop on.
	LogLevel slog.Level
}

// Server is a running embedded Temporal server.
type Server struct {
	server       temporal.Server
	ui           *uiserver.Server
	uiDone       chan struct{}
	frontendAddr string
	uiURL        string
	metricsURL   string
	logger       *slog.Logger
	logLevel     *slog.LevelVar
	stopOnce     sync.Once
}

// Start starts Temporal and, unless disabled, the UI. It returns once the
// frontend reports itself healthy and the UI accepts connections.
func Start(opts Options) (*Server, error) {
	if opts.Logger == nil {
		return nil, errors.New("devtemporal: Logger is required")
	}
	if opts.IP == "" || opts.IP == "localhost" {
		opts.IP = defaultIP
	}
	if net.ParseIP(opts.IP) == nil {
		return nil, fmt.Errorf("devtemporal: IP %q is not an IP address", opts.IP)
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Retention == 0 {
		opts.Retention = defaultRetention
	}
	if opts.UIPort < -1 || opts.UIPort > 65535 || opts.FrontendPort < 0 || opts.FrontendPort > 65535 {
		return nil, errors.New("devtemporal: port out of range")
	}

	if opts.FrontendPort > 0 {
		if err := checkPortFree(opts.IP, opts.FrontendPort, "the Temporal frontend (gRPC)"); err != nil {
			return nil, err
		}
	}
	if opts.UIPort > 0 {
		if err := checkPortFree(opts.IP, opts.UIPort, "the Temporal UI"); err != nil {
			return nil, err
		}
	}
	if opts.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(opts.MetricsAddr)
		n, perr := strconv.Atoi(port)
		if err != nil || perr != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("devtemporal: metrics address %q is not host:port", opts.MetricsAddr)
		}
		// Temporal ends the process when it cannot listen there.
		if err := checkPortFree(host, n, "Temporal's metrics"); err != nil {
			return nil, err
		}
	}
	var ports portPicker
	defer ports.release()
	var err error
	if opts.FrontendPort == 0 {
		if opts.FrontendPort, err = ports.pick(opts.IP); err != nil {
			return nil, err
		}
	}
	if opts.UIPort == 0 {
		if opts.UIPort, err = ports.pick(opts.IP); err != nil {
			return nil, err
		}
	}
	// The history, matching and worker services only talk to each other and
	// always bind to loopback.
	internal := make([]int, 3)
	for i := range internal {
		if internal[i], err = ports.pick(defaultIP); err != nil {
			return nil, err
		}
	}
	historyPort, matchingPort, workerPort := internal[0], internal[1], internal[2]
	ports.release()

	frontendAddr := net.JoinHostPort(dialableIP(opts.IP), strconv.Itoa(opts.FrontendPort))

	conf := &config.Config{}
	if err := configurePersistence(&conf.Persistence, opts); err != nil {
		return nil, err
	}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	// No ClusterID: on the first start the server generates one and stores it
	// in the database; later starts read it from there, so it is stable for
	// a database file without keeping it anywhere else.
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		"frontend": serviceConfig(opts.IP, opts.FrontendPort),
		"history":  serviceConfig(defaultIP, historyPort),
		"matching": serviceConfig(defaultIP, matchingPort),
		"worker":   serviceConfig(defaultIP, workerPort),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	// The server's internal worker service connects through this address.
	conf.PublicClient.HostPort = frontendAddr
	if opts.MetricsAddr != "" {
		conf.Global.Metrics = &metrics.Config{Prometheus: &metrics.PrometheusConfig{
			Framework: metrics.FrameworkOpentelemetry, ListenAddress: opts.MetricsAddr, HandlerPath: "/metrics"}}
	}

	// While the services come up one after another they warn about each
	// other being unreachable; that is noise unless debug output was asked for.
	logLevel := new(slog.LevelVar)
	logLevel.Set(opts.LogLevel)
	if opts.LogLevel >= slog.LevelWarn {
		logLevel.Set(max(opts.LogLevel, slog.LevelError))
	}

	local := func(port int) static.Hosts {
		return static.SingleLocalHost(net.JoinHostPort(defaultIP, strconv.Itoa(port)))
	}
	server, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(frontendAddr),
			primitives.HistoryService:  local(historyPort),
			primitives.MatchingService: local(matchingPort),
			primitives.WorkerService:   local(workerPort),
		}),
		temporal.WithLogger(slogAdapter{l: opts.Logger, min: logLevel}),
		temporal.WithDynamicConfigClient(dynamicConfig(opts.DynamicConfig)),
	)
	if err != nil {
		return nil, fmt.Errorf("creating Temporal server: %w", err)
	}
	if err := server.Start(); err != nil {
		return nil, fmt.Errorf("starting Temporal server: %w", err)
	}
	s := &Server{server: server, frontendAddr: frontendAddr, logger: opts.Logger, logLevel: logLevel}
	if opts.MetricsAddr != "" {
		s.metricsURL = "http://" + opts.MetricsAddr + "/metrics"
	}
	if err := waitHealthy(frontendAddr, startTimeout); err != nil {
		s.Stop()
		return nil, err
	}
	logLevel.Set(opts.LogLevel)

	if opts.UIPort > 0 {
		if err := s.startUI(opts, frontendAddr); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// FrontendAddress is the host:port a Temporal client dials.
func (s *Server) FrontendAddress() string { return s.frontendAddr }

// UIURL is the Temporal UI's base URL, or "" when the UI is disabled.
func (s *Server) UIURL() string { return s.uiURL }

// MetricsURL is where the server's metrics are served, "" if they are not.
func (s *Server) MetricsURL() string { return s.metricsURL }

// Stop stops the UI and the server. Calls after the first do nothing.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		// Shutting down makes the services complain about each other, and
		// the server never stops some of its internal SDK workers, which keep
		// retrying the gone frontend forever; none of that is worth logging.
		s.logLevel.Set(muted)
		if s.ui != nil {
			s.ui.Stop()
			<-s.uiDone
		}
		if err := s.server.Stop(); err != nil {
			s.logger.Error("stopping Temporal server", "error", err)
		}
	})
}

func serviceConfig(ip string, port int) config.Service {
	var svc config.Service
	svc.RPC.BindOnIP = ip
	svc.RPC.GRPCPort = port
	return svc
}

// configurePersistence sets up the stores of opts (PostgreSQL or SQLite),
// making sure their schemas and the namespaces exist.
func configurePersistence(p *config.Persistence, opts Options) error {
	if opts.PostgresURL != "" {
		main, visibility, err := postgresConfigs(opts.PostgresURL)
		if err != nil {
			return err
		}
		if err := preparePostgres(main, visibility); err != nil {
			return err
		}
		if err := createNamespaces(main, opts); err != nil {
			return err
		}
		p.DefaultStore, p.VisibilityStore = "postgres", "postgres-visibility"
		p.NumHistoryShards = postgresShards
		p.DataStores = map[string]config.DataStore{"postgres": {SQL: main}, "postgres-visibility": {SQL: visibility}}
		return nil
	}
	sqlConf, visConf, err := prepareSQLite(opts)
	if err != nil {
		return err
	}
	if err := createNamespaces(sqlConf, opts); err != nil {
		return err
	}
	p.DefaultStore, p.VisibilityStore = "sqlite", "sqlite-visibility"
	p.NumHistoryShards = 1
	p.DataStores = map[string]config.DataStore{"sqlite": {SQL: sqlConf}, "sqlite-visibility": {SQL: visConf}}
	return nil
}

// prepareSQLite returns the SQLite configs of persistence and visibility
// after making sure their schemas exist. They are two databases: SQLite
// writes one transaction at a time per database, and with visibility in
// the same one, its upserts held up the history writes of timers falling
// due (72 % of the time waited on that lock, with 1,000 closes at once).
// A data directory from before the split keeps its one file.
func prepareSQLite(opts Options) (main, visibility *config.SQL, err error) {
	main = &config.SQL{PluginName: sqliteplugin.PluginName}
	if opts.DatabaseFile == "" {
		// The plugin creates the schema itself for in-memory databases. A
		// random name keeps servers in one process (tests) apart.
		main.DatabaseName = "kizdesk-" + strconv.FormatUint(rand.Uint64(), 36)
		main.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		v := *main
		v.DatabaseName += "-visibility"
		v.ConnectAttributes = maps.Clone(main.ConnectAttributes)
		return main, &v, nil
	}
	attrs := func() map[string]string {
		return map[string]string{
			"mode": "rwc",
			// Without these every history write waits for a full fsync of
			// the rollback journal, and one agent's click costs a few of
			// them. WAL with synchronous=normal stays crash-safe for the
			// database; the last writes before a power cut may be lost.
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		}
	}
	main.DatabaseName, main.ConnectAttributes = opts.DatabaseFile, attrs()
	visFile := VisibilityFile(opts.DatabaseFile)
	_, visErr := os.Stat(visFile)
	oneFile := errors.Is(visErr, os.ErrNotExist) && nonEmpty(opts.DatabaseFile)
	if err := setupSchemaIfNew(main, opts.DatabaseFile); err != nil {
		return nil, nil, err
	}
	if oneFile {
		return main, main, nil
	}
	visibility = &config.SQL{PluginName: sqliteplugin.PluginName, DatabaseName: visFile, ConnectAttributes: attrs()}
	if err := setupSchemaIfNew(visibility, visFile); err != nil {
		return nil, nil, err
	}
	return main, visibility, nil
}

// VisibilityFile is the SQLite file of the visibility store beside the
// persistence file.
func VisibilityFile(file string) string {
	return strings.TrimSuffix(file, filepath.Ext(file)) + "-visibility" + filepath.Ext(file)
}

func nonEmpty(file string) bool {
	info, err := os.Stat(file)
	return err == nil && info.Size() > 0
}

// createNamespaces writes the namespaces straight into the persistence
// database before the server starts: the server's own helper, despite its
// package's name, works through the generic SQL plugin interface, so on
// PostgreSQL too. Custom search attributes get aliases to the predefined
// columns that SQL visibility stores (Keyword01, Int01, …) on both.
func createNamespaces(conf *config.SQL, opts Options) error {
	names := []string{"default"}
	if opts.Namespace != "default" {
		names = append(names, opts.Namespace)
	}
	var namespaces []*sqliteschema.NamespaceConfig
	for _, name := range names {
		var attrs map[string]enumspb.IndexedValueType
		if name == opts.Namespace {
			attrs = opts.SearchAttributes
		}
		ns, err := sqliteschema.NewNamespaceConfig(clusterName, name, false, attrs)
		if err != nil {
			return fmt.Errorf("namespace %q: %w", name, err)
		}
		if name == opts.Namespace {
			ns.Detail.Config.Retention = durationpb.New(opts.Retention)
		}
		namespaces = append(namespaces, ns)
	}
	// Namespaces that already exist are left as they are.
	if err := sqliteschema.CreateNamespaces(conf, namespaces...); err != nil {
		return fmt.Errorf("creating Temporal namespaces: %w", err)
	}
	return nil
}

func setupSchemaIfNew(conf *config.SQL, file string) error {
	info, err := os.Stat(file)
	switch {
	case err == nil && info.Size() > 0:
		return nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("checking Temporal database %s: %w", file, err)
	}
	if _, err := os.Stat(filepath.Dir(file)); err != nil {
		return fmt.Errorf("directory for Temporal database: %w", err)
	}
	if err := sqliteschema.SetupSchema(conf); err != nil {
		// A half-created schema would be taken for a valid database next time.
		_ = os.Remove(file)
		return fmt.Errorf("creating Temporal database schema in %s: %w", file, err)
	}
	return nil
}

func dynamicConfig(overrides map[string]any) dynamicconfig.StaticClient {
	c := dynamicconfig.StaticClient{
		// The services read persistence far more often than production
		// sizing expects from one host.
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  45000,
		// The default of 10 visibility requests per second is easily hit by
		// the UI plus a dashboard polling lists.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// Each history queue reads its new tasks at most 20 times a
		// second by default: a new ticket's first workflow task waited
		// 25 ms on average for the transfer queue's next read, half its
		// create's time (timers and visibility the same). One host with
		// one or a few shards can afford to read as tasks come.
		dynamicconfig.TransferProcessorMaxPollRPS.Key():   1000,
		dynamicconfig.TimerProcessorMaxPollRPS.Key():      1000,
		dynamicconfig.VisibilityProcessorMaxPollRPS.Key(): 1000,
		// The default cache is sized for production hosts.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
		// Deleting a closed workflow (retention, erasure) waits until its
		// close tasks are acknowledged, as the transfer and visibility
		// queues' stored ack levels say; those are written every 30 s by
		// default, and the waiting delete task backs off (3 s, ×1.5), so
		// a ticket closed just before was gone from Temporal only after
		// a minute or more. A few shards can afford to store their ack
		// levels every second.
		dynamicconfig.TransferProcessorUpdateAckInterval.Key():   time.Second,
		dynamicconfig.VisibilityProcessorUpdateAckInterval.Key(): time.Second,
	}
	for k, v := range overrides {
		c[dynamicconfig.MakeKey(k)] = v
	}
	return c
}

// waitHealthy polls the frontend's gRPC health check until the workflow
// service reports SERVING.
func waitHealthy(addr string, timeout time.Duration) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connecting to Temporal frontend %s: %w", addr, err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)

	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		callCtx, callCancel := context.WithTimeout(ctx, 2*time.Second)
		resp, err := health.Check(callCtx, &healthpb.HealthCheckRequest{Service: workflowService})
		callCancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("status %v", resp.GetStatus())
			}
			return fmt.Errorf("Temporal frontend %s not healthy after %v: %w", addr, timeout, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Server) startUI(opts Options, frontendAddr string) (err error) {
	// A port picked or checked earlier may have been taken meanwhile; the UI
	// server exits the process when it cannot listen, so check once more.
	if err := checkPortFree(opts.IP, opts.UIPort, "the Temporal UI"); err != nil {
		return err
	}
	defer func() {
		// NewServer panics on broken embedded assets or config.
		if r := recover(); r != nil {
			err = fmt.Errorf("creating Temporal UI server: %v", r)
		}
	}()
	s.ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                opts.IP,
		Port:                opts.UIPort,
		TemporalGRPCAddress: frontendAddr,
		EnableUI:            true,
		DefaultNamespace:    opts.Namespace,
		// The UI is served over plain HTTP.
		CORS:     uiconfig.CORS{CookieInsecure: true},
		HideLogs: true,
		// kizdesk dev must work without outside network.
		DisableNewsFetch: true,
		// Credentials, not an access token: the UI runs without login, so
		// the codec server knows the user by its own session cookie.
		Codec: uiconfig.Codec{
			Endpoint: opts.CodecEndpoint, IncludeCredentials: opts.CodecEndpoint != "",
			DefaultErrorMessage: opts.CodecErrorMessage,
		},
	}))
	s.uiDone = make(chan struct{})
	go func() {
		defer close(s.uiDone)
		if err := s.ui.Start(); err != nil {
			s.logger.Error("Temporal UI server failed", "error", err)
		}
	}()

	hostPort := net.JoinHostPort(dialableIP(opts.IP), strconv.Itoa(opts.UIPort))
	s.uiURL = "http://" + hostPort
	deadline := time.Now().Add(uiStartTimeout)
	for {
		conn, dialErr := net.DialTimeout("tcp", hostPort, time.Second)
		if dialErr == nil {
			conn.Close()
			return nil
		}
		select {
		case <-s.uiDone:
			return errors.New("Temporal UI server stopped during start")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("Temporal UI on %s not reachable after %v: %w", hostPort, uiStartTimeout, dialErr)
		}
	}
}

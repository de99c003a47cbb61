package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"
)

// probeTimeout bounds one readiness check: a probe that hangs tells the
// orchestrator as little as one that fails, and costs a connection.
const probeTimeout = 2 * time.Second

// temporalHealth is the part of the Temporal client a readiness check uses.
type temporalHealth interface {
	CheckHealth(ctx context.Context, req *client.CheckHealthRequest) (*client.CheckHealthResponse, error)
}

// readiness tells whether this process should get work: not before it has
// started (the worker), not once it is shutting down, and not while the
// database or the Temporal frontend does not answer.
type readiness struct {
	db       *gorm.DB
	temporal temporalHealth
	log      *slog.Logger
	// started is false until the process can do its work; the web is
	// started when it is built.
	started  atomic.Bool
	draining atomic.Bool
}

func newReadiness(db *gorm.DB, t temporalHealth, log *slog.Logger, started bool) *readiness {
	r := &readiness{db: db, temporal: t, log: log}
	r.started.Store(started)
	return r
}

// check answers nil when ready, else a short reason fit for an
// unauthenticated probe: the cause itself, which may name hosts, goes to
// the log only.
func (r *readiness) check(ctx context.Context) error {
	switch {
	case r.draining.Load():
		return errors.New("shutting down")
	case !r.started.Load():
		return errors.New("starting")
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := r.pingDB(ctx); err != nil {
		r.log.Warn("readiness: database does not answer", "error", err)
		return errors.New("database does not answer")
	}
	if _, err := r.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		r.log.Warn("readiness: Temporal frontend does not answer", "error", err)
		return errors.New("temporal does not answer")
	}
	return nil
}

func (r *readiness) pingDB(ctx context.Context) error {
	sqlDB, err := r.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// healthHandler serves /healthz (the process lives) and /readyz (it should
// get work) for a process without a web interface, the worker.
func healthHandler(r *readiness) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, req *http.Request) {
		if err := r.check(req.Context()); err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "not ready: "+err.Error())
			return
		}
		io.WriteString(w, "ok")
	})
	return mux
}

// serveHealth serves h on addr until stop is called. It listens before it
// returns, so a busy port stops the start.
func serveHealth(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (set KIZDESK_WORKER_HEALTH_ADDR): %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 2 * probeTimeout}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("health listener", "error", err)
		}
	}()
	log.Info("health listener", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// runHealthcheck GETs the URL and fails unless it answers 2xx: the probe of
// a container image that has no shell or HTTP client.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: kizdesk healthcheck <url>   (e.g. http://localhost:8080/readyz)")
		return errors.New("healthcheck needs one URL")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, args[0], nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("healthcheck: %s: %s", resp.Status, body)
	}
	fmt.Fprintf(stdout, "%s\n", body)
	return nil
}

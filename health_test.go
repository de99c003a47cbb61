package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/kiz-ulm/kizdesk/models"
)

type fakeTemporal struct{ err error }

func (f *fakeTemporal) CheckHealth(context.Context, *client.CheckHealthRequest) (*client.CheckHealthResponse, error) {
	return &client.CheckHealthResponse{}, f.err
}

// TestReadiness: ready only when started, not draining, and both the
// database and Temporal answer; the reasons name the part, not the cause.
func TestReadiness(t *testing.T) {
	ctx := t.Context()
	db, err := models.Open(ctx, filepath.Join(t.TempDir(), "kizdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	tc := &fakeTemporal{}
	r := newReadiness(db, tc, slog.New(slog.DiscardHandler), false)
	h := healthHandler(r)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Body)
		return rec.Code, string(body)
	}
	want := func(what string, code int, body string) {
		t.Helper()
		gotCode, gotBody := get("/readyz")
		if gotCode != code || !strings.Contains(gotBody, body) {
			t.Errorf("%s: /readyz = %d %q, want %d with %q", what, gotCode, gotBody, code, body)
		}
		if c, _ := get("/healthz"); c != http.StatusOK {
			t.Errorf("%s: /healthz = %d, want 200 whatever the readiness", what, c)
		}
	}

	want("before the start", http.StatusServiceUnavailable, "starting")
	r.started.Store(true)
	want("started", http.StatusOK, "ok")
	tc.err = errors.New("connection refused to temporal.internal:7233")
	want("Temporal away", http.StatusServiceUnavailable, "temporal does not answer")
	if _, body := get("/readyz"); strings.Contains(body, "temporal.internal") {
		t.Errorf("/readyz shows the cause: %q", body)
	}
	tc.err = nil
	models.Close(db)
	want("database away", http.StatusServiceUnavailable, "database does not answer")
	r.draining.Store(true)
	want("draining", http.StatusServiceUnavailable, "shutting down")
}

func TestHealthcheckCommand(t *testing.T) {
	code := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, "fine")
	}))
	defer srv.Close()
	if err := run(t.Context(), []string{"healthcheck", srv.URL}, nil, io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck of a 200: %v", err)
	}
	code = http.StatusServiceUnavailable
	if err := run(t.Context(), []string{"healthcheck", srv.URL}, nil, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck of a 503 succeeded")
	}
	if err := run(t.Context(), []string{"healthcheck"}, nil, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck without a URL succeeded")
	}
}

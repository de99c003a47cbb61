package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// TestReadyz: /readyz follows Options.Ready and shows its short reason;
// /healthz stays 200 meanwhile, so an orchestrator takes a copy out of
// the load balancer without restarting it.
func TestReadyz(t *testing.T) {
	var reason error
	b := newBrowser(t, Options{Ready: func(context.Context) error { return reason }})
	res := b.get("/readyz")
	wantStatus(t, res, http.StatusOK)
	if res.body != "ok" {
		t.Errorf("ready body %q", res.body)
	}

	reason = errors.New("database does not answer")
	res = b.get("/readyz")
	wantStatus(t, res, http.StatusServiceUnavailable)
	if !strings.Contains(res.body, "database does not answer") {
		t.Errorf("not-ready body %q lacks the reason", res.body)
	}
	wantStatus(t, b.get("/healthz"), http.StatusOK)

	// No readiness check: ready whenever it serves.
	wantStatus(t, newBrowser(t, Options{}).get("/readyz"), http.StatusOK)
}

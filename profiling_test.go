package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

// TestProfiling: with KIZDESK_PPROF_ADDR the profiles are served on a
// listener of their own, mutex contention included.
func TestProfiling(t *testing.T) {
	addr := freeAddr(t)
	stop, err := startProfiling(addr, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/mutex?debug=1", "/debug/pprof/block?debug=1", "/debug/pprof/goroutine?debug=1"} {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(b) == 0 {
			t.Errorf("%s: %d, %d bytes", path, res.StatusCode, len(b))
		}
		if path == "/debug/pprof/mutex?debug=1" && !strings.Contains(string(b), "sampling period=10") {
			t.Errorf("mutex profiling is not on:\n%.200s", b)
		}
	}
	if _, err := startProfiling(addr, slog.Default()); err == nil {
		t.Error("a second profiling server on the same address started")
	}
}

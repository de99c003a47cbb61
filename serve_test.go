package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSlowHeadersAreCutOff: a client that sends its request headers a byte
// at a time (slowloris) is cut off once the header timeout has passed, all
// the bytes it sent notwithstanding; a normal client is served.
func TestSlowHeadersAreCutOff(t *testing.T) {
	limits := defaultHTTPLimits
	limits.ReadHeaderTimeout = 500 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	addrc, done := make(chan net.Addr, 1), make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	go func() {
		done <- serveHTTP(ctx, "127.0.0.1:0", h, limits, slog.New(slog.DiscardHandler), func(a net.Addr) { addrc <- a })
	}()
	var addr string
	select {
	case a := <-addrc:
		addr = a.String()
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})

	res, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("normal request: %s", res.Status)
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The test ends by itself: after 5 s the connection gives up.
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	// The server hangs up (perhaps after a 408): reading ends with EOF.
	cut := make(chan error, 1)
	var answer []byte
	go func() {
		var err error
		answer, err = io.ReadAll(conn)
		cut <- err
	}()
	slow := "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 200)
	for i := 0; ; i++ {
		select {
		case err := <-cut:
			took := time.Since(start)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("still connected after %s and %d bytes", took.Round(time.Millisecond), i)
			}
			if err != nil {
				t.Fatalf("reading: %v", err)
			}
			t.Logf("cut off after %s and %d bytes; the server said %q", took.Round(time.Millisecond), i, strings.SplitN(string(answer), "\r\n", 2)[0])
			if took < limits.ReadHeaderTimeout || took > 3*time.Second {
				t.Errorf("cut off after %s, want soon after the header timeout of %s", took, limits.ReadHeaderTimeout)
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if _, err := conn.Write([]byte{slow[i%len(slow)]}); err != nil {
			t.Logf("write after %s: %v", time.Since(start).Round(time.Millisecond), err)
		}
	}
}

func TestHTTPLimitsAllowAWaitingAction(t *testing.T) {
	l := defaultHTTPLimits
	if l.ReadHeaderTimeout <= 0 || l.ReadTimeout <= 0 || l.IdleTimeout <= 0 || l.MaxHeaderBytes <= 0 {
		t.Errorf("limits %+v: every one must be set", l)
	}
	// Reading a slow body and then waiting out the desk's patience must
	// fit the write timeout, or a slow action loses its answer.
	if l.WriteTimeout < l.ReadTimeout+30*time.Second {
		t.Errorf("write timeout %s does not cover the read timeout %s and the desk's 30 s", l.WriteTimeout, l.ReadTimeout)
	}
}

func TestParseProxies(t *testing.T) {
	got, err := parseProxies(" 10.0.0.0/8, 192.0.2.1 ,,2001:db8::/32")
	if err != nil || strings.Join(got, "|") != "10.0.0.0/8|192.0.2.1|2001:db8::/32" {
		t.Errorf("got %q, %v", got, err)
	}
	if got, err := parseProxies(""); err != nil || got != nil {
		t.Errorf("empty: %q, %v", got, err)
	}
	if _, err := parseProxies("10.0.0.0/8, ingress"); err == nil || !strings.Contains(err.Error(), "KIZDESK_TRUSTED_PROXIES") {
		t.Errorf("a name was accepted: %v", err)
	}
}

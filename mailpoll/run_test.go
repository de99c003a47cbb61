package mailpoll

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// startRun runs p in the background; the returned stop cancels it and
// fails the test unless Run returns nil within 5 s.
func startRun(t *testing.T, p *Poller) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	stop = func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run returned %v, want nil on cancel", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5 s of cancel")
		}
	}
	t.Cleanup(stop)
	return stop
}

var reconnectRE = regexp.MustCompile(`msg="IMAP poller reconnecting".* in=(\S+)`)

// delays lists the reconnect delays in a log.
func delays(log string) []string {
	var out []string
	for _, m := range reconnectRE.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1])
	}
	return out
}

func ids(n ...int) []string {
	var out []string
	for _, i := range n {
		out = append(out, messageID(testMail(i)))
	}
	return out
}

// Mail appended by another client while the poller IDLEs reaches the desk
// promptly (IdleRefresh is minutes, so only EXISTS can have woken it).
func TestIdleDeliversNewMail(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	s.appendMail("INBOX", 1)
	rec := newRecorder()
	p := newPoller(t, s.config(), rec)
	startRun(t, p)
	waitFor(t, "the waiting mail", func() bool { return len(rec.ids()) == 1 })
	waitFor(t, "the poller to IDLE", func() bool { return strings.Contains(s.debug.String(), " IDLE\r\n") })

	c := s.client()
	raw := testMail(2)
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the appended mail", func() bool { return len(rec.ids()) == 2 })
	if got := rec.ids(); !slices.Equal(got, ids(1, 2)) {
		t.Errorf("delivered %v", got)
	}
	waitFor(t, "the appended mail to be marked", func() bool { return slices.Equal(s.flags("INBOX")[2], stored) })
}

// Without IDLE the poller polls every Interval.
func TestPollsWithoutIdle(t *testing.T) {
	s := newTestServer(t, ModePlain)
	rec := newRecorder()
	cfg := s.config()
	cfg.Interval = 100 * time.Millisecond
	p := newPoller(t, cfg, rec)
	p.noIdle = true
	startRun(t, p)
	time.Sleep(150 * time.Millisecond)
	s.appendMail("INBOX", 1)
	waitFor(t, "the mail", func() bool { return len(rec.ids()) == 1 })
	if strings.Contains(s.debug.String(), " IDLE\r\n") {
		t.Error("poller sent IDLE")
	}
}

// The server goes away for several backoff steps while mail keeps
// arriving; once it is back everything is delivered, each message once.
func TestOutageReconnects(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	s.appendMail("INBOX", 1)
	s.appendMail("INBOX", 2)
	var logs syncBuffer
	cfg := s.config()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	rec := newRecorder()
	p := newPoller(t, cfg, rec)
	p.backoff0 = 25 * time.Millisecond
	stop := startRun(t, p)
	waitFor(t, "mail before the outage", func() bool { return len(rec.ids()) == 2 })

	s.stop()
	s.appendMail("INBOX", 3)
	s.appendMail("INBOX", 4)
	waitFor(t, "several failed reconnects", func() bool { return strings.Count(logs.String(), "IMAP poll failed") >= 4 })
	s.start()

	waitFor(t, "mail from the outage", func() bool { return len(rec.ids()) >= 4 })
	s.appendMail("INBOX", 5)
	waitFor(t, "mail after the outage", func() bool { return len(rec.ids()) >= 5 })
	if d := delays(logs.String()); !slices.Contains(d, "200ms") {
		t.Errorf("backoff never reached MaxBackoff: %v", d)
	}

	// A successful round resets the backoff.
	mark := len(logs.String())
	s.stop()
	waitFor(t, "failed reconnects in the second outage", func() bool { return len(delays(logs.String()[mark:])) >= 2 })
	if d := delays(logs.String()[mark:]); d[0] != "25ms" || d[1] != "50ms" {
		t.Errorf("delays in the second outage %v, want 25ms, 50ms, ...", d)
	}
	s.start()
	stop()
	if got := rec.ids(); !slices.Equal(got, ids(1, 2, 3, 4, 5)) {
		t.Errorf("delivered %v, want each of 1..5 once", got)
	}
	for uid, fl := range s.flags("INBOX") {
		if !slices.Equal(fl, stored) {
			t.Errorf("UID %d flags %v", uid, fl)
		}
	}
}

// The desk being down makes the poller retry with backoff, logging the
// UID each time, until it stores the mail.
func TestRunRetriesHandlerErrors(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	s.appendMail("INBOX", 1)
	var logs syncBuffer
	cfg := s.config()
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	rec := newRecorder()
	rec.fail = func(Delivery) error { return context.DeadlineExceeded }
	p := newPoller(t, cfg, rec)
	startRun(t, p)
	waitFor(t, "repeated failures", func() bool { return strings.Count(logs.String(), "UID 1") >= 3 })
	rec.setFail(nil)
	waitFor(t, "the mail once the desk is back", func() bool { return len(rec.ids()) == 1 })
}

// A refused login is retried and logged without the password; cancel
// ends Run.
func TestLoginRefused(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	var logs syncBuffer
	cfg := s.config()
	cfg.Password = "wrong-Passw0rd"
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	p := newPoller(t, cfg, newRecorder())
	p.backoff0 = 25 * time.Millisecond
	stop := startRun(t, p)
	waitFor(t, "repeated login attempts", func() bool { return len(delays(logs.String())) >= 5 })
	stop()
	if n := strings.Count(logs.String(), "IMAP login refused"); n < 5 {
		t.Errorf("%d refused logins logged, want one per attempt", n)
	}
	if d := delays(logs.String()); !slices.Equal(d[:5], []string{"25ms", "50ms", "100ms", "200ms", "200ms"}) {
		t.Errorf("backoff %v, want doubling from 25ms to MaxBackoff 200ms", d)
	}
	if strings.Contains(logs.String(), cfg.Password) {
		t.Errorf("log contains the password:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `desk`) {
		t.Errorf("log does not name the user:\n%s", logs.String())
	}
}

// Cancel during IDLE ends it and logs out.
func TestCancelDuringIdleLogsOut(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	p := newPoller(t, s.config(), newRecorder())
	stop := startRun(t, p)
	waitFor(t, "the poller to IDLE", func() bool { return strings.Contains(s.debug.String(), " IDLE\r\n") })
	start := time.Now()
	stop()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Run took %v to stop", d)
	}
	waitFor(t, "DONE and LOGOUT", func() bool {
		log := s.debug.String()
		i := strings.LastIndex(log, " IDLE\r\n")
		return strings.Contains(log[i:], "DONE\r\n") && strings.Contains(log[i:], " LOGOUT\r\n")
	})
}

// A certificate from an unknown CA is refused.
func TestTLSVerifiesCertificate(t *testing.T) {
	s := newTestServer(t, ModeTLS)
	rec := newRecorder()
	cfg := s.config()
	cfg.TLSConfig = nil
	s.appendMail("INBOX", 1, imap.FlagSeen)
	p := newPoller(t, cfg, rec)
	if _, err := p.PollOnce(context.Background()); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("PollOnce with an untrusted certificate: %v", err)
	}
	if len(rec.ids()) != 0 {
		t.Error("delivered over an unverified connection")
	}
}

package mailgate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	netsmtp "net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// recorder is a handler that keeps what it was given and answers with
// whatever fail says.
type recorder struct {
	mu   sync.Mutex
	got  []Delivery
	fail func(d Delivery) error
}

func (r *recorder) Deliver(ctx context.Context, d Delivery) error {
	r.mu.Lock()
	r.got = append(r.got, d)
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		return fail(d)
	}
	return nil
}

func (r *recorder) deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got...)
}

func ours(addr string) bool { return strings.HasSuffix(strings.ToLower(addr), "@uni-ulm.de") }

// start runs a gateway on a fresh 127.0.0.1 port and stops it with the test.
func start(t *testing.T, cfg Config, h Handler) (*Server, string) {
	t.Helper()
	if cfg.Recipients == nil {
		cfg.Recipients = ours
	}
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.New(io.Discard, "", 0)
	}
	s, err := New(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(context.Background(), ln) }()
	t.Cleanup(func() {
		s.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return after Close")
		}
	})
	return s, ln.Addr().String()
}

// mail is raw mail with bits a careless server would change: a leading dot
// (dot-stuffing), a trailing space, 8-bit UTF-8, a bare header fold.
const mail = "From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.org>\r\n" +
	"To: servicedesk@uni-ulm.de\r\n" +
	"Subject: Drucker\r\n" +
	"Message-ID: <abc@example.org>\r\n" +
	"X-Folded: a\r\n\tb\r\n" +
	"\r\n" +
	"Grüße \r\n" +
	".dot line\r\n" +
	"..two dots\r\n"

func dial(t *testing.T, addr string, lmtp bool) *smtp.Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var c *smtp.Client
	if lmtp {
		c = smtp.NewClientLMTP(conn)
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = 10 * time.Second
	c.SubmissionTimeout = 10 * time.Second
	t.Cleanup(func() { c.Close() })
	return c
}

func send(c *smtp.Client, from string, to []string, raw string) error {
	return c.SendMail(from, to, strings.NewReader(raw))
}

func code(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

func TestDeliverExactBytes(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{}, rec)
	c := dial(t, addr, false)
	if err := send(c, "juergen@example.org", []string{"servicedesk@uni-ulm.de"}, mail); err != nil {
		t.Fatal(err)
	}
	got := rec.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries", len(got))
	}
	d := got[0]
	if string(d.Raw) != mail {
		t.Errorf("Raw changed:\n%q\nwant\n%q", d.Raw, mail)
	}
	if d.From != "juergen@example.org" || len(d.To) != 1 || d.To[0] != "servicedesk@uni-ulm.de" {
		t.Errorf("envelope %q → %q", d.From, d.To)
	}
	if !strings.HasPrefix(d.RemoteAddr, "127.0.0.1:") || d.ReceivedAt.IsZero() {
		t.Errorf("RemoteAddr %q ReceivedAt %v", d.RemoteAddr, d.ReceivedAt)
	}
}

func TestNetSMTPClient(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{}, rec)
	if err := netsmtp.SendMail(addr, nil, "juergen@example.org", []string{"servicedesk@uni-ulm.de"}, []byte(mail)); err != nil {
		t.Fatal(err)
	}
	if got := rec.deliveries(); len(got) != 1 || string(got[0].Raw) != mail {
		t.Fatalf("deliveries %+v", got)
	}
}

func TestUnknownRecipient(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{}, rec)
	c := dial(t, addr, false)
	if err := c.Mail("a@example.org", nil); err != nil {
		t.Fatal(err)
	}
	err := c.Rcpt("someone@example.com", nil)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 1, 1}) {
		t.Fatalf("RCPT to a foreign address: %v, want 550 5.1.1", err)
	}
	if len(rec.deliveries()) != 0 {
		t.Fatal("delivered")
	}
}

func TestTemporaryFailureThenRetry(t *testing.T) {
	var attempts int
	rec := &recorder{fail: func(Delivery) error {
		attempts++
		if attempts == 1 {
			return fmt.Errorf("database: %w", ErrTryLater)
		}
		return nil
	}}
	_, addr := start(t, Config{}, rec)
	c := dial(t, addr, false)
	err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, mail)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 451 || se.EnhancedCode != (smtp.EnhancedCode{4, 3, 0}) {
		t.Fatalf("first attempt: %v, want 451 4.3.0", err)
	}
	if strings.Contains(se.Message, "database") {
		t.Errorf("451 tells the internals: %q", se.Message)
	}
	// The MTA retries on the same or a new connection.
	if err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, mail); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if got := rec.deliveries(); len(got) != 2 || string(got[1].Raw) != mail {
		t.Fatalf("handler saw %d deliveries", len(got))
	}
}

// errUnmarked is what a database driver might return: not marked either way.
var errUnmarked = errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")

type permanentErr struct{}

func (permanentErr) Error() string   { return "mail loop detected" }
func (permanentErr) Temporary() bool { return false }

func TestErrorClassification(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		code int
		ec   smtp.EnhancedCode
		msg  string
	}{
		{"try later", ErrTryLater, 451, smtp.EnhancedCode{4, 3, 0}, ""},
		{"unmarked", errUnmarked, 451, smtp.EnhancedCode{4, 3, 0}, ""},
		{"deadline", fmt.Errorf("storing: %w", context.DeadlineExceeded), 451, smtp.EnhancedCode{4, 3, 0}, ""},
		{"reject", fmt.Errorf("wrapped: %w", Reject("Message refused: \r\nno tickets by mail")), 554, smtp.EnhancedCode{5, 6, 0}, "Message refused: no tickets by mail"},
		{"Temporary() false", permanentErr{}, 554, smtp.EnhancedCode{5, 6, 0}, "mail loop detected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{fail: func(Delivery) error { return c.err }}
			_, addr := start(t, Config{}, rec)
			cl := dial(t, addr, false)
			err := send(cl, "a@example.org", []string{"servicedesk@uni-ulm.de"}, mail)
			var se *smtp.SMTPError
			if !errors.As(err, &se) || se.Code != c.code || se.EnhancedCode != c.ec {
				t.Fatalf("got %v, want %d %v", err, c.code, c.ec)
			}
			if c.msg != "" && se.Message != c.msg {
				t.Errorf("message %q, want %q", se.Message, c.msg)
			}
			if len(rec.deliveries()) != 1 {
				t.Errorf("handler was not called")
			}
		})
	}
}

func TestOversize(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{MaxMessageBytes: 1000}, rec)
	c := dial(t, addr, false)
	exact := "Subject: x\r\n\r\n" + strings.Repeat("a", 1000-len("Subject: x\r\n\r\n")-2) + "\r\n"
	if len(exact) != 1000 {
		t.Fatal(len(exact))
	}
	if err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, exact); err != nil {
		t.Fatalf("a mail of exactly MaxMessageBytes: %v", err)
	}
	big := "Subject: x\r\n\r\n" + strings.Repeat(strings.Repeat("b", 70)+"\r\n", 100)
	err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, big)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 552 || se.EnhancedCode != (smtp.EnhancedCode{5, 3, 4}) {
		t.Fatalf("oversize: %v, want 552 5.3.4", err)
	}
	if got := rec.deliveries(); len(got) != 1 {
		t.Fatalf("%d deliveries, want only the one within the limit", len(got))
	}
	// The connection is still usable after the refused mail.
	if err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, mail); err != nil {
		t.Fatalf("after oversize: %v", err)
	}
}

func TestLMTPTwoRecipients(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{LMTP: true}, rec)
	c := dial(t, addr, true)
	if err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de", "helpdesk@uni-ulm.de"}, mail); err != nil {
		t.Fatal(err)
	}
	got := rec.deliveries()
	if len(got) != 1 || len(got[0].To) != 2 || got[0].To[1] != "helpdesk@uni-ulm.de" || string(got[0].Raw) != mail {
		t.Fatalf("deliveries %+v", got)
	}
}

func TestLMTPPerRecipientStatus(t *testing.T) {
	rec := &recorder{fail: func(d Delivery) error {
		return RecipientErrors{"helpdesk@uni-ulm.de": ErrTryLater, "abuse@uni-ulm.de": Reject("Queue closed")}
	}}
	_, addr := start(t, Config{LMTP: true}, rec)
	c := dial(t, addr, true)
	if err := c.Mail("a@example.org", nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"servicedesk@uni-ulm.de", "helpdesk@uni-ulm.de", "abuse@uni-ulm.de"} {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, mail)
	resp, err := w.CloseWithLMTPResponse()
	var lerr smtp.LMTPDataError
	if !errors.As(err, &lerr) {
		t.Fatalf("err = %v, want per-recipient errors", err)
	}
	if resp["servicedesk@uni-ulm.de"] == nil {
		t.Errorf("servicedesk not accepted")
	}
	if e := lerr["helpdesk@uni-ulm.de"]; e == nil || e.Code != 451 {
		t.Errorf("helpdesk: %v, want 451", e)
	}
	if e := lerr["abuse@uni-ulm.de"]; e == nil || e.Code != 554 || !strings.HasSuffix(e.Message, "Queue closed") {
		t.Errorf("abuse: %v, want 554 Queue closed", e)
	}
}

func TestSMTPCollapsesRecipientErrors(t *testing.T) {
	rec := &recorder{fail: func(d Delivery) error {
		return RecipientErrors{"helpdesk@uni-ulm.de": ErrTryLater, "servicedesk@uni-ulm.de": nil}
	}}
	_, addr := start(t, Config{}, rec)
	c := dial(t, addr, false)
	err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de", "helpdesk@uni-ulm.de"}, mail)
	if code(err) != 451 {
		t.Fatalf("got %v, want 451", err)
	}
}

func TestNotAllowedNetwork(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{AllowedNets: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}, rec)
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if !strings.HasPrefix(line, "554 5.7.1") {
		t.Fatalf("greeting %q, want 554 5.7.1", line)
	}
	if _, err := io.ReadAll(conn); err != nil {
		t.Fatalf("connection not closed: %v", err)
	}
	if len(rec.deliveries()) != 0 {
		t.Fatal("delivered")
	}
}

func TestRecipientsRequired(t *testing.T) {
	if _, err := New(Config{}, &recorder{}); err == nil {
		t.Fatal("New without Recipients succeeded")
	}
}

func TestShutdownWaitsForDelivery(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	stored := make(chan struct{})
	h := HandlerFunc(func(ctx context.Context, d Delivery) error {
		close(entered)
		<-release
		if ctx.Err() != nil {
			return ctx.Err()
		}
		close(stored)
		return nil
	})
	s, addr := start(t, Config{}, h)
	idle := dial(t, addr, false) // an idle connection must not hold Shutdown up
	if err := idle.Noop(); err != nil {
		t.Fatal(err)
	}
	c := dial(t, addr, false)
	sent := make(chan error, 1)
	go func() { sent <- send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, mail) }()
	<-entered

	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- s.Shutdown(ctx)
	}()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with a delivery in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	// New connections are refused meanwhile.
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Error("new connection accepted during Shutdown")
	}
	close(release)
	if err := <-sent; err != nil {
		t.Fatalf("in-flight delivery: %v", err)
	}
	<-stored
	select {
	case err := <-shut:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return")
	}
}

func TestShutdownDeadline(t *testing.T) {
	entered := make(chan struct{})
	h := HandlerFunc(func(ctx context.Context, d Delivery) error {
		close(entered)
		<-ctx.Done()
		return ctx.Err()
	})
	s, addr := start(t, Config{}, h)
	c := dial(t, addr, false)
	sent := make(chan error, 1)
	go func() { sent <- send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, mail) }()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want deadline exceeded", err)
	}
	if err := <-sent; err == nil {
		t.Fatal("a delivery cut by Shutdown was acknowledged")
	}
}

func TestConcurrentDeliveries(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{}, rec)
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				errs <- err
				return
			}
			c := smtp.NewClient(conn)
			defer c.Close()
			raw := fmt.Sprintf("Message-ID: <%d@example.org>\r\nSubject: %d\r\n\r\nbody %d\r\n", i, i, i)
			if err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, raw); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[string]int{}
	for _, d := range rec.deliveries() {
		seen[string(d.Raw)]++
	}
	if len(seen) != n {
		t.Fatalf("%d distinct mails, want %d", len(seen), n)
	}
	for raw, k := range seen {
		if k != 1 {
			t.Errorf("delivered %d times: %q", k, raw)
		}
	}
}

func BenchmarkDeliver(b *testing.B) {
	s, err := New(Config{Recipients: ours, ErrorLog: log.New(io.Discard, "", 0)}, HandlerFunc(func(context.Context, Delivery) error { return nil }))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go s.Serve(context.Background(), ln)
	defer s.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	c := smtp.NewClient(conn)
	defer c.Close()
	raw := []byte(mail + strings.Repeat("Eine Zeile Text, wie sie in einer Anfrage steht.\r\n", 60))
	b.SetBytes(int64(len(raw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.SendMail("a@example.org", []string{"servicedesk@uni-ulm.de"}, bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}

package mailgate

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-smtp"
)

const (
	DefaultMaxMessageBytes = 25 << 20
	DefaultMaxRecipients   = 50
	DefaultTimeout         = 60 * time.Second
	// DefaultDeliverTimeout stays below the MTA's own wait for the final
	// reply (Postfix: 600 s), so the MTA hears 451 rather than timing out
	// and retrying while the first attempt may still be storing the mail.
	DefaultDeliverTimeout = 5 * time.Minute
)

// Config says how the gateway listens. Recipients is required.
type Config struct {
	Addr            string // for ListenAndServe, e.g. "127.0.0.1:2525"
	LMTP            bool   // LMTP (RFC 2033) instead of SMTP
	Domain          string // name in the greeting
	MaxMessageBytes int64  // DefaultMaxMessageBytes when 0 or less
	MaxRecipients   int    // DefaultMaxRecipients when 0 or less
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	DeliverTimeout  time.Duration // bound on one Handler.Deliver call

	// Recipients says which RCPT TO addresses are the desk's.
	Recipients func(addr string) bool

	// TLS enables STARTTLS when set.
	TLS *tls.Config

	// AllowedNets are the networks TCP clients may connect from; loopback
	// only when empty. Unix-socket clients are always allowed: the
	// socket's file permissions decide who may connect.
	AllowedNets []netip.Prefix

	// ErrorLog receives connection errors; standard error when nil.
	ErrorLog *log.Logger
}

// Delivery is one received mail.
type Delivery struct {
	From       string   // MAIL FROM, empty for a bounce
	To         []string // accepted RCPT TO addresses, in order
	Raw        []byte   // the message exactly as received
	RemoteAddr string
	ReceivedAt time.Time
}

// Handler stores received mail. Deliver must return nil only once the mail
// is stored durably: the MTA forgets it as soon as it hears 250.
type Handler interface {
	Deliver(ctx context.Context, d Delivery) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, d Delivery) error

func (f HandlerFunc) Deliver(ctx context.Context, d Delivery) error { return f(ctx, d) }

// ErrTryLater makes the MTA retry the mail later (451).
var ErrTryLater = errors.New("mailgate: try again later")

// RejectError refuses a mail for good (554); Reason reaches the sender in
// the bounce, so it must not carry internals.
type RejectError struct{ Reason string }

func (e *RejectError) Error() string   { return "mailgate: rejected: " + e.Reason }
func (e *RejectError) Temporary() bool { return false }

// Reject refuses a mail permanently with a reason for the sender.
func Reject(reason string) error { return &RejectError{Reason: reason} }

// RecipientErrors is a Deliver result that differs per recipient: a
// recipient that is missing or maps to nil was delivered. In LMTP mode each
// recipient gets its own status; in SMTP mode the mail fails as a whole,
// temporarily if any recipient's failure is temporary, so a redelivery
// reaches the delivered recipients again and the handler must dedupe (by
// Message-ID).
type RecipientErrors map[string]error

func (re RecipientErrors) Error() string {
	var b strings.Builder
	b.WriteString("mailgate: delivery failed for some recipients:")
	for rcpt, err := range re {
		if err != nil {
			fmt.Fprintf(&b, " <%s>: %v;", rcpt, err)
		}
	}
	return b.String()
}

func (re RecipientErrors) Temporary() bool {
	for _, err := range re {
		if err != nil && isTemporary(err) {
			return true
		}
	}
	return false
}

func (re RecipientErrors) failed() bool {
	for _, err := range re {
		if err != nil {
			return true
		}
	}
	return false
}

// isTemporary: explicitly temporary, or not marked permanent (see the
// package documentation for why unmarked means temporary).
func isTemporary(err error) bool {
	if errors.Is(err, ErrTryLater) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var rej *RejectError
	if errors.As(err, &rej) {
		return false
	}
	var t interface{ Temporary() bool }
	if errors.As(err, &t) {
		return t.Temporary()
	}
	return true
}

var (
	errShuttingDown = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, try again later"}
	errUnknownRcpt  = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such recipient here"}
	errTooLarge     = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big"}
	errLineTooLong  = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Line too long"}
	errTempFail     = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
)

// reply turns a Deliver result into what the MTA hears. Temporary errors
// say nothing specific: their text is the desk's internals.
func reply(err error) error {
	if err == nil {
		return nil
	}
	var re RecipientErrors
	if errors.As(err, &re) && !re.failed() {
		return nil
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se
	}
	if isTemporary(err) {
		return errTempFail
	}
	reason := err.Error()
	var rej *RejectError
	if errors.As(err, &rej) {
		reason = rej.Reason
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: shortReason(reason)}
}

// shortReason keeps a reply to one short printable line: it ends up in a
// protocol line and in the sender's bounce.
func shortReason(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	if s == "" {
		s = "Message refused"
	}
	return s
}

// Server is the gateway. Serve it on one or more listeners.
type Server struct {
	cfg Config
	h   Handler
	srv *smtp.Server

	base   context.Context // parent of Deliver contexts; ended only by Close
	cancel context.CancelFunc

	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
	conns    map[*trackedConn]struct{}
	lns      []net.Listener
}

// New checks cfg and makes a Server.
func New(cfg Config, h Handler) (*Server, error) {
	if h == nil {
		return nil, errors.New("mailgate: no handler")
	}
	if cfg.Recipients == nil {
		return nil, errors.New("mailgate: Config.Recipients is required: a gateway that takes mail for any address feeds spam into tickets")
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = DefaultMaxRecipients
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultTimeout
	}
	if cfg.DeliverTimeout <= 0 {
		cfg.DeliverTimeout = DefaultDeliverTimeout
	}
	if len(cfg.AllowedNets) == 0 {
		cfg.AllowedNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.New(os.Stderr, "mailgate: ", log.LstdFlags)
	}
	s := &Server{cfg: cfg, h: h, conns: map[*trackedConn]struct{}{}}
	s.base, s.cancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.LMTP = cfg.LMTP
	srv.Domain = cfg.Domain
	// One byte more than the limit: go-smtp refuses a message of exactly
	// its limit, ours is "over MaxMessageBytes".
	srv.MaxMessageBytes = cfg.MaxMessageBytes + 1
	srv.MaxRecipients = cfg.MaxRecipients
	srv.ReadTimeout = cfg.ReadTimeout
	srv.WriteTimeout = cfg.WriteTimeout
	srv.TLSConfig = cfg.TLS
	srv.ErrorLog = cfg.ErrorLog
	s.srv = srv
	return s, nil
}

// ListenAndServe listens on Config.Addr over TCP.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln until Shutdown or Close; cancelling ctx
// closes the server at once (deliveries in flight see their context end
// and answer 451). It returns nil after Shutdown or Close.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ln.Close()
		return smtp.ErrServerClosed
	}
	s.lns = append(s.lns, ln)
	s.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	err := s.srv.Serve(&filterListener{Listener: ln, s: s})
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, refuses new transactions and waits
// for the deliveries in flight, then closes the remaining (idle)
// connections. If ctx ends first, it closes everything and returns
// ctx.Err().
//
// A delivery that finished just before the connections are closed may not
// have had its 250 written; the MTA then delivers it again, which the
// handler must tolerate (dedupe by Message-ID) anyway.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginClose()
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		s.hardClose()
		return nil
	case <-ctx.Done():
		s.hardClose()
		return ctx.Err()
	}
}

// Close closes the server at once; Deliver calls in flight see their
// context cancelled.
func (s *Server) Close() error {
	s.beginClose()
	s.hardClose()
	return nil
}

func (s *Server) beginClose() {
	s.mu.Lock()
	s.closing = true
	lns := s.lns
	s.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
}

func (s *Server) hardClose() {
	s.cancel()
	s.srv.Close()
	// Connections accepted but not yet registered with go-smtp.
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

func (s *Server) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

// filterListener turns away clients from outside AllowedNets before they
// reach the SMTP layer, so they never see a greeting.
type filterListener struct {
	net.Listener
	s *Server
}

func (l *filterListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.s.allowed(c.RemoteAddr()) {
			tc := &trackedConn{Conn: c, s: l.s}
			l.s.mu.Lock()
			l.s.conns[tc] = struct{}{}
			l.s.mu.Unlock()
			return tc, nil
		}
		go func() {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "554 5.7.1 "+l.s.cfg.Domain+" does not accept mail from you\r\n")
			c.Close()
		}()
	}
}

func (s *Server) allowed(addr net.Addr) bool {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.UnixAddr:
		return true
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	default:
		ap, err := netip.ParseAddrPort(addr.String())
		if err != nil {
			return false
		}
		ip = ap.Addr()
	}
	ip = ip.Unmap()
	for _, p := range s.cfg.AllowedNets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

type trackedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.s.mu.Lock()
		delete(c.s.conns, c)
		c.s.mu.Unlock()
	})
	return c.Conn.Close()
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	if s.isClosing() {
		return nil, errShuttingDown
	}
	return &session{s: s, conn: c.Conn()}, nil
}

type session struct {
	s    *Server
	conn net.Conn
	from string
	to   []string
}

func (se *session) Reset()        { se.from, se.to = "", nil }
func (se *session) Logout() error { return nil }

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.s.isClosing() {
		return errShuttingDown
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !se.s.cfg.Recipients(to) {
		return errUnknownRcpt
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	return reply(se.receive(r))
}

func (se *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	err := se.receive(r)
	var re RecipientErrors
	if errors.As(err, &re) {
		for _, rcpt := range se.to {
			status.SetStatus(rcpt, reply(re[rcpt]))
		}
		return nil
	}
	return reply(err)
}

// receive reads the mail and delivers it; a mail is counted in flight from
// its first byte, so Shutdown does not cut a transfer the MTA is sending.
func (se *session) receive(r io.Reader) (err error) {
	s := se.s
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return errShuttingDown
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	defer s.inflight.Done()

	// go-smtp's read deadline covers the whole DATA phase from the DATA
	// command on; renewing it per read makes ReadTimeout an idle timeout,
	// so a 25 MiB mail over a slow link is not cut off.
	raw, err := io.ReadAll(&idleReader{r: r, conn: se.conn, d: s.cfg.ReadTimeout})
	if err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			return errTooLarge
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			// The same mail would fail again on every retry.
			return errLineTooLong
		}
		return fmt.Errorf("%w: reading the message: %v", ErrTryLater, err)
	}
	if int64(len(raw)) > s.cfg.MaxMessageBytes {
		return errTooLarge
	}
	d := Delivery{
		From:       se.from,
		To:         append([]string(nil), se.to...),
		Raw:        raw,
		RemoteAddr: se.conn.RemoteAddr().String(),
		ReceivedAt: time.Now(),
	}
	ctx, cancel := context.WithTimeout(s.base, s.cfg.DeliverTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			s.cfg.ErrorLog.Printf("panic in Deliver from %s: %v", d.RemoteAddr, p)
			err = ErrTryLater
		}
	}()
	err = s.h.Deliver(ctx, d)
	if err != nil {
		s.cfg.ErrorLog.Printf("delivery from %s <%s> failed: %v", d.RemoteAddr, d.From, err)
	}
	return err
}

type idleReader struct {
	r    io.Reader
	conn net.Conn
	d    time.Duration
}

func (ir *idleReader) Read(p []byte) (int, error) {
	ir.conn.SetReadDeadline(time.Now().Add(ir.d))
	return ir.r.Read(p)
}

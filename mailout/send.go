package mailout

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Sender delivers a raw message to the envelope recipients.
type Sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// Mode is how the connection to the relay is secured.
type Mode int

const (
	ModePlain    Mode = iota // no TLS; only for a relay on the same host or in tests
	ModeSTARTTLS             // STARTTLS required: no fallback to plain text
	ModeSMTPS                // implicit TLS (port 465)
)

func (m Mode) String() string {
	switch m {
	case ModePlain:
		return "plain"
	case ModeSTARTTLS:
		return "starttls"
	case ModeSMTPS:
		return "smtps"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// DefaultTimeout bounds the dial and each command.
const DefaultTimeout = 30 * time.Second

// Config says how to reach the relay.
type Config struct {
	Addr     string // host:port
	Mode     Mode
	Username string // AUTH PLAIN when set; only ever over TLS
	Password string
	TLS      *tls.Config // RootCAs, ServerName; ServerName defaults to Addr's host
	HELO     string      // name in EHLO; "localhost" when empty
	Timeout  time.Duration
}

// ErrCredentialsInClear is returned instead of sending a password over a
// connection that is not encrypted.
var ErrCredentialsInClear = errors.New("mailout: refusing to send credentials over an unencrypted connection")

// SMTPSender sends through an SMTP relay with go-smtp's client, one
// connection per message: the desk sends a few mails a minute, and a fresh
// connection cannot inherit a broken state from the previous mail.
type SMTPSender struct {
	cfg Config
}

// NewSender checks cfg: credentials without TLS are a configuration error,
// found at start-up rather than on the first mail.
func NewSender(cfg Config) (*SMTPSender, error) {
	if cfg.Addr == "" {
		return nil, errors.New("mailout: no relay address")
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("mailout: relay address: %w", err)
	}
	switch cfg.Mode {
	case ModePlain, ModeSTARTTLS, ModeSMTPS:
	default:
		return nil, fmt.Errorf("mailout: unknown mode %v", cfg.Mode)
	}
	if cfg.Username != "" && cfg.Mode == ModePlain {
		return nil, ErrCredentialsInClear
	}
	return &SMTPSender{cfg: cfg}, nil
}

// PermanentError wraps errors that make a message undeliverable as it is:
// retrying will not help.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// RecipientsError is returned when the message went out but some
// recipients were refused for good. It is permanent: sending again would
// duplicate the mail for the others; the refused addresses belong on the
// ticket.
type RecipientsError struct {
	Refused map[string]*smtp.SMTPError
}

func (e *RecipientsError) Error() string {
	var b strings.Builder
	b.WriteString("mailout: recipients refused:")
	for rcpt, err := range e.Refused {
		fmt.Fprintf(&b, " <%s>: %d %s;", rcpt, err.Code, err.Message)
	}
	return b.String()
}

// IsTemporary says whether err may go away by itself: then the caller
// retries. Only the server's 5xx answers and undeliverable input are
// permanent; everything else (refused or lost connections, timeouts, TLS
// trouble, 4xx answers) is an infrastructure problem that an admin or time
// fixes, and the mail must not be given up on meanwhile.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var pe *PermanentError
	var re *RecipientsError
	if errors.As(err, &pe) || errors.As(err, &re) || errors.Is(err, ErrCredentialsInClear) || errors.Is(err, ErrInvalid) {
		return false
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code < 500 || se.Code >= 600
	}
	return true
}

func (s *SMTPSender) timeout() time.Duration {
	if s.cfg.Timeout > 0 {
		return s.cfg.Timeout
	}
	return DefaultTimeout
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	c := &tls.Config{}
	if s.cfg.TLS != nil {
		c = s.cfg.TLS.Clone()
	}
	if c.ServerName == "" {
		c.ServerName, _, _ = net.SplitHostPort(s.cfg.Addr)
	}
	return c
}

// Send delivers raw to the relay. See IsTemporary for what the error means.
func (s *SMTPSender) Send(ctx context.Context, from string, to []string, raw []byte) (err error) {
	if len(to) == 0 {
		return &PermanentError{errors.New("mailout: no recipients")}
	}
	if s.cfg.Username != "" && s.cfg.Mode == ModePlain {
		return ErrCredentialsInClear
	}
	timeout := s.timeout()
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("mailout: connecting to %s: %w", s.cfg.Addr, err)
	}
	// go-smtp's client knows deadlines, not contexts: closing the
	// connection ends whatever it is waiting for.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer func() {
		if ctx.Err() != nil && err != nil {
			err = fmt.Errorf("mailout: %w (%v)", ctx.Err(), err)
		}
	}()

	var c *smtp.Client
	switch s.cfg.Mode {
	case ModeSMTPS:
		tc := tls.Client(conn, s.tlsConfig())
		tc.SetDeadline(time.Now().Add(timeout))
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("mailout: TLS with %s: %w", s.cfg.Addr, err)
		}
		tc.SetDeadline(time.Time{})
		c = smtp.NewClient(tc)
	case ModeSTARTTLS:
		// go-smtp runs greeting, EHLO and STARTTLS with its own 5-minute
		// command timeout; the timer bounds that phase by ours. The EHLO
		// before TLS says "localhost": go-smtp takes a name only before
		// the first command; after STARTTLS the configured name is used.
		t := time.AfterFunc(timeout, func() { conn.Close() })
		c, err = smtp.NewClientStartTLS(conn, s.tlsConfig())
		if !t.Stop() && err == nil {
			err = fmt.Errorf("timed out after %v", timeout)
		}
		if err != nil {
			conn.Close()
			return fmt.Errorf("mailout: STARTTLS with %s: %w", s.cfg.Addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	c.CommandTimeout, c.SubmissionTimeout = timeout, timeout
	helo := s.cfg.HELO
	if helo == "" {
		helo = "localhost"
	}
	if err := c.Hello(helo); err != nil {
		return fmt.Errorf("mailout: EHLO: %w", err)
	}
	if s.cfg.Username != "" {
		// Checked again here, on the connection itself: a password goes
		// out only when this very connection is encrypted.
		if _, isTLS := c.TLSConnectionState(); !isTLS {
			return ErrCredentialsInClear
		}
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return fmt.Errorf("mailout: AUTH: %w", err)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return fmt.Errorf("mailout: MAIL FROM: %w", err)
	}
	refused := map[string]*smtp.SMTPError{}
	for _, rcpt := range to {
		err := c.Rcpt(rcpt, nil)
		var se *smtp.SMTPError
		switch {
		case err == nil:
		case errors.As(err, &se) && se.Code >= 500 && se.Code < 600:
			refused[rcpt] = se
		default:
			// A temporary refusal of one recipient fails the whole mail
			// for now: nobody has it yet, so a retry duplicates nothing.
			c.Reset()
			return fmt.Errorf("mailout: RCPT TO <%s>: %w", rcpt, err)
		}
	}
	if len(refused) == len(to) {
		c.Reset()
		return &PermanentError{&RecipientsError{Refused: refused}}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mailout: DATA: %w", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("mailout: sending the message: %w", err)
	}
	if !bytes.HasSuffix(raw, []byte("\n")) {
		w.Write([]byte("\r\n"))
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mailout: message not accepted: %w", err)
	}
	c.Quit() // the mail is accepted; a failing QUIT changes nothing
	if len(refused) > 0 {
		return &RecipientsError{Refused: refused}
	}
	return nil
}

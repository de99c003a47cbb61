package mailout

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testPKI is a CA and a server certificate for 127.0.0.1 and "localhost",
// made fresh for the test run.
type testPKI struct {
	roots  *x509.CertPool
	server tls.Certificate
}

func newPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kizdesk test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "relay"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return testPKI{roots: roots, server: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}}
}

// sink is an in-process relay that records what it is told.
type sink struct {
	mu       sync.Mutex
	authSeen bool // any AUTH attempt, successful or not
	authUser string
	mails    []sunk
	rcptErr  map[string]*smtp.SMTPError
	dataErr  error
}

type sunk struct {
	from string
	to   []string
	raw  []byte
	tls  bool
	user string
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &sinkSession{s: s, c: c}, nil
}

type sinkSession struct {
	s    *sink
	c    *smtp.Conn
	user string
	from string
	to   []string
}

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	ss.s.mu.Lock()
	ss.s.authSeen = true
	ss.s.mu.Unlock()
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "desk" || pass != "geheim" {
			return errors.New("bad credentials")
		}
		ss.user = user
		return nil
	}), nil
}
func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error { ss.from = from; return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if e := ss.s.rcptErr[to]; e != nil {
		return e
	}
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.dataErr != nil {
		return ss.s.dataErr
	}
	_, isTLS := ss.c.TLSConnectionState()
	ss.s.mails = append(ss.s.mails, sunk{ss.from, ss.to, raw, isTLS, ss.user})
	return nil
}
func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

func (s *sink) snapshot() (bool, []sunk) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authSeen, append([]sunk(nil), s.mails...)
}

// serve runs the sink on 127.0.0.1. implicitTLS serves SMTPS; a tlsConf
// without implicitTLS offers STARTTLS. insecureAuth offers AUTH on plain
// text too, to tempt the client.
func (s *sink) serve(t *testing.T, tlsConf *tls.Config, implicitTLS, insecureAuth bool) string {
	t.Helper()
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = insecureAuth
	srv.TLSConfig = tlsConf
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	var ln net.Listener
	var err error
	if implicitTLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsConf)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func testMail(t *testing.T) []byte {
	raw, _, err := Compose(reply())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSendModes(t *testing.T) {
	pki := newPKI(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{pki.server}}
	for _, c := range []struct {
		mode     Mode
		implicit bool
		srvTLS   *tls.Config
		user     string
	}{
		{ModePlain, false, nil, ""},
		{ModeSTARTTLS, false, serverTLS, "desk"},
		{ModeSMTPS, true, serverTLS, "desk"},
	} {
		t.Run(c.mode.String(), func(t *testing.T) {
			s := &sink{}
			addr := s.serve(t, c.srvTLS, c.implicit, false)
			cfg := Config{Addr: addr, Mode: c.mode, TLS: &tls.Config{RootCAs: pki.roots}, HELO: "kizdesk.uni-ulm.de", Timeout: 5 * time.Second}
			if c.user != "" {
				cfg.Username, cfg.Password = c.user, "geheim"
			}
			snd, err := NewSender(cfg)
			if err != nil {
				t.Fatal(err)
			}
			raw := testMail(t)
			to := []string{"juergen.mueller@uni-ulm.de", "baerbel@example.org"}
			if err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", to, raw); err != nil {
				t.Fatal(err)
			}
			_, mails := s.snapshot()
			if len(mails) != 1 {
				t.Fatalf("%d mails", len(mails))
			}
			m := mails[0]
			if string(m.raw) != string(raw) || m.from != "servicedesk@uni-ulm.de" || strings.Join(m.to, ",") != strings.Join(to, ",") {
				t.Errorf("sink got %q → %q, %d bytes", m.from, m.to, len(m.raw))
			}
			if m.tls != (c.mode != ModePlain) || m.user != c.user {
				t.Errorf("tls %v user %q", m.tls, m.user)
			}
		})
	}
}

func TestSTARTTLSRequired(t *testing.T) {
	s := &sink{}
	addr := s.serve(t, nil, false, true) // no STARTTLS offered
	snd, _ := NewSender(Config{Addr: addr, Mode: ModeSTARTTLS, Username: "desk", Password: "geheim", Timeout: 5 * time.Second})
	err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"a@uni-ulm.de"}, testMail(t))
	if err == nil {
		t.Fatal("sent without STARTTLS")
	}
	if authSeen, mails := s.snapshot(); authSeen || len(mails) > 0 {
		t.Fatalf("fell back to plain text: auth %v, %d mails", authSeen, len(mails))
	}
}

func TestTLSVerified(t *testing.T) {
	pki := newPKI(t)
	s := &sink{}
	addr := s.serve(t, &tls.Config{Certificates: []tls.Certificate{pki.server}}, true, false)
	// No RootCAs: the system pool does not know the test CA.
	snd, _ := NewSender(Config{Addr: addr, Mode: ModeSMTPS, Username: "desk", Password: "geheim", Timeout: 5 * time.Second})
	err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"a@uni-ulm.de"}, testMail(t))
	if err == nil || !IsTemporary(err) {
		t.Fatalf("unverified certificate: %v, want a temporary error", err)
	}
	if authSeen, _ := s.snapshot(); authSeen {
		t.Fatal("credentials sent to an unverified server")
	}
}

func TestNoCredentialsInClear(t *testing.T) {
	if _, err := NewSender(Config{Addr: "127.0.0.1:25", Mode: ModePlain, Username: "desk", Password: "geheim"}); !errors.Is(err, ErrCredentialsInClear) {
		t.Fatalf("NewSender: %v, want ErrCredentialsInClear", err)
	}
	// Even a Sender built around the check does not send them: the sink
	// offers AUTH on plain text and must never see it.
	s := &sink{}
	addr := s.serve(t, nil, false, true)
	snd := &SMTPSender{cfg: Config{Addr: addr, Mode: ModePlain, Username: "desk", Password: "geheim", Timeout: 5 * time.Second}}
	err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"a@uni-ulm.de"}, testMail(t))
	if !errors.Is(err, ErrCredentialsInClear) || IsTemporary(err) {
		t.Fatalf("err = %v, want permanent ErrCredentialsInClear", err)
	}
	if authSeen, mails := s.snapshot(); authSeen || len(mails) > 0 {
		t.Fatalf("auth seen %v, %d mails", authSeen, len(mails))
	}
}

func TestSendErrorClassification(t *testing.T) {
	t.Run("451", func(t *testing.T) {
		s := &sink{dataErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}}
		addr := s.serve(t, nil, false, false)
		snd, _ := NewSender(Config{Addr: addr, Timeout: 5 * time.Second})
		err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"a@uni-ulm.de"}, testMail(t))
		if err == nil || !IsTemporary(err) {
			t.Fatalf("451: %v, temporary %v", err, IsTemporary(err))
		}
	})
	t.Run("550", func(t *testing.T) {
		s := &sink{rcptErr: map[string]*smtp.SMTPError{"gone@uni-ulm.de": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unknown"}}}
		addr := s.serve(t, nil, false, false)
		snd, _ := NewSender(Config{Addr: addr, Timeout: 5 * time.Second})
		err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"gone@uni-ulm.de"}, testMail(t))
		var re *RecipientsError
		if err == nil || IsTemporary(err) || !errors.As(err, &re) || re.Refused["gone@uni-ulm.de"].Code != 550 {
			t.Fatalf("550: %v, temporary %v", err, IsTemporary(err))
		}
		if _, mails := s.snapshot(); len(mails) != 0 {
			t.Fatal("sent to nobody")
		}
		// One refused recipient of two: the other gets the mail, the
		// error names the refused one and is permanent (no resend).
		err = snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"gone@uni-ulm.de", "ok@uni-ulm.de"}, testMail(t))
		if !errors.As(err, &re) || len(re.Refused) != 1 || IsTemporary(err) {
			t.Fatalf("partial: %v", err)
		}
		if _, mails := s.snapshot(); len(mails) != 1 || mails[0].to[0] != "ok@uni-ulm.de" {
			t.Fatalf("mails %+v", mails)
		}
	})
	t.Run("452 recipient", func(t *testing.T) {
		s := &sink{rcptErr: map[string]*smtp.SMTPError{"full@uni-ulm.de": {Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "mailbox full"}}}
		addr := s.serve(t, nil, false, false)
		snd, _ := NewSender(Config{Addr: addr, Timeout: 5 * time.Second})
		err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"ok@uni-ulm.de", "full@uni-ulm.de"}, testMail(t))
		if !IsTemporary(err) {
			t.Fatalf("452: %v, want temporary", err)
		}
		if _, mails := s.snapshot(); len(mails) != 0 {
			t.Fatal("sent to some while retrying all later")
		}
	})
	t.Run("closed port", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		snd, _ := NewSender(Config{Addr: addr, Timeout: 5 * time.Second})
		err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"a@uni-ulm.de"}, testMail(t))
		if err == nil || !IsTemporary(err) {
			t.Fatalf("closed port: %v", err)
		}
	})
	t.Run("silent server", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close() // accepted, never answered
			}
		}()
		for _, mode := range []Mode{ModePlain, ModeSTARTTLS, ModeSMTPS} {
			snd, _ := NewSender(Config{Addr: ln.Addr().String(), Mode: mode, Timeout: 300 * time.Millisecond})
			start := time.Now()
			err = snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"a@uni-ulm.de"}, testMail(t))
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("%v: took %v", mode, took)
			}
			if err == nil || !IsTemporary(err) {
				t.Errorf("%v: %v, want temporary", mode, err)
			}
		}
	})
	t.Run("context", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err == nil {
				defer c.Close()
				time.Sleep(5 * time.Second)
			}
		}()
		snd, _ := NewSender(Config{Addr: ln.Addr().String(), Timeout: time.Minute})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := snd.Send(ctx, "servicedesk@uni-ulm.de", []string{"a@uni-ulm.de"}, testMail(t))
		if !errors.Is(err, context.DeadlineExceeded) || !IsTemporary(err) || time.Since(start) > 3*time.Second {
			t.Fatalf("cancelled send: %v after %v", err, time.Since(start))
		}
	})
}

func TestIsTemporary(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&smtp.SMTPError{Code: 421}, true},
		{&smtp.SMTPError{Code: 554}, false},
		{io.ErrUnexpectedEOF, true},
		{&PermanentError{errors.New("x")}, false},
		{ErrInvalid, false},
	} {
		if got := IsTemporary(c.err); got != c.want {
			t.Errorf("IsTemporary(%v) = %v", c.err, got)
		}
	}
}

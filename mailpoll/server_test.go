package mailpoll

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

const (
	testUser     = "desk"
	testPassword = "s3cret-Pa55"
	testRcpt     = "helpdesk@kiz.example"
)

// testCert is a self-signed certificate for 127.0.0.1 and localhost, and a
// pool that trusts it.
type testCert struct {
	cert tls.Certificate
	pool *x509.CertPool
}

func newTestCert(t *testing.T) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailpoll test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return testCert{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool: pool}
}

// testServer is go-imap's in-memory server on a loopback port. Its
// backend outlives stop/start, so mail survives an "outage".
type testServer struct {
	t      *testing.T
	mode   Mode
	caps   imap.CapSet
	cert   testCert
	mem    *imapmemserver.Server
	user   *imapmemserver.User
	wrap   func(imapserver.Session) imapserver.Session
	debug  syncBuffer
	addr   string
	mu     sync.Mutex
	srv    *imapserver.Server
	served chan struct{}
}

type serverOpt func(*testServer)

func withCaps(caps ...imap.Cap) serverOpt {
	return func(s *testServer) {
		s.caps = imap.CapSet{}
		for _, c := range caps {
			s.caps[c] = struct{}{}
		}
	}
}

func withSession(wrap func(imapserver.Session) imapserver.Session) serverOpt {
	return func(s *testServer) { s.wrap = wrap }
}

func newTestServer(t *testing.T, mode Mode, opts ...serverOpt) *testServer {
	t.Helper()
	s := &testServer{
		t:    t,
		mode: mode,
		caps: imap.CapSet{imap.CapIMAP4rev1: {}},
		cert: newTestCert(t),
		mem:  imapmemserver.New(),
		user: imapmemserver.NewUser(testUser, testPassword),
		addr: "127.0.0.1:0",
	}
	for _, o := range opts {
		o(s)
	}
	s.mem.AddUser(s.user)
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *testServer) start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			sess := s.mem.NewSession()
			if s.wrap != nil {
				sess = s.wrap(sess)
			}
			return sess, nil, nil
		},
		Caps:         s.caps,
		Logger:       discardLogger{},
		InsecureAuth: s.mode == ModePlain,
		DebugWriter:  &s.debug,
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{s.cert.cert}}
	if s.mode == ModeSTARTTLS {
		o.TLSConfig = tlsCfg
	}
	var ln net.Listener
	var err error
	// The port may linger for a moment after an "outage".
	for i := 0; ; i++ {
		ln, err = net.Listen("tcp", s.addr)
		if err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("listen %s: %v", s.addr, err)
	}
	s.addr = ln.Addr().String()
	if s.mode == ModeTLS {
		ln = tls.NewListener(ln, tlsCfg)
	}
	s.srv = imapserver.New(o)
	s.served = make(chan struct{})
	go func(srv *imapserver.Server, done chan struct{}) {
		srv.Serve(ln)
		close(done)
	}(s.srv, s.served)
}

// stop closes the listener and every connection.
func (s *testServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return
	}
	s.srv.Close()
	<-s.served
	s.srv = nil
}

// config is a Config for this server with a short backoff.
func (s *testServer) config() Config {
	return Config{
		Addr:       s.addr,
		TLS:        s.mode,
		TLSConfig:  &tls.Config{RootCAs: s.cert.pool},
		Username:   testUser,
		Password:   testPassword,
		Recipient:  testRcpt,
		MaxBackoff: 200 * time.Millisecond,
		Logger:     slog.New(slog.DiscardHandler),
	}
}

// appendMail puts a message into the backend directly, as mail arriving
// on the server does.
func (s *testServer) appendMail(mailbox string, n int, flags ...imap.Flag) {
	s.t.Helper()
	s.appendRaw(mailbox, testMail(n), flags...)
}

func (s *testServer) appendRaw(mailbox string, raw []byte, flags ...imap.Flag) {
	s.t.Helper()
	if _, err := s.user.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Flags: flags}); err != nil {
		s.t.Fatal(err)
	}
}

// client logs in as a second IMAP client (a person's mail client).
func (s *testServer) client() *imapclient.Client {
	s.t.Helper()
	opts := &imapclient.Options{TLSConfig: &tls.Config{RootCAs: s.cert.pool}}
	var c *imapclient.Client
	var err error
	switch s.mode {
	case ModeTLS:
		c, err = imapclient.DialTLS(s.addr, opts)
	case ModeSTARTTLS:
		c, err = imapclient.DialStartTLS(s.addr, opts)
	default:
		c, err = imapclient.DialInsecure(s.addr, opts)
	}
	if err != nil {
		s.t.Fatalf("test client dial: %v", err)
	}
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		s.t.Fatalf("test client login: %v", err)
	}
	s.t.Cleanup(func() { c.Close() })
	return c
}

// flags returns each message's flags in mailbox, lower-cased (the memory
// server keeps them so; IMAP flags are case-insensitive), by UID.
func (s *testServer) flags(mailbox string) map[uint32][]string {
	s.t.Helper()
	c := s.client()
	defer func() { c.Logout().Wait() }()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		s.t.Fatalf("select %s: %v", mailbox, err)
	}
	out := map[uint32][]string{}
	if sel.NumMessages == 0 {
		return out
	}
	msgs, err := c.Fetch(allSeq(), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		s.t.Fatalf("fetch flags in %s: %v", mailbox, err)
	}
	for _, m := range msgs {
		var fl []string
		for _, f := range m.Flags {
			fl = append(fl, strings.ToLower(string(f)))
		}
		slices.Sort(fl)
		out[uint32(m.UID)] = fl
	}
	return out
}

func allSeq() imap.SeqSet {
	var s imap.SeqSet
	s.AddRange(1, 0)
	return s
}

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

func testMail(n int) []byte {
	return []byte(fmt.Sprintf("From: user%d@example.org\r\nTo: %s\r\nSubject: test %d\r\nMessage-ID: <m%d@example.org>\r\n\r\nbody %d\r\n", n, testRcpt, n, n, n))
}

// messageID picks the Message-ID out of a test mail.
func messageID(raw []byte) string {
	for _, line := range strings.Split(string(raw), "\r\n") {
		if v, ok := strings.CutPrefix(line, "Message-ID: "); ok {
			return v
		}
	}
	return ""
}

// recorder is a Handler that remembers what it got and can be told to fail.
type recorder struct {
	mu   sync.Mutex
	got  []Delivery
	fail func(d Delivery) error
	note chan struct{}
}

func newRecorder() *recorder { return &recorder{note: make(chan struct{}, 100)} }

func (r *recorder) Deliver(ctx context.Context, d Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(d); err != nil {
			return err
		}
	}
	r.got = append(r.got, d)
	select {
	case r.note <- struct{}{}:
	default:
	}
	return nil
}

func (r *recorder) setFail(f func(Delivery) error) {
	r.mu.Lock()
	r.fail = f
	r.mu.Unlock()
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, d := range r.got {
		out = append(out, messageID(d.Raw))
	}
	return out
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

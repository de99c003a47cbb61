package mailgate

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/mailout"
)

// selfSigned is a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailgate test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestLongLineRefused(t *testing.T) {
	rec := &recorder{}
	_, addr := start(t, Config{}, rec)
	c := dial(t, addr, false)
	err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, "Subject: x\r\n\r\n"+strings.Repeat("x", 3000)+"\r\n")
	if code(err) != 554 {
		t.Fatalf("over-long line: %v, want 554 (a retry would fail the same way)", err)
	}
	if len(rec.deliveries()) != 0 {
		t.Fatal("delivered")
	}
}

// TestDeskToDesk sends what mailout composes through mailout's sender over
// STARTTLS into the gateway and reads it with mailin: the three parts of
// the mail channel agree on the bytes.
func TestDeskToDesk(t *testing.T) {
	cert, pool := selfSigned(t)
	rec := &recorder{}
	_, addr := start(t, Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}}}, rec)
	raw, id, err := mailout.Compose(mailout.Outgoing{
		From:            mailout.Address{Name: "kiz Servicedesk", Email: "servicedesk@uni-ulm.de"},
		To:              []mailout.Address{{Name: "Jürgen Müller", Email: "juergen@uni-ulm.de"}},
		Subject:         "Ihre Anfrage",
		TicketNumber:    "2026113010000052",
		Text:            "Grüße aus dem kiz",
		Attachments:     []mailout.Attachment{{Filename: "Übersicht.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}},
		MessageIDDomain: "kizdesk.uni-ulm.de",
		ArticleKey:      "1",
		Date:            time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	snd, err := mailout.NewSender(mailout.Config{Addr: addr, Mode: mailout.ModeSTARTTLS, TLS: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"juergen@uni-ulm.de"}, raw); err != nil {
		t.Fatal(err)
	}
	got := rec.deliveries()
	if len(got) != 1 || string(got[0].Raw) != string(raw) {
		t.Fatalf("deliveries: %d", len(got))
	}
	m, err := mailin.Parse(got[0].Raw, mailin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.MessageID != id || m.TicketNumber != "2026113010000052" || m.Text != "Grüße aus dem kiz" ||
		len(m.Attachments) != 1 || m.Attachments[0].Filename != "Übersicht.pdf" {
		t.Fatalf("read back: %+v", m)
	}
	// A relay that is not TLS-capable is not used in STARTTLS mode.
	_, plainAddr := start(t, Config{}, rec)
	snd, _ = mailout.NewSender(mailout.Config{Addr: plainAddr, Mode: mailout.ModeSTARTTLS, Timeout: 5 * time.Second})
	if err := snd.Send(context.Background(), "servicedesk@uni-ulm.de", []string{"juergen@uni-ulm.de"}, raw); err == nil {
		t.Fatal("sent without TLS")
	}
	if len(rec.deliveries()) != 1 {
		t.Fatal("plain-text delivery happened")
	}
}

func TestServeContextAndUnixSocket(t *testing.T) {
	rec := &recorder{}
	s, err := New(Config{LMTP: true, Recipients: ours, AllowedNets: nil}, rec)
	if err != nil {
		t.Fatal(err)
	}
	sock := t.TempDir() + "/lmtp.sock"
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix sockets: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	// Unix-socket clients have no IP; the socket's permissions guard them.
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := send(c, "a@example.org", []string{"servicedesk@uni-ulm.de"}, mail); err != nil {
		t.Fatal(err)
	}
	if len(rec.deliveries()) != 1 {
		t.Fatal("not delivered")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v after its context ended", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}

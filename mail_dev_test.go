package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// devMailStack is a stack as `kizdesk dev` runs it for mail: the listener
// on a loopback port, outgoing mail captured.
func devMailStack(t *testing.T) (*testStack, net.Addr) {
	t.Helper()
	v := values{"KIZDESK_MAIL_FROM": "kizdesk <kizdesk@localhost>", "KIZDESK_MAIL_AUTOREPLY_LIMIT": "10", "KIZDESK_MAIL_RETRY_MAX": "10m",
		"KIZDESK_MAIL_TAG_PREFIX": "Ticket#"}
	out, err := mailOutConfigOf(v, true, "http://localhost:8080/")
	if err != nil {
		t.Fatal(err)
	}
	if !out.Captured {
		t.Fatal("dev without a relay does not capture its mail")
	}
	s := startTestStackConfig(t, "sqlite", "", func(c *devConfig) { c.MailOut = out })
	if err := s.db.Model(&models.Queue{}).Where("id = ?", s.fixture.Queue.ID).Update("email", "helpdesk@kiz.example").Error; err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	addr, stop, err := startMailGateway(context.Background(), s.desk, s.db, mailConfig{Addr: "127.0.0.1:0", Tenant: s.fixture.Tenant.Slug}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(context.Background()) })
	return s, addr
}

// outbox returns the captured mail of the stack's tenant, parsed, oldest
// first.
func outboxMails(t *testing.T, s *testStack) []*mail.Message {
	t.Helper()
	ms, err := models.Outbox(context.Background(), s.db, s.fixture.Tenant.ID, models.OutboxFilter{Status: models.OutSent, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []*mail.Message
	for i := len(ms) - 1; i >= 0; i-- {
		full, err := models.OutboxMail(context.Background(), s.db, s.fixture.Tenant.ID, ms[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(full.Raw)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestDevMailLoop is the "done when" in `kizdesk dev`: a mail sent
// to the dev listener becomes a ticket in the queue of its address at
// once; the acknowledgement is in the captured outbox; an agent's answer
// is captured with the threading headers; the customer's answer to it
// lands on the same ticket; the same mail again adds nothing; and an
// auto-reply to our acknowledgement (an out-of-office note) is not
// answered.
func TestDevMailLoop(t *testing.T) {
	s, addr := devMailStack(t)
	ctx := context.Background()
	f := s.fixture
	send := func(raw []byte) {
		t.Helper()
		if err := smtp.SendMail(addr.String(), nil, "erika.mueller@uni-ulm.example", []string{"helpdesk@kiz.example"}, raw); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	began := time.Now()
	send(printerMail("dev-1@uni-ulm.example"))
	took := time.Since(began)
	in, found, err := models.MailByKey(ctx, s.db, f.Tenant.ID, models.MailIn, "dev-1@uni-ulm.example")
	if err != nil || !found || in.Outcome != models.MailNewTicket {
		t.Fatalf("the mail once the listener said 250: %+v, %v, %v", in, found, err)
	}
	row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, in.TicketNumber)
	if err != nil || row.QueueID != f.Queue.ID {
		t.Fatalf("ticket %s: queue %d, want the queue of helpdesk@kiz.example (%d); %v", in.TicketNumber, row.QueueID, f.Queue.ID, err)
	}
	t.Logf("mail to ticket through the SMTP listener: %s", took.Round(time.Millisecond))
	tag := "[Ticket#" + in.TicketNumber + "]"
	var ack *mail.Message
	waitFor(t, 10*time.Second, func() bool {
		for _, m := range outboxMails(t, s) {
			if strings.Contains(m.Header.Get("Subject"), tag) && m.Header.Get("Auto-Submitted") == "auto-replied" {
				ack = m
				return true
			}
		}
		return false
	})
	if ack.Header.Get("In-Reply-To") != "<dev-1@uni-ulm.example>" || !strings.Contains(ack.Header.Get("To"), "erika.mueller@uni-ulm.example") {
		t.Errorf("acknowledgement: %v", ack.Header)
	}

	if _, err := s.desk.Reply(ctx, desk.AgentPrincipal(f.Agent), in.TicketNumber, desk.ReplyRequest{RequestKey: "dev-reply", Body: "Wir schauen es uns an."}); err != nil {
		t.Fatal(err)
	}
	var reply *mail.Message
	waitFor(t, 10*time.Second, func() bool {
		for _, m := range outboxMails(t, s) {
			if strings.Contains(m.Header.Get("Subject"), tag) && m.Header.Get("Auto-Submitted") == "" {
				reply = m
				return true
			}
		}
		return false
	})
	if reply.Header.Get("In-Reply-To") != "<dev-1@uni-ulm.example>" || !strings.Contains(reply.Header.Get("References"), "<dev-1@uni-ulm.example>") {
		t.Errorf("answer threading: %v", reply.Header)
	}

	answer := mailRaw(map[string]string{"From": "erika.mueller@uni-ulm.example", "To": "helpdesk@kiz.example", "Subject": "Re: " + reply.Header.Get("Subject"),
		"Message-ID": "<dev-2@uni-ulm.example>", "In-Reply-To": reply.Header.Get("Message-Id"), "References": reply.Header.Get("Message-Id")}, "Danke!\n")
	send(answer)
	send(answer)
	again, _, _ := models.MailByKey(ctx, s.db, f.Tenant.ID, models.MailIn, "dev-2@uni-ulm.example")
	if again.Outcome != models.MailFollowUp || again.TicketNumber != in.TicketNumber {
		t.Errorf("the customer's answer: %+v, want a follow-up to %s", again, in.TicketNumber)
	}
	// A follow-up is a signal the ticket's workflow takes in its own time
	// (durable in Temporal once the listener said 250).
	waitFor(t, 10*time.Second, func() bool {
		arts, err := models.Articles(ctx, s.db, row.ID)
		return err == nil && len(arts) >= 3
	})
	time.Sleep(500 * time.Millisecond)
	if arts, err := models.Articles(ctx, s.db, row.ID); err != nil || len(arts) != 3 {
		t.Errorf("ticket %s has %d articles (mail, answer, answer to the answer sent twice), want 3; %v", in.TicketNumber, len(arts), err)
	}

	// An out-of-office note answering our acknowledgement: stored on the
	// ticket, never answered.
	ooo := mailRaw(map[string]string{"From": "erika.mueller@uni-ulm.example", "To": "helpdesk@kiz.example", "Subject": "Abwesenheitsnotiz: " + ack.Header.Get("Subject"),
		"Message-ID": "<dev-3@uni-ulm.example>", "In-Reply-To": ack.Header.Get("Message-Id"), "Auto-Submitted": "auto-replied"}, "Bin im Urlaub.\n")
	send(ooo)
	time.Sleep(time.Second)
	n := 0
	for _, m := range outboxMails(t, s) {
		if m.Header.Get("In-Reply-To") == "<dev-3@uni-ulm.example>" {
			n++
		}
	}
	if n != 0 {
		t.Errorf("the out-of-office note was answered %d times", n)
	}
}

// TestMailCorpusThroughTheDesk hands every mail of mailin's corpus to the
// desk, twice, and reports what became of each: none is lost (each is a
// ticket, a follow-up, a bounce or in quarantine), none makes an error,
// the second delivery adds nothing.
func TestMailCorpusThroughTheDesk(t *testing.T) {
	// The desk as the corpus knows it: kizdesk@kiz.uni-ulm.de its sender
	// and loop value, helpdesk@kiz.uni-ulm.de a queue's address.
	// Many corpus mails come from one sender: the daily limit is raised so
	// the report shows each mail's own answer.
	v := values{"KIZDESK_MAIL_FROM": "kizdesk@kiz.uni-ulm.de", "KIZDESK_MAIL_AUTOREPLY_LIMIT": "100", "KIZDESK_MAIL_RETRY_MAX": "10m",
		"KIZDESK_MAIL_TAG_PREFIX": "Ticket#", "KIZDESK_MAIL_OWN_ADDRESSES": "servicedesk@uni-ulm.de"}
	out, err := mailOutConfigOf(v, true, "http://localhost:8080/")
	if err != nil {
		t.Fatal(err)
	}
	s := startTestStackConfig(t, "sqlite", "", func(c *devConfig) { c.MailOut = out })
	ctx := context.Background()
	if err := s.db.Model(&models.Queue{}).Where("id = ?", s.fixture.Queue.ID).Update("email", "helpdesk@kiz.uni-ulm.de").Error; err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("mailin", "testdata", "corpus", "*.eml"))
	if err != nil || len(files) < 30 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	sort.Strings(files)
	var report strings.Builder
	outcomes := map[string]int{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.desk.IngestMail(ctx, s.gateway, desk.MailRequest{Raw: raw, Recipient: "helpdesk@kiz.uni-ulm.de"})
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
			continue
		}
		again, err := s.desk.IngestMail(ctx, s.gateway, desk.MailRequest{Raw: raw, Recipient: "helpdesk@kiz.uni-ulm.de"})
		if err != nil || (res.Outcome != desk.MailQuarantined && (!again.Duplicate || again.Number != res.Number)) {
			t.Errorf("%s delivered again: %+v, %v", filepath.Base(file), again, err)
		}
		outcomes[res.Outcome]++
		note := strings.Join(res.Problems, "; ")
		if res.Answered && !res.AutoRespond {
			t.Errorf("%s is automatic mail and was answered", filepath.Base(file))
		}
		if again.Answered {
			t.Errorf("%s delivered again was answered again", filepath.Base(file))
		}
		answered := "no"
		if res.Answered {
			answered = "yes"
		}
		fmt.Fprintf(&report, "| %s | %s | %s | %s |\n", strings.TrimSuffix(filepath.Base(file), ".eml"), res.Outcome, answered, note)
	}
	t.Logf("corpus through the desk (%d mails): %v\n| mail | outcome | answered | problems noted |\n|---|---|---|---|\n%s", len(files), outcomes, report.String())
}

// TestIMAPMailbox: mail waiting in an IMAP mailbox (a real IMAP server,
// go-imap's, on loopback) becomes tickets through the poller; each is
// flagged as stored only then, and polling again takes nothing twice.
func TestIMAPMailbox(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("helpdesk", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	for i := range 3 {
		raw := printerMail(fmt.Sprintf("imap-%d@uni-ulm.example", i))
		if _, err := user.Append("INBOX", appendReader(raw), &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	url := "imap+plain://helpdesk:secret@" + ln.Addr().String() + "/INBOX?recipient=helpdesk@kiz.example"
	stop, err := startIMAPPollers(ctx, s.desk, s.db, url, s.fixture.Tenant.Slug, log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	waitFor(t, 30*time.Second, func() bool {
		for i := range 3 {
			if _, found, _ := models.MailByKey(ctx, s.db, s.fixture.Tenant.ID, models.MailIn, fmt.Sprintf("imap-%d@uni-ulm.example", i)); !found {
				return false
			}
		}
		return true
	})
	// Flagged in the mailbox, as a second client sees it.
	c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("helpdesk", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() bool {
		data, err := c.Search(&imap.SearchCriteria{NotFlag: []imap.Flag{"$KizdeskStored"}}, nil).Wait()
		return err == nil && len(data.AllSeqNums()) == 0
	})
}

// literal is a message for IMAP APPEND.
type literal struct {
	io.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

func appendReader(raw []byte) literal { return literal{bytes.NewReader(raw), int64(len(raw))} }

// BenchmarkMailThroughGateway sends mail by SMTP to the dev listener of a
// stack that acknowledges each (mail captured): mails/s is how fast the
// gateway takes mail (250 only once stored), acked/s how fast the
// acknowledgements have left, counted until the last one has.
//
//	go test -run '^$' -bench BenchmarkMailThroughGateway -benchtime 200x .
func BenchmarkMailThroughGateway(b *testing.B) {
	v := values{"KIZDESK_MAIL_FROM": "kizdesk <kizdesk@localhost>", "KIZDESK_MAIL_AUTOREPLY_LIMIT": "10", "KIZDESK_MAIL_RETRY_MAX": "10m",
		"KIZDESK_MAIL_TAG_PREFIX": "Ticket#"}
	out, err := mailOutConfigOf(v, true, "http://localhost:8080/")
	if err != nil {
		b.Fatal(err)
	}
	s := startTestStackConfig(b, "sqlite", "", func(c *devConfig) { c.MailOut = out })
	if err := s.db.Model(&models.Queue{}).Where("id = ?", s.fixture.Queue.ID).Update("email", "helpdesk@kiz.example").Error; err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	addr, stop, err := startMailGateway(context.Background(), s.desk, s.db, mailConfig{Addr: "127.0.0.1:0", Tenant: s.fixture.Tenant.Slug}, log)
	if err != nil {
		b.Fatal(err)
	}
	defer stop(context.Background())
	run := benchRun()
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			var sent0 int64
			s.db.Model(&models.MailMessage{}).Where("direction = ? AND status = ?", models.MailOut, models.OutSent).Count(&sent0)
			next := make(chan int)
			errs := make(chan error, clients)
			// The framework calls this more than once (b.N = 1 first):
			// each call its own senders and Message-IDs.
			round := time.Now().UnixNano()
			b.ResetTimer()
			began := time.Now()
			for range clients {
				go func() {
					for i := range next {
						from := fmt.Sprintf("bench-%s-%d-%d-%d@uni-ulm.example", run, clients, round, i)
						raw := mailRaw(map[string]string{"From": from, "To": "helpdesk@kiz.example", "Subject": "Drucker " + fmt.Sprint(i),
							"Message-ID": "<" + from + ">"}, "Der Drucker druckt nicht.\n")
						if err := smtp.SendMail(addr.String(), nil, from, []string{"helpdesk@kiz.example"}, raw); err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			for i := range b.N {
				next <- i
			}
			close(next)
			for range clients {
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
			}
			taken := time.Since(began)
			deadline := time.Now().Add(2 * time.Minute)
			for {
				var sent int64
				s.db.Model(&models.MailMessage{}).Where("direction = ? AND status = ?", models.MailOut, models.OutSent).Count(&sent)
				if sent-sent0 >= int64(b.N) {
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("%d of %d acknowledgements left within 2 minutes", sent-sent0, b.N)
				}
				time.Sleep(20 * time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/taken.Seconds(), "mails/s")
			b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "acked/s")
		})
	}
}

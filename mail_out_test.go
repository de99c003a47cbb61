package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/mailgate"
	"github.com/kiz-ulm/kizdesk/mailout"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// smtpSink is a real SMTP server on loopback that keeps what it receives:
// the relay the desk's mail goes to. It can be stopped and started again
// on the same port, to play a relay outage.
type smtpSink struct {
	t    testing.TB
	addr string
	mu   sync.Mutex
	got  []mailgate.Delivery
	srv  *mailgate.Server
	ln   net.Listener
}

func startSMTPSink(t testing.TB) *smtpSink {
	k := &smtpSink{t: t}
	k.start("127.0.0.1:0")
	t.Cleanup(k.stop)
	return k
}

func (k *smtpSink) start(addr string) {
	srv, err := mailgate.New(mailgate.Config{Domain: "sink", Recipients: func(string) bool { return true },
		ErrorLog: log.New(io.Discard, "", 0)},
		mailgate.HandlerFunc(func(_ context.Context, d mailgate.Delivery) error {
			k.mu.Lock()
			defer k.mu.Unlock()
			k.got = append(k.got, d)
			return nil
		}))
	if err != nil {
		k.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		k.t.Fatalf("sink: listen on %s: %v", addr, err)
	}
	k.srv, k.ln, k.addr = srv, ln, ln.Addr().String()
	go srv.Serve(context.Background(), ln)
}

func (k *smtpSink) stop() {
	if k.srv != nil {
		k.srv.Close()
		k.srv = nil
	}
}

// mails returns the mails received so far, parsed.
func (k *smtpSink) mails() []*mail.Message {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*mail.Message
	for _, d := range k.got {
		m, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(d.Raw)))
		if err != nil {
			k.t.Fatalf("sink got a mail it cannot read: %v", err)
		}
		out = append(out, m)
	}
	return out
}

// waitMail waits for the received mail that match; it fails the test
// after 30 s.
func (k *smtpSink) waitMail(what string, match func(*mail.Message) bool) *mail.Message {
	k.t.Helper()
	var found *mail.Message
	waitFor(k.t, 30*time.Second, func() bool {
		for _, m := range k.mails() {
			if match(m) {
				found = m
				return true
			}
		}
		return false
	})
	if found == nil {
		k.t.Fatalf("no %s reached the relay; it got %d mails", what, len(k.mails()))
	}
	return found
}

func (k *smtpSink) count(match func(*mail.Message) bool) int {
	n := 0
	for _, m := range k.mails() {
		if match(m) {
			n++
		}
	}
	return n
}

func to(addr string) func(*mail.Message) bool {
	return func(m *mail.Message) bool { return strings.Contains(m.Header.Get("To"), addr) }
}

func and(fs ...func(*mail.Message) bool) func(*mail.Message) bool {
	return func(m *mail.Message) bool {
		for _, f := range fs {
			if !f(m) {
				return false
			}
		}
		return true
	}
}

func subjectHas(s string) func(*mail.Message) bool {
	return func(m *mail.Message) bool {
		subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		return strings.Contains(subj, s)
	}
}

// startMailStack is a stack whose mail goes out through the sink, with
// attempts at most a second apart and a daily limit of automatic answers
// of three.
func startMailStack(t *testing.T, sink *smtpSink) *testStack {
	t.Helper()
	sender, err := mailout.NewSender(mailout.Config{Addr: sink.addr, Mode: mailout.ModePlain, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	v := values{"KIZDESK_MAIL_FROM": "kizdesk <kizdesk@kiz.example>", "KIZDESK_MAIL_AUTOREPLY_LIMIT": "3", "KIZDESK_MAIL_RETRY_MAX": "1s",
		"KIZDESK_MAIL_TAG_PREFIX": "Ticket#"}
	out, err := mailOutConfigOf(v, false, "http://localhost:8080/")
	if err != nil {
		t.Fatal(err)
	}
	out.Sender = sender
	s := startTestStackConfig(t, "sqlite", "", func(c *devConfig) { c.MailOut = out })
	if err := s.db.Model(&models.Queue{}).Where("id = ?", s.fixture.Queue.ID).Update("email", "helpdesk@kiz.example").Error; err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMailRoundTrip: a customer's mail becomes a ticket and gets its
// acknowledgement; the agent's answer leaves with the ticket's tag and
// threading headers; the customer's answer to it (by In-Reply-To alone)
// lands on the same ticket; a re-delivered mail adds nothing and answers
// nobody; automatic mail is never answered, and no address gets more than
// the daily limit; a bounce is recorded on the ticket; a relay outage
// longer than several attempts delays the answer and loses nothing.
func TestMailRoundTrip(t *testing.T) {
	sink := startSMTPSink(t)
	s := startMailStack(t, sink)
	ctx := context.Background()
	f := s.fixture
	agent := desk.AgentPrincipal(f.Agent)
	ingest := func(raw []byte) desk.MailResult {
		t.Helper()
		res, err := s.desk.IngestMail(ctx, s.gateway, desk.MailRequest{Raw: raw, Recipient: "helpdesk@kiz.example"})
		if err != nil {
			t.Fatalf("ingest: %v", err)
		}
		return res
	}
	erika := to("erika.mueller@uni-ulm.example")

	// Mail in: a ticket, and its acknowledgement out.
	first := ingest(printerMail("round-1@uni-ulm.example"))
	if first.Outcome != models.MailNewTicket {
		t.Fatalf("first mail: %+v", first)
	}
	tag := "[Ticket#" + first.Number + "]"
	ack := sink.waitMail("acknowledgement", and(erika, subjectHas(tag)))
	if ack.Header.Get("Auto-Submitted") != "auto-replied" || ack.Header.Get("In-Reply-To") != "<round-1@uni-ulm.example>" ||
		!strings.Contains(ack.Header.Get("From"), "helpdesk@kiz.example") || ack.Header.Get("X-Loop") != "kizdesk@kiz.example" {
		t.Errorf("acknowledgement headers: %v", ack.Header)
	}
	body, _ := io.ReadAll(ack.Body)
	if !strings.Contains(string(body), first.Number) || !strings.Contains(string(body), "English version") {
		t.Errorf("acknowledgement text (German and English for a customer of unknown language):\n%s", body)
	}

	// The agent's answer goes out, threaded.
	if _, err := s.desk.Reply(ctx, agent, first.Number, desk.ReplyRequest{RequestKey: "reply-1", Body: "Bitte einmal aus- und einschalten."}); err != nil {
		t.Fatal(err)
	}
	reply := sink.waitMail("answer", and(erika, func(m *mail.Message) bool { return m.Header.Get("Auto-Submitted") == "" }))
	replyID := reply.Header.Get("Message-Id")
	if !strings.Contains(reply.Header.Get("Subject"), tag) || reply.Header.Get("In-Reply-To") != "<round-1@uni-ulm.example>" ||
		!strings.Contains(reply.Header.Get("References"), "<round-1@uni-ulm.example>") || !strings.HasPrefix(replyID, "<"+first.Number+".") {
		t.Errorf("answer headers: %v", reply.Header)
	}
	outs, err := models.OutMailsOf(ctx, s.db, f.Tenant.ID, first.Number)
	if err != nil {
		t.Fatal(err)
	}
	var replyRow models.MailMessage
	for _, m := range outs {
		if m.Kind == models.OutReply {
			replyRow = m
		}
	}
	waitFor(t, 10*time.Second, func() bool {
		m, _ := models.OutMail(ctx, s.db, replyRow.ID)
		return m.Status == models.OutSent
	})
	if replyRow.ArticleSeq == nil || "<"+replyRow.MessageKey+">" != replyID {
		t.Errorf("the answer's stored row: %+v, sent as %s", replyRow, replyID)
	}

	// The customer answers the answer, subject without tag: the same
	// ticket, which acknowledges the follow-up.
	answer := mailRaw(map[string]string{"From": "Erika Müller <erika.mueller@uni-ulm.example>", "To": "helpdesk@kiz.example",
		"Subject": "AW: Drucker", "Message-ID": "<round-2@uni-ulm.example>", "In-Reply-To": replyID}, "Hat nicht geholfen.\n")
	if r := ingest(answer); r.Outcome != models.MailFollowUp || r.Number != first.Number {
		t.Fatalf("the customer's answer: %+v, want a follow-up to %s", r, first.Number)
	}
	sink.waitMail("follow-up acknowledgement", and(erika, func(m *mail.Message) bool {
		return m.Header.Get("In-Reply-To") == "<round-2@uni-ulm.example>"
	}))
	if r := ingest(answer); !r.Duplicate {
		t.Errorf("the same answer again: %+v", r)
	}

	// Automatic mail gets no answer; an address gets three a day at most.
	auto := ingest(mailRaw(map[string]string{"From": "robot@uni-ulm.example", "To": "helpdesk@kiz.example", "Subject": "Abwesend",
		"Message-ID": "<ooo-1@uni-ulm.example>", "Auto-Submitted": "auto-replied"}, "Ich bin nicht da.\n"))
	if auto.Outcome != models.MailNewTicket || auto.AutoRespond {
		t.Errorf("an out-of-office note: %+v", auto)
	}
	for i := range 5 {
		ingest(mailRaw(map[string]string{"From": "chatty@uni-ulm.example", "To": "helpdesk@kiz.example",
			"Subject": fmt.Sprintf("Frage %d", i), "Message-ID": fmt.Sprintf("<chatty-%d@uni-ulm.example>", i)}, "Noch eine Frage.\n"))
	}
	waitFor(t, 30*time.Second, func() bool { return sink.count(to("chatty@uni-ulm.example")) >= 3 })

	// A bounce of the answer is recorded on the ticket.
	dsn := mailRaw(map[string]string{"From": "MAILER-DAEMON@mx.uni-ulm.example", "To": "kizdesk@kiz.example", "Subject": "Undelivered Mail Returned to Sender",
		"Message-ID": "<dsn-1@mx.uni-ulm.example>", "MIME-Version": "1.0", "Content-Type": `multipart/report; report-type=delivery-status; boundary="r"`},
		"--r\nContent-Type: text/plain\n\nYour mail could not be delivered.\n--r\nContent-Type: message/delivery-status\n\n"+
			"Reporting-MTA: dns; mx.uni-ulm.example\n\nFinal-Recipient: rfc822; erika.mueller@uni-ulm.example\nAction: failed\nStatus: 5.1.1\n"+
			"Diagnostic-Code: smtp; 550 5.1.1 User unknown\n--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: "+replyID+"\nSubject: x\n--r--\n")
	if r := ingest(dsn); r.Outcome != models.MailBounce || r.Number != first.Number {
		t.Errorf("the bounce: %+v", r)
	}
	if m, _ := models.OutMail(ctx, s.db, replyRow.ID); m.Status != models.OutBounced || !strings.Contains(m.LastError, "5.1.1") {
		t.Errorf("the bounced answer: status %q, %q", m.Status, m.LastError)
	}
	waitFor(t, 10*time.Second, func() bool {
		row, _ := models.TicketByNumber(ctx, s.db, f.Tenant.ID, first.Number)
		arts, _ := models.Articles(ctx, s.db, row.ID)
		for _, a := range arts {
			if a.Kind == string(ticket.ArticleInternalNote) && strings.Contains(a.Body, "User unknown") {
				return true
			}
		}
		return false
	})

	// Let everything due settle, then check: the re-delivered answer sent
	// nothing, nobody answered the robot, chatty got exactly three.
	time.Sleep(2 * time.Second)
	if n := sink.count(to("robot@uni-ulm.example")); n != 0 {
		t.Errorf("the out-of-office note was answered %d times", n)
	}
	if n := sink.count(to("chatty@uni-ulm.example")); n != 3 {
		t.Errorf("chatty@ got %d automatic answers in a day, want the limit 3", n)
	}
	if n := sink.count(func(m *mail.Message) bool { return m.Header.Get("In-Reply-To") == "<round-2@uni-ulm.example>" }); n != 1 {
		t.Errorf("the follow-up was acknowledged %d times (re-delivered once), want 1", n)
	}

	// A queue's own German text replaces the built-in one, placeholders
	// filled in; the English part stays built in.
	admin := desk.AgentPrincipal(f.Agent)
	_, err = s.desk.AdminSave(ctx, admin, "auto-responses", 0, desk.AdminValues{"queue_id": {fmt.Sprint(f.Queue.ID)}, "auto_kind": {"new"},
		"language": {"de"}, "subject": {"Eingang bestätigt: {{.Title}}"}, "body": {"Hallo {{.Customer}}, Ihr Ticket {{.Number}} ist da."}, "active": {"true"}})
	if err != nil {
		t.Fatal(err)
	}
	own := ingest(mailRaw(map[string]string{"From": "Max Neu <max.neu@uni-ulm.example>", "To": "helpdesk@kiz.example",
		"Subject": "Passwort vergessen", "Message-ID": "<own-1@uni-ulm.example>"}, "Hilfe.\n"))
	ownAck := sink.waitMail("the queue's own acknowledgement", to("max.neu@uni-ulm.example"))
	ownText, _ := io.ReadAll(ownAck.Body)
	if subj, _ := new(mime.WordDecoder).DecodeHeader(ownAck.Header.Get("Subject")); !strings.Contains(subj, "Eingang bestätigt: Passwort vergessen") ||
		!strings.Contains(string(ownText), "Hallo Max Neu, Ihr Ticket "+own.Number+" ist da.") || !strings.Contains(string(ownText), "thank you for your message") {
		t.Errorf("the queue's acknowledgement: %q\n%s", subj, ownText)
	}

	// The relay goes away for longer than several attempts: the answer
	// waits, with the relay's error, and leaves once when it is back.
	addr := sink.addr
	sink.stop()
	if _, err := s.desk.Reply(ctx, agent, first.Number, desk.ReplyRequest{RequestKey: "reply-2", Body: "Der Techniker kommt morgen."}); err != nil {
		t.Fatal(err)
	}
	var pending models.MailMessage
	waitFor(t, 30*time.Second, func() bool {
		ms, _ := models.OutMailsOf(ctx, s.db, f.Tenant.ID, first.Number)
		for _, m := range ms {
			if m.Kind == models.OutReply && m.Status == models.OutPending && m.Attempts >= 3 && m.LastError != "" {
				pending = m
				return true
			}
		}
		return false
	})
	t.Logf("during the outage: %d attempts, last error %q", pending.Attempts, pending.LastError)
	sink.start(addr)
	sink.waitMail("answer after the outage", func(m *mail.Message) bool { return m.Header.Get("Message-Id") == "<"+pending.MessageKey+">" })
	waitFor(t, 10*time.Second, func() bool {
		m, _ := models.OutMail(ctx, s.db, pending.ID)
		return m.Status == models.OutSent
	})
	time.Sleep(2 * time.Second)
	if n := sink.count(func(m *mail.Message) bool { return m.Header.Get("Message-Id") == "<"+pending.MessageKey+">" }); n != 1 {
		t.Errorf("the answer held back by the outage arrived %d times", n)
	}
}

// TestNotificationMail: an agent who asked for escalations by mail gets
// one when a ticket is escalated into a queue they may read; the
// notification is marked sent. One who switched a kind off gets none, and
// the notification says why.
func TestNotificationMail(t *testing.T) {
	sink := startSMTPSink(t)
	s := startMailStack(t, sink)
	ctx := context.Background()
	f := s.fixture
	if err := s.db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Update("email", "first.level@kiz.example").Error; err != nil {
		t.Fatal(err)
	}
	agent := desk.AgentPrincipal(f.Agent)
	if err := s.desk.SetNotifyPrefs(ctx, agent, []string{ticket.NotifyEscalation}); err != nil {
		t.Fatal(err)
	}
	v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{RequestKey: "notify-1", CustomerLogin: f.Customer.Login,
		Title: "VPN bricht ab", Body: "Seit heute früh.", QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatal(err)
	}
	second := models.Queue{TenantID: f.Tenant.ID, Name: "Netz & WLAN", Level: models.LevelSecond, Active: true}
	if err := s.db.Create(&second).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.Escalate(ctx, agent, v.Number, desk.EscalateRequest{RequestKey: "notify-2", QueueID: second.ID}); err != nil {
		t.Fatal(err)
	}
	m := sink.waitMail("escalation notification", to("first.level@kiz.example"))
	if m.Header.Get("Auto-Submitted") != "auto-replied" {
		t.Errorf("notification headers: %v", m.Header)
	}
	text, _ := io.ReadAll(m.Body)
	if !strings.Contains(string(text), "/agent/tickets/"+v.Number) {
		t.Errorf("notification text has no link to the ticket:\n%s", text)
	}
	row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, v.Number)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, func() bool {
		ns, _ := models.NotificationsOf(ctx, s.db, row.ID)
		for _, n := range ns {
			if n.Kind == ticket.NotifyEscalation && n.Status == models.NotifySent && n.SentAt != nil {
				return true
			}
		}
		return false
	})
	// The new-ticket notification nobody asked for is skipped, with the
	// reason, and sent nowhere.
	ns, _ := models.NotificationsOf(ctx, s.db, row.ID)
	for _, n := range ns {
		if n.Kind == ticket.NotifyNewTicket && (n.Status != models.NotifySkipped || n.Reason == "") {
			t.Errorf("new-ticket notification nobody wants: %+v", n)
		}
	}
	if n := sink.count(subjectHas("VPN")); n != 1 {
		t.Errorf("%d mails about the ticket, want the one escalation", n)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/smtp"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// mailRaw is a mail as an MTA hands it over, CRLF line ends.
func mailRaw(headers map[string]string, body string) []byte {
	var b strings.Builder
	for _, k := range []string{"From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Auto-Submitted", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"} {
		if v, ok := headers[k]; ok {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("Date: Tue, 01 Dec 2026 09:30:00 +0100\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return []byte(b.String())
}

const printerPDF = "%PDF-1.4 a printer's test page"

// printerMail is a customer's first mail: Latin-1, quoted-printable, with a
// PDF attached.
func printerMail(id string) []byte {
	return mailRaw(map[string]string{
		"From": "=?ISO-8859-1?Q?Erika_M=FCller?= <erika.mueller@uni-ulm.example>", "To": "helpdesk@kiz.example",
		"Subject": "=?ISO-8859-1?Q?Drucker_in_O27_druckt_nicht_=28Gr=FC=DFe=29?=", "Message-ID": "<" + id + ">",
		"MIME-Version": "1.0", "Content-Type": `multipart/mixed; boundary="b1"`,
	}, "--b1\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"+
		"Der Drucker im Raum O27 zeigt =22Papierstau=22, obwohl kein Papier klemmt.\nGr=FC=DFe, Erika\n"+
		"--b1\nContent-Type: application/pdf; name=\"testseite.pdf\"\nContent-Disposition: attachment; filename=\"testseite.pdf\"\n"+
		"Content-Transfer-Encoding: base64\n\n"+"JVBERi0xLjQgYSBwcmludGVyJ3MgdGVzdCBwYWdl\n--b1--\n")
}

// TestMailIngest: mail becomes tickets and follow-ups through the desk, as
// the gateway will hand it over — once however often it comes, threaded
// by the subject's tag or by In-Reply-To, attachments stored once,
// unreadable mail quarantined, and a queue's follow-up policy obeyed.
func TestMailIngest(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	f := s.fixture
	if err := s.db.Model(&models.Queue{}).Where("id = ?", f.Queue.ID).Update("email", "helpdesk@kiz.example").Error; err != nil {
		t.Fatal(err)
	}
	ingest := func(raw []byte) desk.MailResult {
		t.Helper()
		res, err := s.desk.IngestMail(ctx, s.gateway, desk.MailRequest{Raw: raw, Recipient: "Helpdesk@kiz.example"})
		if err != nil {
			t.Fatalf("ingest: %v", err)
		}
		return res
	}
	articles := func(number string) []models.Article {
		t.Helper()
		row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, number)
		if err != nil {
			t.Fatal(err)
		}
		arts, err := models.Articles(ctx, s.db, row.ID)
		if err != nil {
			t.Fatal(err)
		}
		return arts
	}

	// A new mail opens a ticket in the queue of its address, for a
	// customer made from the sender.
	first := ingest(printerMail("printer-1@uni-ulm.example"))
	if first.Outcome != models.MailNewTicket || first.Number == "" || !first.AutoRespond {
		t.Fatalf("first mail: %+v", first)
	}
	row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, first.Number)
	if err != nil {
		t.Fatal(err)
	}
	if row.QueueID != f.Queue.ID || row.Channel != "email" || row.Title != "Drucker in O27 druckt nicht (Grüße)" || row.CustomerName != "Erika Müller" {
		t.Errorf("ticket from mail: queue %d channel %q title %q customer %q", row.QueueID, row.Channel, row.Title, row.CustomerName)
	}
	if arts := articles(first.Number); len(arts) != 1 || arts[0].Kind != string(ticket.ArticleCustomer) || !arts[0].CustomerVisible ||
		!strings.Contains(arts[0].Body, `zeigt "Papierstau"`) || !strings.Contains(arts[0].Body, "Grüße, Erika") {
		t.Errorf("article from mail: %+v", arts)
	}

	// Delivered again: nothing added, the same answer.
	again := ingest(printerMail("printer-1@uni-ulm.example"))
	if !again.Duplicate || again.Number != first.Number {
		t.Errorf("the same mail again: %+v", again)
	}

	// A reply naming the ticket in its subject, and one that only answers
	// our thread (In-Reply-To), both land on the ticket.
	tagged := ingest(mailRaw(map[string]string{"From": "erika.mueller@uni-ulm.example", "To": "helpdesk@kiz.example",
		"Subject": "AW: [Ticket#" + first.Number + "] Drucker", "Message-ID": "<printer-2@uni-ulm.example>"}, "Jetzt blinkt er rot.\n"))
	threaded := ingest(mailRaw(map[string]string{"From": "erika.mueller@uni-ulm.example", "To": "helpdesk@kiz.example",
		"Subject": "Re: Drucker", "Message-ID": "<printer-3@uni-ulm.example>", "In-Reply-To": "<printer-1@uni-ulm.example>"}, "Und piept.\n"))
	// A Message-ID longer than any request key, and with a character no
	// key may hold, still makes one follow-up.
	long := ingest(mailRaw(map[string]string{"From": "erika.mueller@uni-ulm.example", "To": "helpdesk@kiz.example",
		"Subject": "WG: [Ticket#" + first.Number + "]", "Message-ID": "<" + strings.Repeat("x", 400) + "\uffff@uni-ulm.example>"}, "Noch etwas.\n"))
	for _, r := range []desk.MailResult{tagged, threaded, long} {
		if r.Outcome != models.MailFollowUp || r.Number != first.Number {
			t.Errorf("a reply: %+v, want a follow-up to %s", r, first.Number)
		}
	}
	waitFor(t, 30*time.Second, func() bool { return len(articles(first.Number)) == 4 })

	// The same attachment in another mail is stored once.
	other := ingest(printerMail("printer-4@uni-ulm.example"))
	if other.Number == first.Number {
		t.Errorf("a new mail without tag or thread went to the old ticket")
	}
	var n int64
	// By content: other tests on the shared stack store files too.
	s.db.Model(&models.Attachment{}).Where("sha256 = ?", sum([]byte(printerPDF))).Count(&n)
	if n != 1 {
		t.Errorf("the PDF of two mails is stored %d times", n)
	}
	atts, err := models.MailAttachmentsOf(ctx, s.db, f.Tenant.ID, first.Number)
	if err != nil || len(atts) != 1 || atts[0].Filename != "testseite.pdf" {
		t.Errorf("attachments of the ticket: %+v, %v", atts, err)
	}

	// Unreadable mail is kept, with the reason, and acknowledged.
	q := ingest([]byte("this is not a mail\x00\x01 at all"))
	if q.Outcome != desk.MailQuarantined {
		t.Errorf("garbage: %+v", q)
	}
	s.db.Model(&models.MailQuarantine{}).Count(&n)
	if n == 0 {
		t.Errorf("no quarantined mail kept")
	}

	// An auto-reply is taken but never answered automatically.
	auto := ingest(mailRaw(map[string]string{"From": "erika.mueller@uni-ulm.example", "To": "helpdesk@kiz.example",
		"Subject": "Abwesenheitsnotiz", "Message-ID": "<away-1@uni-ulm.example>", "Auto-Submitted": "auto-replied"}, "Bin im Urlaub.\n"))
	if auto.AutoRespond {
		t.Errorf("an auto-reply may be auto-answered: %+v", auto)
	}

	// The same through the API, as an MTA's pipe hands mail over: 201
	// for a new ticket, 200 when it comes again, and an agent's token
	// cannot hand over mail.
	post := func(token string, raw []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/api/v1/mail?recipient=helpdesk%40kiz.example", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "message/rfc822")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	piped := printerMail("printer-pipe@uni-ulm.example")
	if code, body := post(s.gatewayToken, piped); code != http.StatusCreated || !strings.Contains(body, `"outcome":"new ticket"`) {
		t.Errorf("mail through the API: %d %s", code, body)
	}
	if code, body := post(s.gatewayToken, piped); code != http.StatusOK || !strings.Contains(body, `"duplicate":true`) {
		t.Errorf("the same mail through the API again: %d %s", code, body)
	}
	if code, _ := post(s.token, piped); code != http.StatusForbidden {
		t.Errorf("an agent's token handing over mail: %d", code)
	}

	// The queue refuses follow-ups to closed tickets: the mail is kept,
	// the ticket stays closed and gets no article.
	admin := desk.AgentPrincipal(f.Agent)
	if _, err := s.desk.Close(ctx, admin, other.Number, desk.CloseRequest{State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Model(&models.Queue{}).Where("id = ?", f.Queue.ID).Update("follow_up", models.FollowUpReject).Error; err != nil {
		t.Fatal(err)
	}
	defer s.db.Model(&models.Queue{}).Where("id = ?", f.Queue.ID).Update("follow_up", models.FollowUpReopen)
	before := len(articles(other.Number))
	rejected := ingest(mailRaw(map[string]string{"From": "erika.mueller@uni-ulm.example", "To": "helpdesk@kiz.example",
		"Subject": "Re: [Ticket#" + other.Number + "] Drucker", "Message-ID": "<printer-5@uni-ulm.example>"}, "Doch nicht gelöst.\n"))
	if rejected.Outcome != models.MailRejected || len(articles(other.Number)) != before {
		t.Errorf("a follow-up the queue refuses: %+v, %d articles (was %d)", rejected, len(articles(other.Number)), before)
	}
}

// BenchmarkMailIngest: new mails (Latin-1, a PDF attached) through the
// desk's ingest, one after another and from 8 gateways at once: what a
// mail costs from raw bytes to its stored ticket and raw copy.
//
//	go test -run '^$' -bench MailIngest -benchtime 300x .
func BenchmarkMailIngest(b *testing.B) {
	s := benchStack(b)
	run := benchRun()
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			next := make(chan int)
			errs := make(chan error, clients)
			b.ResetTimer()
			began := time.Now()
			for range clients {
				go func() {
					for i := range next {
						_, err := s.desk.IngestMail(context.Background(), s.gateway, desk.MailRequest{
							Raw: printerMail(fmt.Sprintf("bench-%s-%d-%d@uni-ulm.example", run, clients, i)), Recipient: "helpdesk@kiz.example"})
						if err != nil {
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
			b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "mails/s")
		})
	}
}

// TestMailGateway: a mail sent by SMTP to the listener becomes a ticket
// before the MTA hears 250; sent again it adds nothing.
func TestMailGateway(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	addr, stop, err := startMailGateway(ctx, s.desk, s.db, mailConfig{Addr: "127.0.0.1:0", Tenant: s.fixture.Tenant.Slug}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(ctx)
	raw := printerMail("gateway-1@uni-ulm.example")
	for range 2 {
		if err := smtp.SendMail(addr.String(), nil, "erika.mueller@uni-ulm.example", []string{"helpdesk@kiz.example"}, raw); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	m, found, err := models.MailByKey(ctx, s.db, s.fixture.Tenant.ID, models.MailIn, "gateway-1@uni-ulm.example")
	if err != nil || !found || m.Outcome != models.MailNewTicket {
		t.Fatalf("the mail after 250: %+v, %v, %v", m, found, err)
	}
	var n int64
	s.db.Model(&models.Ticket{}).Where("tenant_id = ? AND number = ?", s.fixture.Tenant.ID, m.TicketNumber).Count(&n)
	if n != 1 {
		t.Errorf("ticket %s: %d rows", m.TicketNumber, n)
	}
	s.db.Model(&models.MailMessage{}).Where("message_key = ?", "gateway-1@uni-ulm.example").Count(&n)
	if n != 1 {
		t.Errorf("the mail sent twice is stored %d times", n)
	}
}

// TestMailGatewayOutage: with the database gone the listener answers 451
// and the MTA keeps the mail; delivered again once the database is back,
// it becomes its ticket, once.
func TestMailGatewayOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the database away for half a minute")
	}
	s := startTestStack(t, "sqlite")
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	addr, stop, err := startMailGateway(ctx, s.desk, s.db, mailConfig{Addr: "127.0.0.1:0", Tenant: s.fixture.Tenant.Slug}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(ctx)
	outage := dbtest.NewLock(t, filepath.Join(s.dir, "kizdesk.db"))
	raw := printerMail("outage-1@uni-ulm.example")
	send := func() error {
		return smtp.SendMail(addr.String(), nil, "erika.mueller@uni-ulm.example", []string{"helpdesk@kiz.example"}, raw)
	}
	outage.Begin()
	err = send()
	outage.End()
	if err == nil || !strings.Contains(err.Error(), "451") {
		t.Fatalf("delivery during the outage: %v, want 451 (try again)", err)
	}
	if err := send(); err != nil {
		t.Fatalf("delivery after the outage: %v", err)
	}
	m, found, err := models.MailByKey(ctx, s.db, s.fixture.Tenant.ID, models.MailIn, "outage-1@uni-ulm.example")
	if err != nil || !found || m.TicketNumber == "" {
		t.Fatalf("the mail after the outage: %+v, %v, %v", m, found, err)
	}
	var n int64
	s.db.Model(&models.Ticket{}).Where("tenant_id = ? AND title LIKE ?", s.fixture.Tenant.ID, "Drucker in O27%").Count(&n)
	if n != 1 {
		t.Errorf("%d tickets from the mail delivered twice around the outage", n)
	}
}

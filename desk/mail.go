package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// MailRequest is one mail as the gateway received it: the raw message
// and the address it was delivered to (the envelope recipient, which
// picks the queue).
type MailRequest struct {
	Raw       []byte
	Recipient string
}

// MailResult says what became of a mail: Outcome is one of the models'
// Mail… outcomes, or MailQuarantined; Number the ticket it went to.
// Duplicate is set when the mail had come before and nothing was added.
// AutoRespond tells whether the sender may get an automatic answer (not
// to auto-replies, lists, bounces, our own mail).
type MailResult struct {
	Outcome     string
	Number      string
	Duplicate   bool
	AutoRespond bool
	// Answered: an automatic answer was written (and its delivery
	// started).
	Answered bool
	Problems []string
}

// MailQuarantined: the mail could not be read; it is kept with the reason.
const MailQuarantined = "quarantined"

// IngestMail takes one incoming mail for the tenant of the gateway that
// received it. When it returns nil the mail is stored for good — its
// article, or its raw form in quarantine — and the gateway may
// acknowledge it; on an error it must not, so the mail comes again. The
// same mail coming again (same Message-ID, or the same bytes without one)
// adds nothing and answers as the first time.
//
// A mail naming one of the tenant's tickets (the subject's tag, or
// In-Reply-To/References of a mail of that ticket) is a follow-up to it;
// any other mail opens a ticket in the queue receiving mail at the
// recipient address (the tenant's first 1st-level queue if none does).
// The sender is the customer with that address; an unknown sender becomes
// a customer, with the address as login (or is recorded as external,
// Options.MailExternalSenders).
func (d *Desk) IngestMail(ctx context.Context, p Principal, req MailRequest) (MailResult, error) {
	if p.Kind != ticket.ActorIntegration && p.Kind != ticket.ActorSystem {
		return MailResult{}, ErrForbidden
	}
	msg, err := mailin.Parse(req.Raw, d.opts.Mail)
	var q *mailin.QuarantineError
	if errors.As(err, &q) {
		if err := models.Quarantine(ctx, d.db, p.TenantID, q.Reason, req.Raw); err != nil {
			return MailResult{}, err
		}
		return MailResult{Outcome: MailQuarantined, Problems: []string{q.Reason}}, nil
	}
	if err != nil {
		return MailResult{}, wrapf(err, "read mail")
	}
	key := msg.MessageID
	if key == "" || len(key) > 500 {
		sum := sha256.Sum256(req.Raw)
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	if old, found, err := models.MailByKey(ctx, d.db, p.TenantID, models.MailIn, key); err != nil || found {
		return MailResult{Outcome: old.Outcome, Number: old.TicketNumber, Duplicate: found}, err
	}
	res := MailResult{AutoRespond: msg.Auto == "", Problems: msg.Problems}
	if number, found, err := d.bounce(ctx, p, msg, key); err != nil || found {
		if err != nil {
			return res, err
		}
		res.Outcome, res.Number = models.MailBounce, number
		return res, d.storeMail(ctx, p.TenantID, key, msg, req.Raw, res, nil)
	}
	cust, err := d.mailSender(ctx, p.TenantID, msg.From)
	if err != nil {
		return res, err
	}
	title, body, extra := mailArticle(msg, d.opts.Mail.TagPrefix)
	number, err := d.mailTicket(ctx, p.TenantID, msg)
	if err != nil {
		return res, err
	}
	// The message key, hashed (a Message-ID may be longer than a request
	// key or hold characters a key may not), is the request key of what
	// the mail does, so a crash between the ticket and the stored mail
	// repeats nothing.
	sum := sha256.Sum256([]byte(key))
	requestKey := "mail:" + hex.EncodeToString(sum[:])
	linkTo := ""
	if number != "" {
		// A closed ticket of a queue that refuses follow-ups (the notice
		// goes out with the auto-responses) or opens new tickets instead.
		t, err := models.TicketByNumber(ctx, d.db, p.TenantID, number)
		if err != nil {
			return res, err
		}
		if ticket.State(t.State).Closed() {
			q, err := models.QueueByID(ctx, d.db, p.TenantID, t.QueueID)
			if err != nil {
				return res, err
			}
			switch q.FollowUp {
			case models.FollowUpReject:
				res.Outcome, res.Number = models.MailRejected, number
				return d.finishMail(ctx, p.TenantID, models.AutoReject, key, msg, req.Raw, res, extra, cust)
			case models.FollowUpNew:
				linkTo, number = number, ""
			}
		}
	}
	switch {
	case number != "":
		r, err := d.FollowUp(ctx, p, number, FollowUpRequest{CustomerLogin: cust.Login, Subject: title, Body: body, Key: requestKey})
		if err != nil {
			return res, err
		}
		res.Outcome, res.Number = models.MailFollowUp, r.Number
		if r.NewTicket {
			res.Outcome = models.MailNewTicket
		}
	default:
		queue, err := d.mailQueue(ctx, p.TenantID, req.Recipient)
		if err != nil {
			return res, err
		}
		classes, err := d.classes(ctx)
		if err != nil {
			return res, err
		}
		typ, prio := defaultClass(classes)
		v, err := d.createTicket(ctx, p, CreateTicketRequest{
			RequestKey: requestKey, CustomerLogin: cust.Login, Title: title, Body: body,
			QueueID: queue.ID, TypeID: typ, PriorityID: prio,
		}, func(in *ticket.TicketInput) {
			in.Actor = ticket.Actor{Kind: ticket.ActorCustomer, ID: cust.ID, Name: cust.Name, Via: p.Name}
			in.Article.Kind = ticket.ArticleCustomer
			in.Ticket.Channel = "email"
			in.LinkTo = linkTo
		})
		if err != nil {
			return res, err
		}
		res.Outcome, res.Number = models.MailNewTicket, v.Number
	}
	kind := models.AutoFollowUp
	if res.Outcome == models.MailNewTicket {
		kind = models.AutoNew
	}
	return d.finishMail(ctx, p.TenantID, kind, key, msg, req.Raw, res, extra, cust)
}

// finishMail writes the automatic answer the mail gets (before the mail
// is stored: a mail stored is a mail done, and its re-delivery would not
// answer), stores the mail and starts the answer's delivery.
func (d *Desk) finishMail(ctx context.Context, tenantID int64, kind, key string, msg mailin.Message, raw []byte, res MailResult, extra []models.AttachmentFile, cust models.Customer) (MailResult, error) {
	answer, err := d.autoRespond(ctx, tenantID, kind, msg, key, cust, res.Number)
	if err != nil {
		return res, err
	}
	if err := d.storeMail(ctx, tenantID, key, msg, raw, res, extra); err != nil {
		return res, err
	}
	d.deliverAuto(ctx, answer)
	res.Answered = answer != 0
	return res, nil
}

// storeMail keeps the mail, raw, with what became of it and its
// attachments.
func (d *Desk) storeMail(ctx context.Context, tenantID int64, key string, msg mailin.Message, raw []byte, res MailResult, extra []models.AttachmentFile) error {
	files := extra
	for _, a := range msg.Attachments {
		files = append(files, models.AttachmentFile{Filename: a.Filename, ContentType: a.ContentType, ContentID: a.ContentID, Inline: a.Inline, Data: a.Data})
	}
	row := models.MailMessage{TenantID: tenantID, Direction: models.MailIn, MessageKey: key, TicketNumber: res.Number,
		Outcome: res.Outcome, Sender: msg.From.Email, Subject: truncate(clean(msg.Subject, ticket.Line), 500), AutoKind: string(msg.Auto), Raw: raw}
	_, err := models.StoreMail(ctx, d.db, &row, files)
	return err
}

// mailArticle is the article a mail becomes: its subject (without reply
// prefixes and tag) as title, its text as body. A body beyond an
// article's length is cut, the whole text kept as an attachment; an HTML
// part is kept as an attachment, never shown.
func mailArticle(msg mailin.Message, prefix string) (title, body string, extra []models.AttachmentFile) {
	title = strings.TrimSpace(clean(mailin.CleanSubject(msg.Subject, prefix), ticket.Line))
	if title == "" {
		title = "(no subject)"
	}
	title = truncate(title, ticket.MaxTitleLength)
	body = clean(msg.Text, ticket.Lines)
	if strings.TrimSpace(body) == "" {
		body = "(no text)"
	}
	if len(body) > ticket.MaxArticleLength {
		extra = append(extra, models.AttachmentFile{Filename: "message.txt", ContentType: "text/plain; charset=utf-8", Data: []byte(msg.Text)})
		cut := ticket.MaxArticleLength - 100
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut] + "\n\n[… shortened; the whole text is attached as message.txt]"
	}
	if len(msg.HTML) > 0 {
		extra = append(extra, models.AttachmentFile{Filename: "message.html", ContentType: "text/html; charset=utf-8", Data: msg.HTML})
	}
	return title, body, extra
}

// clean replaces what a text of kind k must not hold (control
// characters a mail may carry) with spaces: a mail is taken, not refused.
func clean(s string, k ticket.TextKind) string {
	return strings.Map(func(r rune) rune {
		if ticket.IsControl(r, k) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// mailTicket returns the tenant's ticket a mail follows up, "" if none:
// the subject's tag first (what OTRS goes by), then the mails it answers.
func (d *Desk) mailTicket(ctx context.Context, tenantID int64, msg mailin.Message) (string, error) {
	if n := msg.TicketNumber; n != "" {
		_, err := models.TicketByNumber(ctx, d.db, tenantID, n)
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, models.ErrNotFound) {
			return "", err
		}
	}
	refs := append([]string{msg.InReplyTo}, msg.References...)
	return models.TicketOfMessages(ctx, d.db, tenantID, refs)
}

// mailQueue is the queue receiving mail at the recipient address, or the
// tenant's first active 1st-level queue.
func (d *Desk) mailQueue(ctx context.Context, tenantID int64, recipient string) (models.Queue, error) {
	q, err := models.QueueByEmail(ctx, d.db, tenantID, recipient)
	if !errors.Is(err, models.ErrNotFound) {
		return q, err
	}
	qs, err := models.Queues(ctx, d.db, tenantID)
	if err != nil {
		return q, err
	}
	for _, q := range qs {
		if q.Level == models.LevelFirst && q.Active {
			return q, nil
		}
	}
	return q, fmt.Errorf("mail to %s: the tenant has no 1st-level queue: %w", recipient, ErrNotFound)
}

// mailSender returns the customer a mail is from: the tenant's customer
// with the address, a kiz account with it, or a new customer.
func (d *Desk) mailSender(ctx context.Context, tenantID int64, from mailin.Address) (models.Customer, error) {
	addr := strings.ToLower(strings.TrimSpace(from.Email))
	if addr == "" {
		addr = "unknown-sender"
	}
	c, err := models.CustomerByEmail(ctx, d.db, tenantID, addr)
	if !errors.Is(err, models.ErrNotFound) {
		return c, err
	}
	if d.opts.Directory != nil {
		// With the directory down the mail waits (the gateway answers
		// "try later"): made up from the sender line now, a kiz account
		// would become a second customer.
		people, err := d.opts.Directory.Search(ctx, addr, 2)
		if err != nil {
			return models.Customer{}, wrapf(err, "look up sender %s in the directory", addr)
		}
		for _, pe := range people {
			if strings.EqualFold(pe.Mail, addr) {
				return d.customerFromDirectory(ctx, tenantID, pe.Login)
			}
		}
	}
	name := strings.TrimSpace(from.Name)
	if name == "" {
		name = addr
	}
	source := models.SourceMail
	if d.opts.MailExternalSenders {
		source = models.SourceExternal
	}
	c = models.Customer{TenantID: tenantID, Login: truncate(addr, ticket.MaxTitleLength), Name: truncate(name, ticket.MaxTitleLength),
		Email: addr, Source: source}
	if err := d.db.WithContext(ctx).Where(models.Customer{TenantID: tenantID, Login: c.Login}).FirstOrCreate(&c).Error; err != nil {
		return c, wrapf(err, "customer %s from mail", addr)
	}
	return c, nil
}

// defaultClass is the type and priority of a ticket nobody classified
// yet: Incident and 3 normal, as OTRS's mail tickets start.
func defaultClass(f FormChoices) (typ, prio int64) {
	for _, t := range f.Types {
		if typ == 0 || t.Name == "Incident" {
			typ = t.ID
			if t.Name == "Incident" {
				break
			}
		}
	}
	for i, p := range f.Priorities {
		if p.Name == "3 normal" || (prio == 0 && i == len(f.Priorities)/2) {
			prio = p.ID
		}
	}
	return typ, prio
}

package desk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// DefaultAutoReplyLimit is how many automatic answers one address gets a
// day at most: two desks (or a desk and a broken autoresponder that
// passes every header test) answering each other stop there.
const DefaultAutoReplyLimit = 10

// autoRespond writes the automatic answer (kind models.AutoNew,
// AutoFollowUp or AutoReject) to a mail, when one is due: never to mail
// that is itself automatic, a list's, a daemon's, our own (mailin tells),
// nor to one of the desk's queue addresses, and at most the daily limit
// per address. It returns the mail to deliver, 0 for none. Written again
// for the same mail (a re-delivery after a crash), it finds the first.
func (d *Desk) autoRespond(ctx context.Context, tenantID int64, kind string, msg mailin.Message, key string, cust models.Customer, number string) (int64, error) {
	cfg := d.opts.MailOut
	if cfg == nil || msg.Auto != mailin.AutoNone || number == "" {
		return 0, nil
	}
	to := msg.From
	if len(msg.ReplyTo) > 0 {
		to = msg.ReplyTo[0]
	}
	addr := strings.ToLower(strings.TrimSpace(to.Email))
	if addr == "" {
		return 0, nil
	}
	if _, err := models.QueueByEmail(ctx, d.db, tenantID, addr); !errors.Is(err, models.ErrNotFound) {
		return 0, err // nil: one of our own addresses
	}
	if strings.EqualFold(addr, cfg.From.Email) {
		return 0, nil
	}
	limit := cfg.AutoReplyLimit
	if limit <= 0 {
		limit = DefaultAutoReplyLimit
	}
	n, err := models.AutoRepliesSince(ctx, d.db, tenantID, addr, d.now().Add(-24*time.Hour))
	if err != nil || n >= int64(limit) {
		return 0, err
	}
	t, err := models.TicketByNumber(ctx, d.db, tenantID, number)
	if err != nil {
		return 0, err
	}
	q, err := models.QueueByID(ctx, d.db, tenantID, t.QueueID)
	if err != nil {
		return 0, err
	}
	subject, body, err := d.autoText(ctx, tenantID, q.ID, kind, cust.Language, map[string]any{
		"Number": number, "Title": t.Title, "Queue": q.Name, "Customer": cust.Name,
	})
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	outKind := models.OutAutoReply
	if kind == models.AutoReject {
		outKind = models.OutReject
	}
	id, err := cfg.Write(ctx, d.db, outbox.Mail{
		TenantID: tenantID, Kind: outKind, TicketNumber: number, Key: "auto-" + hex.EncodeToString(sum[:8]),
		From: cfg.FromOf(q), To: mailin.Address{Name: to.Name, Email: addr}, Subject: subject, Text: body,
		InReplyTo: msg.MessageID, At: d.now(), Auto: true,
	})
	if err != nil {
		return 0, wrapf(err, "automatic answer to %s", addr)
	}
	return id, nil
}

// autoText is the subject and text of an automatic answer: the queue's
// (or tenant's) own text in the customer's language, else the built-in
// one. A customer whose language is not known gets German and English.
func (d *Desk) autoText(ctx context.Context, tenantID, queueID int64, kind, lang string, data map[string]any) (string, string, error) {
	langs := []string{"de", "en"}
	if lang == "de" || lang == "en" {
		langs = []string{lang}
	}
	var subjects, bodies []string
	for _, l := range langs {
		r, found, err := models.AutoResponseFor(ctx, d.db, tenantID, queueID, kind, l)
		if err != nil {
			return "", "", err
		}
		if found {
			subjects = append(subjects, fill(r.Subject, data))
			bodies = append(bodies, fill(r.Body, data))
			continue
		}
		loc := d.opts.MailOut.Texts.For(l)
		args := make([]any, 0, 2*len(data))
		for k, v := range data {
			args = append(args, k, v)
		}
		subjects = append(subjects, loc.Text("auto."+kind+".subject", args...))
		bodies = append(bodies, loc.Text("auto."+kind+".body", args...))
	}
	return subjects[0], strings.Join(bodies, "\n--- English version ---\n\n"), nil
}

// fill puts the values into an admin's text ({{.Number}}, {{.Title}},
// {{.Queue}}, {{.Customer}}); a text that is not a valid template is sent
// as it is, rather than not at all.
func fill(text string, data map[string]any) string {
	tpl, err := template.New("auto").Option("missingkey=zero").Parse(text)
	if err != nil {
		return text
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, data); err != nil {
		return text
	}
	return b.String()
}

// bounce records a delivery report for one of the desk's mails: the mail
// becomes bounced, and the ticket gets an internal note saying who did
// not get it and why. found is false when the report is about no mail of
// the desk's.
func (d *Desk) bounce(ctx context.Context, p Principal, msg mailin.Message, key string) (string, bool, error) {
	b := msg.Bounce
	if b == nil || b.OriginalMessageID == "" {
		return "", false, nil
	}
	var why []string
	for _, r := range b.Failed() {
		why = append(why, strings.TrimSpace(fmt.Sprintf("%s: %s %s", r.Recipient, r.Status, r.Diagnostic)))
	}
	if len(why) == 0 {
		return "", false, nil // delayed or delivered: nothing failed yet
	}
	reason := strings.Join(why, "; ")
	m, found, err := models.MarkBounced(ctx, d.db, p.TenantID, b.OriginalMessageID, reason, d.now())
	if err != nil || !found || m.TicketNumber == "" {
		return m.TicketNumber, found, err
	}
	sum := sha256.Sum256([]byte(key))
	in := ticket.AddNoteInput{Article: ticket.ArticleInput{
		Kind: ticket.ArticleInternalNote, Subject: "Mail not delivered",
		Body: truncate(clean(fmt.Sprintf("The mail %q (%s) could not be delivered:\n%s", m.Subject, b.OriginalMessageID, strings.Join(why, "\n")), ticket.Lines), ticket.MaxArticleLength),
	}}
	sys := SystemPrincipal(p.TenantID)
	_, err = d.update(ctx, m.TicketNumber, ticket.ActionNote, withRequest(in, sys, "bounce:"+hex.EncodeToString(sum[:16]), ticket.ActionNote, nil))
	var refusedNote *RejectedError
	if errors.As(err, &refusedNote) {
		// A ticket merged away takes no note: the mail's row says it
		// bounced, which is what counts.
		err = nil
	}
	return m.TicketNumber, true, err
}

// deliverAuto starts the delivery of an automatic answer. A start that
// fails is not the mail's problem — the answer is stored, and the
// sweeper starts its delivery a little later.
func (d *Desk) deliverAuto(ctx context.Context, id int64) {
	if id == 0 || d.opts.MailOut == nil || d.tc == nil {
		return
	}
	_ = d.opts.MailOut.Deliver(ctx, d.tc, id)
}

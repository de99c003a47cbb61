package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/activities"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/mailout"
	"github.com/kiz-ulm/kizdesk/mailpoll"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// mailOutConfig is how the desk's mail looks and leaves (KIZDESK_MAIL_FROM,
// KIZDESK_SMTP_*, …).
type mailOutConfig struct {
	Out outbox.Config
	// Sender hands mail to the relay; nil: none configured (mail waits).
	Sender mailout.Sender
	// Captured: Sender keeps mail instead of sending it (dev).
	Captured bool
	// ExternalSenders: unknown senders are recorded as external, not made
	// customers.
	ExternalSenders bool
	// OwnAddresses are the desk's addresses besides the queues' and From:
	// mail from them is never answered.
	OwnAddresses []string
}

// mailOutConfigOf reads the outgoing-mail settings. Dev without a relay
// captures its mail (the Outbox page shows it); the worker without one
// keeps mail waiting, with the reason on the Outbox page.
func mailOutConfigOf(v values, dev bool, baseURL string) (*mailOutConfig, error) {
	from, err := mail.ParseAddress(v.get("KIZDESK_MAIL_FROM"))
	if err != nil {
		return nil, fmt.Errorf("KIZDESK_MAIL_FROM: %q is not an address like kizdesk@kiz.uni-ulm.de: %w", v.get("KIZDESK_MAIL_FROM"), err)
	}
	domain := strings.TrimSpace(v.get("KIZDESK_MAIL_DOMAIN"))
	if domain == "" {
		domain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	}
	limit, err := strconv.Atoi(v.get("KIZDESK_MAIL_AUTOREPLY_LIMIT"))
	if err != nil || limit < 0 {
		return nil, fmt.Errorf("KIZDESK_MAIL_AUTOREPLY_LIMIT: %q is not a count", v.get("KIZDESK_MAIL_AUTOREPLY_LIMIT"))
	}
	retry, err := time.ParseDuration(v.get("KIZDESK_MAIL_RETRY_MAX"))
	if err != nil || retry < time.Second {
		return nil, fmt.Errorf("KIZDESK_MAIL_RETRY_MAX: %q is not a duration of at least 1s", v.get("KIZDESK_MAIL_RETRY_MAX"))
	}
	texts, err := i18n.New()
	if err != nil {
		return nil, err
	}
	if u := strings.TrimSpace(v.get("KIZDESK_BASE_URL")); u != "" {
		baseURL = u
	}
	var external bool
	switch v.get("KIZDESK_MAIL_UNKNOWN_SENDERS") {
	case "customer", "":
	case "external":
		external = true
	default:
		return nil, fmt.Errorf("KIZDESK_MAIL_UNKNOWN_SENDERS: %q is not customer or external", v.get("KIZDESK_MAIL_UNKNOWN_SENDERS"))
	}
	own := []string{strings.ToLower(from.Address)}
	for _, a := range strings.FieldsFunc(v.get("KIZDESK_MAIL_OWN_ADDRESSES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		own = append(own, strings.ToLower(a))
	}
	c := &mailOutConfig{ExternalSenders: external, OwnAddresses: own, Out: outbox.Config{
		From: mailin.Address{Name: from.Name, Email: from.Address}, Domain: domain,
		TagPrefix: v.get("KIZDESK_MAIL_TAG_PREFIX"), Loop: from.Address, RetryMax: retry,
		AutoReplyLimit: limit, BaseURL: baseURL, Texts: texts,
	}}
	addr := strings.TrimSpace(v.get("KIZDESK_SMTP_ADDR"))
	if addr == "" {
		if dev {
			c.Sender, c.Captured = mailout.NewCapture(0), true
		}
		return c, nil
	}
	cfg := mailout.Config{Addr: addr, Username: v.get("KIZDESK_SMTP_USER"), Password: v.get("KIZDESK_SMTP_PASSWORD")}
	switch v.get("KIZDESK_SMTP_MODE") {
	case "starttls", "":
		cfg.Mode = mailout.ModeSTARTTLS
	case "smtps":
		cfg.Mode = mailout.ModeSMTPS
	case "plain":
		cfg.Mode = mailout.ModePlain
	default:
		return nil, fmt.Errorf("KIZDESK_SMTP_MODE: %q is not starttls, smtps or plain", v.get("KIZDESK_SMTP_MODE"))
	}
	if f := v.get("KIZDESK_SMTP_CA_FILE"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_SMTP_CA_FILE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("KIZDESK_SMTP_CA_FILE: %s holds no PEM certificate", f)
		}
		cfg.TLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	s, err := mailout.NewSender(cfg)
	if err != nil {
		return nil, fmt.Errorf("KIZDESK_SMTP_*: %w", err)
	}
	c.Sender = s
	return c, nil
}

// activitiesMail is what the worker's activities send mail with; nil
// when mail is off.
func (c *mailOutConfig) activitiesMail(starter outbox.Starter) *activities.Mail {
	if c == nil {
		return nil
	}
	return &activities.Mail{Config: c.Out, Sender: c.Sender, Starter: starter}
}

// sweepInterval is how often the sweeper looks for mail whose delivery
// did not start (the desk wrote an automatic answer, then Temporal was
// away): such mail leaves at most about this much later.
const sweepInterval = 30 * time.Second

// startMailSweeper starts, every sweepInterval, the delivery of mail still
// pending a minute after it was written. Starting a delivery that runs
// already does nothing, so several sweepers (one per worker) are
// harmless.
func startMailSweeper(db *gorm.DB, starter outbox.Starter, cfg *mailOutConfig, log *slog.Logger) (stop func()) {
	if cfg == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(sweepInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := sweepMail(ctx, db, starter, cfg.Out, time.Now().Add(-time.Minute)); err != nil && ctx.Err() == nil {
				log.Warn("mail sweeper", "err", err)
			}
		}
	})
	return func() { cancel(); wg.Wait() }
}

// sweepMail starts the delivery of the mail pending since before the
// given time.
func sweepMail(ctx context.Context, db *gorm.DB, starter outbox.Starter, cfg outbox.Config, before time.Time) error {
	ms, err := models.PendingOutMails(ctx, db, before, 500)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := cfg.Deliver(ctx, starter, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// startIMAPPollers polls each mailbox of KIZDESK_IMAP (space-separated
// imaps:// URLs) and hands its mail to the desk; a mail is marked in the
// mailbox only once the desk stored it.
func startIMAPPollers(ctx context.Context, d *desk.Desk, db *gorm.DB, urls, tenantSlug string, log *slog.Logger) (stop func(), err error) {
	fields := strings.Fields(urls)
	if len(fields) == 0 {
		return func() {}, nil
	}
	tenant, err := models.TenantBySlug(ctx, db, tenantSlug)
	if err != nil {
		return nil, fmt.Errorf("KIZDESK_MAIL_TENANT %q: %w", tenantSlug, err)
	}
	gateway := desk.Principal{Kind: ticket.ActorIntegration, TenantID: tenant.ID, Name: "IMAP poller"}
	var pollers []*mailpoll.Poller
	for i, u := range fields {
		cfg, err := mailpoll.ParseURL(u)
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_IMAP, mailbox %d: %w", i+1, err)
		}
		// The poller adds server, user and mailbox to its own lines.
		cfg.Logger = log.With("component", "imap")
		p, err := mailpoll.New(cfg, mailpoll.HandlerFunc(func(ctx context.Context, m mailpoll.Delivery) error {
			res, err := d.IngestMail(ctx, gateway, desk.MailRequest{Raw: m.Raw, Recipient: m.Recipient})
			if err != nil {
				return err // left in the mailbox, taken next round
			}
			cfg.Logger.Info("mail taken", "mailbox", cfg.Username+"@"+cfg.Addr+"/"+m.Mailbox, "uid", m.UID, "outcome", res.Outcome, "ticket", res.Number, "again", res.Duplicate)
			return nil
		}))
		if err != nil {
			return nil, fmt.Errorf("KIZDESK_IMAP, mailbox %d: %w", i+1, err)
		}
		pollers = append(pollers, p)
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, p := range pollers {
		wg.Go(func() { _ = p.Run(pctx) })
	}
	return func() { cancel(); wg.Wait() }, nil
}

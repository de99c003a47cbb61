package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/mailgate"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// mailConfig is the SMTP/LMTP listener the MTA delivers the desk's mail
// to (KIZDESK_MAIL_*).
type mailConfig struct {
	Addr        string // "" = off
	LMTP        bool
	Tenant      string // slug of the tenant the mail is for
	AllowedNets []netip.Prefix
}

// mailConfigOf reads the KIZDESK_MAIL_* settings; dev listens on a
// loopback port unless told otherwise, web only when KIZDESK_MAIL_ADDR is
// set.
func mailConfigOf(v values, devDefault string) (mailConfig, error) {
	c := mailConfig{Addr: strings.TrimSpace(v.get("KIZDESK_MAIL_ADDR")), Tenant: v.get("KIZDESK_MAIL_TENANT")}
	switch c.Addr {
	case "":
		c.Addr = devDefault
	case "off":
		c.Addr = ""
	}
	var err error
	if c.LMTP, err = v.bool("KIZDESK_MAIL_LMTP"); err != nil {
		return c, err
	}
	for _, n := range strings.FieldsFunc(v.get("KIZDESK_MAIL_ALLOWED_NETS"), func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			return c, fmt.Errorf("KIZDESK_MAIL_ALLOWED_NETS: %q is not a network like 10.0.0.0/8: %w", n, err)
		}
		c.AllowedNets = append(c.AllowedNets, p)
	}
	return c, nil
}

// startMailGateway listens for mail and hands each one to the desk, which
// stores it before the MTA hears 250. It returns the address it listens
// on and a stop that lets deliveries in flight finish. Off (cfg.Addr
// empty): nothing, and a stop that does nothing.
func startMailGateway(ctx context.Context, d *desk.Desk, db *gorm.DB, cfg mailConfig, logger *slog.Logger) (net.Addr, func(context.Context), error) {
	if cfg.Addr == "" {
		return nil, func(context.Context) {}, nil
	}
	tenant, err := models.TenantBySlug(ctx, db, cfg.Tenant)
	if err != nil {
		return nil, nil, fmt.Errorf("KIZDESK_MAIL_TENANT %q: %w", cfg.Tenant, err)
	}
	gateway := desk.Principal{Kind: ticket.ActorIntegration, TenantID: tenant.ID, Name: "mail gateway"}
	srv, err := mailgate.New(mailgate.Config{
		LMTP: cfg.LMTP, Domain: "kizdesk", AllowedNets: cfg.AllowedNets,
		// The MTA decides which addresses are the desk's; mail to an
		// address no queue has goes to the tenant's 1st-level queue.
		Recipients: func(string) bool { return true },
		ErrorLog:   log.New(&slogWriter{logger}, "", 0),
	}, mailgate.HandlerFunc(func(ctx context.Context, m mailgate.Delivery) error {
		res, err := d.IngestMail(ctx, gateway, desk.MailRequest{Raw: m.Raw, Recipient: m.To[0]})
		if err != nil {
			logger.Warn("mail not taken, the MTA will deliver it again", "from", m.From, "err", err)
			return err // temporary: 451
		}
		logger.Info("mail taken", "from", m.From, "to", m.To[0], "outcome", res.Outcome, "ticket", res.Number, "again", res.Duplicate)
		return nil
	}))
	if err != nil {
		return nil, nil, fmt.Errorf("mail gateway: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("mail gateway: listen on %s (set KIZDESK_MAIL_ADDR to another host:port, or to off): %w", cfg.Addr, err)
	}
	go func() {
		if err := srv.Serve(context.WithoutCancel(ctx), ln); err != nil {
			logger.Debug("mail gateway stopped", "err", err)
		}
	}()
	stop := func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			logger.Warn("mail gateway: shutdown", "err", err)
		}
	}
	return ln.Addr(), stop, nil
}

// slogWriter lets the SMTP server's log lines go to the structured log.
type slogWriter struct{ log *slog.Logger }

func (w *slogWriter) Write(p []byte) (int, error) {
	w.log.Warn("mail gateway", "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}

package desk

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/outbox"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Password resets of local customer accounts: a link by mail, valid for
// an hour and once. kiz accounts change their password in the directory,
// never here.

// resetValidity is how long a reset link works.
const resetValidity = time.Hour

// resetLoginKey counts reset requests apart from logins, so asking for
// links cannot lock anyone out, and mail to one address stays bounded.
func resetLoginKey(login string) string { return loginKey("reset\x00" + login) }

// RequestPasswordReset mails a reset link to the local customer account
// with the login, if there is one with a mail address; nothing otherwise.
// The answer is the same either way, so nobody learns which logins exist;
// past the login throttle's limits no mail is sent either.
func (d *Desk) RequestPasswordReset(ctx context.Context, login, client string) error {
	login = strings.TrimSpace(login)
	if _, bad := ticket.CheckText(login, ticket.Line, maxLoginLength); bad || login == "" {
		return FieldErrors{"login": ticket.P(ticket.FieldRequired)}
	}
	now, th := d.now(), d.opts.LoginThrottle
	key := resetLoginKey(login)
	id, err := models.RecordLoginAttempt(ctx, d.db, key, clientKey(client), now, now.Add(-th.Window), cleanupBatch)
	if err != nil {
		return wrapf(err, "password reset")
	}
	if wait, err := d.throttled(ctx, key, "", id, now); err != nil || wait > 0 {
		return wrapf(err, "password reset")
	}
	cs, err := models.CustomersByLogin(ctx, d.db, login)
	if err != nil {
		return err
	}
	cfg := d.opts.MailOut
	for _, c := range cs {
		if c.Source == models.SourceLDAP || !c.Active || strings.TrimSpace(c.Email) == "" || cfg == nil {
			continue
		}
		token := NewSessionToken()
		if err := models.StartPasswordReset(ctx, d.db, token, c.ID, now, now.Add(resetValidity), now.Add(-24*time.Hour), cleanupBatch); err != nil {
			return err
		}
		link := strings.TrimRight(cfg.BaseURL, "/") + "/portal/password-reset/" + token
		langs := []string{"de", "en"}
		if c.Language == "de" || c.Language == "en" {
			langs = []string{c.Language}
		}
		var subject string
		var bodies []string
		for _, l := range langs {
			loc := cfg.Texts.For(l)
			if subject == "" {
				subject = loc.Text("mail.portal_reset.subject")
			}
			bodies = append(bodies, loc.Text("mail.portal_reset.body", "Name", c.Name, "Link", link,
				"Minutes", strconv.Itoa(int(resetValidity.Minutes()))))
		}
		mailID, err := cfg.Write(ctx, d.db, outbox.Mail{
			TenantID: c.TenantID, Kind: models.OutPasswordReset, Key: "reset-" + models.HashToken(token)[:16],
			To: mailin.Address{Name: c.Name, Email: c.Email}, Subject: subject,
			Text: strings.Join(bodies, "\n--- English version ---\n\n"), At: now, Auto: true,
		})
		if err != nil {
			return wrapf(err, "password reset mail to customer %d", c.ID)
		}
		d.deliverAuto(ctx, mailID)
	}
	return nil
}

// CheckPasswordReset tells whether a reset token is good (unused, not
// expired): ErrNotFound otherwise.
func (d *Desk) CheckPasswordReset(ctx context.Context, token string) error {
	if !validToken(token) {
		return ErrNotFound
	}
	_, err := models.PasswordResetCustomer(ctx, d.db, token, d.now())
	return err
}

// ResetPassword sets a new portal password with a reset token, once; the
// customer's portal sessions end. ErrNotFound for a token not (or no
// longer) good; field errors for a password too short.
func (d *Desk) ResetPassword(ctx context.Context, token, password string) error {
	if !validToken(token) {
		return ErrNotFound
	}
	fe := FieldErrors{}
	if p, bad := ticket.CheckText(password, ticket.Line, maxNewCustomerPassword); bad {
		fe["password"] = p
	} else if utf8.RuneCountInString(password) < minCustomerPassword {
		fe["password"] = ticket.P(FieldPasswordShort, "Min", strconv.Itoa(minCustomerPassword))
	}
	if len(fe) > 0 {
		return fe
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return wrapf(err, "hash password")
	}
	_, err = models.ResetPassword(ctx, d.db, token, string(hash), d.now())
	if errors.Is(err, models.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// A customer's new password: as long as an agent's must be.
const (
	minCustomerPassword    = minPassword
	maxNewCustomerPassword = maxNewPassword
)

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/directory"
	"github.com/kiz-ulm/kizdesk/directory/slapdtest"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestKizAccountsAsCustomers: a kiz account the desk has never seen is
// named on a phone ticket, or writes a mail: it becomes the ticket's
// customer with its name from the directory — one customer, whichever
// way it came first.
func TestKizAccountsAsCustomers(t *testing.T) {
	slapd := slapdtest.Start(t)
	s := sharedStack(t, "sqlite", nil)
	ctx := context.Background()
	f := s.fixture
	dir, err := directory.New(directory.Config{
		URLs: []string{slapd.LDAPURL}, BindDN: slapdtest.ServiceDN, BindPassword: slapdtest.ServicePassword,
		BaseDN: slapdtest.People, UserFilter: slapdtest.UserFilter, GroupBaseDN: slapdtest.Groups, Timeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(s.db, s.client, desk.Options{Location: time.UTC, Directory: dir})
	v, err := d.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), desk.CreateTicketRequest{CustomerLogin: "amueller",
		Title: "WLAN im Hörsaal", Body: "eduroam verbindet nicht.", QueueID: f.Queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
	if err != nil {
		t.Fatalf("a phone ticket for a kiz account: %v", err)
	}
	if phone, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, v.Number); err != nil || phone.CustomerName != "Anna Müller" {
		t.Errorf("customer of the phone ticket: %q, %v", phone.CustomerName, err)
	}
	res, err := d.IngestMail(ctx, s.gateway, desk.MailRequest{Recipient: "helpdesk@kiz.example", Raw: mailRaw(map[string]string{
		"From": "Anna <Anna.Mueller@uni-ulm.example>", "To": "helpdesk@kiz.example", "Subject": "Noch eine Frage",
		"Message-ID": "<anna-1@uni-ulm.example>"}, "Wie verbinde ich mich mit dem VPN?\n")})
	if err != nil {
		t.Fatal(err)
	}
	row, err := models.TicketByNumber(ctx, s.db, f.Tenant.ID, res.Number)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	s.db.Model(&models.Customer{}).Where("tenant_id = ? AND email = ?", f.Tenant.ID, "anna.mueller@uni-ulm.example").Count(&n)
	if row.CustomerLogin != "amueller" || n != 1 {
		t.Errorf("the mail's customer: %q, %d customers with the address", row.CustomerLogin, n)
	}
	// A kiz account whose first contact is a mail is taken from the
	// directory too, not made up from the sender line.
	res, err = d.IngestMail(ctx, s.gateway, desk.MailRequest{Recipient: "helpdesk@kiz.example", Raw: mailRaw(map[string]string{
		"From": "B. M. <bernd.mueller@uni-ulm.example>", "To": "helpdesk@kiz.example", "Subject": "Passwort vergessen",
		"Message-ID": "<bernd-1@uni-ulm.example>"}, "Bitte zurücksetzen.\n")})
	if err != nil {
		t.Fatal(err)
	}
	if row, err = models.TicketByNumber(ctx, s.db, f.Tenant.ID, res.Number); err != nil || row.CustomerLogin != "bmueller" || row.CustomerName != "Bernd Müller" {
		t.Errorf("customer of a first mail: %q %q, %v", row.CustomerLogin, row.CustomerName, err)
	}

	// The directory goes down: a mail from a sender nobody knows waits
	// (the gateway answers "try later") rather than making a second
	// customer of a kiz account; a known sender's mail still goes in.
	downDir, err := directory.New(directory.Config{URLs: []string{fmt.Sprintf("ldap://127.0.0.1:%d", slapdtest.FreePort(t))},
		BaseDN: slapdtest.People, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	down := desk.New(s.db, s.client, desk.Options{Location: time.UTC, Directory: downDir})
	clara := mailRaw(map[string]string{"From": "clara.mueller@uni-ulm.example", "To": "helpdesk@kiz.example", "Subject": "Drucker",
		"Message-ID": "<clara-1@uni-ulm.example>"}, "Hallo.\n")
	if _, err := down.IngestMail(ctx, s.gateway, desk.MailRequest{Raw: clara}); err == nil {
		t.Errorf("a mail from an unknown sender with the directory down was taken")
	}
	if _, found, _ := models.MailByKey(ctx, s.db, f.Tenant.ID, models.MailIn, "clara-1@uni-ulm.example"); found {
		t.Errorf("the mail that must wait was stored")
	}
	if _, err := down.IngestMail(ctx, s.gateway, desk.MailRequest{Raw: mailRaw(map[string]string{"From": "anna.mueller@uni-ulm.example",
		"To": "helpdesk@kiz.example", "Subject": "Nachtrag", "Message-ID": "<anna-2@uni-ulm.example>"}, "Noch was.\n")}); err != nil {
		t.Errorf("a known sender's mail with the directory down: %v", err)
	}
	// Back up: the waiting mail goes in, from the kiz account.
	if res, err = d.IngestMail(ctx, s.gateway, desk.MailRequest{Raw: clara}); err != nil {
		t.Fatal(err)
	}
	if row, err = models.TicketByNumber(ctx, s.db, f.Tenant.ID, res.Number); err != nil || row.CustomerLogin != "cmueller" {
		t.Errorf("the waiting mail's customer: %q, %v", row.CustomerLogin, err)
	}
}

package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
)

// demoFAQ is an FAQ entry of the demo, matching the demo tickets'
// subjects (Exchange/Outlook, VPN, password), so typing "Outlook" in the
// portal suggests one.
type demoFAQ struct {
	service    string
	visibility models.FAQVisibility
	text       models.FAQText
}

var faqs = []demoFAQ{
	{"E-Mail & Kalender::Exchange", models.FAQPublic, models.FAQText{
		TitleDE: "Outlook synchronisiert den Kalender nicht", QuestionDE: "Neue Termine erscheinen nicht auf dem Smartphone oder in Outlook.",
		AnswerDE: "Outlook schließen und neu starten. Hilft das nicht: In den Kontoeinstellungen das Exchange-Konto entfernen und neu hinzufügen (Server: outlook.uni-ulm.example).",
		TitleEN:  "Outlook does not sync the calendar", QuestionEN: "New appointments do not appear on the phone or in Outlook.",
		AnswerEN: "Close and restart Outlook. If that does not help, remove the Exchange account in the account settings and add it again (server: outlook.uni-ulm.example)."}},
	{"Netz & WLAN::VPN", models.FAQPublic, models.FAQText{
		TitleDE: "VPN einrichten", QuestionDE: "Wie komme ich von zu Hause ins Uni-Netz?",
		AnswerDE: "Den VPN-Client installieren, als Server vpn.uni-ulm.example eintragen und mit dem kiz-Account anmelden.",
		TitleEN:  "Setting up the VPN", QuestionEN: "How do I reach the university network from home?",
		AnswerEN: "Install the VPN client, enter vpn.uni-ulm.example as the server and log in with your kiz account."}},
	{"Accounts & IDM::Passwort", models.FAQCustomer, models.FAQText{
		TitleDE: "Passwort vergessen", QuestionDE: "Ich komme mit meinem kiz-Passwort nicht mehr ins IDM.",
		AnswerDE: "Im IDM-Portal „Passwort vergessen“ wählen; ohne hinterlegte Ersatzadresse schickt das kiz einen Rücksetzbrief an Ihre Postanschrift.",
		TitleEN:  "Forgotten password", QuestionEN: "My kiz password no longer gets me into the IDM.",
		AnswerEN: "Choose “Forgot password” in the IDM portal; without a recovery address the kiz sends a reset letter to your postal address."}},
	{"E-Mail & Kalender::Exchange", models.FAQInternal, models.FAQText{
		TitleDE: "Outlook-Sync: Postfach auf dem Exchange-Server prüfen", QuestionDE: "Kalender synchronisiert bei mehreren Nutzern nicht.",
		AnswerDE: "In der Exchange-Verwaltung die Postfachdatenbank prüfen; hängt ActiveSync, den Dienst auf dem Mailbox-Server neu starten (Change nötig).",
		TitleEN:  "Outlook sync: check the mailbox on the Exchange server", QuestionEN: "Calendars of several users do not sync.",
		AnswerEN: "Check the mailbox database in Exchange admin; if ActiveSync hangs, restart the service on the mailbox server (needs a change)."}},
}

// seedFAQ gives the demo tenant its FAQ entries, published, and the FAQ
// rights: the helpdesk agent writes, the admin publishes (admins may do
// both anyway). Entries exist once: a second start adds none.
func seedFAQ(ctx context.Context, db *gorm.DB) error {
	kiz, err := models.TenantBySlug(ctx, db, "kiz")
	if err != nil {
		return err
	}
	var n int64
	if err := db.WithContext(ctx).Model(&models.FAQEntry{}).Where("tenant_id = ?", kiz.ID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	author, err := models.AgentByLogin(ctx, db, "helpdesk")
	if err != nil {
		return err
	}
	role, err := models.RoleByName(ctx, db, kiz.ID, "1st level")
	if err != nil {
		return err
	}
	if err := models.GrantFAQPerm(ctx, db, role.ID, models.FAQPermEdit); err != nil {
		return err
	}
	services, err := models.Services(ctx, db, kiz.ID)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	for _, f := range faqs {
		e := models.FAQEntry{TenantID: kiz.ID, Visibility: f.visibility, State: models.FAQPublished, Version: 1, FAQText: f.text,
			AuthorID: author.ID, EditorID: author.ID, PublishedAt: &now, CreatedAt: now, UpdatedAt: now}
		for _, s := range services {
			if s.Name == f.service {
				e.ServiceID = &s.ID
			}
		}
		v := models.FAQVersion{Version: 1, AgentID: author.ID, AgentName: author.Name, Action: "created", ServiceID: e.ServiceID,
			Visibility: e.Visibility, FAQText: e.FAQText, CreatedAt: now}
		if err := models.SaveFAQ(ctx, db, &e, v, 0); err != nil {
			return fmt.Errorf("FAQ %q: %w", f.text.TitleDE, err)
		}
	}
	return nil
}

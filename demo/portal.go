package demo

import (
	"context"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
)

// PortalLogin is the demo customer who logs into the customer portal
// (/portal) with Password.
const PortalLogin = "mmuster"

// portalServices describe the demo services the portal offers, in plain
// words; the others stay the agents' (a service without a portal
// description is not offered there).
var portalServices = map[string][2]string{
	"E-Mail & Kalender::Exchange": {"Ihr Postfach und Kalender (Outlook, Webmail, Smartphone): Mails kommen nicht an, der Kalender synchronisiert nicht.",
		"Your mailbox and calendar (Outlook, webmail, phone): mail does not arrive, the calendar does not sync."},
	"E-Mail & Kalender::Mailinglisten": {"Eine Mailingliste einrichten, ändern oder auflösen.",
		"Set up, change or close a mailing list."},
	"Netz & WLAN::eduroam": {"WLAN auf dem Campus (eduroam): keine Verbindung, Einrichtung auf neuen Geräten.",
		"Wi-Fi on campus (eduroam): no connection, setting up a new device."},
	"Netz & WLAN::VPN": {"Von außen ins Uni-Netz (VPN): Verbindung bricht ab oder kommt nicht zustande.",
		"Reaching the university network from outside (VPN): the connection fails or drops."},
	"Accounts & IDM::Passwort": {"Passwort vergessen oder Account gesperrt.",
		"Forgotten password or locked account."},
}

// seedPortal gives the demo customer mmuster the demo password and the
// demo services their portal descriptions, where they have none yet — so
// a demo database from before the portal gets them too.
func seedPortal(ctx context.Context, db *gorm.DB) error {
	kiz, err := models.TenantBySlug(ctx, db, "kiz")
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&models.Customer{}).Where("tenant_id = ? AND login = ? AND password_hash = ''", kiz.ID, PortalLogin).
			Update("password_hash", string(hash)).Error; err != nil {
			return err
		}
		for name, d := range portalServices {
			if err := tx.Model(&models.Service{}).
				Where("tenant_id = ? AND name = ? AND portal_description_de = '' AND portal_description_en = ''", kiz.ID, name).
				Updates(map[string]any{"portal_description_de": d[0], "portal_description_en": d[1]}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

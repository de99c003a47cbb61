package demo

import (
	"testing"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestDemoFAQ: typing "Outlook" suggests the demo's public Outlook entry,
// never the internal one to a customer; the password entry is the
// customers'; seeding again adds nothing.
func TestDemoFAQ(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		if err := SeedCatalogue(ctx, db); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := seedFAQ(ctx, db); err != nil {
				t.Fatal(err)
			}
		}
		var n int64
		db.Model(&models.FAQEntry{}).Count(&n)
		if n != int64(len(faqs)) {
			t.Errorf("%d entries after two seeds, want %d", n, len(faqs))
		}
		d := desk.New(db, nil, desk.Options{})
		var c models.Customer
		if err := db.Where("login = ?", "mmuster").Take(&c).Error; err != nil {
			t.Fatal(err)
		}
		sugg, err := d.SuggestFAQ(ctx, desk.CustomerPrincipal(c), "Outlook zeigt keine neuen Termine", "de")
		if err != nil || len(sugg) != 1 || sugg[0].Title != "Outlook synchronisiert den Kalender nicht" {
			t.Errorf("suggestions for Outlook: %+v, %v", sugg, err)
		}
		visitor, err := d.Visitor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if sugg, _ := d.SuggestFAQ(ctx, visitor, "Passwort vergessen", "de"); len(sugg) != 0 {
			t.Errorf("a visitor is suggested the customers' entry: %+v", sugg)
		}
		if sugg, _ := d.SuggestFAQ(ctx, desk.CustomerPrincipal(c), "password", "en"); len(sugg) != 1 || sugg[0].Title != "Forgotten password" {
			t.Errorf("a customer asking about the password: %+v", sugg)
		}
	})
}

package desk_test

import (
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

func TestSetLanguage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		if f.Agent.Language != "" {
			t.Fatalf("a new agent has language %q, want none (the browser's)", f.Agent.Language)
		}
		p := desk.AgentPrincipal(f.Agent)
		for _, lang := range []string{"en", "de"} {
			if err := d.SetLanguage(ctx, p, lang); err != nil {
				t.Fatalf("set %s: %v", lang, err)
			}
			// Where a session starts (login) and where it is read on (every page).
			if sess, err := d.Login(ctx, desk.LoginRequest{Login: f.Agent.Login, Password: "secret password", Client: "127.0.0.1"}); err != nil || sess.Agent.Language != lang {
				t.Errorf("after setting %s, Login returns language %q (%v)", lang, sess.Agent.Language, err)
			}
			if a, err := d.AgentByID(ctx, f.Agent.ID); err != nil || a.Language != lang {
				t.Errorf("after setting %s, AgentByID returns language %q (%v)", lang, a.Language, err)
			}
		}

		for _, bad := range []string{"", "fr", "EN", "de-DE"} {
			if err := d.SetLanguage(ctx, p, bad); !slices.Equal(fieldsOf(t, err), []string{"lang"}) {
				t.Errorf("language %q: %v, want a field error on lang", bad, err)
			}
		}
		if err := d.SetLanguage(ctx, desk.CustomerPrincipal(f.Customer), "en"); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("a customer set an agent's language: %v", err)
		}
		// Another tenant's agent with the same ID is not touched.
		other := p
		other.TenantID = f.Tenant.ID + 1000
		if err := d.SetLanguage(ctx, other, "en"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("language for an agent of no such tenant: %v, want ErrNotFound", err)
		}
		db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Update("active", false)
		if err := d.SetLanguage(ctx, p, "en"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a deactivated agent's language: %v, want ErrNotFound", err)
		}
	})
}

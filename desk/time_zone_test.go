package desk_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// An agent's time zone is stored with them, comes back with every session,
// and only zones that load are taken.
func TestSetTimeZone(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		if f.Agent.TimeZone != "" {
			t.Fatalf("a new agent has time zone %q, want none (the desk's)", f.Agent.TimeZone)
		}
		p := desk.AgentPrincipal(f.Agent)
		for _, zone := range []string{"America/New_York", "UTC", "Asia/Tokyo", ""} {
			if err := d.SetTimeZone(ctx, p, zone); err != nil {
				t.Fatalf("set %q: %v", zone, err)
			}
			sess, err := d.Login(ctx, desk.LoginRequest{Login: f.Agent.Login, Password: "secret password", Client: "127.0.0.1"})
			if err != nil || sess.Agent.TimeZone != zone {
				t.Fatalf("after setting %q, Login returns time zone %q (%v)", zone, sess.Agent.TimeZone, err)
			}
			if a, err := d.SessionAgent(ctx, sess.Token); err != nil || a.TimeZone != zone {
				t.Errorf("after setting %q, SessionAgent returns time zone %q (%v)", zone, a.TimeZone, err)
			}
		}

		if err := d.SetTimeZone(ctx, p, "Europe/Berlin"); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"Mars/Olympus_Mons", "Local", "europe/berlin", "../etc/passwd", "Europe/Berlin\n",
			"Europe/\xff", strings.Repeat("A", 65)} {
			if err := d.SetTimeZone(ctx, p, bad); !slices.Equal(fieldsOf(t, err), []string{"time_zone"}) {
				t.Errorf("time zone %q: %v, want a field error on time_zone", bad, err)
			}
		}
		// A refused zone loses nothing: the stored one stays.
		if a, err := d.AgentByID(ctx, f.Agent.ID); err != nil || a.TimeZone != "Europe/Berlin" {
			t.Errorf("after refused zones the agent has %q (%v), want Europe/Berlin", a.TimeZone, err)
		}
		var fe desk.FieldErrors
		if err := d.SetTimeZone(ctx, p, "Mars/Olympus_Mons"); !errors.As(err, &fe) || fe["time_zone"].Code != "field.unknown" {
			t.Errorf("an unknown zone: %v, want field.unknown", err)
		}

		if err := d.SetTimeZone(ctx, desk.CustomerPrincipal(f.Customer), "UTC"); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("a customer set an agent's time zone: %v", err)
		}
		other := p
		other.TenantID = f.Tenant.ID + 1000
		if err := d.SetTimeZone(ctx, other, "UTC"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("time zone for an agent of no such tenant: %v, want ErrNotFound", err)
		}
		db.Model(&models.Agent{}).Where("id = ?", f.Agent.ID).Update("active", false)
		if err := d.SetTimeZone(ctx, p, "UTC"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a deactivated agent's time zone: %v, want ErrNotFound", err)
		}
	})
}

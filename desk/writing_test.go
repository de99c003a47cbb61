package desk_test

import (
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// TestWritingAids: the reply form offers exactly the active standard
// responses of the ticket's queue, in the agent's language or else the
// other, with the ticket's values filled in; texts that are more than
// names stay as written; the queue's signature comes filled in too; and
// an agent who cannot read the ticket gets nothing.
func TestWritingAids(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		d, f := newDesk(t, db)
		ctx := t.Context()
		const number = "2026112710000013"
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		other := models.Queue{TenantID: f.Tenant.ID, Name: "Netz 2nd", Level: models.LevelSecond}
		must(db.Create(&other).Error)
		otherTenant := models.Tenant{Slug: "other", Name: "Other"}
		must(db.Create(&otherTenant).Error)
		respond := func(tenant int64, name, de, en string, active bool, queues ...int64) models.StandardResponse {
			t.Helper()
			r := models.StandardResponse{TenantID: tenant, Name: name, BodyDE: de, BodyEN: en, Active: true}
			must(db.Create(&r).Error)
			if !active { // gorm skips a false that has a default
				must(db.Model(&r).Update("active", false).Error)
			}
			for _, q := range queues {
				must(db.Create(&models.StandardResponseQueue{ResponseID: r.ID, QueueID: q}).Error)
			}
			return r
		}
		greet := respond(f.Tenant.ID, "Greeting", "Hallo {{.Customer}}, Ticket {{.Number}} ({{.Title}}) in {{.Queue}}. {{.Agent}}",
			"Hello {{.Customer}}, ticket {{.Number}} ({{.Title}}) in {{.Queue}}. {{.Agent}}", true, f.Queue.ID, other.ID)
		onlyDE := respond(f.Tenant.ID, "Nur Deutsch", "Nur auf Deutsch, {{.Customer}}.", "", true, f.Queue.ID)
		hostile := respond(f.Tenant.ID, "Hostile", "", "Broken {{.Customer} <script>alert(1)</script>", true, f.Queue.ID)
		evil := respond(f.Tenant.ID, "Unknown name", "", "<b>{{.Evil}}</b> for {{.Customer}}", true, f.Queue.ID)
		loop := respond(f.Tenant.ID, "Loop", "", `{{range 1000000000}}{{range 1000000000}}x{{end}}{{end}}`, true, f.Queue.ID)
		call := respond(f.Tenant.ID, "Call", "", `{{printf "%s" .Title}} {{template "t"}}{{$x := .Title}}`, true, f.Queue.ID)
		respond(f.Tenant.ID, "Retired", "Alt", "Old", false, f.Queue.ID)
		respond(f.Tenant.ID, "Elsewhere", "Anderswo", "Elsewhere", true, other.ID)
		respond(f.Tenant.ID, "Nowhere", "Nirgends", "Nowhere", true)
		theirs := models.Queue{TenantID: otherTenant.ID, Name: "Theirs", Level: models.LevelFirst}
		must(db.Create(&theirs).Error)
		// Another tenant's response cannot be assigned to this queue by the
		// admin interface; even in the table it stays theirs.
		respond(otherTenant.ID, "Theirs", "Fremd", "Foreign", true, f.Queue.ID)

		sig := models.Signature{TenantID: f.Tenant.ID, Name: "Helpdesk", BodyDE: "Ihr Helpdesk, {{.Agent}}", BodyEN: "Your helpdesk, {{.Agent}} ({{.Queue}})", Active: true}
		must(db.Create(&sig).Error)
		must(db.Model(&models.Queue{}).Where("id = ?", f.Queue.ID).Update("signature_id", sig.ID).Error)

		p := desk.AgentPrincipal(f.Agent)
		en, err := d.WritingAids(ctx, p, number, "en")
		must(err)
		// t: the fixture's ticket "t" of customer f.Customer in "Helpdesk".
		c, a := f.Customer.Name, f.Agent.Name
		want := map[int64]string{
			call.ID:    `{{printf "%s" .Title}} {{template "t"}}{{$x := .Title}}`,
			greet.ID:   "Hello " + c + ", ticket " + number + " (t) in Helpdesk. " + a,
			hostile.ID: "Broken {{.Customer} <script>alert(1)</script>",
			loop.ID:    `{{range 1000000000}}{{range 1000000000}}x{{end}}{{end}}`,
			onlyDE.ID:  "Nur auf Deutsch, " + c + ".",
			evil.ID:    "<b></b> for " + c,
		}
		names := []string{"Call", "Greeting", "Hostile", "Loop", "Nur Deutsch", "Unknown name"}
		if len(en.Responses) != len(want) {
			t.Fatalf("offered %+v, want %d responses", en.Responses, len(want))
		}
		for i, r := range en.Responses {
			if r.Name != names[i] || r.Text != want[r.ID] {
				t.Errorf("response %d: %q %q, want %q %q", i, r.Name, r.Text, names[i], want[r.ID])
			}
		}
		if got, ok := en.Response(greet.ID); !ok || got.Name != "Greeting" {
			t.Errorf("Response(%d): %+v %v", greet.ID, got, ok)
		}
		if en.Signature != "Your helpdesk, "+a+" (Helpdesk)" {
			t.Errorf("English signature %q", en.Signature)
		}
		de, err := d.WritingAids(ctx, p, number, "de")
		must(err)
		if r, _ := de.Response(greet.ID); r.Text != "Hallo "+c+", Ticket "+number+" (t) in Helpdesk. "+a {
			t.Errorf("German greeting %q", r.Text)
		}
		if r, _ := de.Response(evil.ID); r.Text != "<b></b> for "+c {
			t.Errorf("English-only response in German: %q", r.Text)
		}
		if de.Signature != "Ihr Helpdesk, "+a {
			t.Errorf("German signature %q", de.Signature)
		}

		// An inactive signature is no signature.
		must(db.Model(&sig).Update("active", false).Error)
		if w, err := d.WritingAids(ctx, p, number, "en"); err != nil || w.Signature != "" {
			t.Errorf("inactive signature: %q, %v", w.Signature, err)
		}

		// An agent without a role reads no queue: the ticket does not exist.
		nobody := models.Agent{TenantID: f.Tenant.ID, Login: "nobody", Name: "No Body", Email: "n@example.org", PasswordHash: "-", Active: true}
		must(db.Create(&nobody).Error)
		if w, err := d.WritingAids(ctx, desk.AgentPrincipal(nobody), number, "en"); !errors.Is(err, desk.ErrNotFound) || len(w.Responses) > 0 {
			t.Errorf("agent without access: %+v, %v", w, err)
		}
		if _, err := d.WritingAids(ctx, desk.CustomerPrincipal(f.Customer), number, "en"); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("customer: %v", err)
		}
		if _, err := d.WritingAids(ctx, p, "\x00", "en"); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("bad number: %v", err)
		}
	})
}

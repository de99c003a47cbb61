package desk_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Retention's admin side on the real database: the policy (one per
// tenant, checked, the portal's reading window from it), the dry run of
// the admin's tenant only, and the erasure request's search, dry run and
// refusals. Running retention and the erasure itself need Temporal: the
// root package tests them on the real stack (retention_test.go).

func TestRetentionPolicyAdmin(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		if w, err := models.ReadingWindow(ctx, db, s.f.Tenant.ID); err != nil || w != 90*24*time.Hour {
			t.Fatalf("reading window without a policy: %v %v, want 90 days", w, err)
		}
		bad := map[string]desk.AdminValues{
			"portal_read":     {"portal_read": {"0"}, "anonymise_mode": {"pseudonymise"}},
			"archive_after":   {"portal_read": {"30"}, "archive_after": {"-1"}},
			"anonymise_after": {"portal_read": {"30"}, "anonymise_after": {"x"}},
			"anonymise_mode":  {"portal_read": {"30"}, "anonymise_mode": {"shred"}},
		}
		for field, v := range bad {
			if _, err := s.d.AdminSave(ctx, s.admin, "retention-policies", 0, v); !slices.Contains(fieldsOf(t, err), field) {
				t.Errorf("%v: %v, want a problem with %s", v, err, field)
			}
		}
		v := desk.AdminValues{"portal_read": {"30"}, "archive_after": {"90"}, "anonymise_after": {"365"}, "anonymise_mode": {"delete"}}
		if _, err := s.d.AdminSave(ctx, s.agent, "retention-policies", 0, v); !errors.Is(err, desk.ErrForbidden) {
			t.Fatalf("a 1st level agent sets the policy: %v", err)
		}
		id, err := s.d.AdminSave(ctx, s.admin, "retention-policies", 0, v)
		if err != nil {
			t.Fatal(err)
		}
		p, err := models.RetentionPolicyOf(ctx, db, s.f.Tenant.ID)
		if err != nil || p.ID != id || p.PortalRead != 30 || p.ArchiveAfter != 90 || p.AnonymiseAfter != 365 || p.AnonymiseMode != "delete" {
			t.Fatalf("policy %+v, %v", p, err)
		}
		if w, _ := models.ReadingWindow(ctx, db, s.f.Tenant.ID); w != 30*24*time.Hour {
			t.Errorf("reading window %v, want 30 days", w)
		}
		// One per tenant: a second is refused, the first is edited.
		if _, err := s.d.AdminSave(ctx, s.admin, "retention-policies", 0, v); !slices.Contains(fieldsOf(t, err), "portal_read") {
			t.Errorf("a second policy: %v", err)
		}
		v["anonymise_after"] = []string{"0"}
		if _, err := s.d.AdminSave(ctx, s.admin, "retention-policies", id, v); err != nil {
			t.Fatal(err)
		}
		if p, _ := models.RetentionPolicyOf(ctx, db, s.f.Tenant.ID); p.AnonymiseAfter != 0 || p.PortalRead != 30 {
			t.Errorf("edited policy %+v", p)
		}
		// The other tenant keeps its own (none).
		if w, _ := models.ReadingWindow(ctx, db, s.other.ID); w != 90*24*time.Hour {
			t.Errorf("the other tenant's reading window %v", w)
		}
		entries, _, err := s.d.AdminAudit(ctx, s.admin, 0)
		if err != nil || len(entries) == 0 || entries[0].Object != "retention-policies" {
			t.Errorf("the policy change is not in the admin audit log: %+v %v", entries, err)
		}
	})
}

func TestRetentionOverviewAndErasurePreview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		closedAt := time.Now().Add(-40 * 24 * time.Hour).UTC()
		close := func(tenant, customer int64, number string) {
			t.Helper()
			tk := models.Ticket{TenantID: tenant, Number: number, Title: "Alt " + number, State: string(ticket.StateClosedSuccessful),
				Level: models.LevelFirst, QueueID: s.f.Queue.ID, TypeID: s.f.Type.ID, PriorityID: s.f.Priority.ID, CustomerID: customer,
				Channel: "phone", ClosedAt: &closedAt}
			if err := db.Create(&tk).Error; err != nil {
				t.Fatal(err)
			}
		}
		close(s.f.Tenant.ID, s.f.Customer.ID, "2026010110000011")
		theirs := models.Customer{TenantID: s.other.ID, Login: "theirs", Name: "Their Customer", Email: "t@example.org"}
		if err := db.Create(&theirs).Error; err != nil {
			t.Fatal(err)
		}
		close(s.other.ID, theirs.ID, "2026010110000029")
		for _, tenant := range []int64{s.f.Tenant.ID, s.other.ID} {
			if err := db.Create(&models.RetentionPolicy{TenantID: tenant, ArchiveAfter: 30, AnonymiseAfter: 365, AnonymiseMode: "pseudonymise", PortalRead: 90}).Error; err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.d.RetentionOverview(ctx, s.agent); !errors.Is(err, desk.ErrForbidden) {
			t.Fatalf("a 1st level agent sees the dry run: %v", err)
		}
		o, err := s.d.RetentionOverview(ctx, s.admin)
		if err != nil {
			t.Fatal(err)
		}
		if o.Archive != 1 || o.Anonymise != 0 || len(o.Due) != 1 || o.Due[0].Number != "2026010110000011" || o.PolicyID == 0 {
			t.Fatalf("dry run %+v: want the tenant's one ticket to archive, not the other tenant's", o)
		}

		// Erasure: found by part of the mail, not the other tenant's.
		found, err := s.d.ErasureCandidates(ctx, s.admin, "EXAMPLE.org")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range found {
			if c.TenantID != s.f.Tenant.ID {
				t.Errorf("the search finds %s of another tenant", c.Login)
			}
		}
		if len(found) != 1 || found[0].ID != s.f.Customer.ID {
			t.Fatalf("found %+v, want the fixture's customer", found)
		}
		if _, err := s.d.ErasureCandidates(ctx, s.agent, "x"); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("a 1st level agent searches for erasure: %v", err)
		}
		if _, err := s.d.ErasureCandidates(ctx, s.admin, "a\x00b"); !slices.Contains(fieldsOf(t, err), "q") {
			t.Errorf("bad bytes in the search: %v", err)
		}
		// The fixture's customer has open tickets (newDesk): the dry run
		// lists them, and the erasure is refused naming them.
		e, err := s.d.ErasurePreview(ctx, s.admin, s.f.Customer.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.TicketCount != 1 || len(e.Tickets) != 1 || len(e.Open) != 2 {
			t.Fatalf("preview: %d closed (%v), %d open; want 1 and 2", e.TicketCount, e.Tickets, len(e.Open))
		}
		_, err = s.d.Erase(ctx, s.admin, s.f.Customer.ID, true)
		var rej *desk.RejectedError
		if !errors.As(err, &rej) || rej.Problem.Code != desk.RefusedErasureOpen || !strings.Contains(rej.Problem.Error(), "2026112710000013") {
			t.Fatalf("erasure with open tickets: %v, want refused naming them", err)
		}
		if _, err := s.d.Erase(ctx, s.admin, s.f.Customer.ID, false); !errors.As(err, &rej) {
			// Open tickets come first: unconfirmed or not, it is refused.
			t.Fatalf("unconfirmed erasure with open tickets: %v", err)
		}
		// Another tenant's customer is not there; nor the anonymous one.
		if _, err := s.d.ErasurePreview(ctx, s.admin, theirs.ID); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("preview of another tenant's customer: %v", err)
		}
		if _, err := s.d.Erase(ctx, s.admin, theirs.ID, true); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("erasure of another tenant's customer: %v", err)
		}
		if _, err := s.d.Erase(ctx, s.agent, s.f.Customer.ID, true); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("erasure by a 1st level agent: %v", err)
		}
		// A customer without open tickets, unconfirmed: the field asks.
		quiet := models.Customer{TenantID: s.f.Tenant.ID, Login: "quiet", Name: "Quiet", Email: "q@example.net"}
		if err := db.Create(&quiet).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.Erase(ctx, s.admin, quiet.ID, false); !slices.Contains(fieldsOf(t, err), "confirm") {
			t.Errorf("unconfirmed erasure: %v", err)
		}
		if err := models.PseudonymiseCustomer(ctx, db, s.f.Tenant.ID, quiet.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.ErasurePreview(ctx, s.admin, quiet.ID); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("preview of an erased customer: %v", err)
		}
	})
}

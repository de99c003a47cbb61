package desk_test

import (
	"errors"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestFAQSettings: only admins read and save FAQ rights and approval
// rules; roles and services of other tenants and unknown permissions are
// refused; saved rights decide who may write, and a saved rule for a
// service above an entry's category sends an edit of a published entry
// to awaiting approval. Every save is audited.
func TestFAQSettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		w := newFAQWorld(t, db)
		ctx := t.Context()
		for _, p := range []desk.Principal{w.author, w.second, w.customer, w.visitor} {
			if _, err := w.d.FAQSettings(ctx, p); !errors.Is(err, desk.ErrForbidden) {
				t.Errorf("%s reads the FAQ rights: %v", p.Name, err)
			}
			if err := w.d.SaveFAQSettings(ctx, p, desk.FAQSettingsForm{}); !errors.Is(err, desk.ErrForbidden) {
				t.Errorf("%s saves the FAQ rights: %v", p.Name, err)
			}
		}
		st, err := w.d.FAQSettings(ctx, w.admin)
		if err != nil {
			t.Fatal(err)
		}
		roles := map[string]desk.FAQRoleRights{}
		for _, r := range st.Roles {
			roles[r.Name] = r
		}
		first, editors := roles["1st level"], roles["FAQ-Redaktion"]
		if !slices.Equal(first.Perms, []string{models.FAQPermEdit}) || !slices.Equal(editors.Perms, []string{models.FAQPermEdit, models.FAQPermPublish}) ||
			len(st.Approval) != 0 {
			t.Fatalf("settings before: %+v", st)
		}

		other := models.Tenant{Slug: "andere", Name: "Andere", Active: true}
		if err := db.Create(&other).Error; err != nil {
			t.Fatal(err)
		}
		foreign := models.Role{TenantID: other.ID, Name: "Fremd", Active: true}
		if err := db.Create(&foreign).Error; err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			form  desk.FAQSettingsForm
			field string
		}{
			"foreign role":    {desk.FAQSettingsForm{Perms: map[int64][]string{foreign.ID: {models.FAQPermEdit}}}, "perm"},
			"unknown perm":    {desk.FAQSettingsForm{Perms: map[int64][]string{first.RoleID: {"delete"}}}, "perm"},
			"unknown service": {desk.FAQSettingsForm{Approval: []int64{999999}}, "approval"},
		} {
			var fe desk.FieldErrors
			if err := w.d.SaveFAQSettings(ctx, w.admin, c.form); !errors.As(err, &fe) || fe[c.field].Code == "" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if after, _ := w.d.FAQSettings(ctx, w.admin); !slices.Equal(after.Roles[0].Perms, st.Roles[0].Perms) {
			t.Errorf("a refused save changed the rights")
		}

		// An entry published in "Netz & WLAN::VPN" before any rule.
		id := w.entry(t, models.FAQPublic, "WLAN einrichten", "Set up the WiFi")
		parent := models.Service{TenantID: w.f.Tenant.ID, Name: "Netz & WLAN", QueueID: w.f.Queue.ID}
		if err := db.Create(&parent).Error; err != nil {
			t.Fatal(err)
		}
		// 1st level loses the right to write; the editors keep theirs; the
		// parent category needs approval.
		form := desk.FAQSettingsForm{Perms: map[int64][]string{editors.RoleID: {models.FAQPermEdit, models.FAQPermPublish}},
			Approval: []int64{parent.ID, parent.ID}}
		if err := w.d.SaveFAQSettings(ctx, w.admin, form); err != nil {
			t.Fatal(err)
		}
		st, _ = w.d.FAQSettings(ctx, w.admin)
		if !slices.Equal(st.Approval, []int64{parent.ID}) {
			t.Errorf("rules after saving: %v", st.Approval)
		}
		edit := desk.FAQForm{Visibility: "public", ServiceID: w.f.Service.ID, Base: 1,
			FAQText: models.FAQText{TitleDE: "WLAN einrichten", AnswerDE: "Neue Antwort."}}
		if err := w.d.UpdateFAQ(ctx, w.author, id, edit); !isRefused(err, ticket.RefusedForbidden) {
			t.Errorf("1st level edits after losing the right: %v", err)
		}
		if err := w.d.UpdateFAQ(ctx, w.second, id, edit); err != nil {
			t.Fatal(err)
		}
		det, err := w.d.FAQ(ctx, w.admin, id)
		if err != nil || det.Entry.State != models.FAQAwaiting || !det.NeedsApproval {
			t.Errorf("an edit in a category needing approval: %s (needs approval %v), %v", det.Entry.State, det.NeedsApproval, err)
		}
		if _, err := w.d.FAQ(ctx, w.visitor, id); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("an entry awaiting approval for a visitor: %v", err)
		}
		// The tenant-wide rule (0) covers entries without a category too.
		if err := w.d.SaveFAQSettings(ctx, w.admin, desk.FAQSettingsForm{Approval: []int64{0}}); err != nil {
			t.Fatal(err)
		}
		general, err := w.d.CreateFAQ(ctx, w.admin, desk.FAQForm{Visibility: "public", FAQText: models.FAQText{TitleEN: "General", AnswerEN: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.d.FAQAct(ctx, w.admin, general, desk.FAQPublish, 1); !isRefused(err, desk.FAQRefusedAction) {
			t.Errorf("publishing without approval under a tenant-wide rule: %v", err)
		}
		if _, err := w.d.CreateFAQ(ctx, w.second, edit); !isRefused(err, ticket.RefusedForbidden) {
			t.Errorf("the editors write after all rights were taken: %v", err)
		}
		// Saving the same again changes nothing and is not audited.
		if err := w.d.SaveFAQSettings(ctx, w.admin, desk.FAQSettingsForm{Approval: []int64{0}}); err != nil {
			t.Fatal(err)
		}
		var audits int64
		db.Model(&models.AdminAudit{}).Where("object = ?", "faq-rights").Count(&audits)
		if audits != 2 {
			t.Errorf("%d audit entries for two saves", audits)
		}
	})
}

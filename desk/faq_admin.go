package desk

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// FAQPerms are the FAQ permissions a role may hold, in the order the
// admin page shows them.
var FAQPerms = []string{models.FAQPermEdit, models.FAQPermPublish}

// FAQRoleRights is a role with the FAQ permissions it holds.
type FAQRoleRights struct {
	RoleID int64
	Name   string
	Active bool
	Perms  []string
}

// FAQSettings are a tenant's FAQ rights and approval rules as the admin
// page shows them: every role with its permissions, every service, and
// the rules (service IDs; 0 is the whole tenant).
type FAQSettings struct {
	Roles    []FAQRoleRights
	Services []models.Service
	Approval []int64
}

// FAQSettingsForm is what an admin saves: the permissions per role (a
// role left out holds none) and the rules.
type FAQSettingsForm struct {
	Perms    map[int64][]string
	Approval []int64
}

// FAQSettings returns the tenant's FAQ rights and approval rules; admins only.
func (d *Desk) FAQSettings(ctx context.Context, p Principal) (FAQSettings, error) {
	var out FAQSettings
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return out, err
	}
	db := d.db.WithContext(ctx)
	var roles []models.Role
	if err := db.Where("tenant_id = ?", p.TenantID).Order("name, id").Find(&roles).Error; err != nil {
		return out, wrapf(err, "roles of tenant %d", p.TenantID)
	}
	var perms []models.FAQRolePermission
	if err := db.Where("role_id IN (?)", db.Model(&models.Role{}).Select("id").Where("tenant_id = ?", p.TenantID)).
		Order("role_id, perm").Find(&perms).Error; err != nil {
		return out, wrapf(err, "FAQ permissions of tenant %d", p.TenantID)
	}
	for _, r := range roles {
		rr := FAQRoleRights{RoleID: r.ID, Name: r.Name, Active: r.Active}
		for _, fp := range perms {
			if fp.RoleID == r.ID {
				rr.Perms = append(rr.Perms, fp.Perm)
			}
		}
		out.Roles = append(out.Roles, rr)
	}
	var err error
	if out.Services, err = models.Services(ctx, d.db, p.TenantID); err != nil {
		return out, err
	}
	out.Approval, err = models.FAQApprovalRules(ctx, d.db, p.TenantID)
	return out, err
}

// SaveFAQSettings replaces the tenant's FAQ rights and approval rules
// with the form's, in one transaction, and audits the change; admins
// only. Roles and services must be the tenant's, permissions known.
func (d *Desk) SaveFAQSettings(ctx context.Context, p Principal, f FAQSettingsForm) error {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return err
	}
	old, err := d.FAQSettings(ctx, p)
	if err != nil {
		return err
	}
	fe := FieldErrors{}
	roleIDs := map[int64]bool{}
	for _, r := range old.Roles {
		roleIDs[r.RoleID] = true
	}
	for id, perms := range f.Perms {
		if !roleIDs[id] {
			fe["perm"] = ticket.P(ticket.FieldUnknown)
		}
		for _, perm := range perms {
			if !slices.Contains(FAQPerms, perm) {
				fe["perm"] = ticket.P(ticket.FieldChoose)
			}
		}
	}
	for _, id := range f.Approval {
		if id != 0 && !slices.ContainsFunc(old.Services, func(s models.Service) bool { return s.ID == id }) {
			fe["approval"] = ticket.P(ticket.FieldUnknown)
		}
	}
	if len(fe) > 0 {
		return fe
	}
	before, after := faqSettingsAudit(old.Roles, old.Approval), map[string]any{}
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ids := make([]int64, 0, len(roleIDs))
		for id := range roleIDs {
			ids = append(ids, id)
		}
		if len(ids) > 0 {
			if err := tx.Where("role_id IN ?", ids).Delete(&models.FAQRolePermission{}).Error; err != nil {
				return err
			}
		}
		var rights []FAQRoleRights
		for _, r := range old.Roles {
			var perms []string
			for _, perm := range FAQPerms {
				if slices.Contains(f.Perms[r.RoleID], perm) {
					if err := tx.Create(&models.FAQRolePermission{RoleID: r.RoleID, Perm: perm}).Error; err != nil {
						return err
					}
					perms = append(perms, perm)
				}
			}
			rights = append(rights, FAQRoleRights{RoleID: r.RoleID, Name: r.Name, Perms: perms})
		}
		if err := tx.Where("tenant_id = ?", p.TenantID).Delete(&models.FAQApprovalRule{}).Error; err != nil {
			return err
		}
		rules := slices.Compact(slices.Sorted(slices.Values(f.Approval)))
		for _, id := range rules {
			if err := tx.Create(&models.FAQApprovalRule{TenantID: p.TenantID, ServiceID: id}).Error; err != nil {
				return err
			}
		}
		after = faqSettingsAudit(rights, rules)
		if fmt.Sprint(before) == fmt.Sprint(after) {
			return nil // nothing changed: nothing to audit
		}
		return writeAudit(ctx, tx, p, "faq-rights", 0, AuditUpdate, before, after)
	})
	return wrapIf(err, "save FAQ rights")
}

// faqSettingsAudit is what the audit keeps of the settings: per role its
// permissions, and the rules' service IDs.
func faqSettingsAudit(roles []FAQRoleRights, rules []int64) map[string]any {
	perms := map[string][]string{}
	for _, r := range roles {
		if len(r.Perms) > 0 {
			perms[r.Name] = r.Perms
		}
	}
	if rules == nil {
		rules = []int64{}
	}
	return map[string]any{"perms": perms, "approval": rules}
}

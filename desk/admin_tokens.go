package desk

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// API tokens: every agent keeps their own (GET /agent/tokens), an admin
// those of the agents of their tenant. A token is shown once, when it is
// made; only its hash is kept.

// tokenOwner checks that p may keep the tokens of agentID: its own, or as
// an admin any agent's of its tenant.
func (d *Desk) tokenOwner(ctx context.Context, tx *gorm.DB, p Principal, agentID int64) error {
	if err := mustBeAgent(p); err != nil {
		return err
	}
	if agentID != p.ID {
		if err := d.mustAdmin(ctx, p, false); err != nil {
			return err
		}
	}
	var n int64
	if err := tx.WithContext(ctx).Model(&models.Agent{}).Where("id = ? AND tenant_id = ?", agentID, p.TenantID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("agent %d: %w", agentID, ErrNotFound)
	}
	return nil
}

// AgentTokens lists an agent's API tokens (without their hashes).
func (d *Desk) AgentTokens(ctx context.Context, p Principal, agentID int64) ([]models.APIToken, error) {
	if err := d.tokenOwner(ctx, d.db, p, agentID); err != nil {
		return nil, err
	}
	var ts []models.APIToken
	if err := d.db.WithContext(ctx).Where("agent_id = ?", agentID).Order("created_at DESC, id DESC").Find(&ts).Error; err != nil {
		return nil, wrapf(err, "tokens of agent %d", agentID)
	}
	for i := range ts {
		ts[i].TokenHash = ""
	}
	return ts, nil
}

// CreateToken makes a new API token for the agent and returns it: the
// only time anyone sees it.
func (d *Desk) CreateToken(ctx context.Context, p Principal, agentID int64, name string) (string, error) {
	f := &adminForm{v: AdminValues{"name": {name}}, fe: FieldErrors{}}
	name = f.text("name", maxName, true)
	token := "kzd_" + rand.Text() + rand.Text() // as kizdesk add-token makes them
	// Asked before the transaction: SQLite has one connection, which the
	// transaction holds.
	if err := d.tokenOwner(ctx, d.db, p, agentID); err != nil {
		return "", err
	}
	err := d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(f.fe) > 0 {
			return f.fe
		}
		t := models.APIToken{AgentID: agentID, Name: name, TokenHash: models.HashToken(token)}
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return writeAudit(ctx, tx, p, "api-tokens", t.ID, AuditCreate, nil,
			map[string]string{"agent_id": idString(agentID), "name": name})
	})
	if err != nil {
		return "", wrapf(err, "create token for agent %d", agentID)
	}
	return token, nil
}

// RevokeToken ends an API token of the agent: its row goes, so the token
// authenticates nobody from now on; the audit log keeps that it existed.
func (d *Desk) RevokeToken(ctx context.Context, p Principal, agentID, tokenID int64) error {
	if err := d.tokenOwner(ctx, d.db, p, agentID); err != nil {
		return err
	}
	err := d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t models.APIToken
		if err := tx.Where("id = ? AND agent_id = ?", tokenID, agentID).Take(&t).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return fmt.Errorf("token %d: %w", tokenID, ErrNotFound)
			}
			return err
		}
		if err := tx.Delete(&t).Error; err != nil {
			return err
		}
		return writeAudit(ctx, tx, p, "api-tokens", t.ID, AuditRevoke,
			map[string]string{"agent_id": idString(agentID), "name": t.Name, "integration": t.Integration}, nil)
	})
	return wrapIf(err, "revoke token %d", tokenID)
}

// LDAPMapping maps members of an LDAP group to a role at login.
type LDAPMapping struct {
	LDAPGroup string
	RoleID    int64
	RoleName  string
}

// LDAPMappings lists the tenant's LDAP group → role mappings.
func (d *Desk) LDAPMappings(ctx context.Context, p Principal) ([]LDAPMapping, error) {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return nil, err
	}
	var out []LDAPMapping
	err := d.db.WithContext(ctx).Table("ldap_role_mappings m").
		Select("m.ldap_group, m.role_id, r.name AS role_name").
		Joins("JOIN roles r ON r.id = m.role_id").
		Where("m.tenant_id = ?", p.TenantID).Order("m.ldap_group, r.name").Scan(&out).Error
	return out, wrapIf(err, "LDAP mappings")
}

// AddLDAPMapping maps an LDAP group (its cn) to a role of the tenant.
func (d *Desk) AddLDAPMapping(ctx context.Context, p Principal, group string, roleID int64) error {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return err
	}
	err := d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		f := &adminForm{v: AdminValues{"ldap_group": {group}, "role_id": {idString(roleID)}}, fe: FieldErrors{}}
		group = f.text("ldap_group", maxName, true)
		if roleID == 0 {
			f.bad("role_id", ticket.P(ticket.FieldRequired))
		} else if !exists(ctx, tx, "roles", p.TenantID, roleID) {
			f.bad("role_id", ticket.P(ticket.FieldUnknown))
		}
		if len(f.fe) == 0 {
			var n int64
			if err := tx.Model(&models.LDAPRoleMapping{}).Where("tenant_id = ? AND ldap_group = ? AND role_id = ?", p.TenantID, group, roleID).
				Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				f.bad("ldap_group", ticket.P(FieldTaken))
			}
		}
		if len(f.fe) > 0 {
			return f.fe
		}
		if err := tx.Create(&models.LDAPRoleMapping{TenantID: p.TenantID, LDAPGroup: group, RoleID: roleID}).Error; err != nil {
			return err
		}
		return writeAudit(ctx, tx, p, "ldap-mappings", roleID, AuditCreate, nil, map[string]string{"ldap_group": group, "role": roleName(tx, roleID)})
	})
	return wrapIf(err, "add LDAP mapping")
}

// RemoveLDAPMapping removes a mapping: members of the group no longer
// get the role at their next login (roles given by hand stay).
func (d *Desk) RemoveLDAPMapping(ctx context.Context, p Principal, group string, roleID int64) error {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return err
	}
	group = strings.TrimSpace(group)
	if group == "" {
		return FieldErrors{"ldap_group": ticket.P(ticket.FieldRequired)}
	}
	err := d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("tenant_id = ? AND ldap_group = ? AND role_id = ?", p.TenantID, group, roleID).Delete(&models.LDAPRoleMapping{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("LDAP mapping %q: %w", group, ErrNotFound)
		}
		return writeAudit(ctx, tx, p, "ldap-mappings", roleID, AuditRemove, map[string]string{"ldap_group": group, "role": roleName(tx, roleID)}, nil)
	})
	return wrapIf(err, "remove LDAP mapping")
}

func roleName(tx *gorm.DB, id int64) string {
	var name string
	_ = tx.Model(&models.Role{}).Where("id = ?", id).Select("name").Row().Scan(&name)
	return name
}

// wrapIf is wrapf for an error that may be nil.
func wrapIf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return wrapf(err, format, args...)
}

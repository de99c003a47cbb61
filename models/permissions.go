package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Group is a permission group: queues belong to one, roles grant
// permissions on it (OTRS's groups).
type Group struct {
	ID        int64
	TenantID  int64
	Name      string
	Comment   string
	Active    bool `gorm:"default:true"`
	CreatedAt time.Time
}

// Role bundles permissions on groups; agents get roles. An admin role
// holds every permission on every queue of its tenant and opens the admin
// interface.
type Role struct {
	ID       int64
	TenantID int64
	Name     string
	IsAdmin  bool
	// Reports: the role's agents see reports over the queues they read.
	Reports   bool
	Comment   string
	Active    bool `gorm:"default:true"`
	CreatedAt time.Time
}

// RolePermission is one permission (ticket.Perm) a role has on a group.
type RolePermission struct {
	RoleID  int64  `gorm:"primaryKey;autoIncrement:false"`
	GroupID int64  `gorm:"primaryKey;autoIncrement:false"`
	Perm    string `gorm:"primaryKey"`
}

// AgentRole gives an agent a role. Source is RoleManual (an admin gave
// it) or RoleFromLDAP (a group mapping at login).
type AgentRole struct {
	AgentID int64  `gorm:"primaryKey;autoIncrement:false"`
	RoleID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Source  string `gorm:"primaryKey"`
}

// Who gave an agent a role.
const (
	RoleManual   = "manual"
	RoleFromLDAP = "ldap"
)

// AgentPermission is a permission on a group given to an agent directly.
type AgentPermission struct {
	AgentID int64  `gorm:"primaryKey;autoIncrement:false"`
	GroupID int64  `gorm:"primaryKey;autoIncrement:false"`
	Perm    string `gorm:"primaryKey"`
}

// LDAPRoleMapping: members of the LDAP group get the role at login.
type LDAPRoleMapping struct {
	TenantID  int64  `gorm:"primaryKey;autoIncrement:false"`
	LDAPGroup string `gorm:"primaryKey;column:ldap_group"`
	RoleID    int64  `gorm:"primaryKey;autoIncrement:false"`
}

// CustomerCompany groups customers (an institute, a faculty).
type CustomerCompany struct {
	ID        int64
	TenantID  int64
	Name      string
	Comment   string
	Active    bool `gorm:"default:true"`
	CreatedAt time.Time
}

// Signature ends an agent's answer, per queue, in German and English.
type Signature struct {
	ID        int64
	TenantID  int64
	Name      string
	BodyDE    string `gorm:"column:body_de"`
	BodyEN    string `gorm:"column:body_en"`
	Active    bool   `gorm:"default:true"`
	CreatedAt time.Time
}

// StandardResponse is a prepared answer agents pick in the reply form of
// the queues it is assigned to.
type StandardResponse struct {
	ID        int64
	TenantID  int64
	Name      string
	BodyDE    string `gorm:"column:body_de"`
	BodyEN    string `gorm:"column:body_en"`
	Active    bool   `gorm:"default:true"`
	CreatedAt time.Time
}

// StandardResponseQueue assigns a standard response to a queue.
type StandardResponseQueue struct {
	ResponseID int64 `gorm:"primaryKey;autoIncrement:false"`
	QueueID    int64 `gorm:"primaryKey;autoIncrement:false"`
}

// AdminAudit is one change made in the admin interface: who, when, what,
// and the object before and after as JSON.
type AdminAudit struct {
	ID        int64
	TenantID  int64
	AgentID   *int64
	AgentName string
	Object    string
	ObjectID  int64
	Action    string
	OldValue  string
	NewValue  string
	CreatedAt time.Time
}

// TableName: one audit, many entries.
func (AdminAudit) TableName() string { return "admin_audit" }

// Access is what an agent may do in its tenant: the permissions per queue
// from its roles and direct grants, as ticket.Perm names, and whether a
// role makes it an admin.
type Access struct {
	Admin    bool
	Operator bool // admin of the operator tenant
	Reports  bool // a role allows reports
	Roles    []string
	Queues   map[int64][]string
}

// AgentAccess reads an agent's access: one query for the roles, one for
// the permissions of its roles and direct grants on the queues of its
// tenant. Inactive roles and groups grant nothing.
func AgentAccess(ctx context.Context, db *gorm.DB, tenantID, agentID int64) (Access, error) {
	a := Access{Queues: map[int64][]string{}}
	var roles []Role
	err := db.WithContext(ctx).Model(&Role{}).
		Where("tenant_id = ? AND active AND id IN (?)", tenantID,
			db.Model(&AgentRole{}).Select("role_id").Where("agent_id = ?", agentID)).
		Order("name").Find(&roles).Error
	if err != nil {
		return a, wrap(err, fmt.Sprintf("roles of agent %d", agentID))
	}
	for _, r := range roles {
		if !containsString(a.Roles, r.Name) {
			a.Roles = append(a.Roles, r.Name)
		}
		a.Admin = a.Admin || r.IsAdmin
		a.Reports = a.Reports || r.Reports
	}
	if a.Admin {
		var t Tenant
		if err := db.WithContext(ctx).First(&t, tenantID).Error; err != nil {
			return a, wrap(err, fmt.Sprintf("tenant %d", tenantID))
		}
		a.Operator = t.Operator
	}
	var rows []struct {
		QueueID int64
		Perm    string
	}
	err = db.WithContext(ctx).Raw(`
SELECT q.id AS queue_id, rp.perm FROM agent_roles ar
JOIN roles r ON r.id = ar.role_id AND r.active AND r.tenant_id = ?
JOIN role_permissions rp ON rp.role_id = r.id
JOIN groups g ON g.id = rp.group_id AND g.active
JOIN queues q ON q.group_id = g.id AND q.tenant_id = ?
WHERE ar.agent_id = ?
UNION
SELECT q.id AS queue_id, ap.perm FROM agent_permissions ap
JOIN groups g ON g.id = ap.group_id AND g.active AND g.tenant_id = ?
JOIN queues q ON q.group_id = g.id AND q.tenant_id = ?
WHERE ap.agent_id = ?`, tenantID, tenantID, agentID, tenantID, tenantID, agentID).Scan(&rows).Error
	if err != nil {
		return a, wrap(err, fmt.Sprintf("permissions of agent %d", agentID))
	}
	for _, r := range rows {
		a.Queues[r.QueueID] = append(a.Queues[r.QueueID], r.Perm)
	}
	return a, nil
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// RoleByName returns a role of a tenant.
func RoleByName(ctx context.Context, db *gorm.DB, tenantID int64, name string) (Role, error) {
	var r Role
	if err := db.WithContext(ctx).Where("tenant_id = ? AND name = ?", tenantID, name).First(&r).Error; err != nil {
		return r, notFound(err, "role "+name)
	}
	return r, nil
}

// GrantRole gives an agent a role (by hand unless source says otherwise);
// giving it twice is one grant. The agent's sessions end: its next page
// asks for a login with the new permissions.
func GrantRole(ctx context.Context, db *gorm.DB, agentID, roleID int64, source string, now time.Time) error {
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO agent_roles (agent_id, role_id, source) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, agentID, roleID, source)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		return RevokeAgentSessions(ctx, tx, agentID, now)
	})
	return wrap(err, fmt.Sprintf("grant role %d to agent %d", roleID, agentID))
}

// SetLDAPRoles makes the roles an LDAP login mapped the agent's roles
// from LDAP: rows from earlier logins not among them go, roles given by
// hand stay whatever LDAP says. It tells whether anything changed; the
// caller's new session then starts with the new roles, and older
// sessions end.
func SetLDAPRoles(ctx context.Context, db *gorm.DB, agentID int64, roleIDs []int64, now time.Time) (bool, error) {
	changed := false
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		q := tx.Where("agent_id = ? AND source = ?", agentID, RoleFromLDAP)
		if len(roleIDs) > 0 {
			q = q.Where("role_id NOT IN ?", roleIDs)
		}
		res := q.Delete(&AgentRole{})
		if res.Error != nil {
			return res.Error
		}
		changed = res.RowsAffected > 0
		for _, id := range roleIDs {
			res := tx.Exec(`INSERT INTO agent_roles (agent_id, role_id, source) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, agentID, id, RoleFromLDAP)
			if res.Error != nil {
				return res.Error
			}
			changed = changed || res.RowsAffected > 0
		}
		if changed {
			return RevokeAgentSessions(ctx, tx, agentID, now)
		}
		return nil
	})
	return changed, wrap(err, fmt.Sprintf("LDAP roles of agent %d", agentID))
}

// LDAPRoles returns the roles the given LDAP groups map to in a tenant.
func LDAPRoles(ctx context.Context, db *gorm.DB, tenantID int64, groups []string) ([]int64, error) {
	var ids []int64
	if len(groups) == 0 {
		return nil, nil
	}
	err := db.WithContext(ctx).Model(&LDAPRoleMapping{}).Distinct("role_id").
		Where("tenant_id = ? AND ldap_group IN ?", tenantID, groups).Order("role_id").Pluck("role_id", &ids).Error
	return ids, wrap(err, "LDAP role mappings")
}

// RevokeAgentSessions ends every web session of an agent (its roles or
// its account changed): whoever holds one of its cookies logs in anew.
func RevokeAgentSessions(ctx context.Context, tx *gorm.DB, agentID int64, now time.Time) error {
	ids := tx.WithContext(ctx).Model(&WebSession{}).Select("id").Where("agent_id = ?", agentID)
	if err := tx.WithContext(ctx).Where("session_id IN (?)", ids).Delete(&WebFormState{}).Error; err != nil {
		return err
	}
	return tx.WithContext(ctx).Model(&WebSession{}).Where("agent_id = ? AND revoked_at IS NULL", agentID).
		Update("revoked_at", dbTime(now)).Error
}

// PredefinedRoles sets up a tenant's permissions as the kiz works, for
// the queues it has: a group per queue without one (named like it), and
// the roles
//
//	admin          every permission on every queue;
//	1st level      rw on 1st-level queues, move_into on the others
//	               (escalate without reading afterwards);
//	2nd level: Q   rw on its 2nd-level queue Q, move_into on every other
//	               queue (hand back, pass on);
//	a team queue   rw on it, move_into on the 1st- and 2nd-level queues.
//
// Roles that exist are left as they are. It returns the roles by name.
// Migration 00010 did the same, once, for installations before roles.
func PredefinedRoles(ctx context.Context, tx *gorm.DB, tenantID int64) (map[string]Role, error) {
	var queues []Queue
	if err := tx.WithContext(ctx).Where("tenant_id = ?", tenantID).Order("id").Find(&queues).Error; err != nil {
		return nil, wrap(err, "queues")
	}
	for i, q := range queues {
		if q.GroupID != nil {
			continue
		}
		g := Group{TenantID: tenantID, Name: q.Name}
		if err := tx.WithContext(ctx).Where(Group{TenantID: tenantID, Name: q.Name}).FirstOrCreate(&g).Error; err != nil {
			return nil, wrap(err, "group "+q.Name)
		}
		if err := tx.WithContext(ctx).Model(&Queue{}).Where("id = ?", q.ID).Update("group_id", g.ID).Error; err != nil {
			return nil, wrap(err, "queue group "+q.Name)
		}
		queues[i].GroupID = &g.ID
	}
	want := map[string]func(q Queue) string{ // role → its permission on q
		"admin": nil,
		"1st level": func(q Queue) string {
			if q.Level == LevelFirst {
				return "rw"
			}
			return "move_into"
		},
	}
	for _, t := range queues {
		switch t.Level {
		case LevelSecond:
			want[SecondLevelRole(t.Name)] = func(q Queue) string {
				if q.ID == t.ID {
					return "rw"
				}
				return "move_into"
			}
		case LevelTeam:
			want[t.Name] = func(q Queue) string {
				switch {
				case q.ID == t.ID:
					return "rw"
				case q.Level != LevelTeam:
					return "move_into"
				}
				return ""
			}
		}
	}
	out := map[string]Role{}
	for name, perm := range want {
		var r Role
		err := tx.WithContext(ctx).Where("tenant_id = ? AND name = ?", tenantID, name).First(&r).Error
		if err == nil {
			out[name] = r
			continue
		}
		if err != gorm.ErrRecordNotFound {
			return nil, wrap(err, "role "+name)
		}
		r = Role{TenantID: tenantID, Name: name, IsAdmin: perm == nil}
		if err := tx.WithContext(ctx).Create(&r).Error; err != nil {
			return nil, wrap(err, "role "+name)
		}
		out[name] = r
		if perm == nil {
			continue
		}
		for _, q := range queues {
			if p := perm(q); p != "" {
				if err := tx.WithContext(ctx).Create(&RolePermission{RoleID: r.ID, GroupID: *q.GroupID, Perm: p}).Error; err != nil {
					return nil, wrap(err, "permission of role "+name)
				}
			}
		}
	}
	return out, nil
}

// SecondLevelRole names the predefined role of a 2nd-level queue.
func SecondLevelRole(queue string) string { return "2nd level: " + queue }

// AdminRole is the name of the predefined admin role of every tenant.
const AdminRole = "admin"

// IsUniqueViolation tells whether err is a unique constraint's refusal
// (a name taken), on PostgreSQL or SQLite.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "UNIQUE constraint failed") ||
		strings.Contains(s, "duplicate key")
}

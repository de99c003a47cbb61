package desk

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/calendar"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The object kinds of the admin interface, in the order its index shows
// them. Fields shared by many kinds:
var (
	nameField    = AdminField{Name: "name", Type: FieldText, Required: true}
	activeField  = AdminField{Name: "active", Type: FieldBool, Default: "true"}
	commentField = AdminField{Name: "comment", Type: FieldLines}
	bodyFields   = []AdminField{{Name: "body_de", Type: FieldLines}, {Name: "body_en", Type: FieldLines}}
)

var adminKinds = []adminKind{
	{AdminKind: AdminKind{Name: "agents", Active: true, Columns: []string{"login", "name", "email", "role_id"},
		Fields: []AdminField{{Name: "login", Type: FieldText, Required: true}, nameField,
			{Name: "email", Type: FieldText}, {Name: "phone", Type: FieldText},
			{Name: "source", Type: FieldSelect, Choices: "sources"}, activeField,
			{Name: "password", Type: FieldPassword, Hint: true},
			{Name: "role_id", Type: FieldChecks, Choices: "roles"}, {Name: "perm", Type: FieldGrid, Choices: "groups", Hint: true}}},
		rows: agentRows, save: saveAgent},
	{AdminKind: AdminKind{Name: "roles", Active: true, Columns: []string{"name", "is_admin", "perm"},
		Fields: []AdminField{nameField, {Name: "is_admin", Type: FieldBool, Hint: true}, {Name: "reports", Type: FieldBool, Hint: true}, commentField, activeField,
			{Name: "perm", Type: FieldGrid, Choices: "groups", Hint: true}}},
		rows: roleRows, save: saveRole},
	{AdminKind: AdminKind{Name: "groups", Active: true, Columns: []string{"name", "comment"},
		Fields: []AdminField{nameField, commentField, activeField}},
		rows: groupRows, save: saveGroup},
	{AdminKind: AdminKind{Name: "queues", Active: true, Columns: []string{"name", "level", "group_id", "follow_up", "follow_up_days"},
		Fields: []AdminField{nameField, {Name: "level", Type: FieldSelect, Choices: "levels"},
			{Name: "email", Type: FieldText},
			{Name: "group_id", Type: FieldSelect, Choices: "groups", None: true, Hint: true},
			{Name: "follow_up", Type: FieldSelect, Choices: "follow_ups", Hint: true}, {Name: "follow_up_days", Type: FieldNumber, Default: "7"},
			{Name: "signature_id", Type: FieldSelect, Choices: "signatures", None: true}, commentField, activeField}},
		rows: queueRows, save: saveQueue},
	{AdminKind: AdminKind{Name: "services", Active: true, Columns: []string{"name", "queue_id", "second_level_queue_id"},
		Fields: []AdminField{{Name: "name", Type: FieldText, Required: true, Hint: true},
			{Name: "queue_id", Type: FieldSelect, Choices: "queues", Required: true},
			{Name: "second_level_queue_id", Type: FieldSelect, Choices: "queues", None: true},
			{Name: "description", Type: FieldLines},
			{Name: "portal_description_de", Type: FieldLines, Hint: true}, {Name: "portal_description_en", Type: FieldLines},
			activeField}},
		rows: serviceRows, save: saveService},
	{AdminKind: AdminKind{Name: "slas", Active: true, Columns: []string{"name", "service_id", "priority_id", "calendar_id", "solution_minutes"},
		Fields: []AdminField{nameField, {Name: "service_id", Type: FieldSelect, Choices: "services", Required: true},
			{Name: "priority_id", Type: FieldSelect, Choices: "priorities", None: true},
			{Name: "calendar_id", Type: FieldSelect, Choices: "calendars", Required: true},
			{Name: "first_response_minutes", Type: FieldNumber, Hint: true}, {Name: "update_minutes", Type: FieldNumber},
			{Name: "solution_minutes", Type: FieldNumber}, {Name: "escalate_minutes", Type: FieldNumber},
			{Name: "warn_percent", Type: FieldNumber, Default: "80"}, activeField}},
		rows: slaRows, save: saveSLA},
	{AdminKind: AdminKind{Name: "calendars", Columns: []string{"name", "location", "week"},
		Fields: []AdminField{nameField, {Name: "location", Type: FieldText, Required: true, Hint: true, Default: "Europe/Berlin"},
			{Name: "week", Type: FieldText, Required: true, Hint: true, Default: "mon-fri 08:00-18:00"}, {Name: "holidays", Type: FieldLines, Hint: true}}},
		rows: calendarRows, save: saveCalendar},
	{AdminKind: AdminKind{Name: "customers", Active: true, Columns: []string{"login", "name", "email", "company_id"},
		Fields: []AdminField{{Name: "login", Type: FieldText, Required: true}, nameField, {Name: "email", Type: FieldText},
			{Name: "phone", Type: FieldText}, {Name: "department", Type: FieldText},
			{Name: "company_id", Type: FieldSelect, Choices: "companies", None: true},
			{Name: "company_view", Type: FieldBool, Hint: true}, activeField,
			{Name: "password", Type: FieldPassword, Hint: true}}},
		rows: customerRows, save: saveCustomer},
	{AdminKind: AdminKind{Name: "customer-companies", Active: true, Columns: []string{"name", "comment"},
		Fields: []AdminField{nameField, commentField, activeField}},
		rows: companyRows, save: saveCompany},
	{AdminKind: AdminKind{Name: "standard-responses", Active: true, Columns: []string{"name", "queue_id"},
		Fields: append(append([]AdminField{nameField}, bodyFields...),
			AdminField{Name: "queue_id", Type: FieldChecks, Choices: "queues"}, activeField)},
		rows: responseRows, save: saveResponse},
	{AdminKind: AdminKind{Name: "signatures", Active: true, Columns: []string{"name"},
		Fields: append(append([]AdminField{nameField}, bodyFields...), activeField)},
		rows: signatureRows, save: saveSignature},
	{AdminKind: AdminKind{Name: "auto-responses", Active: true, Columns: []string{"queue_id", "auto_kind", "language", "subject"},
		Fields: []AdminField{{Name: "queue_id", Type: FieldSelect, Choices: "queues", None: true, Hint: true},
			{Name: "auto_kind", Type: FieldSelect, Choices: "auto_kinds", Hint: true},
			{Name: "language", Type: FieldSelect, Choices: "languages"},
			{Name: "subject", Type: FieldText, Required: true, Hint: true}, {Name: "body", Type: FieldLines, Hint: true}, activeField}},
		rows: autoResponseRows, save: saveAutoResponse},
	{AdminKind: AdminKind{Name: "retention-policies", Columns: []string{"portal_read", "archive_after", "anonymise_after", "period_unit", "anonymise_mode"},
		Fields: []AdminField{{Name: "portal_read", Type: FieldNumber, Required: true, Hint: true, Default: "90"},
			{Name: "archive_after", Type: FieldNumber, Hint: true, Default: "0"},
			{Name: "anonymise_after", Type: FieldNumber, Hint: true, Default: "0"},
			{Name: "period_unit", Type: FieldSelect, Choices: "period_units", Hint: true},
			{Name: "anonymise_mode", Type: FieldSelect, Choices: "anonymise_modes", Hint: true}}},
		rows: retentionPolicyRows, save: saveRetentionPolicy},
	{AdminKind: AdminKind{Name: "tenants", Operator: true, Active: true, Columns: []string{"slug", "name"},
		Fields: []AdminField{{Name: "slug", Type: FieldText, Required: true, CreateOnly: true, Hint: true}, nameField, activeField,
			{Name: "admin_login", Type: FieldText, Required: true, CreateOnly: true, Hint: true},
			{Name: "admin_name", Type: FieldText, Required: true, CreateOnly: true},
			{Name: "admin_email", Type: FieldText, CreateOnly: true},
			{Name: "admin_password", Type: FieldPassword, Required: true, CreateOnly: true}}},
		rows: tenantRows, save: saveTenant},
	{AdminKind: AdminKind{Name: "ticket-types", Operator: true, Active: true, Columns: []string{"name"},
		Fields: []AdminField{nameField, activeField}},
		rows: typeRows, save: saveType},
	{AdminKind: AdminKind{Name: "priorities", Operator: true, Active: true, Columns: []string{"rank", "name"},
		Fields: []AdminField{nameField, {Name: "rank", Type: FieldNumber, Required: true, Hint: true}, activeField}},
		rows: priorityRows, save: savePriority},
}

// tenantQuery is the tenant's rows of model (one of them for id ≠ 0).
func tenantQuery(ctx context.Context, db *gorm.DB, model any, tenant, id int64) *gorm.DB {
	return byID(db.WithContext(ctx).Model(model).Where("tenant_id = ?", tenant), "id", id)
}

// loadOld reads the row a save changes, of the admin's tenant.
func loadOld(s *adminSave, obj any) error {
	return s.tx.Where("tenant_id = ?", s.p.TenantID).First(obj, s.id).Error
}

// — agents —

func agentRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var as []models.Agent
	if err := tenantQuery(ctx, db, &models.Agent{}, tenant, id).Order("name, id").Find(&as).Error; err != nil {
		return nil, err
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	var roles []models.AgentRole
	var perms []models.AgentPermission
	if len(ids) > 0 {
		if err := db.WithContext(ctx).Where("agent_id IN ?", ids).Order("role_id").Find(&roles).Error; err != nil {
			return nil, err
		}
		if err := db.WithContext(ctx).Where("agent_id IN ?", ids).Order("group_id, perm").Find(&perms).Error; err != nil {
			return nil, err
		}
	}
	out := make([]AdminValues, len(as))
	for i, a := range as {
		v := AdminValues{"id": {idString(a.ID)}, "login": {a.Login}, "name": {a.Name}, "email": {a.Email}, "phone": {a.Phone},
			"source": {a.Source}, "active": {boolString(a.Active)}, "role_id": {}, "perm": {}}
		// The form keeps the roles given by hand; those an LDAP login
		// gave are shown beside them (ldap_role_id), and left alone.
		for _, r := range roles {
			switch {
			case r.AgentID != a.ID:
			case r.Source == models.RoleManual:
				v["role_id"] = append(v["role_id"], idString(r.RoleID))
			default:
				v["ldap_role_id"] = append(v["ldap_role_id"], idString(r.RoleID))
			}
		}
		for _, p := range perms {
			if p.AgentID == a.ID {
				v["perm"] = append(v["perm"], gridValues([]groupPerm{{p.GroupID, p.Perm}})...)
			}
		}
		out[i] = v
	}
	return out, nil
}

func saveAgent(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	login := f.text("login", maxLogin, true)
	name := f.text("name", maxName, true)
	email := f.email("email", false)
	phone := f.text("phone", maxPhone, false)
	source := f.word("source", models.SourceLocal, models.SourceLDAP)
	active := f.bool("active")
	roles := f.refs(ctx, tx, "role_id", "roles", tenant)
	perms := f.grid(ctx, tx, "perm", tenant)
	if source == models.SourceLDAP && f.v.Get("password") != "" {
		f.bad("password", ticket.P(FieldLDAPNoPassword))
	}
	// Logins are unique across tenants: a login names one account.
	if err := f.unique(ctx, tx, "login", "agents", "login", login, 0, s.id); err != nil {
		return 0, err
	}
	if s.id == s.p.ID {
		// An admin who locked themselves out would need another admin.
		if !active {
			f.bad("active", ticket.P(FieldSelfInactive))
		}
		var admins int64
		err := tx.Model(&models.Role{}).Where("is_admin AND active AND (id IN ? OR id IN (?))", append(slices.Clone(roles), 0),
			tx.Model(&models.AgentRole{}).Select("role_id").Where("agent_id = ? AND source = ?", s.id, models.RoleFromLDAP)).
			Count(&admins).Error
		if err != nil {
			return 0, err
		}
		if admins == 0 {
			f.bad("role_id", ticket.P(FieldSelfAdmin))
		}
	}
	hash := ""
	if source == models.SourceLocal {
		// A local account needs a password: a new one, or one that came
		// from LDAP and had none here.
		hash = f.password("password", s.old == nil || s.old.Get("source") != models.SourceLocal)
	}
	if len(f.fe) > 0 {
		return 0, nil
	}
	var a models.Agent
	if s.old != nil {
		if err := loadOld(s, &a); err != nil {
			return 0, err
		}
	}
	wasActive := a.Active
	a.TenantID, a.Login, a.Name, a.Email, a.Phone, a.Source, a.Active = tenant, login, name, email, phone, source, active
	if hash != "" {
		a.PasswordHash = hash
	}
	if source == models.SourceLDAP {
		a.PasswordHash = ""
	}
	if err := store(tx, &a, s.old == nil); err != nil {
		return 0, err
	}
	gone := tx.Where("agent_id = ? AND source = ?", a.ID, models.RoleManual)
	if len(roles) > 0 {
		gone = gone.Where("role_id NOT IN ?", roles)
	}
	if err := gone.Delete(&models.AgentRole{}).Error; err != nil {
		return 0, err
	}
	for _, r := range roles {
		// A role given anew ends the agent's sessions; one it had stays.
		if err := models.GrantRole(ctx, tx, a.ID, r, models.RoleManual, s.now); err != nil {
			return 0, err
		}
	}
	if err := tx.Where("agent_id = ?", a.ID).Delete(&models.AgentPermission{}).Error; err != nil {
		return 0, err
	}
	for _, p := range perms {
		if err := tx.Create(&models.AgentPermission{AgentID: a.ID, GroupID: p.GroupID, Perm: p.Perm}).Error; err != nil {
			return 0, err
		}
	}
	roleValues := make([]string, len(roles))
	for i, r := range roles {
		roleValues[i] = idString(r)
	}
	if s.old != nil && (s.changed("role_id", roleValues) || s.changed("perm", gridValues(perms)) ||
		(wasActive && !active) || hash != "" || source != s.old.Get("source")) {
		s.revoke[a.ID] = true
	}
	return a.ID, nil
}

// — roles and groups —

func roleRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var rs []models.Role
	if err := tenantQuery(ctx, db, &models.Role{}, tenant, id).Order("name").Find(&rs).Error; err != nil {
		return nil, err
	}
	var perms []models.RolePermission
	q := db.WithContext(ctx).Where("role_id IN (?)", tenantQuery(ctx, db, &models.Role{}, tenant, id).Select("id"))
	if err := q.Order("group_id, perm").Find(&perms).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(rs))
	for i, r := range rs {
		v := AdminValues{"id": {idString(r.ID)}, "name": {r.Name}, "is_admin": {boolString(r.IsAdmin)},
			"reports": {boolString(r.Reports)}, "comment": {r.Comment}, "active": {boolString(r.Active)}, "perm": {}}
		for _, p := range perms {
			if p.RoleID == r.ID {
				v["perm"] = append(v["perm"], gridValues([]groupPerm{{p.GroupID, p.Perm}})...)
			}
		}
		out[i] = v
	}
	return out, nil
}

func saveRole(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	name := f.text("name", maxName, true)
	isAdmin := f.bool("is_admin")
	reports := f.bool("reports")
	comment := f.lines("comment", maxComment)
	active := f.bool("active")
	perms := f.grid(ctx, tx, "perm", tenant)
	if err := f.unique(ctx, tx, "name", "roles", "name", name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	var r models.Role
	if s.old != nil {
		if err := loadOld(s, &r); err != nil {
			return 0, err
		}
	}
	r.TenantID, r.Name, r.IsAdmin, r.Reports, r.Comment, r.Active = tenant, name, isAdmin, reports, comment, active
	if err := store(tx, &r, s.old == nil); err != nil {
		return 0, err
	}
	if err := tx.Where("role_id = ?", r.ID).Delete(&models.RolePermission{}).Error; err != nil {
		return 0, err
	}
	for _, p := range perms {
		if err := tx.Create(&models.RolePermission{RoleID: r.ID, GroupID: p.GroupID, Perm: p.Perm}).Error; err != nil {
			return 0, err
		}
	}
	if s.old != nil && (s.changed("perm", gridValues(perms)) || s.old.Get("is_admin") != boolString(isAdmin) ||
		s.old.Get("reports") != boolString(reports) || s.old.Get("active") != boolString(active)) {
		return r.ID, s.revokeRole(r.ID)
	}
	return r.ID, nil
}

func groupRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var gs []models.Group
	if err := tenantQuery(ctx, db, &models.Group{}, tenant, id).Order("name").Find(&gs).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(gs))
	for i, g := range gs {
		out[i] = AdminValues{"id": {idString(g.ID)}, "name": {g.Name}, "comment": {g.Comment}, "active": {boolString(g.Active)}}
	}
	return out, nil
}

func saveGroup(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	name := f.text("name", maxName, true)
	comment := f.lines("comment", maxComment)
	active := f.bool("active")
	if err := f.unique(ctx, tx, "name", "groups", "name", name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	var g models.Group
	if s.old != nil {
		if err := loadOld(s, &g); err != nil {
			return 0, err
		}
	}
	g.TenantID, g.Name, g.Comment, g.Active = tenant, name, comment, active
	if err := store(tx, &g, s.old == nil); err != nil {
		return 0, err
	}
	// An inactive group grants nothing: its agents' rights change.
	if s.old != nil && s.old.Get("active") != boolString(active) {
		return g.ID, s.revokeGroup(g.ID)
	}
	return g.ID, nil
}

// — queues and services —

func queueRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var qs []models.Queue
	if err := tenantQuery(ctx, db, &models.Queue{}, tenant, id).Order("name").Find(&qs).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(qs))
	for i, q := range qs {
		out[i] = AdminValues{"id": {idString(q.ID)}, "name": {q.Name}, "level": {string(q.Level)}, "email": {q.Email}, "group_id": {optID(q.GroupID)},
			"follow_up": {q.FollowUp}, "follow_up_days": {itoa(q.FollowUpDays)}, "signature_id": {optID(q.SignatureID)},
			"comment": {q.Comment}, "active": {boolString(q.Active)}}
	}
	return out, nil
}

func saveQueue(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	name := f.text("name", maxName, true)
	level := f.word("level", string(models.LevelFirst), string(models.LevelSecond), string(models.LevelTeam))
	// The address mail to the queue comes to (routing): one queue each.
	email := strings.ToLower(f.email("email", false))
	group := f.ref(ctx, tx, "group_id", "groups", tenant, false)
	followUp := f.word("follow_up", models.FollowUpReopen, models.FollowUpReject, models.FollowUpNew)
	days := f.number("follow_up_days", 0, 3650)
	signature := f.ref(ctx, tx, "signature_id", "signatures", tenant, false)
	comment := f.lines("comment", maxComment)
	active := f.bool("active")
	if err := f.unique(ctx, tx, "name", "queues", "name", name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	if email != "" {
		if err := f.unique(ctx, tx, "email", "queues", "email", email, tenant, s.id); err != nil || len(f.fe) > 0 {
			return 0, err
		}
	}
	if group == nil && strings.TrimSpace(f.v.Get("group_id")) == "" {
		// No group chosen: the queue gets one of its own, named like it,
		// as migration 00010 gave every queue before.
		g := models.Group{TenantID: tenant, Name: name}
		if err := tx.Where(models.Group{TenantID: tenant, Name: name}).FirstOrCreate(&g).Error; err != nil {
			return 0, err
		}
		group = &g.ID
	}
	var q models.Queue
	if s.old != nil {
		if err := loadOld(s, &q); err != nil {
			return 0, err
		}
	}
	before := q.GroupID
	q.TenantID, q.Name, q.Level, q.GroupID, q.FollowUp, q.FollowUpDays = tenant, name, models.Level(level), group, followUp, days
	q.SignatureID, q.Comment, q.Active, q.Email = signature, comment, active, email
	if err := store(tx, &q, s.old == nil); err != nil {
		return 0, err
	}
	if s.old != nil && optID(before) != optID(group) {
		// The queue's tickets now go by another group's permissions.
		for _, g := range []*int64{before, group} {
			if g != nil {
				if err := s.revokeGroup(*g); err != nil {
					return 0, err
				}
			}
		}
	}
	return q.ID, nil
}

func serviceRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var ss []models.Service
	if err := tenantQuery(ctx, db, &models.Service{}, tenant, id).Order("name").Find(&ss).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(ss))
	for i, sv := range ss {
		out[i] = AdminValues{"id": {idString(sv.ID)}, "name": {sv.Name}, "queue_id": {idString(sv.QueueID)},
			"second_level_queue_id": {optID(sv.SecondLevelQueueID)}, "description": {sv.Description},
			"portal_description_de": {sv.PortalDescriptionDE}, "portal_description_en": {sv.PortalDescriptionEN}, "active": {boolString(sv.Active)}}
	}
	return out, nil
}

func saveService(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	name := f.text("name", maxName, true)
	// "Parent::Child": each part named, with the spaces around "::" gone.
	parts := strings.Split(name, "::")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" && name != "" {
			f.bad("name", ticket.P(FieldBadServiceName))
		}
	}
	name = strings.Join(parts, "::")
	queue := f.ref(ctx, tx, "queue_id", "queues", tenant, true)
	second := f.ref(ctx, tx, "second_level_queue_id", "queues", tenant, false)
	description := f.lines("description", maxComment)
	portalDE := f.lines("portal_description_de", maxComment)
	portalEN := f.lines("portal_description_en", maxComment)
	active := f.bool("active")
	if err := f.unique(ctx, tx, "name", "services", "name", name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	var sv models.Service
	if s.old != nil {
		if err := loadOld(s, &sv); err != nil {
			return 0, err
		}
	}
	sv.TenantID, sv.Name, sv.QueueID, sv.SecondLevelQueueID, sv.Description, sv.Active = tenant, name, *queue, second, description, active
	sv.PortalDescriptionDE, sv.PortalDescriptionEN = portalDE, portalEN
	return sv.ID, store(tx, &sv, s.old == nil)
}

// — SLAs and calendars —

func slaRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var ss []models.SLA
	if err := tenantQuery(ctx, db, &models.SLA{}, tenant, id).Order("name, id").Find(&ss).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(ss))
	for i, x := range ss {
		out[i] = AdminValues{"id": {idString(x.ID)}, "name": {x.Name}, "service_id": {idString(x.ServiceID)},
			"priority_id": {optID(x.PriorityID)}, "calendar_id": {idString(x.CalendarID)},
			"first_response_minutes": {itoa(x.FirstResponseMinutes)}, "update_minutes": {itoa(x.UpdateMinutes)},
			"solution_minutes": {itoa(x.SolutionMinutes)}, "escalate_minutes": {itoa(x.EscalateMinutes)},
			"warn_percent": {itoa(x.WarnPercent)}, "active": {boolString(x.Active)}}
	}
	return out, nil
}

// maxSLAMinutes bounds an SLA's targets: a year of working time.
const maxSLAMinutes = 525_600

func saveSLA(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	x := models.SLA{TenantID: tenant, ID: s.id}
	x.Name = f.text("name", maxName, true)
	service := f.ref(ctx, tx, "service_id", "services", tenant, true)
	x.PriorityID = f.ref(ctx, tx, "priority_id", "priorities", tenant, false)
	cal := f.ref(ctx, tx, "calendar_id", "calendars", tenant, true)
	x.FirstResponseMinutes = f.number("first_response_minutes", 0, maxSLAMinutes)
	x.UpdateMinutes = f.number("update_minutes", 0, maxSLAMinutes)
	x.SolutionMinutes = f.number("solution_minutes", 0, maxSLAMinutes)
	x.EscalateMinutes = f.number("escalate_minutes", 0, maxSLAMinutes)
	x.WarnPercent = f.number("warn_percent", 0, 100)
	x.Active = f.bool("active")
	if service != nil {
		// One SLA per service and priority (or all priorities), as the
		// database's index has it.
		var n int64
		q := tx.Model(&models.SLA{}).Where("service_id = ? AND id <> ?", *service, s.id)
		if x.PriorityID == nil {
			q = q.Where("priority_id IS NULL")
		} else {
			q = q.Where("priority_id = ?", *x.PriorityID)
		}
		if err := q.Count(&n).Error; err != nil {
			return 0, err
		}
		if n > 0 {
			f.bad("priority_id", ticket.P(FieldTaken))
		}
	}
	if len(f.fe) > 0 {
		return 0, nil
	}
	x.ServiceID, x.CalendarID = *service, *cal
	return x.ID, store(tx, &x, s.old == nil)
}

func calendarRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var cs []models.Calendar
	if err := tenantQuery(ctx, db, &models.Calendar{}, tenant, id).Order("name").Find(&cs).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(cs))
	for i, c := range cs {
		out[i] = AdminValues{"id": {idString(c.ID)}, "name": {c.Name}, "location": {c.Location}, "week": {c.Week}, "holidays": {c.Holidays}}
	}
	return out, nil
}

func saveCalendar(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	c := models.Calendar{ID: s.id, TenantID: tenant}
	c.Name = f.text("name", maxName, true)
	c.Location = f.text("location", maxName, true)
	// "Local" is whatever zone the server runs in: no calendar's zone.
	if _, err := time.LoadLocation(c.Location); c.Location != "" && (err != nil || c.Location == "Local") {
		f.bad("location", ticket.P(FieldBadZone))
	}
	c.Week = f.text("week", maxComment, true)
	if c.Week != "" {
		week, err := calendar.ParseWeek(c.Week)
		if err == nil {
			// Validate finds what the parser lets pass: no working time.
			err = calendar.Calendar{Name: c.Name, Location: "UTC", Week: week}.Validate()
		}
		if err != nil {
			f.bad("week", ticket.P(FieldBadWeek, "Detail", err.Error()))
		}
	}
	var days []string
	for _, d := range strings.Fields(f.lines("holidays", maxComment*5)) {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			f.bad("holidays", ticket.P(FieldBadDate, "Date", d))
			break
		}
		if !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	c.Holidays = strings.Join(days, " ")
	if err := f.unique(ctx, tx, "name", "calendars", "name", c.Name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	return c.ID, store(tx, &c, s.old == nil)
}

// — customers —

func customerRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var cs []models.Customer
	if err := tenantQuery(ctx, db, &models.Customer{}, tenant, id).Order("name, id").Find(&cs).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(cs))
	for i, c := range cs {
		out[i] = AdminValues{"id": {idString(c.ID)}, "login": {c.Login}, "name": {c.Name}, "email": {c.Email}, "phone": {c.Phone},
			"department": {c.Department}, "company_id": {optID(c.CompanyID)}, "company_view": {boolString(c.CompanyView)},
			"active": {boolString(c.Active)}}
	}
	return out, nil
}

func saveCustomer(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	login := f.text("login", maxLogin, true)
	name := f.text("name", maxName, true)
	email := f.email("email", false)
	phone := f.text("phone", maxPhone, false)
	department := f.text("department", maxName, false)
	company := f.ref(ctx, tx, "company_id", "customer_companies", tenant, false)
	companyView := f.bool("company_view")
	active := f.bool("active")
	if err := f.unique(ctx, tx, "login", "customers", "login", login, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	var c models.Customer
	if s.old != nil {
		if err := loadOld(s, &c); err != nil {
			return 0, err
		}
	}
	// The portal password is for local accounts; kiz accounts log in
	// with the directory's.
	if c.Source == models.SourceLDAP && f.v.Get("password") != "" {
		f.bad("password", ticket.P(FieldLDAPNoPassword))
	}
	hash := f.password("password", false)
	if len(f.fe) > 0 {
		return 0, nil
	}
	c.TenantID, c.Login, c.Name, c.Email, c.Phone, c.Department, c.CompanyID, c.Active = tenant, login, name, email, phone, department, company, active
	c.CompanyView = companyView
	if hash != "" {
		c.PasswordHash = hash
	}
	if c.Source == "" {
		c.Source = models.SourceLocal
	}
	return c.ID, store(tx, &c, s.old == nil)
}

func companyRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var cs []models.CustomerCompany
	if err := tenantQuery(ctx, db, &models.CustomerCompany{}, tenant, id).Order("name").Find(&cs).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(cs))
	for i, c := range cs {
		out[i] = AdminValues{"id": {idString(c.ID)}, "name": {c.Name}, "comment": {c.Comment}, "active": {boolString(c.Active)}}
	}
	return out, nil
}

func saveCompany(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	c := models.CustomerCompany{ID: s.id, TenantID: tenant}
	c.Name = f.text("name", maxName, true)
	c.Comment = f.lines("comment", maxComment)
	c.Active = f.bool("active")
	if err := f.unique(ctx, tx, "name", "customer_companies", "name", c.Name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	if s.old != nil {
		var old models.CustomerCompany
		if err := loadOld(s, &old); err != nil {
			return 0, err
		}
		c.CreatedAt = old.CreatedAt
	}
	return c.ID, store(tx, &c, s.old == nil)
}

// — standard responses and signatures —

func responseRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var rs []models.StandardResponse
	if err := tenantQuery(ctx, db, &models.StandardResponse{}, tenant, id).Order("name").Find(&rs).Error; err != nil {
		return nil, err
	}
	var qs []models.StandardResponseQueue
	q := db.WithContext(ctx).Where("response_id IN (?)", tenantQuery(ctx, db, &models.StandardResponse{}, tenant, id).Select("id"))
	if err := q.Order("queue_id").Find(&qs).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(rs))
	for i, r := range rs {
		v := AdminValues{"id": {idString(r.ID)}, "name": {r.Name}, "body_de": {r.BodyDE}, "body_en": {r.BodyEN},
			"active": {boolString(r.Active)}, "queue_id": {}}
		for _, x := range qs {
			if x.ResponseID == r.ID {
				v["queue_id"] = append(v["queue_id"], idString(x.QueueID))
			}
		}
		out[i] = v
	}
	return out, nil
}

func saveResponse(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	r := models.StandardResponse{ID: s.id, TenantID: tenant}
	r.Name = f.text("name", maxName, true)
	r.BodyDE, r.BodyEN = f.lines("body_de", maxBody), f.lines("body_en", maxBody)
	r.Active = f.bool("active")
	queues := f.refs(ctx, tx, "queue_id", "queues", tenant)
	if err := f.unique(ctx, tx, "name", "standard_responses", "name", r.Name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	if s.old != nil {
		var old models.StandardResponse
		if err := loadOld(s, &old); err != nil {
			return 0, err
		}
		r.CreatedAt = old.CreatedAt
	}
	if err := store(tx, &r, s.old == nil); err != nil {
		return 0, err
	}
	if err := tx.Where("response_id = ?", r.ID).Delete(&models.StandardResponseQueue{}).Error; err != nil {
		return 0, err
	}
	for _, q := range queues {
		if err := tx.Create(&models.StandardResponseQueue{ResponseID: r.ID, QueueID: q}).Error; err != nil {
			return 0, err
		}
	}
	return r.ID, nil
}

func signatureRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var ss []models.Signature
	if err := tenantQuery(ctx, db, &models.Signature{}, tenant, id).Order("name").Find(&ss).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(ss))
	for i, x := range ss {
		out[i] = AdminValues{"id": {idString(x.ID)}, "name": {x.Name}, "body_de": {x.BodyDE}, "body_en": {x.BodyEN}, "active": {boolString(x.Active)}}
	}
	return out, nil
}

func saveSignature(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	x := models.Signature{ID: s.id, TenantID: tenant}
	x.Name = f.text("name", maxName, true)
	x.BodyDE, x.BodyEN = f.lines("body_de", maxBody), f.lines("body_en", maxBody)
	x.Active = f.bool("active")
	if err := f.unique(ctx, tx, "name", "signatures", "name", x.Name, tenant, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	if s.old != nil {
		var old models.Signature
		if err := loadOld(s, &old); err != nil {
			return 0, err
		}
		x.CreatedAt = old.CreatedAt
	}
	return x.ID, store(tx, &x, s.old == nil)
}

// — automatic answers —

func autoResponseRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var rs []models.AutoResponse
	if err := tenantQuery(ctx, db, &models.AutoResponse{}, tenant, id).Order("queue_id, kind, language").Find(&rs).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(rs))
	for i, r := range rs {
		queue := ""
		if r.QueueID != 0 {
			queue = idString(r.QueueID)
		}
		out[i] = AdminValues{"id": {idString(r.ID)}, "queue_id": {queue}, "auto_kind": {r.Kind}, "language": {r.Language},
			"subject": {r.Subject}, "body": {r.Body}, "active": {boolString(r.Active)}}
	}
	return out, nil
}

// saveAutoResponse keeps one text per queue (none: the tenant's default),
// kind and language; {{.Number}}, {{.Title}}, {{.Queue}} and
// {{.Customer}} are filled in when it is sent.
func saveAutoResponse(s *adminSave) (int64, error) {
	f, ctx, tx, tenant := s.in, s.ctx, s.tx, s.p.TenantID
	r := models.AutoResponse{ID: s.id, TenantID: tenant}
	if q := f.ref(ctx, tx, "queue_id", "queues", tenant, false); q != nil {
		r.QueueID = *q
	}
	r.Kind = f.word("auto_kind", models.AutoNew, models.AutoFollowUp, models.AutoReject)
	r.Language = f.word("language", "de", "en")
	r.Subject = f.text("subject", maxName, true)
	r.Body = f.lines("body", maxBody)
	if strings.TrimSpace(r.Body) == "" {
		f.bad("body", ticket.P(ticket.FieldRequired))
	}
	r.Active = f.bool("active")
	if len(f.fe) > 0 {
		return 0, nil
	}
	var n int64
	err := tx.Model(&models.AutoResponse{}).Where("tenant_id = ? AND queue_id = ? AND kind = ? AND language = ? AND id <> ?",
		tenant, r.QueueID, r.Kind, r.Language, s.id).Count(&n).Error
	if err != nil {
		return 0, err
	}
	if n > 0 {
		f.bad("language", ticket.P(FieldTaken))
		return 0, nil
	}
	return r.ID, store(tx, &r, s.old == nil)
}

// — global objects: tenants, ticket types, priorities —

func tenantRows(ctx context.Context, db *gorm.DB, _, id int64) ([]AdminValues, error) {
	var ts []models.Tenant
	if err := byID(db.WithContext(ctx).Model(&models.Tenant{}), "id", id).Order("name").Find(&ts).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(ts))
	for i, t := range ts {
		out[i] = AdminValues{"id": {idString(t.ID)}, "slug": {t.Slug}, "name": {t.Name}, "active": {boolString(t.Active)}}
	}
	return out, nil
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// saveTenant creates a tenant together with its predefined roles and its
// first admin, so a new tenant is usable from the browser alone; an
// update renames or (de)activates it.
func saveTenant(s *adminSave) (int64, error) {
	f, ctx, tx := s.in, s.ctx, s.tx
	name := f.text("name", maxName, true)
	active := f.bool("active")
	if s.old != nil {
		if !active && s.id == s.p.TenantID {
			f.bad("active", ticket.P(FieldSelfInactive))
			return 0, nil
		}
		if len(f.fe) > 0 {
			return 0, nil
		}
		var t models.Tenant
		if err := tx.First(&t, s.id).Error; err != nil {
			return 0, err
		}
		wasActive := t.Active
		t.Name, t.Active = name, active
		if err := store(tx, &t, false); err != nil {
			return 0, err
		}
		if wasActive && !active {
			// Nobody keeps working in a tenant that was switched off.
			var ids []int64
			if err := tx.Model(&models.Agent{}).Where("tenant_id = ?", t.ID).Pluck("id", &ids).Error; err != nil {
				return 0, err
			}
			for _, id := range ids {
				s.revoke[id] = true
			}
		}
		return t.ID, nil
	}
	slug := f.text("slug", 40, true)
	if slug != "" && !slugRE.MatchString(slug) {
		f.bad("slug", ticket.P(FieldBadSlug))
	}
	login := f.text("admin_login", maxLogin, true)
	agentName := f.text("admin_name", maxName, true)
	email := f.email("admin_email", false)
	if err := f.unique(ctx, tx, "slug", "tenants", "slug", slug, 0, 0); err != nil {
		return 0, err
	}
	if err := f.unique(ctx, tx, "admin_login", "agents", "login", login, 0, 0); err != nil {
		return 0, err
	}
	hash := f.password("admin_password", true)
	if len(f.fe) > 0 {
		return 0, nil
	}
	t := models.Tenant{Slug: slug, Name: name, Active: active}
	if err := store(tx, &t, true); err != nil {
		return 0, err
	}
	roles, err := models.PredefinedRoles(ctx, tx, t.ID)
	if err != nil {
		return 0, err
	}
	a := models.Agent{TenantID: t.ID, Login: login, Name: agentName, Email: email, Source: models.SourceLocal,
		PasswordHash: hash, Active: true}
	if err := tx.Create(&a).Error; err != nil {
		return 0, err
	}
	if err := models.GrantRole(ctx, tx, a.ID, roles[models.AdminRole].ID, models.RoleManual, s.now); err != nil {
		return 0, err
	}
	s.extra = map[string]string{"admin_login": login, "admin_name": agentName}
	return t.ID, nil
}

func typeRows(ctx context.Context, db *gorm.DB, _, id int64) ([]AdminValues, error) {
	var ts []models.TicketType
	if err := byID(db.WithContext(ctx).Model(&models.TicketType{}), "id", id).Order("name").Find(&ts).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(ts))
	for i, t := range ts {
		out[i] = AdminValues{"id": {idString(t.ID)}, "name": {t.Name}, "active": {boolString(t.Active)}}
	}
	return out, nil
}

func saveType(s *adminSave) (int64, error) {
	f, ctx, tx := s.in, s.ctx, s.tx
	t := models.TicketType{ID: s.id}
	t.Name = f.text("name", maxName, true)
	t.Active = f.bool("active")
	if err := f.unique(ctx, tx, "name", "ticket_types", "name", t.Name, 0, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	return t.ID, store(tx, &t, s.old == nil)
}

func priorityRows(ctx context.Context, db *gorm.DB, _, id int64) ([]AdminValues, error) {
	var ps []models.Priority
	if err := byID(db.WithContext(ctx).Model(&models.Priority{}), "id", id).Order("rank").Find(&ps).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(ps))
	for i, p := range ps {
		out[i] = AdminValues{"id": {idString(p.ID)}, "name": {p.Name}, "rank": {itoa(p.Rank)}, "active": {boolString(p.Active)}}
	}
	return out, nil
}

// savePriority keeps the ranks 1..n, each once (they order the queues'
// tickets): a priority put at rank r pushes those from r on a place
// along, the way one reorders a list.
func savePriority(s *adminSave) (int64, error) {
	f, ctx, tx := s.in, s.ctx, s.tx
	var n int64
	if err := tx.Model(&models.Priority{}).Count(&n).Error; err != nil {
		return 0, err
	}
	if s.old == nil {
		n++
	}
	p := models.Priority{ID: s.id}
	p.Name = f.text("name", maxName, true)
	p.Rank = f.number("rank", 1, int(n))
	p.Active = f.bool("active")
	if err := f.unique(ctx, tx, "name", "priorities", "name", p.Name, 0, s.id); err != nil || len(f.fe) > 0 {
		return 0, err
	}
	from := int(n) + 1 // a new priority comes from behind the last
	if s.old != nil {
		var old models.Priority
		if err := tx.First(&old, s.id).Error; err != nil {
			return 0, err
		}
		from = old.Rank
		// Rank 0 is no rank: the priority waits there while the others move.
		if err := tx.Model(&models.Priority{}).Where("id = ?", s.id).Update("rank", 0).Error; err != nil {
			return 0, err
		}
	}
	if err := shiftRanks(tx, from, p.Rank); err != nil {
		return 0, err
	}
	return p.ID, store(tx, &p, s.old == nil)
}

// shiftRanks moves the ranks between from and to a place towards from,
// freeing rank to. The ranks pass through negative values: the unique
// index is checked row by row, so rank+1 in place would collide.
func shiftRanks(tx *gorm.DB, from, to int) error {
	var q *gorm.DB
	switch {
	case to < from:
		q = tx.Model(&models.Priority{}).Where("rank >= ? AND rank < ?", to, from).Update("rank", gorm.Expr("-(rank + 1)"))
	case to > from:
		q = tx.Model(&models.Priority{}).Where("rank > ? AND rank <= ?", from, to).Update("rank", gorm.Expr("-(rank - 1)"))
	default:
		return nil
	}
	if q.Error != nil {
		return q.Error
	}
	return tx.Model(&models.Priority{}).Where("rank < 0").Update("rank", gorm.Expr("-rank")).Error
}

func itoa(n int) string { return idString(int64(n)) }

// — retention policy (one per tenant) —

func retentionPolicyRows(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error) {
	var ps []models.RetentionPolicy
	if err := tenantQuery(ctx, db, &models.RetentionPolicy{}, tenant, id).Order("id").Find(&ps).Error; err != nil {
		return nil, err
	}
	out := make([]AdminValues, len(ps))
	for i, p := range ps {
		out[i] = AdminValues{"id": {idString(p.ID)}, "portal_read": {itoa(p.PortalRead)},
			"archive_after": {itoa(p.ArchiveAfter)}, "anonymise_after": {itoa(p.AnonymiseAfter)},
			"period_unit": {p.Unit}, "anonymise_mode": {p.AnonymiseMode}}
	}
	return out, nil
}

// maxRetention is a hundred years: more is a typing error.
const maxRetention = 100 * 365 * 24 * time.Hour

func saveRetentionPolicy(s *adminSave) (int64, error) {
	f, tx, tenant := s.in, s.tx, s.p.TenantID
	var p models.RetentionPolicy
	// 0 would read as "the default" when the row is made: the reading
	// window is at least a day.
	p.Unit = f.word("period_unit", models.PeriodUnits...)
	most := int(maxRetention / p.Period(1))
	p.PortalRead = f.number("portal_read", 1, most)
	p.ArchiveAfter = f.number("archive_after", 0, most)
	p.AnonymiseAfter = f.number("anonymise_after", 0, most)
	p.AnonymiseMode = f.word("anonymise_mode", models.AnonymiseModes...)
	if s.old == nil {
		var n int64
		if err := tx.Model(&models.RetentionPolicy{}).Where("tenant_id = ?", tenant).Count(&n).Error; err != nil {
			return 0, err
		}
		if n > 0 {
			f.bad("portal_read", ticket.P(FieldTaken)) // one policy per tenant: edit it
		}
	}
	if len(f.fe) > 0 {
		return 0, nil
	}
	if s.old != nil {
		var old models.RetentionPolicy
		if err := loadOld(s, &old); err != nil {
			return 0, err
		}
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
	} else {
		p.CreatedAt = s.now.UTC()
	}
	p.TenantID = tenant
	if err := store(tx, &p, s.old == nil); err != nil {
		return 0, err
	}
	return p.ID, nil
}

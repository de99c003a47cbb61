package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The admin interface: the objects a tenant's admins keep (agents, roles,
// queues, services, SLAs, …) and the global ones the operator tenant's
// admins keep (tenants, ticket types, priorities). Every object kind is
// one entry of adminKinds: its fields, how its rows are read, and how a
// save is checked and written. The skins only show the fields; every rule
// is here, and every method starts with the same check of who asks
// (mustAdmin), so no route can forget it.
//
// Objects are never deleted, only deactivated (OTRS's valid/invalid):
// tickets and history keep referring to them.

// AdminValues are an object's fields as a form holds them: by field
// name, one value or (checkboxes) several. IDs are decimal strings.
type AdminValues map[string][]string

// Get is a field's (first) value; "" if it has none.
func (v AdminValues) Get(name string) string {
	if len(v[name]) == 0 {
		return ""
	}
	return v[name][0]
}

// Has tells whether value is one of the field's values (a checked box).
func (v AdminValues) Has(name, value string) bool { return slices.Contains(v[name], value) }

// FieldType says how a field is entered and read.
type FieldType string

const (
	FieldText     FieldType = "text"
	FieldLines    FieldType = "lines"    // a text area
	FieldBool     FieldType = "bool"     // a checkbox: "true" when checked
	FieldNumber   FieldType = "number"   // an integer
	FieldSelect   FieldType = "select"   // one of Choices (an ID or a word)
	FieldChecks   FieldType = "checks"   // any of Choices
	FieldGrid     FieldType = "grid"     // "groupID:perm" for groups × ticket.Perms
	FieldPassword FieldType = "password" // never shown, never kept
)

// AdminField is one field of an object kind.
type AdminField struct {
	Name string
	Type FieldType
	// Choices names the AdminChoices a select, checks or grid offers.
	Choices  string
	Required bool
	// None: a select may be left empty (its "none" option).
	None bool
	// CreateOnly fields are only on the form that creates the object
	// (a tenant's slug and first admin).
	CreateOnly bool
	// Hint: the form explains the field (a format, what empty means).
	Hint bool
	// Default is the value a new object's form starts with.
	Default string
}

// AdminKind is a kind of object the admin interface keeps.
type AdminKind struct {
	// Name is the kind's path segment under /admin and its texts' key.
	Name string
	// Operator: only admins of the operator tenant keep it (global
	// objects and tenants).
	Operator bool
	Fields   []AdminField
	// Columns are the fields the list shows.
	Columns []string
	// Active: the kind can be deactivated (field "active").
	Active bool
}

// Field returns the kind's field by name.
func (k AdminKind) Field(name string) (AdminField, bool) {
	for _, f := range k.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return AdminField{}, false
}

// AdminRow is an object as a list shows it: its fields in words (names
// for IDs), its depth in a hierarchy (services), and whether it is active.
type AdminRow struct {
	ID     int64
	Cells  map[string]string
	Depth  int
	Active bool
}

// AdminChoice is one option of a select or checkbox field. Word options
// (levels, follow-up policies) are vocabulary the skin translates;
// others are names an admin gave.
type AdminChoice struct {
	Value string
	Label string
	Word  bool
}

// AdminChoices are the options of a kind's fields, by AdminField.Choices.
type AdminChoices map[string][]AdminChoice

// Label is the option's label for value; value itself if none has it.
func (c AdminChoices) Label(key, value string) string {
	for _, o := range c[key] {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// Admin audit actions.
const (
	AuditCreate = "create"
	AuditUpdate = "update"
	AuditRevoke = "revoke"
	AuditRemove = "remove"
)

// Problems of admin input, in the catalogues with the other codes.
const (
	FieldTaken          ticket.Code = "field.taken"            // the name (login, rank) is used already
	FieldPasswordShort  ticket.Code = "field.password_short"   // Min
	FieldBadZone        ticket.Code = "field.bad_zone"         // not an IANA time zone
	FieldBadWeek        ticket.Code = "field.bad_week"         // Detail
	FieldBadDate        ticket.Code = "field.bad_date"         // Date
	FieldRange          ticket.Code = "field.range"            // Min, Max
	FieldBadSlug        ticket.Code = "field.bad_slug"         //
	FieldBadEmail       ticket.Code = "field.bad_email"        //
	FieldBadServiceName ticket.Code = "field.bad_service"      // an empty part between "::"
	FieldSelfInactive   ticket.Code = "field.self_inactive"    // one's own account or tenant
	FieldSelfAdmin      ticket.Code = "field.self_admin"       // one's own last admin role
	FieldNotPermission  ticket.Code = "field.not_permission"   // Perm
	FieldLDAPNoPassword ticket.Code = "field.ldap_no_password" //
)

// AdminCodes lists the admin problem codes, for the catalogue test.
var AdminCodes = []ticket.Code{FieldTaken, FieldPasswordShort, FieldBadZone, FieldBadWeek, FieldBadDate, FieldRange,
	FieldBadSlug, FieldBadEmail, FieldBadServiceName, FieldSelfInactive, FieldSelfAdmin, FieldNotPermission, FieldLDAPNoPassword}

// mustAdmin refuses everyone but an agent with an admin role, and for
// operator-only objects an admin of the operator tenant.
func (d *Desk) mustAdmin(ctx context.Context, p Principal, operator bool) error {
	if !p.IsAgent() {
		return ErrForbidden
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return err
	}
	if a == nil || !a.Admin || (operator && !a.Operator) {
		return ErrForbidden
	}
	return nil
}

// AdminKinds returns the kinds p may keep, in the order the index shows
// them; ErrForbidden for anyone who is no admin.
func (d *Desk) AdminKinds(ctx context.Context, p Principal) ([]AdminKind, error) {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return nil, err
	}
	a, err := d.access(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []AdminKind
	for _, k := range adminKinds {
		if !k.Operator || a.Operator {
			out = append(out, k.AdminKind)
		}
	}
	return out, nil
}

// AllAdminKinds are every kind there is, for the skins' route tables.
func AllAdminKinds() []AdminKind {
	out := make([]AdminKind, len(adminKinds))
	for i, k := range adminKinds {
		out[i] = k.AdminKind
	}
	return out
}

// kind looks up an object kind and checks p may keep it.
func (d *Desk) kind(ctx context.Context, p Principal, name string) (*adminKind, error) {
	i := slices.IndexFunc(adminKinds, func(k adminKind) bool { return k.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("admin kind %q: %w", name, ErrNotFound)
	}
	k := &adminKinds[i]
	if err := d.mustAdmin(ctx, p, k.Operator); err != nil {
		return nil, err
	}
	return k, nil
}

// AdminListLimit bounds how many objects a list shows: a tenant's
// customers run into the thousands, which a search narrows.
const AdminListLimit = 500

// AdminList returns the objects of a kind (the tenant's, or for global
// kinds all of them) whose list columns contain search (any case; ""
// matches all), at most AdminListLimit of them, and how many match.
func (d *Desk) AdminList(ctx context.Context, p Principal, kind, search string) ([]AdminRow, int, error) {
	k, err := d.kind(ctx, p, kind)
	if err != nil {
		return nil, 0, err
	}
	db := d.db.WithContext(ctx)
	rows, err := k.rows(ctx, db, p.TenantID, 0)
	if err != nil {
		return nil, 0, wrapf(err, "list %s", kind)
	}
	choices, err := k.choices(ctx, db, p.TenantID)
	if err != nil {
		return nil, 0, err
	}
	search = strings.ToLower(strings.TrimSpace(search))
	var out []AdminRow
	n := 0
	for _, v := range rows {
		id, _ := strconv.ParseInt(v.Get("id"), 10, 64)
		r := AdminRow{ID: id, Cells: k.readable(v, choices), Active: !k.Active || v.Get("active") == "true"}
		if k.Name == "services" {
			r.Depth = strings.Count(v.Get("name"), "::")
		}
		if search != "" && !slices.ContainsFunc(k.Columns, func(c string) bool {
			return strings.Contains(strings.ToLower(r.Cells[c]), search)
		}) {
			continue
		}
		if n++; n <= AdminListLimit {
			out = append(out, r)
		}
	}
	return out, n, nil
}

// AdminObject returns one object's fields; ErrNotFound for an object of
// another tenant.
func (d *Desk) AdminObject(ctx context.Context, p Principal, kind string, id int64) (AdminValues, error) {
	k, err := d.kind(ctx, p, kind)
	if err != nil {
		return nil, err
	}
	return k.one(ctx, d.db.WithContext(ctx), p.TenantID, id)
}

// AdminChoices returns the options of a kind's fields in p's tenant.
func (d *Desk) AdminChoices(ctx context.Context, p Principal, kind string) (AdminChoices, error) {
	k, err := d.kind(ctx, p, kind)
	if err != nil {
		return nil, err
	}
	return k.choices(ctx, d.db.WithContext(ctx), p.TenantID)
}

// AdminSave creates (id 0) or updates an object from the form's values
// and returns its ID. Bad input is FieldErrors and changes nothing. The
// change, its audit entry and the end of the sessions of agents whose
// permissions it changes are one transaction.
func (d *Desk) AdminSave(ctx context.Context, p Principal, kind string, id int64, v AdminValues) (int64, error) {
	k, err := d.kind(ctx, p, kind)
	if err != nil {
		return 0, err
	}
	err = d.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		s := &adminSave{ctx: ctx, tx: tx, p: p, id: id, in: &adminForm{v: v, fe: FieldErrors{}}, now: d.now(), revoke: map[int64]bool{}}
		if id != 0 {
			if s.old, err = k.one(ctx, tx, p.TenantID, id); err != nil {
				return err
			}
		}
		if id, err = k.save(s); err != nil {
			return err
		}
		if len(s.in.fe) > 0 {
			return s.in.fe
		}
		cur, err := k.one(ctx, tx, p.TenantID, id)
		if err != nil {
			return err
		}
		choices, err := k.choices(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		var before map[string]string
		action := AuditCreate
		if s.old != nil {
			before, action = k.readable(s.old, choices), AuditUpdate
		}
		after := k.readable(cur, choices)
		maps.Copy(after, s.extra)
		if action == AuditUpdate && maps.Equal(before, after) && len(s.revoke) == 0 {
			return nil // nothing changed: nothing to audit
		}
		if err := s.audit(k.Name, id, action, before, after); err != nil {
			return err
		}
		return s.revokeSessions()
	})
	if models.IsUniqueViolation(err) {
		// Another admin took the name between the check and the write;
		// the first field is the name (login, slug) of every kind.
		err = FieldErrors{k.Fields[0].Name: ticket.P(FieldTaken)}
	}
	if err != nil {
		return 0, wrapf(err, "save %s %d", kind, id)
	}
	return id, nil
}

// adminKind is an object kind with what the desk does with it.
type adminKind struct {
	AdminKind
	// rows reads the kind's objects of tenant (all of them for id 0) as
	// form values, with "id".
	rows func(ctx context.Context, db *gorm.DB, tenant, id int64) ([]AdminValues, error)
	// save checks s.in, and if it finds no problem writes the object and
	// returns its ID.
	save func(s *adminSave) (int64, error)
}

func (k *adminKind) one(ctx context.Context, db *gorm.DB, tenant, id int64) (AdminValues, error) {
	if id <= 0 {
		return nil, fmt.Errorf("%s %d: %w", k.Name, id, ErrNotFound)
	}
	rows, err := k.rows(ctx, db, tenant, id)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s %d: %w", k.Name, id, ErrNotFound)
	}
	return rows[0], nil
}

// choices reads the options of the kind's fields.
func (k *adminKind) choices(ctx context.Context, db *gorm.DB, tenant int64) (AdminChoices, error) {
	out := AdminChoices{}
	for _, f := range k.Fields {
		if f.Choices == "" || out[f.Choices] != nil {
			continue
		}
		cs, err := readChoices(ctx, db, tenant, f.Choices)
		if err != nil {
			return nil, wrapf(err, "choices %s", f.Choices)
		}
		out[f.Choices] = cs
	}
	return out, nil
}

// readable is an object's fields in words, as lists and the audit log
// show them: names for IDs, group names for permissions; never a
// password.
func (k *adminKind) readable(v AdminValues, choices AdminChoices) map[string]string {
	out := map[string]string{}
	for _, f := range k.Fields {
		vs := v[f.Name]
		switch f.Type {
		case FieldPassword:
			continue
		case FieldSelect:
			if len(vs) > 0 && vs[0] != "" {
				out[f.Name] = choices.Label(f.Choices, vs[0])
			} else {
				out[f.Name] = ""
			}
		case FieldChecks:
			labels := make([]string, 0, len(vs))
			for _, x := range vs {
				labels = append(labels, choices.Label(f.Choices, x))
			}
			sort.Strings(labels)
			out[f.Name] = strings.Join(labels, ", ")
		case FieldGrid:
			byGroup := map[string][]string{}
			for _, x := range vs {
				g, perm, _ := strings.Cut(x, ":")
				name := choices.Label(f.Choices, g)
				byGroup[name] = append(byGroup[name], perm)
			}
			parts := make([]string, 0, len(byGroup))
			for g, perms := range byGroup {
				sort.Slice(perms, func(i, j int) bool { return permIndex(perms[i]) < permIndex(perms[j]) })
				parts = append(parts, g+": "+strings.Join(perms, ","))
			}
			sort.Strings(parts)
			out[f.Name] = strings.Join(parts, "; ")
		default:
			out[f.Name] = strings.Join(vs, ", ")
		}
	}
	return out
}

func permIndex(p string) int { return slices.Index(ticket.Perms, ticket.Perm(p)) }

// adminSave is one save in progress: the form, the object before, and
// the agents whose sessions end with it.
type adminSave struct {
	ctx context.Context
	tx  *gorm.DB
	p   Principal
	id  int64
	old AdminValues // nil: a new object
	in  *adminForm
	now time.Time
	// revoke are agents whose permissions the save changes.
	revoke map[int64]bool
	// extra goes into the audit entry's new value besides the object's
	// fields (a new tenant's first admin).
	extra map[string]string
}

func (s *adminSave) audit(object string, id int64, action string, old, now any) error {
	return writeAudit(s.ctx, s.tx, s.p, object, id, action, old, now)
}

// writeAudit adds the audit entry of a change; old and new are written
// as JSON (nil: nothing). Callers pass values without secrets.
func writeAudit(ctx context.Context, tx *gorm.DB, p Principal, object string, id int64, action string, old, now any) error {
	enc := func(v any) (string, error) {
		if v == nil {
			return "", nil
		}
		if m, ok := v.(map[string]string); ok && m == nil {
			return "", nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	o, err := enc(old)
	if err != nil {
		return err
	}
	n, err := enc(now)
	if err != nil {
		return err
	}
	agent := p.ID
	row := models.AdminAudit{TenantID: p.TenantID, AgentID: &agent, AgentName: p.Name, Object: object, ObjectID: id,
		Action: action, OldValue: o, NewValue: n}
	return tx.WithContext(ctx).Create(&row).Error
}

// revokeSessions ends the web sessions of the agents the save changed.
func (s *adminSave) revokeSessions() error {
	ids := make([]int64, 0, len(s.revoke))
	for id := range s.revoke {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := models.RevokeAgentSessions(s.ctx, s.tx, id, s.now); err != nil {
			return err
		}
	}
	return nil
}

// revokeRole and revokeGroup mark the agents whose permissions come from
// a role or a group.
func (s *adminSave) revokeRole(roleID int64) error {
	var ids []int64
	if err := s.tx.Model(&models.AgentRole{}).Where("role_id = ?", roleID).Distinct().Pluck("agent_id", &ids).Error; err != nil {
		return err
	}
	for _, id := range ids {
		s.revoke[id] = true
	}
	return nil
}

func (s *adminSave) revokeGroup(groupID int64) error {
	var ids []int64
	err := s.tx.Raw(`SELECT ar.agent_id FROM agent_roles ar JOIN role_permissions rp ON rp.role_id = ar.role_id WHERE rp.group_id = ?
UNION SELECT agent_id FROM agent_permissions WHERE group_id = ?`, groupID, groupID).Scan(&ids).Error
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.revoke[id] = true
	}
	return nil
}

// changed tells whether field differs from before (always for a new
// object), as a set: the order of checkboxes does not matter.
func (s *adminSave) changed(field string, now []string) bool {
	if s.old == nil {
		return true
	}
	a, b := slices.Clone(s.old[field]), slices.Clone(now)
	slices.Sort(a)
	slices.Sort(b)
	return !slices.Equal(a, b)
}

// AuditChange is one field of an audit entry, before and after.
type AuditChange struct {
	Field    string
	Old, New string
}

// AuditEntry is an admin audit entry with its changes field by field,
// and the object's name (or login, or slug) for the reader.
type AuditEntry struct {
	models.AdminAudit
	Label   string
	Changes []AuditChange
}

// AdminAuditPageSize is how many audit entries a page shows.
const AdminAuditPageSize = 50

// AdminAudit returns the tenant's audit entries, newest first, before the
// entry with ID before (0: from the newest), and the ID to pass for the
// next page (0: none).
func (d *Desk) AdminAudit(ctx context.Context, p Principal, before int64) ([]AuditEntry, int64, error) {
	if err := d.mustAdmin(ctx, p, false); err != nil {
		return nil, 0, err
	}
	q := d.db.WithContext(ctx).Where("tenant_id = ?", p.TenantID)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var rows []models.AdminAudit
	if err := q.Order("id DESC").Limit(AdminAuditPageSize + 1).Find(&rows).Error; err != nil {
		return nil, 0, wrapf(err, "admin audit")
	}
	var next int64
	if len(rows) > AdminAuditPageSize {
		rows = rows[:AdminAuditPageSize]
		next = rows[len(rows)-1].ID
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = AuditEntry{AdminAudit: r, Label: auditLabel(r), Changes: auditChanges(r.OldValue, r.NewValue)}
	}
	return out, next, nil
}

// auditLabel names the object of an entry by what it is called after
// the change (before it, for a revoke or remove).
func auditLabel(r models.AdminAudit) string {
	for _, v := range []string{r.NewValue, r.OldValue} {
		var m map[string]any
		if json.Unmarshal([]byte(v), &m) != nil {
			continue
		}
		for _, k := range []string{"name", "login", "slug", "ldap_group"} {
			if s := text(m[k]); s != "" {
				return s
			}
		}
	}
	return ""
}

// auditChanges lists the fields that differ between the two JSON
// objects, by name; fields of a new object that are empty are left out.
func auditChanges(oldJSON, newJSON string) []AuditChange {
	var o, n map[string]any
	_ = json.Unmarshal([]byte(oldJSON), &o)
	_ = json.Unmarshal([]byte(newJSON), &n)
	keys := map[string]bool{}
	for k := range o {
		keys[k] = true
	}
	for k := range n {
		keys[k] = true
	}
	var out []AuditChange
	for k := range keys {
		ov, nv := text(o[k]), text(n[k])
		if ov != nv {
			out = append(out, AuditChange{Field: k, Old: ov, New: nv})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

package web

import (
	"context"
	"fmt"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// The fake desk's admin interface: one object of every kind (ID 3), the
// choices the forms offer, and the saves it got. Who may do what is the
// desk's business (desk/admin_test.go); the fake refuses only what
// errs says.

func (f *fakeDesk) adminErr(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.errs[name]
}

func (f *fakeDesk) AdminKinds(_ context.Context, p desk.Principal) ([]desk.AdminKind, error) {
	f.record("AdminKinds", p.Login)
	return desk.AllAdminKinds(), f.adminErr("AdminKinds")
}

// fakeAdminObject is the fake's object of a kind: a value for every field.
func fakeAdminObject(kind string) desk.AdminValues {
	v := desk.AdminValues{"id": {"3"}}
	for _, k := range desk.AllAdminKinds() {
		if k.Name != kind {
			continue
		}
		for _, fl := range k.Fields {
			switch fl.Type {
			case desk.FieldBool:
				v[fl.Name] = []string{"true"}
			case desk.FieldNumber:
				v[fl.Name] = []string{"2"}
			case desk.FieldSelect, desk.FieldChecks:
				v[fl.Name] = []string{fakeChoices()[fl.Choices][0].Value}
			case desk.FieldGrid:
				v[fl.Name] = []string{"4:rw", "4:ro"}
			case desk.FieldPassword:
			default:
				v[fl.Name] = []string{"Printing " + fl.Name}
			}
		}
	}
	return v
}

func fakeChoices() desk.AdminChoices {
	return desk.AdminChoices{
		"groups":          {{Value: "4", Label: "Helpdesk"}, {Value: "5", Label: "Netz 2nd"}},
		"roles":           {{Value: "2", Label: "1st level"}, {Value: "6", Label: models.AdminRole}},
		"queues":          {{Value: "3", Label: "Helpdesk"}, {Value: "4", Label: "Netz 2nd"}},
		"services":        {{Value: "11", Label: "Printing"}},
		"calendars":       {{Value: "1", Label: "Standard 8x5"}},
		"priorities":      {{Value: "3", Label: "3 normal"}},
		"signatures":      {{Value: "1", Label: "Helpdesk"}},
		"companies":       {{Value: "1", Label: "Printing"}},
		"levels":          {{Value: "1st level", Label: "1st level", Word: true}, {Value: "2nd level", Label: "2nd level", Word: true}, {Value: "team", Label: "team", Word: true}},
		"follow_ups":      {{Value: "reopen", Label: "reopen", Word: true}, {Value: "reject", Label: "reject", Word: true}, {Value: "new", Label: "new", Word: true}},
		"sources":         {{Value: "local", Label: "local", Word: true}, {Value: "ldap", Label: "ldap", Word: true}},
		"auto_kinds":      {{Value: "new", Label: "new", Word: true}, {Value: "follow-up", Label: "follow-up", Word: true}, {Value: "reject", Label: "reject", Word: true}},
		"languages":       {{Value: "de", Label: "de", Word: true}, {Value: "en", Label: "en", Word: true}},
		"anonymise_modes": {{Value: "pseudonymise", Label: "pseudonymise", Word: true}, {Value: "delete", Label: "delete", Word: true}},
		"period_units":    {{Value: "days", Label: "days", Word: true}, {Value: "hours", Label: "hours", Word: true}, {Value: "minutes", Label: "minutes", Word: true}},
	}
}

func (f *fakeDesk) AdminList(_ context.Context, _ desk.Principal, kind, search string) ([]desk.AdminRow, int, error) {
	f.record("AdminList", kind, search)
	cells := map[string]string{}
	for k, v := range fakeAdminObject(kind) {
		cells[k] = v[0]
	}
	rows := []desk.AdminRow{{ID: 3, Cells: cells, Active: true}, {ID: 4, Cells: cells, Depth: 1}}
	if search != "" {
		return rows[:1], desk.AdminListLimit + 1, f.adminErr("AdminList")
	}
	return rows, len(rows), f.adminErr("AdminList")
}

func (f *fakeDesk) AdminObject(_ context.Context, _ desk.Principal, kind string, id int64) (desk.AdminValues, error) {
	f.record("AdminObject", kind)
	if id != 3 {
		return nil, fmt.Errorf("%s %d: %w", kind, id, desk.ErrNotFound)
	}
	v := fakeAdminObject(kind)
	if kind == "agents" {
		v["ldap_role_id"] = []string{"6"}
	}
	return v, f.adminErr("AdminObject")
}

func (f *fakeDesk) AdminChoices(_ context.Context, _ desk.Principal, kind string) (desk.AdminChoices, error) {
	f.record("AdminChoices", kind)
	return fakeChoices(), f.adminErr("AdminChoices")
}

func (f *fakeDesk) AdminSave(_ context.Context, _ desk.Principal, kind string, id int64, v desk.AdminValues) (int64, error) {
	args := []any{kind}
	for _, vs := range v {
		for _, x := range vs {
			args = append(args, x)
		}
	}
	f.record("AdminSave", args...)
	f.mu.Lock()
	f.requests["AdminSave"] = append(f.requests["AdminSave"], v)
	f.mu.Unlock()
	if err := f.adminErr("AdminSave"); err != nil {
		return 0, err
	}
	if id == 0 {
		id = 3
	}
	return id, nil
}

func (f *fakeDesk) AdminAudit(_ context.Context, _ desk.Principal, before int64) ([]desk.AuditEntry, int64, error) {
	f.record("AdminAudit")
	agent := int64(7)
	e := desk.AuditEntry{
		AdminAudit: models.AdminAudit{ID: 9, TenantID: 1, AgentID: &agent, AgentName: "Anna Agent", Object: "queues", ObjectID: 3,
			Action: desk.AuditUpdate, CreatedAt: testTime},
		Label: "Printing",
		Changes: []desk.AuditChange{{Field: "name", Old: "Helpdesk", New: "Printing"}, {Field: "level", Old: "1st level", New: "team"},
			{Field: "active", Old: "true", New: "false"}},
	}
	next := int64(9)
	if before != 0 {
		next = 0
	}
	return []desk.AuditEntry{e}, next, f.adminErr("AdminAudit")
}

func (f *fakeDesk) LDAPMappings(context.Context, desk.Principal) ([]desk.LDAPMapping, error) {
	f.record("LDAPMappings")
	return []desk.LDAPMapping{{LDAPGroup: "kiz-helpdesk", RoleID: 2, RoleName: "1st level"}}, f.adminErr("LDAPMappings")
}

func (f *fakeDesk) AddLDAPMapping(_ context.Context, _ desk.Principal, group string, roleID int64) error {
	f.record("AddLDAPMapping", group)
	return f.adminErr("AddLDAPMapping")
}

func (f *fakeDesk) RemoveLDAPMapping(_ context.Context, _ desk.Principal, group string, roleID int64) error {
	f.record("RemoveLDAPMapping", group)
	return f.adminErr("RemoveLDAPMapping")
}

func (f *fakeDesk) AgentTokens(_ context.Context, _ desk.Principal, agentID int64) ([]models.APIToken, error) {
	f.record("AgentTokens")
	return []models.APIToken{{ID: 4, AgentID: agentID, Name: "Printing CI", CreatedAt: testTime}}, f.adminErr("AgentTokens")
}

func (f *fakeDesk) CreateToken(_ context.Context, _ desk.Principal, agentID int64, name string) (string, error) {
	f.record("CreateToken", name)
	return "kzd_FAKETOKEN", f.adminErr("CreateToken")
}

func (f *fakeDesk) RevokeToken(_ context.Context, _ desk.Principal, agentID, tokenID int64) error {
	f.record("RevokeToken")
	return f.adminErr("RevokeToken")
}

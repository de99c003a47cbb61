package desk_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
)

// adminSetup is the fixture's tenant with an admin (root) beside its 1st
// level agent, and a second tenant with a queue, group and role of its
// own, whose IDs the first tenant's admin must not reach.
type adminSetup struct {
	d                *desk.Desk
	f                dbtest.Fixture
	admin, agent     desk.Principal
	other            models.Tenant
	otherQueue       models.Queue
	otherGroup       int64
	otherRole        models.Role
	otherAgent       models.Agent
	firstLevel       models.Role
	helpdeskGroupID  int64
	operatorTenantID int64
}

func newAdminSetup(t *testing.T, db *gorm.DB) adminSetup {
	t.Helper()
	d, f := newDesk(t, db)
	ctx := t.Context()
	// The fixture's tenant runs the desk; here it starts as any tenant,
	// and makeOperator makes it the operator.
	if err := db.Model(&models.Tenant{}).Where("id = ?", f.Tenant.ID).Update("operator", false).Error; err != nil {
		t.Fatal(err)
	}
	root := models.Agent{TenantID: f.Tenant.ID, Login: "root", Name: "Rita Root", Email: "r@example.org", Active: true}
	if err := db.Create(&root).Error; err != nil {
		t.Fatal(err)
	}
	dbtest.Grant(t, db, root, models.AdminRole)
	other, err := models.EnsureTenant(ctx, db, "other", "Other tenant")
	if err != nil {
		t.Fatal(err)
	}
	oq := models.Queue{TenantID: other.ID, Name: "Their queue", Level: models.LevelFirst}
	if err := db.Create(&oq).Error; err != nil {
		t.Fatal(err)
	}
	roles, err := models.PredefinedRoles(ctx, db, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	db.First(&oq, oq.ID)
	oa := models.Agent{TenantID: other.ID, Login: "theirs", Name: "Their agent", Active: true}
	if err := db.Create(&oa).Error; err != nil {
		t.Fatal(err)
	}
	first, err := models.RoleByName(ctx, db, f.Tenant.ID, "1st level")
	if err != nil {
		t.Fatal(err)
	}
	q, _ := models.QueueByID(ctx, db, f.Tenant.ID, f.Queue.ID)
	return adminSetup{d: d, f: f, admin: desk.AgentPrincipal(root), agent: desk.AgentPrincipal(f.Agent), other: other,
		otherQueue: oq, otherGroup: *oq.GroupID, otherRole: roles["1st level"], otherAgent: oa, firstLevel: first,
		helpdeskGroupID: *q.GroupID}
}

func (s adminSetup) makeOperator(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := db.Model(&models.Tenant{}).Where("id = ?", s.f.Tenant.ID).Update("operator", true).Error; err != nil {
		t.Fatal(err)
	}
}

// validForms are a valid new object of each kind in the fixture's tenant.
func (s adminSetup) validForms() map[string]desk.AdminValues {
	id := func(n int64) []string { return []string{fmt.Sprint(n)} }
	return map[string]desk.AdminValues{
		"agents": {"login": {"neu"}, "name": {"Neu"}, "password": {"long enough pw"}, "active": {"true"},
			"role_id": id(s.firstLevel.ID), "perm": {fmt.Sprintf("%d:ro", s.helpdeskGroupID)}},
		"roles":              {"name": {"Readers"}, "active": {"true"}, "perm": {fmt.Sprintf("%d:ro", s.helpdeskGroupID)}},
		"groups":             {"name": {"Group"}, "active": {"true"}},
		"queues":             {"name": {"Queue"}, "level": {"2nd level"}, "follow_up": {"reject"}, "follow_up_days": {"0"}, "active": {"true"}},
		"services":           {"name": {"A :: B"}, "queue_id": id(s.f.Queue.ID), "active": {"true"}},
		"slas":               {"name": {"SLA"}, "service_id": id(s.f.Service.ID), "calendar_id": {}, "warn_percent": {"80"}, "active": {"true"}},
		"calendars":          {"name": {"Office"}, "location": {"Europe/Berlin"}, "week": {"mon-fri 08:00-18:00"}, "holidays": {"2026-12-25 2026-12-24"}},
		"customers":          {"login": {"kunde"}, "name": {"Kunde"}, "email": {"k@example.org"}, "active": {"true"}},
		"customer-companies": {"name": {"Fakultät"}, "active": {"true"}},
		"standard-responses": {"name": {"Hallo"}, "body_de": {"Hallo"}, "queue_id": id(s.f.Queue.ID), "active": {"true"}},
		"signatures":         {"name": {"Gruß"}, "body_de": {"Gruß"}, "active": {"true"}},
		"auto-responses": {"queue_id": id(s.f.Queue.ID), "auto_kind": {"new"}, "language": {"de"}, "subject": {"Eingang {{.Number}}"},
			"body": {"Danke, {{.Customer}}."}, "active": {"true"}},
		"tenants": {"slug": {"fak"}, "name": {"Fakultät"}, "active": {"true"}, "admin_login": {"fakadmin"}, "admin_name": {"Fak Admin"},
			"admin_password": {"long enough pw"}},
		"ticket-types": {"name": {"Change"}, "active": {"true"}},
		"priorities":   {"name": {"6 urgent"}, "rank": {"2"}, "active": {"true"}},
		"retention-policies": {"portal_read": {"30"}, "archive_after": {"90"}, "anonymise_after": {"365"},
			"anonymise_mode": {"delete"}},
	}
}

func TestAdminRefusesNonAdmins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		customer := desk.CustomerPrincipal(s.f.Customer)
		for _, p := range []desk.Principal{s.agent, customer, desk.SystemPrincipal(s.f.Tenant.ID)} {
			forbidden := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, desk.ErrForbidden) {
					t.Errorf("%v %s: %v, want ErrForbidden", p.Kind, what, err)
				}
			}
			_, err := s.d.AdminKinds(ctx, p)
			forbidden("AdminKinds", err)
			for _, k := range desk.AllAdminKinds() {
				_, _, err = s.d.AdminList(ctx, p, k.Name, "")
				forbidden("AdminList "+k.Name, err)
				_, err = s.d.AdminObject(ctx, p, k.Name, 1)
				forbidden("AdminObject "+k.Name, err)
				_, err = s.d.AdminChoices(ctx, p, k.Name)
				forbidden("AdminChoices "+k.Name, err)
				_, err = s.d.AdminSave(ctx, p, k.Name, 0, s.validForms()[k.Name])
				forbidden("AdminSave "+k.Name, err)
			}
			_, _, err = s.d.AdminAudit(ctx, p, 0)
			forbidden("AdminAudit", err)
			_, err = s.d.LDAPMappings(ctx, p)
			forbidden("LDAPMappings", err)
			forbidden("AddLDAPMapping", s.d.AddLDAPMapping(ctx, p, "kiz-staff", s.firstLevel.ID))
			forbidden("RemoveLDAPMapping", s.d.RemoveLDAPMapping(ctx, p, "kiz-staff", s.firstLevel.ID))
			// Someone else's tokens.
			_, err = s.d.AgentTokens(ctx, p, s.admin.ID)
			forbidden("AgentTokens", err)
			_, err = s.d.CreateToken(ctx, p, s.admin.ID, "x")
			forbidden("CreateToken", err)
			forbidden("RevokeToken", s.d.RevokeToken(ctx, p, s.admin.ID, 1))
		}
		// Nothing was written.
		var n int64
		db.Model(&models.AdminAudit{}).Count(&n)
		if n != 0 {
			t.Errorf("%d audit entries after refusals", n)
		}
	})
}

func TestAdminOperatorOnlyKinds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		forms := s.validForms()
		for _, kind := range []string{"tenants", "ticket-types", "priorities"} {
			if _, _, err := s.d.AdminList(ctx, s.admin, kind, ""); !errors.Is(err, desk.ErrForbidden) {
				t.Errorf("a non-operator admin lists %s: %v", kind, err)
			}
			if _, err := s.d.AdminSave(ctx, s.admin, kind, 0, forms[kind]); !errors.Is(err, desk.ErrForbidden) {
				t.Errorf("a non-operator admin saves %s: %v", kind, err)
			}
		}
		kinds, err := s.d.AdminKinds(ctx, s.admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range kinds {
			if k.Operator {
				t.Errorf("a non-operator admin is offered %s", k.Name)
			}
		}
		s.makeOperator(t, db)
		for _, kind := range []string{"tenants", "ticket-types", "priorities"} {
			if _, err := s.d.AdminSave(ctx, s.admin, kind, 0, forms[kind]); err != nil {
				t.Errorf("the operator's admin saves %s: %v", kind, err)
			}
		}
		// The new tenant's first admin can log in, and is its admin.
		sess, err := s.d.Login(ctx, desk.LoginRequest{Login: "fakadmin", Password: "long enough pw"})
		if err != nil {
			t.Fatalf("the new tenant's admin cannot log in: %v", err)
		}
		if sess.Agent.Name != "Fak Admin" || sess.Agent.Login != "fakadmin" || sess.Agent.TenantID == s.f.Tenant.ID {
			t.Errorf("login gave agent %+v", sess.Agent)
		}
		p, err := s.d.WithAccess(ctx, desk.AgentPrincipal(sess.Agent))
		if err != nil || !p.Access.Admin || p.Access.Operator {
			t.Errorf("the new tenant's admin has access %+v, %v", p.Access, err)
		}
		if _, _, err := s.d.AdminList(ctx, p, "tenants", ""); !errors.Is(err, desk.ErrForbidden) {
			t.Errorf("the new tenant's admin lists tenants: %v", err)
		}
		// A tenant switched off: its logins, sessions and tokens end.
		token, err := s.d.CreateToken(ctx, p, p.ID, "mine")
		if err != nil {
			t.Fatal(err)
		}
		fak, err := models.TenantBySlug(ctx, db, "fak")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.AdminSave(ctx, s.admin, "tenants", s.f.Tenant.ID, desk.AdminValues{"name": {"kiz"}}); strings.Join(fieldsOf(t, err), " ") != "active" {
			t.Errorf("the operator's admin deactivates its own tenant: %v", err)
		}
		if _, err := s.d.AdminSave(ctx, s.admin, "tenants", fak.ID, desk.AdminValues{"name": {"Fakultät"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.SessionAgent(ctx, sess.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a session in a deactivated tenant lives on: %v", err)
		}
		if _, err := s.d.Login(ctx, desk.LoginRequest{Login: "fakadmin", Password: "long enough pw"}); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("an agent of a deactivated tenant logs in: %v", err)
		}
		if _, err := s.d.PrincipalByToken(ctx, token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a token of a deactivated tenant works: %v", err)
		}
	})
}

func TestAdminKeepsToItsTenant(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		for kind, id := range map[string]int64{"queues": s.otherQueue.ID, "groups": s.otherGroup, "roles": s.otherRole.ID, "agents": s.otherAgent.ID} {
			if _, err := s.d.AdminObject(ctx, s.admin, kind, id); !errors.Is(err, desk.ErrNotFound) {
				t.Errorf("reading another tenant's %s: %v", kind, err)
			}
			if _, err := s.d.AdminSave(ctx, s.admin, kind, id, s.validForms()[kind]); !errors.Is(err, desk.ErrNotFound) {
				t.Errorf("saving another tenant's %s: %v", kind, err)
			}
		}
		other := fmt.Sprint(s.otherQueue.ID)
		cases := map[string]desk.AdminValues{
			"services":           {"name": {"S"}, "queue_id": {other}},
			"roles":              {"name": {"R"}, "perm": {fmt.Sprintf("%d:rw", s.otherGroup)}},
			"agents":             {"login": {"x"}, "name": {"X"}, "password": {"long enough pw"}, "role_id": {fmt.Sprint(s.otherRole.ID)}},
			"standard-responses": {"name": {"R"}, "queue_id": {other}},
			"queues":             {"name": {"Q"}, "group_id": {fmt.Sprint(s.otherGroup)}},
		}
		want := map[string]string{"services": "queue_id", "roles": "perm", "agents": "role_id", "standard-responses": "queue_id", "queues": "group_id"}
		for kind, v := range cases {
			_, err := s.d.AdminSave(ctx, s.admin, kind, 0, v)
			if got := strings.Join(fieldsOf(t, err), " "); got != want[kind] {
				t.Errorf("%s naming another tenant's object: fields %q, want %q", kind, got, want[kind])
			}
		}
		if err := s.d.AddLDAPMapping(ctx, s.admin, "g", s.otherRole.ID); strings.Join(fieldsOf(t, err), " ") != "role_id" {
			t.Errorf("mapping to another tenant's role: %v", err)
		}
		if _, err := s.d.AgentTokens(ctx, s.admin, s.otherAgent.ID); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("another tenant's agent's tokens: %v", err)
		}
		rows, _, err := s.d.AdminList(ctx, s.admin, "queues", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ID == s.otherQueue.ID {
				t.Error("the list shows another tenant's queue")
			}
		}
	})
}

func TestAdminChecksInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		forms := s.validForms()
		cal, err := s.d.AdminSave(ctx, s.admin, "calendars", 0, forms["calendars"])
		if err != nil {
			t.Fatal(err)
		}
		with := func(kind string, changes desk.AdminValues) desk.AdminValues {
			v := desk.AdminValues{}
			for k, x := range forms[kind] {
				v[k] = x
			}
			for k, x := range changes {
				v[k] = x
			}
			return v
		}
		cases := []struct {
			kind string
			v    desk.AdminValues
			want string
		}{
			{"queues", desk.AdminValues{}, "name"},
			{"queues", with("queues", desk.AdminValues{"name": {"Helpdesk"}}), "name"}, // taken
			{"queues", with("queues", desk.AdminValues{"level": {"3rd level"}, "follow_up": {"maybe"}, "follow_up_days": {"-1"}}), "follow_up follow_up_days level"},
			{"queues", with("queues", desk.AdminValues{"name": {"a\x00b"}, "comment": {"\x1b[31m"}}), "comment name"},
			{"queues", with("queues", desk.AdminValues{"email": {"not an address"}}), "email"},
			{"calendars", with("calendars", desk.AdminValues{"name": {"Other"}, "location": {"Mars/Olympus"}, "week": {"mon-fri 18:00-08:00"}, "holidays": {"2026-02-30"}}), "holidays location week"},
			{"calendars", with("calendars", desk.AdminValues{"name": {"Other"}, "week": {"sat"}}), "week"},
			{"slas", with("slas", desk.AdminValues{"calendar_id": {fmt.Sprint(cal)}, "warn_percent": {"101"}, "solution_minutes": {"x"}}), "solution_minutes warn_percent"},
			{"slas", with("slas", desk.AdminValues{"calendar_id": {}}), "calendar_id"},
			{"agents", with("agents", desk.AdminValues{"password": {"short"}, "email": {"no mail"}}), "email password"},
			{"agents", with("agents", desk.AdminValues{"login": {"helpdesk"}, "perm": {"1:fly"}}), "login perm"},
			{"agents", with("agents", desk.AdminValues{"password": {""}}), "password"},
			{"agents", with("agents", desk.AdminValues{"source": {"ldap"}}), "password"}, // LDAP accounts have no password here
			{"agents", with("agents", desk.AdminValues{"source": {"nis"}}), "source"},
			{"services", with("services", desk.AdminValues{"name": {"A::"}}), "name"},
			{"customers", with("customers", desk.AdminValues{"login": {"mmuster"}}), "login"},
			{"roles", with("roles", desk.AdminValues{"name": {"admin"}}), "name"},
		}
		for _, c := range cases {
			_, err := s.d.AdminSave(ctx, s.admin, c.kind, 0, c.v)
			if got := strings.Join(fieldsOf(t, err), " "); got != c.want {
				t.Errorf("%s %v: fields %q, want %q (%v)", c.kind, c.v, got, c.want, err)
			}
		}
		// One SLA per service and priority.
		sla := with("slas", desk.AdminValues{"calendar_id": {fmt.Sprint(cal)}})
		slaID, err := s.d.AdminSave(ctx, s.admin, "slas", 0, sla)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.AdminSave(ctx, s.admin, "slas", 0, sla); strings.Join(fieldsOf(t, err), " ") != "priority_id" {
			t.Errorf("a second SLA for the same service and priority: %v", err)
		}
		// An SLA set invalid promises nothing to new tickets.
		if _, found, err := models.SLAFor(ctx, db, s.f.Tenant.ID, s.f.Service.ID, s.f.Priority.ID); err != nil || !found {
			t.Fatalf("the new SLA is not found: %v", err)
		}
		sla["active"] = []string{"false"}
		if _, err := s.d.AdminSave(ctx, s.admin, "slas", slaID, sla); err != nil {
			t.Fatal(err)
		}
		if _, found, err := models.SLAFor(ctx, db, s.f.Tenant.ID, s.f.Service.ID, s.f.Priority.ID); err != nil || found {
			t.Errorf("an inactive SLA is still found: %v", err)
		}
		// An LDAP account has no password here; made local, it needs one.
		ldap := desk.AdminValues{"login": {"ldapuser"}, "name": {"L"}, "source": {"ldap"}, "active": {"true"}}
		lid, err := s.d.AdminSave(ctx, s.admin, "agents", 0, ldap)
		if err != nil {
			t.Fatal(err)
		}
		ldap["source"] = []string{"local"}
		if _, err := s.d.AdminSave(ctx, s.admin, "agents", lid, ldap); strings.Join(fieldsOf(t, err), " ") != "password" {
			t.Errorf("an LDAP account made local without a password: %v", err)
		}
		// An admin cannot lock themselves out.
		me := desk.AdminValues{"login": {"root"}, "name": {"Rita Root"}, "active": {"false"}}
		if _, err := s.d.AdminSave(ctx, s.admin, "agents", s.admin.ID, me); strings.Join(fieldsOf(t, err), " ") != "active role_id" {
			t.Errorf("an admin deactivating themselves: %v", err)
		}
		// Every valid form saves, and reads back as saved.
		s.makeOperator(t, db)
		for kind, v := range forms {
			if kind == "slas" || kind == "calendars" {
				continue
			}
			id, err := s.d.AdminSave(ctx, s.admin, kind, 0, v)
			if err != nil {
				t.Errorf("save %s: %v", kind, err)
				continue
			}
			got, err := s.d.AdminObject(ctx, s.admin, kind, id)
			if err != nil || got.Get("name")+got.Get("subject")+got.Get("portal_read") == "" {
				t.Errorf("%s %d reads back as %v, %v", kind, id, got, err)
			}
		}
		if rows, n, err := s.d.AdminList(ctx, s.admin, "customers", " KUND "); err != nil || n != 1 || len(rows) != 1 || rows[0].Cells["login"] != "kunde" {
			t.Errorf("customers matching KUND: %+v (%d), %v", rows, n, err)
		}
		if rows, n, _ := s.d.AdminList(ctx, s.admin, "customers", "nobody at all"); n != 0 || len(rows) != 0 {
			t.Errorf("customers matching nothing: %d", n)
		}
		svc, _, _ := s.d.AdminList(ctx, s.admin, "services", "")
		for _, r := range svc {
			if r.Cells["name"] == "A::B" && r.Depth != 1 {
				t.Errorf("service A::B at depth %d", r.Depth)
			}
		}
		// An inactive object stays inactive (GORM's default would not).
		off := with("groups", desk.AdminValues{"name": {"Off"}, "active": {"false"}})
		id, err := s.d.AdminSave(ctx, s.admin, "groups", 0, off)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := s.d.AdminObject(ctx, s.admin, "groups", id); v.Get("active") != "false" {
			t.Errorf("a group saved inactive reads back active=%s", v.Get("active"))
		}
	})
}

func TestAdminAuditsEveryChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		id, err := s.d.AdminSave(ctx, s.admin, "queues", 0, desk.AdminValues{"name": {"Labor"}, "level": {"2nd level"}, "active": {"true"}})
		if err != nil {
			t.Fatal(err)
		}
		q, err := s.d.AdminObject(ctx, s.admin, "queues", id)
		if err != nil {
			t.Fatal(err)
		}
		q["name"] = []string{"Labor 2"}
		if _, err := s.d.AdminSave(ctx, s.admin, "queues", id, q); err != nil {
			t.Fatal(err)
		}
		// Saving without a change is no change.
		if _, err := s.d.AdminSave(ctx, s.admin, "queues", id, q); err != nil {
			t.Fatal(err)
		}
		// A refused save writes nothing.
		s.d.AdminSave(ctx, s.admin, "queues", id, desk.AdminValues{})
		agent, err := s.d.AdminSave(ctx, s.admin, "agents", 0, desk.AdminValues{"login": {"pw"}, "name": {"PW"}, "password": {"secret password 1"}, "active": {"true"}})
		if err != nil {
			t.Fatal(err)
		}
		token, err := s.d.CreateToken(ctx, s.admin, agent, "CI")
		if err != nil || !strings.HasPrefix(token, "kzd_") {
			t.Fatalf("token %q, %v", token, err)
		}
		entries, next, err := s.d.AdminAudit(ctx, s.admin, 0)
		if err != nil || next != 0 {
			t.Fatal(err, next)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Object+" "+e.Action)
			if e.AgentName != "Rita Root" || e.AgentID == nil || *e.AgentID != s.admin.ID || e.TenantID != s.f.Tenant.ID {
				t.Errorf("entry %+v: not by Rita Root of the tenant", e.AdminAudit)
			}
			for _, secret := range []string{"$2a$", "secret password", token, models.HashToken(token)} {
				if strings.Contains(e.OldValue+e.NewValue, secret) {
					t.Errorf("entry %s %s holds a secret: %s → %s", e.Object, e.Action, e.OldValue, e.NewValue)
				}
			}
		}
		if want := "api-tokens create, agents create, queues update, queues create"; strings.Join(got, ", ") != want {
			t.Errorf("audit = %s, want %s", strings.Join(got, ", "), want)
		}
		upd := entries[2]
		if upd.Label != "Labor 2" || entries[0].Label != "CI" {
			t.Errorf("entries named %q and %q, want Labor 2 and CI", upd.Label, entries[0].Label)
		}
		if !strings.Contains(upd.OldValue, `"name":"Labor"`) || !strings.Contains(upd.NewValue, `"name":"Labor 2"`) ||
			len(upd.Changes) != 1 || upd.Changes[0] != (desk.AuditChange{Field: "name", Old: "Labor", New: "Labor 2"}) {
			t.Errorf("update entry: %s → %s, changes %+v", upd.OldValue, upd.NewValue, upd.Changes)
		}
		// Pages of the log: newest first, each entry once.
		for i := range desk.AdminAuditPageSize {
			db.Create(&models.AdminAudit{TenantID: s.f.Tenant.ID, AgentName: "Rita Root", Object: "groups", ObjectID: int64(i), Action: "update"})
		}
		page1, next, err := s.d.AdminAudit(ctx, s.admin, 0)
		if err != nil || len(page1) != desk.AdminAuditPageSize || next == 0 || page1[0].ObjectID != desk.AdminAuditPageSize-1 {
			t.Fatalf("first page: %d entries, next %d, %v", len(page1), next, err)
		}
		page2, next2, err := s.d.AdminAudit(ctx, s.admin, next)
		if err != nil || len(page2) != len(entries) || next2 != 0 || page2[0].ID != entries[0].ID {
			t.Errorf("second page: %d entries (want %d), next %d, %v", len(page2), len(entries), next2, err)
		}
		// The audit of the other tenant is not this tenant's.
		otherAdmin := models.Agent{TenantID: s.other.ID, Login: "oa", Name: "OA", Active: true}
		db.Create(&otherAdmin)
		dbtest.Grant(t, db, otherAdmin, models.AdminRole)
		if es, _, _ := s.d.AdminAudit(ctx, desk.AgentPrincipal(otherAdmin), 0); len(es) != 0 {
			t.Errorf("another tenant's admin sees %d entries", len(es))
		}
		// The token works until revoked.
		toks, err := s.d.AgentTokens(ctx, s.admin, agent)
		if err != nil || len(toks) != 1 || toks[0].TokenHash != "" {
			t.Fatalf("tokens %+v, %v", toks, err)
		}
		if _, err := s.d.PrincipalByToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		if err := s.d.RevokeToken(ctx, s.admin, agent, toks[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.d.PrincipalByToken(ctx, token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("a revoked token still works: %v", err)
		}
	})
}

func TestAdminChangesEndSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		now := time.Now()
		start := func(token string, agent int64) {
			t.Helper()
			if err := models.StartWebSession(ctx, db, token, "", agent, now, now.Add(-time.Hour), 10); err != nil {
				t.Fatal(err)
			}
		}
		revoked := func(token string) bool {
			var ws models.WebSession
			db.Where("id = ?", models.HashToken(token)).Take(&ws)
			return ws.RevokedAt != nil
		}
		start("agent-1", s.agent.ID)
		start("admin-1", s.admin.ID)
		// The 1st level role gets one permission more: its agents log in anew.
		role, err := s.d.AdminObject(ctx, s.admin, "roles", s.firstLevel.ID)
		if err != nil {
			t.Fatal(err)
		}
		role["perm"] = append(role["perm"], fmt.Sprintf("%d:priority", s.helpdeskGroupID))
		if _, err := s.d.AdminSave(ctx, s.admin, "roles", s.firstLevel.ID, role); err != nil {
			t.Fatal(err)
		}
		if !revoked("agent-1") || revoked("admin-1") {
			t.Errorf("after a role's change: agent's session revoked %t (want true), admin's %t (want false)", revoked("agent-1"), revoked("admin-1"))
		}
		// A role's comment is no permission.
		start("agent-2", s.agent.ID)
		role["comment"] = []string{"just words"}
		if _, err := s.d.AdminSave(ctx, s.admin, "roles", s.firstLevel.ID, role); err != nil {
			t.Fatal(err)
		}
		if revoked("agent-2") {
			t.Error("a role's comment ended its agents' sessions")
		}
		// The agent's phone is no permission.
		agent, err := s.d.AdminObject(ctx, s.admin, "agents", s.agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		agent["phone"] = []string{"+49 731 50 22222"}
		if _, err := s.d.AdminSave(ctx, s.admin, "agents", s.agent.ID, agent); err != nil {
			t.Fatal(err)
		}
		if revoked("agent-2") {
			t.Error("an agent's phone number ended its sessions")
		}
		// The agent's direct permissions, and then its deactivation.
		agent["perm"] = []string{fmt.Sprintf("%d:note", s.helpdeskGroupID)}
		if _, err := s.d.AdminSave(ctx, s.admin, "agents", s.agent.ID, agent); err != nil {
			t.Fatal(err)
		}
		if !revoked("agent-2") {
			t.Error("the agent's direct permissions changed, its session lives on")
		}
		start("agent-3", s.agent.ID)
		agent["active"] = []string{"false"}
		if _, err := s.d.AdminSave(ctx, s.admin, "agents", s.agent.ID, agent); err != nil {
			t.Fatal(err)
		}
		if !revoked("agent-3") {
			t.Error("the agent was deactivated, its session lives on")
		}
		// A group switched off takes its permissions with it.
		start("agent-4", s.agent.ID)
		group, err := s.d.AdminObject(ctx, s.admin, "groups", s.helpdeskGroupID)
		if err != nil {
			t.Fatal(err)
		}
		group["active"] = []string{"false"}
		if _, err := s.d.AdminSave(ctx, s.admin, "groups", s.helpdeskGroupID, group); err != nil {
			t.Fatal(err)
		}
		if !revoked("agent-4") {
			t.Error("the agent's group was deactivated, its session lives on")
		}
	})
}

func TestAdminPriorityRanks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		s.makeOperator(t, db)
		ranks := func() string {
			var ps []models.Priority
			db.Order("rank").Find(&ps)
			var out []string
			for _, p := range ps {
				out = append(out, fmt.Sprintf("%d %s", p.Rank, p.Name))
			}
			return strings.Join(out, ", ")
		}
		save := func(id int64, name, rank string) int64 {
			t.Helper()
			id, err := s.d.AdminSave(ctx, s.admin, "priorities", id, desk.AdminValues{"name": {name}, "rank": {rank}, "active": {"true"}})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		// Ranks as the admin pages keep them: 1..n.
		db.Model(&models.Priority{}).Where("id = ?", s.f.Priority.ID).Update("rank", 1)
		low := save(0, "low", "1")
		high := save(0, "high", "3")
		if got, want := ranks(), "1 low, 2 3 normal, 3 high"; got != want {
			t.Errorf("after adding: %s, want %s", got, want)
		}
		save(high, "high", "1")
		if got, want := ranks(), "1 high, 2 low, 3 3 normal"; got != want {
			t.Errorf("after moving up: %s, want %s", got, want)
		}
		save(low, "low", "3")
		if got, want := ranks(), "1 high, 2 3 normal, 3 low"; got != want {
			t.Errorf("after moving down: %s, want %s", got, want)
		}
		if _, err := s.d.AdminSave(ctx, s.admin, "priorities", 0, desk.AdminValues{"name": {"x"}, "rank": {"5"}}); strings.Join(fieldsOf(t, err), " ") != "rank" {
			t.Errorf("rank beyond n+1: %v", err)
		}
	})
}

func TestAdminLDAPMappings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		s := newAdminSetup(t, db)
		ctx := t.Context()
		if err := s.d.AddLDAPMapping(ctx, s.admin, " kiz-helpdesk ", s.firstLevel.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.d.AddLDAPMapping(ctx, s.admin, "kiz-helpdesk", s.firstLevel.ID); strings.Join(fieldsOf(t, err), " ") != "ldap_group" {
			t.Errorf("the same mapping twice: %v", err)
		}
		ms, err := s.d.LDAPMappings(ctx, s.admin)
		if err != nil || len(ms) != 1 || ms[0].LDAPGroup != "kiz-helpdesk" || ms[0].RoleName != "1st level" {
			t.Fatalf("mappings %+v, %v", ms, err)
		}
		ids, _ := models.LDAPRoles(ctx, db, s.f.Tenant.ID, []string{"kiz-helpdesk"})
		if len(ids) != 1 || ids[0] != s.firstLevel.ID {
			t.Errorf("LDAP roles %v", ids)
		}
		if err := s.d.RemoveLDAPMapping(ctx, s.admin, "kiz-helpdesk", s.firstLevel.ID); err != nil {
			t.Fatal(err)
		}
		// A role an LDAP login gave stays when the admin saves the agent's
		// roles by hand.
		if _, err := models.SetLDAPRoles(ctx, db, s.f.Agent.ID, []int64{s.firstLevel.ID}, time.Now()); err != nil {
			t.Fatal(err)
		}
		v, err := s.d.AdminObject(ctx, s.admin, "agents", s.f.Agent.ID)
		if err != nil || v.Get("ldap_role_id") != fmt.Sprint(s.firstLevel.ID) {
			t.Fatalf("agent %v, %v: no LDAP role shown", v, err)
		}
		v["role_id"] = nil
		if _, err := s.d.AdminSave(ctx, s.admin, "agents", s.f.Agent.ID, v); err != nil {
			t.Fatal(err)
		}
		var rows []models.AgentRole
		db.Where("agent_id = ?", s.f.Agent.ID).Find(&rows)
		if len(rows) != 1 || rows[0].Source != models.RoleFromLDAP {
			t.Errorf("agent roles after removing the manual one: %+v", rows)
		}
		if err := s.d.RemoveLDAPMapping(ctx, s.admin, "kiz-helpdesk", s.firstLevel.ID); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("removing a removed mapping: %v", err)
		}
	})
}

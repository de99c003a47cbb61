package desk_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/directory"
	"github.com/kiz-ulm/kizdesk/directory/slapdtest"
	"github.com/kiz-ulm/kizdesk/models"
)

// kizDirectory is the test directory as kizdesk would be configured for
// the kiz's: the service account, disabled accounts filtered out, groups.
func kizDirectory(t *testing.T, urls ...string) *directory.Directory {
	t.Helper()
	dir, err := directory.New(directory.Config{
		URLs: urls, BindDN: slapdtest.ServiceDN, BindPassword: slapdtest.ServicePassword,
		BaseDN: slapdtest.People, UserFilter: slapdtest.UserFilter, GroupBaseDN: slapdtest.Groups,
		Timeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLDAPLogin: kiz accounts log in against a real OpenLDAP; their
// groups give them roles at each login, roles an admin gave by hand stay,
// customers and disabled accounts do not get in, and the local
// break-glass account works while the directory is down.
func TestLDAPLogin(t *testing.T) {
	slapd := slapdtest.Start(t)
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		hash, _ := bcrypt.GenerateFromPassword([]byte("secret password"), bcrypt.MinCost)
		f := dbtest.Seed(t, db, string(hash))
		// A 2nd-level queue and its predefined role.
		mail := models.Queue{TenantID: f.Tenant.ID, Name: "E-Mail & Kalender", Level: models.LevelSecond}
		if err := db.Create(&mail).Error; err != nil {
			t.Fatal(err)
		}
		roles, err := models.PredefinedRoles(ctx, db, f.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, second, admin := roles["1st level"], roles[models.SecondLevelRole(mail.Name)], roles[models.AdminRole]
		for group, role := range map[string]int64{"kiz-helpdesk": first.ID, "kiz-mail": second.ID} {
			if err := db.Create(&models.LDAPRoleMapping{TenantID: f.Tenant.ID, LDAPGroup: group, RoleID: role}).Error; err != nil {
				t.Fatal(err)
			}
		}
		d := desk.New(db, nil, desk.Options{Directory: kizDirectory(t, slapd.LDAPURL)})
		login := func(login, password string) (desk.Session, error) {
			return d.Login(ctx, desk.LoginRequest{Login: login, Password: password, Client: "192.0.2.7"})
		}
		rolesOf := func(a models.Agent) []string {
			t.Helper()
			acc, err := models.AgentAccess(ctx, db, a.TenantID, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return acc.Roles
		}

		// mmail is in kiz-helpdesk and kiz-mail: an agent with both roles,
		// made from the directory's entry.
		s, err := login("mmail", slapdtest.Passwords["mmail"])
		if err != nil {
			t.Fatalf("LDAP login: %v", err)
		}
		a := s.Agent
		if a.Source != models.SourceLDAP || a.Name != "Jörg Mählmann" || a.Email != "joerg.maehlmann@uni-ulm.example" || a.TenantID != f.Tenant.ID {
			t.Errorf("agent from the directory: %+v", a)
		}
		if got := rolesOf(a); !slices.Equal(got, []string{first.Name, second.Name}) {
			t.Errorf("roles from groups: %v", got)
		}

		// An admin gives the agent the admin role by hand: its session
		// ends, and the next LDAP login keeps the role.
		if err := models.GrantRole(ctx, db, a.ID, admin.ID, models.RoleManual, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SessionAgent(ctx, s.Token); !errors.Is(err, desk.ErrNotFound) {
			t.Errorf("session after a role change: %v, want it ended", err)
		}
		// The directory drops mmail from kiz-helpdesk's mapping: the role
		// from LDAP goes, the one given by hand stays.
		if err := db.Where("ldap_group = ?", "kiz-helpdesk").Delete(&models.LDAPRoleMapping{}).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := login("mmail", slapdtest.Passwords["mmail"]); err != nil {
			t.Fatal(err)
		}
		if got := rolesOf(a); !slices.Equal(got, []string{second.Name, models.AdminRole}) {
			t.Errorf("roles after the next login: %v, want admin (by hand) and %s (LDAP)", got, second.Name)
		}
		var n int64
		db.Model(&models.Agent{}).Where("login = ?", "mmail").Count(&n)
		if n != 1 {
			t.Errorf("%d agents mmail after two logins", n)
		}

		// Wrong passwords, customers (no mapped group), disabled accounts
		// and injection attempts get the one answer, and no agent.
		for _, c := range [][2]string{
			{"mmail", "wrong"}, {"mmail", ""}, {"mmuster", slapdtest.Passwords["mmuster"]}, {"alt", slapdtest.Passwords["alt"]},
			{"nobody", "x"}, {"*", "x"}, {"mmail)(uid=*", "x"}, {"*)(|(uid=*", slapdtest.Passwords["mmail"]},
		} {
			if _, err := login(c[0], c[1]); !errors.Is(err, desk.ErrBadLogin) {
				t.Errorf("login %q/%q: %v, want ErrBadLogin", c[0], c[1], err)
			}
		}
		db.Model(&models.Agent{}).Where("login IN ?", []string{"mmuster", "alt", "nobody"}).Count(&n)
		if n != 0 {
			t.Errorf("%d agents made from refused logins", n)
		}

		// Nobody logs into a switched-off tenant from the directory.
		if err := db.Model(&models.Tenant{}).Where("id = ?", f.Tenant.ID).Update("active", false).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := login("mmail", slapdtest.Passwords["mmail"]); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("LDAP login into a switched-off tenant: %v", err)
		}
		// hhelp has never logged in; its posix group maps to a role now.
		if err := db.Create(&models.LDAPRoleMapping{TenantID: f.Tenant.ID, LDAPGroup: "kiz-rufbereitschaft", RoleID: first.ID}).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := login("hhelp", slapdtest.Passwords["hhelp"]); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("first LDAP login into a switched-off tenant: %v", err)
		}
		if db.Model(&models.Agent{}).Where("login = ?", "hhelp").Count(&n); n != 0 {
			t.Errorf("a first login into a switched-off tenant made an agent")
		}
		if err := db.Model(&models.Tenant{}).Where("id = ?", f.Tenant.ID).Update("active", true).Error; err != nil {
			t.Fatal(err)
		}

		// A deactivated LDAP agent cannot log in, right password or not.
		if err := models.SetAgentActive(ctx, db, a.ID, false, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := login("mmail", slapdtest.Passwords["mmail"]); !errors.Is(err, desk.ErrBadLogin) {
			t.Errorf("deactivated LDAP agent: %v", err)
		}

		// The directory is down (a closed port): LDAP logins say so, the
		// local break-glass agent still gets in.
		down := desk.New(db, nil, desk.Options{Directory: kizDirectory(t, fmt.Sprintf("ldap://127.0.0.1:%d", slapdtest.FreePort(t)))})
		if _, err := down.Login(ctx, desk.LoginRequest{Login: "hhelp", Password: slapdtest.Passwords["hhelp"]}); !errors.Is(err, desk.ErrDirectoryUnavailable) {
			t.Errorf("LDAP login with the directory down: %v", err)
		}
		if _, err := down.Login(ctx, desk.LoginRequest{Login: f.Agent.Login, Password: "secret password"}); err != nil {
			t.Errorf("local agent with the directory down: %v", err)
		}

		// The phone-ticket form's look-up finds kiz accounts by name.
		found, err := d.FindCustomers(ctx, desk.AgentPrincipal(f.Agent), "müller", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(found.Matches) != 3 || !found.Matches[0].Directory || found.More {
			t.Errorf("look-up of müller: %+v", found)
		}
		if found, err := d.FindCustomers(ctx, desk.AgentPrincipal(f.Agent), "*)(uid=*", 0); err != nil || len(found.Matches) != 0 {
			t.Errorf("look-up with a filter injection: %+v, %v", found, err)
		}

		// Pages: the tenant's customers 25 at a time in name order, the
		// directory's people after the last of them, and a kiz account
		// that is a customer here already never twice.
		for i := range 30 {
			c := models.Customer{TenantID: f.Tenant.ID, Login: fmt.Sprintf("müller%02d", i), Name: fmt.Sprintf("Anna Müller %02d", i)}
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
		}
		page1, err2 := d.FindCustomers(ctx, desk.AgentPrincipal(f.Agent), "müller", 0)
		if err2 != nil || len(page1.Matches) != desk.CustomerPageSize || !page1.More || page1.Matches[0].Login != "müller00" {
			t.Fatalf("page1 page: %+v, %v", page1, err2)
		}
		page2, err := d.FindCustomers(ctx, desk.AgentPrincipal(f.Agent), "müller", 1)
		if err != nil || page2.More {
			t.Fatalf("page2 page: %+v, %v", page2, err)
		}
		var local, dir int
		for _, m := range page2.Matches {
			if m.Directory {
				dir++
			} else {
				local++
			}
		}
		if local != 5 || dir != 3 || page2.Matches[0].Login != "müller25" {
			t.Errorf("page2 page: %d local, %d from the directory: %+v", local, dir, page2.Matches)
		}
		if page3, err := d.FindCustomers(ctx, desk.AgentPrincipal(f.Agent), "müller", 2); err != nil || len(page3.Matches) != 0 {
			t.Errorf("page3 page: %+v, %v", page3, err)
		}
		if _, err := d.FindCustomers(ctx, desk.AgentPrincipal(f.Agent), "müller", -1); err == nil {
			t.Error("page -1 was accepted")
		}
	})
}

package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The admin pages over the fake desk: every page in German and English
// with no text missing, the forms posting what they show, refused forms
// coming back with the admin's input (never a password), the token shown
// once. Who may do what is the desk's business (desk/admin_test.go).

func init() {
	// Every admin object's create and update form, for the bad-bytes test.
	for _, k := range desk.AllAdminKinds() {
		form := adminSample(k)
		sampleForms["/admin/"+k.Name] = form
		sampleForms["/admin/"+k.Name+"/:id"] = form
	}
}

// adminSample is a valid post of k's form.
func adminSample(k desk.AdminKind) url.Values {
	form := url.Values{}
	for _, f := range k.Fields {
		switch f.Type {
		case desk.FieldBool:
			form.Set(f.Name, "true")
		case desk.FieldNumber:
			form.Set(f.Name, "2")
		case desk.FieldSelect, desk.FieldChecks:
			form.Set(f.Name, fakeChoices()[f.Choices][0].Value)
		case desk.FieldGrid:
			form[f.Name] = []string{"4:rw", "5:move_into"}
		case desk.FieldPassword:
			form.Set(f.Name, "long enough password")
		default:
			form.Set(f.Name, "Printing")
		}
	}
	return form
}

// rita is the fake's admin.
func adminBrowser(t *testing.T, lang string) *browser {
	t.Helper()
	b := newBrowser(t, Options{})
	b.acceptLanguage = lang
	b.desk.agents[9] = b.desk.agents[7]
	a := b.desk.agents[9]
	a.ID, a.Login, a.Name = 9, "rita", "Rita Root"
	b.desk.agents[9] = a
	b.desk.password["rita"] = "right"
	page := b.get("/login")
	res := b.post("/login", url.Values{"csrf_token": {hidden(t, csrfRE, page.body)}, "login": {"rita"}, "password": {"right"}})
	wantStatus(t, res, http.StatusSeeOther)
	return b
}

func TestAdminPagesInBothLanguages(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		b := adminBrowser(t, lang)
		pages := map[string]response{}
		visit := func(path string) response {
			t.Helper()
			res := b.get(path)
			pages[path] = res
			return res
		}
		wantStatus(t, visit("/admin"), http.StatusOK)
		for _, k := range desk.AllAdminKinds() {
			wantStatus(t, visit("/admin/"+k.Name), http.StatusOK)
			wantStatus(t, visit("/admin/"+k.Name+"/new"), http.StatusOK)
			wantStatus(t, visit("/admin/"+k.Name+"/3"), http.StatusOK)
			wantStatus(t, visit("/admin/"+k.Name+"/4"), http.StatusNotFound)
		}
		wantStatus(t, visit("/admin/customers?q=Printing"), http.StatusOK)
		wantStatus(t, visit("/admin/audit"), http.StatusOK)
		wantStatus(t, visit("/admin/audit?before=9"), http.StatusOK)
		wantStatus(t, visit("/admin/audit?before=x"), http.StatusNotFound)
		wantStatus(t, visit("/admin/ldap-mappings"), http.StatusOK)
		wantStatus(t, visit("/agent/tokens"), http.StatusOK)
		for path, res := range pages {
			if keys := rawKeyRE.FindAllString(res.body, -1); len(keys) > 0 {
				t.Errorf("%s %s: untranslated %q", lang, path, keys)
			}
			for _, bad := range []string{"<no value>", "%!"} {
				if strings.Contains(res.body, bad) {
					t.Errorf("%s %s: %q in the page", lang, path, bad)
				}
			}
			if !strings.Contains(res.body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not in %s", lang, path, lang)
			}
		}
		l := c.For(lang)
		wantContains(t, pages["/admin"].body, `href="/admin"`, l.Text("ui.admin.kind.ldap_mappings"), l.Text("ui.admin.follow_up_note"),
			`href="/admin/tenants"`, `href="/admin/audit"`)
		wantContains(t, pages["/admin/queues/3"].body, `action="/admin/queues/3"`, `<option value="">`+l.Text("ui.admin.none.group_id"),
			l.Text("ui.admin.word.reopen"), l.Text("ui.admin.field.follow_up_days"))
		wantContains(t, pages["/admin/roles/3"].body, `name="perm" value="4:rw" aria-label="Helpdesk: rw" checked`,
			`name="perm" value="5:rw" aria-label="Netz 2nd: rw">`)
		wantContains(t, pages["/admin/agents/3"].body, `action="/admin/agents/3/tokens"`, `action="/admin/agents/3/tokens/4/revoke"`, "Printing CI",
			`type="password"`, l.Text("ui.admin.ldap_roles")+": admin", `aria-describedby="hint-password"`)
		wantContains(t, pages["/admin/queues/new"].body, `name="follow_up_days" value="7"`, `name="active" value="true" checked`)
		wantContains(t, pages["/admin/tenants/new"].body, `name="admin_password"`, `name="slug"`)
		if strings.Contains(pages["/admin/tenants/3"].body, `name="admin_password"`) {
			t.Errorf("%s: editing a tenant offers its first admin's fields", lang)
		}
		wantContains(t, pages["/admin/services"].body, "\u00a0\u00a0\u00a0\u00a0<a href=\"/admin/services/4\">")
		wantContains(t, pages["/admin/audit"].body, "Anna Agent", "#3: Printing", "Helpdesk → Printing", l.Text("ui.admin.action.update"),
			l.Text("ui.admin.word.1st_level")+" → "+l.Text("ui.admin.word.team"), `href="/admin/audit?before=9"`)
		wantContains(t, pages["/admin/customers?q=Printing"].body, `name="q" value="Printing"`,
			l.Text("ui.admin.more", "Shown", 1, "Total", desk.AdminListLimit+1))
		wantContains(t, pages["/admin/ldap-mappings"].body, "kiz-helpdesk", `action="/admin/ldap-mappings/remove"`)
		// The nav shows the admin pages to admins only.
		wantContains(t, pages["/agent/tokens"].body, `<a href="/admin">`)
	}
	anna := newBrowser(t, Options{})
	anna.login()
	if strings.Contains(anna.get("/agent/queues").body, `<a href="/admin">`) {
		t.Error("a non-admin's nav links to the admin pages")
	}
}

func TestAdminSaveAndRefusal(t *testing.T) {
	b := adminBrowser(t, "en")
	csrf := hidden(t, csrfRE, b.get("/admin/queues/new").body)
	form := adminSample(desk.AllAdminKinds()[3])
	form.Set("csrf_token", csrf)
	res := b.post("/admin/queues", form)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/admin/queues/3" {
		t.Errorf("a new queue goes to %s, want its form", loc)
	}
	wantContains(t, b.get("/admin/queues/3").body, `Queues “Printing” saved.`)
	res = b.post("/admin/queues/3", form)
	if loc := res.header.Get("Location"); loc != "/admin/queues" {
		t.Errorf("a changed queue goes to %s, want the list", loc)
	}
	saved := requestsOf[desk.AdminValues](b.desk, "AdminSave")
	if len(saved) != 2 || saved[0].Get("name") != "Printing" || saved[0].Get("follow_up") != "reopen" {
		t.Errorf("saves %v", saved)
	}

	// A refused agent form comes back with what was typed, but never the
	// password.
	b.desk.errs["AdminSave"] = desk.FieldErrors{"login": ticket.P(desk.FieldTaken), "password": ticket.P(desk.FieldPasswordShort, "Min", "10")}
	agent := adminSample(desk.AllAdminKinds()[0])
	agent.Set("csrf_token", csrf)
	agent.Set("login", "carl <the> second")
	agent.Set("password", "secret-pw")
	res = b.follow(b.post("/admin/agents/3", agent))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, "Please correct the marked fields.", "Already taken.", "Too short (at least 10 characters).",
		`value="carl &lt;the&gt; second"`)
	if strings.Contains(res.body, "secret-pw") {
		t.Error("a refused form shows the password again")
	}
	// Shown once: the page again is the object as stored.
	if again := b.get("/admin/agents/3"); again.status != http.StatusOK || strings.Contains(again.body, "carl") {
		t.Errorf("the refused form is shown twice: %d", again.status)
	}
	b.desk.errs["AdminSave"] = desk.ErrForbidden
	wantStatus(t, b.post("/admin/agents/3", agent), http.StatusForbidden)
	delete(b.desk.errs, "AdminSave")

	// LDAP mappings: added with a flash; a refused one comes back as typed.
	res = b.post("/admin/ldap-mappings", url.Values{"csrf_token": {csrf}, "ldap_group": {"kiz-netz"}, "role_id": {"6"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantContains(t, b.get("/admin/ldap-mappings").body, "LDAP group “kiz-netz” mapped.")
	b.desk.errs["AddLDAPMapping"] = desk.FieldErrors{"ldap_group": ticket.P(desk.FieldTaken)}
	res = b.follow(b.post("/admin/ldap-mappings", url.Values{"csrf_token": {csrf}, "ldap_group": {"kiz-netz"}, "role_id": {"6"}}))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, `value="kiz-netz"`, "Already taken.", `<option value="6" selected>`)
	res = b.post("/admin/ldap-mappings/remove", url.Values{"csrf_token": {csrf}, "ldap_group": {"kiz-helpdesk"}, "role_id": {"2"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantContains(t, b.get("/admin/ldap-mappings").body, "Mapping of LDAP group “kiz-helpdesk” removed.")

	// A token is shown once, in the flash after its creation.
	res = b.post("/agent/tokens", url.Values{"csrf_token": {csrf}, "name": {"CI"}})
	wantStatus(t, res, http.StatusSeeOther)
	wantContains(t, b.get("/agent/tokens").body, "kzd_FAKETOKEN")
	if strings.Contains(b.get("/agent/tokens").body, "kzd_FAKETOKEN") {
		t.Error("the token is shown twice")
	}
	res = b.post("/admin/agents/3/tokens/4/revoke", url.Values{"csrf_token": {csrf}})
	if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || loc != "/admin/agents/3" {
		t.Errorf("revoke: %d to %s", res.status, loc)
	}
	b.desk.errs["CreateToken"] = desk.FieldErrors{"name": ticket.P(ticket.FieldRequired)}
	res = b.follow(b.post("/admin/agents/3/tokens", url.Values{"csrf_token": {csrf}, "name": {""}}))
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, res.body, "Required.")
}

// TestAdminTextsInCatalogue: every admin problem code has its texts, and
// every field, hint and kind the templates look up by name.
func TestAdminTextsInCatalogue(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"de", "en"} {
		l := c.For(lang)
		for _, code := range desk.AdminCodes {
			if !l.Has(string(code)) {
				t.Errorf("%s: no text for %s", lang, code)
			}
		}
		for id := range adminTextIDs() {
			if !l.Has(id) {
				t.Errorf("%s: no text %s", lang, id)
			}
		}
	}
}

// adminTextIDs are the texts the admin pages look up by a name.
func adminTextIDs() map[string]bool {
	ids := map[string]bool{"ui.admin.kind.ldap_mappings": true, "ui.admin.kind.api_tokens": true, "ui.admin.kind.faq_rights": true}
	for _, a := range []string{desk.AuditCreate, desk.AuditUpdate, desk.AuditRevoke, desk.AuditRemove} {
		ids["ui.admin.action."+a] = true
	}
	for _, f := range []string{"ldap_group", "role", "agent_id", "integration", "group_id"} {
		ids["ui.admin.field."+f] = true
	}
	for _, k := range desk.AllAdminKinds() {
		ids["ui.admin.kind."+i18n.KeyOf(k.Name)] = true
		for _, f := range k.Fields {
			ids["ui.admin.field."+f.Name] = true
			if f.Hint {
				ids["ui.admin.hint."+f.Name] = true
			}
			if f.None {
				ids["ui.admin.none."+f.Name] = true
			}
		}
	}
	for _, cs := range fakeChoices() {
		for _, o := range cs {
			if o.Word {
				ids["ui.admin.word."+i18n.KeyOf(o.Value)] = true
			}
		}
	}
	return ids
}

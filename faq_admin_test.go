package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/models"
)

// The FAQ rights page in the authorization matrix: admins of the tenant
// only, like the other admin pages (the desk refuses everyone else).
func init() {
	authzMatrix["GET /admin/faq-rights"] = adminPage
	authzMatrix["POST /admin/faq-rights"] = adminPage
}

// TestFAQRightsOverHTTP: on the real stack an admin opens the FAQ rights
// page from the admin index, keeps one role's right to edit and makes a
// category need approval; an editor's change of a published entry in a
// category below it then waits for approval and leaves the public pages,
// and an agent without the right cannot open the page.
func TestFAQRightsOverHTTP(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	db := s.db
	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	agentWith := func(login string, role models.Role) models.Agent {
		t.Helper()
		a := models.Agent{TenantID: f.Tenant.ID, Login: login, Name: login, PasswordHash: string(hash), Active: true}
		if err := db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.AgentRole{AgentID: a.ID, RoleID: role.ID, Source: models.RoleManual}).Error; err != nil {
			t.Fatal(err)
		}
		return a
	}
	adminRole, err := models.RoleByName(t.Context(), db, f.Tenant.ID, models.AdminRole)
	if err != nil {
		t.Fatal(err)
	}
	editors := models.Role{TenantID: f.Tenant.ID, Name: "FAQ-Redaktion Freigabe", Active: true}
	if err := db.Create(&editors).Error; err != nil {
		t.Fatal(err)
	}
	admin := agentWith("faq-admin", adminRole)
	editor := agentWith("faq-redaktion", editors)
	parent := models.Service{TenantID: f.Tenant.ID, Name: "Freigabe E2E", QueueID: f.Queue.ID, Active: true}
	child := models.Service{TenantID: f.Tenant.ID, Name: "Freigabe E2E::Drucken", QueueID: f.Queue.ID, Active: true}
	for _, svc := range []*models.Service{&parent, &child} {
		if err := db.Create(svc).Error; err != nil {
			t.Fatal(err)
		}
	}
	e := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQPublic, "Freigabe Drucker verbinden")
	if err := db.Model(&models.FAQEntry{}).Where("id = ?", e.ID).Update("service_id", child.ID).Error; err != nil {
		t.Fatal(err)
	}
	login := func(who models.Agent) *browser {
		b := newBrowser(t, s.srv.URL)
		_, page := b.get("/login")
		if status, _, _ := b.post(page, "/login", map[string]string{"login": who.Login, "password": testPassword}); status != http.StatusOK {
			t.Fatalf("login %s: %d", who.Login, status)
		}
		return b
	}

	ab := login(admin)
	if _, index := ab.get("/admin"); !strings.Contains(index, `href="/admin/faq-rights"`) {
		t.Fatalf("the admin index does not link the FAQ rights")
	}
	_, page := ab.get("/admin/faq-rights")
	if !strings.Contains(page, "FAQ-Redaktion Freigabe") || !strings.Contains(page, "Freigabe E2E::Drucken") {
		t.Fatalf("the page lacks the role or the service:\n%s", page)
	}
	status, _, saved := ab.post(page, "/admin/faq-rights", map[string]string{"perm": fmt.Sprintf("%d:edit", editors.ID),
		"approval": fmt.Sprint(parent.ID)})
	if status != http.StatusOK || !strings.Contains(saved, fmt.Sprintf(`name="approval" value="%d" checked`, parent.ID)) ||
		!strings.Contains(saved, fmt.Sprintf(`value="%d:edit" aria-label="FAQ-Redaktion Freigabe: Schreiben und bearbeiten" checked`, editors.ID)) {
		t.Fatalf("saving the rights: %d\n%s", status, saved)
	}

	eb := login(editor)
	_, form := eb.get(fmt.Sprintf("/agent/faq/%d/edit", e.ID))
	base := baseRE.FindStringSubmatch(form)
	if base == nil {
		t.Fatalf("no base version in the form:\n%s", form)
	}
	status, path, show := eb.post(form, fmt.Sprintf("/agent/faq/%d", e.ID), map[string]string{"base": base[1], "visibility": "public",
		"service_id": fmt.Sprint(child.ID), "title_de": e.TitleDE, "answer_de": "Neue Antwort nach Freigabe."})
	if status != http.StatusOK || path != fmt.Sprintf("/agent/faq/%d", e.ID) || !strings.Contains(show, "wartet auf Freigabe") {
		t.Fatalf("the editor's change: %d at %s\n%s", status, path, show)
	}
	resp, err := http.Get(fmt.Sprintf("%s/faq/%d", s.srv.URL, e.ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("an entry awaiting approval logged out: %d", resp.StatusCode)
	}
	resp, err = eb.c.Get(s.srv.URL + "/admin/faq-rights")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the FAQ rights page for an editor: %d", resp.StatusCode)
	}
}

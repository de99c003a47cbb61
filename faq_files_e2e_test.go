package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/models"
)

var baseRE = regexp.MustCompile(`name="base" value="(\d+)"`)

// TestFAQFilesOverHTTP: on the real stack an agent with the right to
// edit FAQ entries attaches a file to a public entry and to an internal
// one through the edit form (multipart); logged out, the public entry's
// file downloads from /faq/:id/files/:seq, the internal entry's is not
// found; removing the file in the form takes it off the public page.
func TestFAQFilesOverHTTP(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	ctx := t.Context()
	role := models.Role{TenantID: f.Tenant.ID, Name: "FAQ-Redaktion Dateien", Active: true}
	if err := s.db.Create(&role).Error; err != nil {
		t.Fatal(err)
	}
	if err := models.GrantFAQPerm(ctx, s.db, role.ID, models.FAQPermEdit); err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	editor := models.Agent{TenantID: f.Tenant.ID, Login: "faq-dateien", Name: "FAQ Dateien", PasswordHash: string(hash), Active: true}
	if err := s.db.Create(&editor).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.db.Create(&models.AgentRole{AgentID: editor.ID, RoleID: role.ID, Source: models.RoleManual}).Error; err != nil {
		t.Fatal(err)
	}
	pub := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQPublic, "Dateien WLAN eduroam")
	internal := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQInternal, "Dateien Controller intern")

	b := newBrowser(t, s.srv.URL)
	_, page := b.get("/login")
	if status, _, _ := b.post(page, "/login", map[string]string{"login": editor.Login, "password": testPassword}); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	guide := []byte("%PDF-1.4\neduroam-Anleitung\n")
	upload := func(e models.FAQEntry, fields map[string]string, files map[string][]byte) string {
		t.Helper()
		editPath := fmt.Sprintf("/agent/faq/%d/edit", e.ID)
		_, form := b.get(editPath)
		if !strings.Contains(form, `enctype="multipart/form-data"`) {
			t.Fatalf("the edit form takes no files:\n%s", form)
		}
		all := map[string]string{"visibility": string(e.Visibility), "title_de": e.TitleDE, "answer_de": e.AnswerDE,
			"question_de": e.QuestionDE, "title_en": e.TitleEN, "answer_en": e.AnswerEN}
		// The version the form was read at, which the save must build on.
		if m := baseRE.FindStringSubmatch(form); m != nil {
			all["base"] = m[1]
		}
		for k, v := range fields {
			all[k] = v
		}
		status, path, body := b.postMultipart(form, fmt.Sprintf("/agent/faq/%d", e.ID), all, files)
		if status != http.StatusOK || path != fmt.Sprintf("/agent/faq/%d", e.ID) {
			t.Fatalf("saving entry %d with files: %d at %s\n%s", e.ID, status, path, body)
		}
		return body
	}
	show := upload(pub, nil, map[string][]byte{"eduroam.pdf": guide})
	if !strings.Contains(show, fmt.Sprintf(`href="/agent/faq/%d/files/2"`, pub.ID)) || !strings.Contains(show, "eduroam.pdf") {
		t.Errorf("the entry's page lacks the new file:\n%s", show)
	}
	upload(internal, nil, map[string][]byte{"controller.txt": []byte("intern")})

	get := func(path string) (int, string, http.Header) {
		t.Helper()
		resp, err := http.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body), resp.Header
	}
	code, body, h := get(fmt.Sprintf("/faq/%d/files/2", pub.ID))
	if code != http.StatusOK || body != string(guide) || !strings.Contains(h.Get("Content-Disposition"), "eduroam.pdf") {
		t.Errorf("the public entry's new file logged out: %d %q %v", code, body, h)
	}
	if code, _, _ := get(fmt.Sprintf("/faq/%d", pub.ID)); code != http.StatusOK {
		t.Errorf("the public entry after the upload: %d", code)
	}
	code, body, _ = get(fmt.Sprintf("/faq/%d/files/2", internal.ID))
	if code != http.StatusNotFound || strings.Contains(body, "intern") && !strings.Contains(body, "<html") {
		t.Errorf("the internal entry's file logged out: %d %q", code, body)
	}
	if _, agentFile := b.get(fmt.Sprintf("/agent/faq/%d/files/2", internal.ID)); agentFile != "intern" {
		t.Errorf("the internal entry's file for the agent: %q", agentFile)
	}

	// Removing the file is a version of its own and ends the download.
	show = upload(pub, map[string]string{"remove_file": "2"}, nil)
	if !strings.Contains(show, "Dateien geändert") && !strings.Contains(show, "files changed") {
		t.Errorf("no version records the removal:\n%s", show)
	}
	if code, _, _ := get(fmt.Sprintf("/faq/%d/files/2", pub.ID)); code != http.StatusNotFound {
		t.Errorf("a removed file logged out: %d", code)
	}
}

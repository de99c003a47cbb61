package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestFAQFormFiles: the entry forms post multipart/form-data; the files
// and the files to remove reach the desk, a refused form asks for its
// files again, and the edit form offers the entry's files for removal.
func TestFAQFormFiles(t *testing.T) {
	b := newBrowser(t, Options{})
	csrf := b.login()
	form := b.get("/agent/faq/new")
	wantContains(t, form.body, `enctype="multipart/form-data"`, `name="files" type="file" multiple`, "Up to 20 files")
	fields := url.Values{"csrf_token": {csrf}, "visibility": {"public"}, "title_de": {"Drucker"}, "answer_de": {"Papier"}, "base": {"0"}}
	saved := b.postFiles("/agent/faq", fields, map[string][]byte{"anleitung.pdf": []byte("%PDF-1.4"), "bild.png": []byte("PNG")})
	if saved.status != http.StatusSeeOther || saved.header.Get("Location") != "/agent/faq/4" {
		t.Fatalf("saving with files: %d to %q: %s", saved.status, saved.header.Get("Location"), saved.body)
	}
	st := b.desk.faqState()
	got := st.forms[len(st.forms)-1]
	if len(got.Files) != 2 || got.Files[0].Name != "anleitung.pdf" || string(got.Files[0].Data) != "%PDF-1.4" || got.Files[1].Name != "bild.png" {
		t.Fatalf("the desk got files %+v", got.Files)
	}

	edit := b.get("/agent/faq/3/edit")
	wantContains(t, edit.body, `action="/agent/faq/3"`, `name="remove_file" value="1"`, "Remove anleitung.html")
	fields = url.Values{"csrf_token": {csrf}, "visibility": {"public"}, "title_de": {"Outlook"}, "answer_de": {"neu"}, "base": {"1"},
		"remove_file": {"1"}}
	updated := b.postFiles("/agent/faq/3", fields, map[string][]byte{"neu.txt": []byte("neu")})
	if updated.status != http.StatusSeeOther {
		t.Fatalf("updating with files: %d %s", updated.status, updated.body)
	}
	got = st.forms[len(st.forms)-1]
	if len(got.Files) != 1 || got.Files[0].Name != "neu.txt" || len(got.Remove) != 1 || got.Remove[0] != 1 {
		t.Errorf("the desk got %+v, remove %v", got.Files, got.Remove)
	}

	fields.Set("remove_file", "x")
	bad := b.postFiles("/agent/faq/3", fields, nil)
	wantStatus(t, b.follow(bad), http.StatusUnprocessableEntity)

	b.desk.errs["UpdateFAQ"] = desk.FieldErrors{"files": ticket.P(ticket.FieldTooManyFiles, "Max", "10")}
	fields.Set("remove_file", "1")
	refused := b.postFiles("/agent/faq/3", fields, map[string][]byte{"neu.txt": []byte("neu")})
	back := b.follow(refused)
	wantStatus(t, back, http.StatusUnprocessableEntity)
	wantContains(t, back.body, "please attach them again", `name="remove_file" value="1" checked`)
	if strings.Contains(back.body, "%PDF") {
		t.Error("a file's content in the page")
	}
}

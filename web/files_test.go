package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
)

// postFiles posts form as multipart/form-data with files under "files",
// as a browser sends a form with a file input.
func (b *browser) postFiles(path string, form url.Values, files map[string][]byte) response {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				b.t.Fatal(err)
			}
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fw, err := w.CreateFormFile("files", name)
		if err != nil {
			b.t.Fatal(err)
		}
		if _, err := fw.Write(files[name]); err != nil {
			b.t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// The reply and note forms hand their files and minutes to the desk as
// posted; an empty file input is no file.
func TestArticleFormsCarryFilesAndMinutes(t *testing.T) {
	b := newBrowser(t, Options{})
	token := b.login()
	pdf := []byte("%PDF-1.4 Anleitung")
	res := b.postFiles("/agent/tickets/"+testNumber+"/notes", url.Values{"csrf_token": {token}, "request_key": {"n1"},
		"kind": {"internal note"}, "body": {"Log attached"}, "minutes": {"25"}},
		map[string][]byte{"Anleitung VPN.pdf": pdf, "": nil})
	b.follow(res)
	notes := b.desk.notesSent()
	if len(notes) != 1 {
		t.Fatalf("AddNote got %d requests", len(notes))
	}
	n := notes[0]
	if n.Minutes != 25 || len(n.Files) != 1 || n.Files[0].Name != "Anleitung VPN.pdf" || !bytes.Equal(n.Files[0].Data, pdf) {
		t.Errorf("note request: minutes %d, files %+v", n.Minutes, n.Files)
	}

	res = b.postFiles("/agent/tickets/"+testNumber+"/replies", url.Values{"csrf_token": {token}, "request_key": {"r1"},
		"body": {"See the attachment"}}, map[string][]byte{"a.txt": []byte("a"), "b.txt": []byte("b")})
	b.follow(res)
	replies := requestsOf[desk.ReplyRequest](b.desk, "Reply")
	if len(replies) != 1 || len(replies[0].Files) != 2 || replies[0].Minutes != 0 {
		t.Fatalf("reply requests: %+v", replies)
	}

	// Minutes that are no number never reach the desk, and the form asks
	// for the files again.
	res = b.postFiles("/agent/tickets/"+testNumber+"/notes", url.Values{"csrf_token": {token}, "request_key": {"n2"},
		"kind": {"internal note"}, "body": {"x"}, "minutes": {"zwanzig"}}, map[string][]byte{"c.txt": []byte("c")})
	page := b.follow(res)
	if n := len(b.desk.notesSent()); n != 1 {
		t.Errorf("AddNote called again with bad minutes (%d calls)", n)
	}
	if !strings.Contains(page.body, "please attach them again") {
		t.Errorf("the handed-back note form does not ask for the files again:\n%s", page.body)
	}
}

// A file is always a download: never shown in the desk's origin.
func TestFileIsADownload(t *testing.T) {
	b := newBrowser(t, Options{})
	b.login()
	res := b.get("/agent/tickets/" + testNumber + "/articles/2/files/1")
	wantStatus(t, res, http.StatusOK)
	if cd := res.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "Ablauf.svg") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := res.header.Get("Content-Security-Policy"); csp != "sandbox" {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	wantStatus(t, b.get("/agent/tickets/"+testNumber+"/articles/2/files/9"), http.StatusNotFound)
	wantStatus(t, b.get("/agent/tickets/"+testNumber+"/articles/x/files/1"), http.StatusNotFound)
}

func (f *fakeDesk) notesSent() []desk.AddNoteRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.notes)
}

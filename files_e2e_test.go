package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/mailin"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// postMultipart submits the form of page that posts to path with files,
// as a browser does a form with a file input; it follows the redirect.
func (b *browser) postMultipart(page, path string, fields map[string]string, files map[string][]byte) (int, string, string) {
	b.t.Helper()
	form := hidden(page, path)
	if form.Get("csrf_token") == "" {
		b.t.Fatalf("no form posting to %s on the page", path)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		form.Set(k, v)
	}
	for k := range form {
		if err := w.WriteField(k, form.Get(k)); err != nil {
			b.t.Fatal(err)
		}
	}
	for name, data := range files {
		fw, err := w.CreateFormFile("files", name)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(data)
	}
	w.Close()
	resp, err := b.c.Post(b.base+path, w.FormDataContentType(), &buf)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(body)
}

// TestArticleFiles: on the real stack, files and working time travel with
// the phone ticket, the note and the answer: stored once however often
// attached, listed and downloadable on the zoom, sent with the answer's
// mail, covered by the history's hashes; too many or too large files are
// refused with a field error and store nothing; a customer gets the files
// of answers, never those of internal notes.
func TestArticleFiles(t *testing.T) {
	sink := startSMTPSink(t)
	s := startMailStack(t, sink)
	ctx := context.Background()
	f := s.fixture
	agent := desk.AgentPrincipal(f.Agent)
	if err := s.db.Model(&models.Customer{}).Where("id = ?", f.Customer.ID).Update("email", "kunde@uni-ulm.example").Error; err != nil {
		t.Fatal(err)
	}
	guide := []byte("%PDF-1.4\nVPN-Anleitung für Windows\n")
	shot := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 5000)

	v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{RequestKey: "files-1", CustomerLogin: f.Customer.Login,
		Title: "VPN verbindet nicht", Body: "Fehlermeldung als Bildschirmfoto.", QueueID: f.Queue.ID, TypeID: f.Type.ID,
		PriorityID: f.Priority.ID, Minutes: 10, Files: []desk.Upload{{Name: "Fehler.png", Type: "image/png", Data: shot}}})
	if err != nil {
		t.Fatal(err)
	}
	if v.TimeSpent != 10 {
		t.Errorf("time spent after the phone call: %d min, want 10", v.TimeSpent)
	}

	b := newBrowser(t, s.srv.URL)
	_, page := b.get("/login")
	if status, _, _ := b.post(page, "/login", map[string]string{"login": f.Agent.Login, "password": testPassword}); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	zoomPath := "/agent/tickets/" + v.Number
	_, zoom := b.get(zoomPath)
	status, _, zoom := b.postMultipart(zoom, zoomPath+"/replies", map[string]string{"subject": "VPN", "body": "Bitte nach Anleitung vorgehen.",
		"minutes": "15"}, map[string][]byte{"Anleitung VPN.pdf": guide, "Fehler.png": shot})
	if status != http.StatusOK {
		t.Fatalf("reply with files: %d\n%s", status, zoom)
	}
	for _, want := range []string{"Anleitung VPN.pdf", "Fehler.png", "15 Min. gearbeitet", "10 Min. gearbeitet"} {
		if !strings.Contains(zoom, want) {
			t.Errorf("the zoom lacks %q", want)
		}
	}
	row := ticketRow(t, s, v.Number)
	if row.TimeSpentMinutes != 25 {
		t.Errorf("time spent: %d min, want 25", row.TimeSpentMinutes)
	}
	var count int64
	s.db.Model(&models.Attachment{}).Where("sha256 IN ?", []string{sum(shot), sum(guide)}).Count(&count)
	if count != 2 {
		t.Errorf("%d attachment rows for two distinct files attached three times, want 2", count)
	}

	// The answer's mail carries both files.
	m := sink.waitMail("the answer with files", to("kunde@uni-ulm.example"))
	msg := parseMail(t, m)
	got := map[string][]byte{}
	for _, a := range msg.Attachments {
		got[a.Filename] = a.Data
	}
	if !bytes.Equal(got["Anleitung VPN.pdf"], guide) || !bytes.Equal(got["Fehler.png"], shot) {
		t.Errorf("the answer's mail has attachments %v", keys(got))
	}

	// Downloads: the agent gets the file as it was attached.
	arts, err := models.Articles(ctx, s.db, row.ID)
	if err != nil {
		t.Fatal(err)
	}
	var reply, phone models.Article
	for _, a := range arts {
		switch a.Kind {
		case string(ticket.ArticleReply):
			reply = a
		case string(ticket.ArticlePhoneNote):
			phone = a
		}
	}
	if len(reply.Files) != 2 || reply.TimeMinutes != 15 || len(phone.Files) != 1 {
		t.Fatalf("articles: reply %+v, phone %+v", reply, phone)
	}
	resp, err := b.c.Get(s.srv.URL + zoomPath + "/articles/" + strconv.Itoa(reply.Seq) + "/files/1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, guide) && !bytes.Equal(body, shot) {
		t.Errorf("download: %s, %d bytes", resp.Status, len(body))
	}

	// The customer may have the answer's files, not an internal note's.
	noted, err := s.desk.AddNote(ctx, agent, v.Number, desk.AddNoteRequest{Kind: "internal note", Body: "Server-Log",
		Files: []desk.Upload{{Name: "vpn.log", Data: []byte("intern")}}})
	if err != nil {
		t.Fatal(err)
	}
	cust := desk.CustomerPrincipal(f.Customer)
	if file, err := s.desk.File(ctx, cust, v.Number, reply.Seq, 1); err != nil || file.Filename != reply.Files[0].Filename {
		t.Errorf("the customer's file of the answer: %+v, %v", file.ArticleFile, err)
	}
	if _, err := s.desk.File(ctx, cust, v.Number, noted.Seq, 1); !errors.Is(err, desk.ErrNotFound) {
		t.Errorf("the customer got the internal note's file: %v", err)
	}
	if file, err := s.desk.File(ctx, agent, v.Number, noted.Seq, 1); err != nil || string(file.Data) != "intern" {
		t.Errorf("the agent's file of the note: %v", err)
	}

	// Too many files, or one too large: a field error, nothing stored.
	before := ticketRow(t, s, v.Number).LastSeq
	var many []desk.Upload
	for i := range ticket.MaxFiles + 1 {
		many = append(many, desk.Upload{Name: "f.txt", Data: []byte{byte(i), 'x', 'y'}})
	}
	big := desk.Upload{Name: "Mitschnitt.mp4", Data: bytes.Repeat([]byte("z"), ticket.MaxFileSize+1)}
	for name, ups := range map[string][]desk.Upload{"too many": many, "too large": {big}} {
		_, err := s.desk.AddNote(ctx, agent, v.Number, desk.AddNoteRequest{Kind: "internal note", Body: "x", Files: ups})
		var fe desk.FieldErrors
		if !errors.As(err, &fe) || fe["files"].Code == "" {
			t.Errorf("%s: %v, want a field error on files", name, err)
		}
		s.db.Model(&models.Attachment{}).Where("sha256 = ?", sum(ups[len(ups)-1].Data)).Count(&count)
		if count != 0 {
			t.Errorf("%s: the refused file was stored", name)
		}
	}
	if after := ticketRow(t, s, v.Number).LastSeq; after != before {
		t.Errorf("refused files changed the ticket: seq %d → %d", before, after)
	}

	// The history's hashes cover the files: renaming one is found.
	report, err := models.VerifyHistory(ctx, s.db, s.keys)
	if err != nil || !report.Intact() {
		t.Fatalf("verify before tampering: %v %+v", err, report.Broken)
	}
	if err := s.db.Model(&models.ArticleFile{}).Where("article_id = ? AND seq = 1", reply.ID).Update("filename", "harmlos.pdf").Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.db.Model(&models.ArticleFile{}).Where("article_id = ? AND seq = 1", reply.ID).Update("filename", reply.Files[0].Filename)
	})
	report, err = models.VerifyHistory(ctx, s.db, s.keys)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, br := range report.Broken {
		found = found || br.Number == v.Number && br.Seq == reply.Seq
	}
	if !found {
		t.Errorf("a renamed file was not found by verify: %+v", report.Broken)
	}
}

func parseMail(t *testing.T, m *mail.Message) mailin.Message {
	t.Helper()
	var raw bytes.Buffer
	for k, vs := range m.Header {
		for _, v := range vs {
			raw.WriteString(k + ": " + v + "\r\n")
		}
	}
	raw.WriteString("\r\n")
	io.Copy(&raw, m.Body)
	msg, err := mailin.Parse(raw.Bytes(), mailin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kiz-ulm/kizdesk/models"
)

// The knowledge base's routes in the authorization matrix: any agent of
// the tenant reads every entry (the desk decides who may write and
// publish: TestFAQStatesAndApproval), an agent of another tenant finds
// none; the public pages need no login.
var faqEntry = row("ok", "ok", "ok", "ok", "404", "login", "login", "login")

func init() {
	for route, want := range map[string][]string{
		"GET /agent/faq":                anyAgent,
		"GET /agent/faq/new":            anyAgent,
		"POST /agent/faq":               anyAgent, // an empty form, or no right to write: the form comes back
		"GET /agent/faq/:id":            faqEntry,
		"GET /agent/faq/:id/edit":       faqEntry,
		"POST /agent/faq/:id":           faqEntry,
		"POST /agent/faq/:id/actions":   anyAgent, // no version: back to the entry's page, which decides
		"GET /agent/faq/:id/files/:seq": faqEntry,
		"GET /faq":                      public,
		"GET /faq/:id":                  public,
		"GET /faq/:id/files/:seq":       public,
	} {
		authzMatrix[route] = want
	}
}

// addFAQ stores a published entry with a file, as the desk would after
// writing and publishing it.
func addFAQ(t *testing.T, s *testStack, tenantID, authorID int64, vis models.FAQVisibility, title string) models.FAQEntry {
	t.Helper()
	now := time.Now().UTC()
	e := models.FAQEntry{TenantID: tenantID, Visibility: vis, State: models.FAQPublished, Version: 1, AuthorID: authorID, EditorID: authorID,
		FAQText: models.FAQText{TitleDE: title, QuestionDE: "Frage zu " + title, AnswerDE: "Antwort zu " + title, TitleEN: title + " (en)",
			AnswerEN: "Answer about " + title}, PublishedAt: &now, CreatedAt: now, UpdatedAt: now}
	v := models.FAQVersion{Version: 1, AgentID: authorID, AgentName: "test", Action: "created", Visibility: vis, FAQText: e.FAQText, CreatedAt: now}
	if err := models.SaveFAQ(t.Context(), s.db, &e, v, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := models.AddFAQAttachment(t.Context(), s.db, e.ID, models.AttachmentFile{Filename: "a.txt", Data: []byte(title)}, now); err != nil {
		t.Fatal(err)
	}
	return e
}

// faqPaths are the matrix's FAQ paths: an internal entry of the
// matrix's tenant for the agent routes, a public one of the desk's
// tenant for the public pages.
func faqPaths(t *testing.T, s *testStack, m matrixTenant) map[string]string {
	t.Helper()
	internal := addFAQ(t, s, m.tenant.ID, m.agents["admin"].ID, models.FAQInternal, "Matrix intern")
	public := addFAQ(t, s, s.fixture.Tenant.ID, s.fixture.Agent.ID, models.FAQPublic, "Matrix öffentlich")
	return map[string]string{
		"/agent/faq/:id":            fmt.Sprintf("/agent/faq/%d", internal.ID),
		"/agent/faq/:id/edit":       fmt.Sprintf("/agent/faq/%d/edit", internal.ID),
		"/agent/faq/:id/actions":    fmt.Sprintf("/agent/faq/%d/actions", internal.ID),
		"/agent/faq/:id/files/:seq": fmt.Sprintf("/agent/faq/%d/files/1", internal.ID),
		"/faq/:id":                  fmt.Sprintf("/faq/%d-matrix", public.ID),
		"/faq/:id/files/:seq":       fmt.Sprintf("/faq/%d/files/1", public.ID),
	}
}

// TestFAQPublicPages: logged out, /faq shows the public entry and links
// it by a stable URL; internal and customer entries are neither listed
// nor found, their files neither; downloads come as attachments.
func TestFAQPublicPages(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	pub := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQPublic, "Öffentlich VPN einrichten")
	cust := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQCustomer, "Kundenbereich Speicherplatz")
	internal := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQInternal, "Intern Exchange-Cluster neu starten")
	get := func(path string) (int, string, http.Header) {
		resp, err := http.Get(s.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b), resp.Header
	}
	code, list, _ := get("/faq")
	if code != http.StatusOK || !strings.Contains(list, "Öffentlich VPN einrichten") || !strings.Contains(list, fmt.Sprintf(`href="/faq/%d-oeffentlich-vpn-einrichten"`, pub.ID)) {
		t.Errorf("/faq: %d\n%s", code, list)
	}
	for _, hidden := range []models.FAQEntry{cust, internal} {
		if strings.Contains(list, hidden.TitleDE) {
			t.Errorf("/faq lists %s entry %q", hidden.Visibility, hidden.TitleDE)
		}
		for _, path := range []string{fmt.Sprintf("/faq/%d", hidden.ID), fmt.Sprintf("/faq/%d/files/1", hidden.ID), "/faq?q=" + strings.Fields(hidden.TitleDE)[0]} {
			code, body, _ := get(path)
			if strings.Contains(body, hidden.TitleDE) || strings.HasPrefix(path, "/faq/") && code != http.StatusNotFound {
				t.Errorf("%s logged out: %d, shows the %s entry", path, code, hidden.Visibility)
			}
		}
	}
	code, body, _ := get(fmt.Sprintf("/faq/%d", pub.ID))
	if code != http.StatusOK || !strings.Contains(body, "Antwort zu Öffentlich VPN einrichten") {
		t.Errorf("the public entry: %d\n%s", code, body)
	}
	code, body, h := get(fmt.Sprintf("/faq/%d/files/1", pub.ID))
	if code != http.StatusOK || body != pub.TitleDE || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || h.Get("Content-Security-Policy") != "sandbox" {
		t.Errorf("the public entry's file: %d %q %v", code, body, h)
	}
}

// TestBrowserFAQ: in a real Chromium, logged out, the public FAQ shows
// the public entry and opens it; the customer and internal entries are
// not in the HTML of the list, of a search, or of their own URLs.
func TestBrowserFAQ(t *testing.T) {
	chromium := findChromium(t)
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	pub := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQPublic, "Browser Drucker verbinden")
	cust := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQCustomer, "Browser Drucker Kundenkontingent")
	internal := addFAQ(t, s, f.Tenant.ID, f.Agent.ID, models.FAQInternal, "Browser Drucker Spooler intern")
	ctx := newChromium(t, t.Context(), chromium, "de-DE,de")
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	html := func() string {
		t.Helper()
		h, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.srv.URL+"/faq"),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "Browser Drucker verbinden")]`)),
	)
	if err != nil {
		t.Fatalf("public FAQ in Chromium: %v", err)
	}
	list := html()
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`input[name=q]`), "Drucker"),
		chromedp.Submit(chromedp.CSS(`input[name=q]`)),
		chromedp.WaitVisible(chromedp.CSS(`mark`)),
	)
	if err != nil {
		t.Fatalf("search the public FAQ: %v", err)
	}
	search := html()
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//a[contains(., "Browser Drucker verbinden")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Browser Drucker verbinden")]`)),
	)
	if err != nil {
		t.Fatalf("open the public entry: %v", err)
	}
	entry := html()
	if !strings.Contains(entry, "Antwort zu Browser Drucker verbinden") {
		t.Errorf("the public entry's page lacks its answer:\n%s", entry)
	}
	for name, page := range map[string]string{"list": list, "search": search} {
		if !strings.Contains(page, pub.TitleDE) {
			t.Errorf("the %s lacks the public entry", name)
		}
		for _, hidden := range []models.FAQEntry{cust, internal} {
			if strings.Contains(page, hidden.TitleDE) {
				t.Errorf("the %s logged out shows the %s entry %q", name, hidden.Visibility, hidden.TitleDE)
			}
		}
	}
	for _, hidden := range []models.FAQEntry{cust, internal} {
		if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/faq/%d", s.srv.URL, hidden.ID))); err != nil {
			t.Fatal(err)
		}
		if page := html(); strings.Contains(page, hidden.TitleDE) || strings.Contains(page, hidden.AnswerDE) {
			t.Errorf("the %s entry's own URL shows it logged out", hidden.Visibility)
		}
	}
}

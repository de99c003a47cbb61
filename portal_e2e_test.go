package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kiz-ulm/kizdesk/demo"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/directory"
	"github.com/kiz-ulm/kizdesk/directory/slapdtest"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// portalTenant is a matrix tenant (authz_test.go) whose customer has a
// portal password and whose Helpdesk offers one service in the portal.
type portalTenant struct {
	matrixTenant
	service models.Service
	typ     models.TicketType
}

func setUpPortalTenant(t *testing.T, s *testStack, slug string) portalTenant {
	t.Helper()
	// The matrix's customer has the matrix's password for the portal.
	m := setUpMatrixTenant(t, s, slug, false)
	pt := portalTenant{matrixTenant: m, typ: s.fixture.Type}
	pt.service = models.Service{TenantID: m.tenant.ID, Name: "Drucken", QueueID: m.queues["Helpdesk"].ID, Active: true,
		PortalDescriptionDE: "Drucker im Büro und in den Pools", PortalDescriptionEN: "Printers in offices and pools"}
	if err := s.db.Create(&pt.service).Error; err != nil {
		t.Fatal(err)
	}
	return pt
}

// TestPortalBrowserJourney: in a real Chromium a customer logs into the
// portal, opens a ticket, reads the agent's answer (never the internal
// note), answers back and closes the ticket as solved; a desk whose clock
// is past the reading window no longer shows it.
func TestPortalBrowserJourney(t *testing.T) {
	chromium := findChromium(t)
	s := sharedStack(t, "sqlite", nil)
	pt := setUpPortalTenant(t, s, "portal-journey")
	ctx := newChromium(t, t.Context(), chromium, "en-US,en")
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()

	// An FAQ entry for customers that matches what the customer will
	// type, and a screenshot to attach.
	admin := desk.AgentPrincipal(pt.agents["admin"])
	faqID, err := s.desk.CreateFAQ(t.Context(), admin, desk.FAQForm{ServiceID: pt.service.ID, Visibility: string(models.FAQCustomer),
		FAQText: models.FAQText{TitleDE: "Papierstau, aber nichts klemmt", AnswerDE: "Drucker aus- und wieder einschalten.",
			TitleEN: "Paper jam, but nothing is stuck", AnswerEN: "Switch the printer off and on again."}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.desk.FAQAct(t.Context(), admin, faqID, desk.FAQPublish, 1); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "Papierstau.png")
	if err := os.WriteFile(shot, []byte("\x89PNG Papierstau"), 0o600); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		what string
		do   []chromedp.Action[chromedp.Void]
	}{
		{"log in", []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.ID("login")),
			chromedp.SendKeys(chromedp.ID("login"), pt.customer.Login),
			chromedp.SendKeys(chromedp.ID("password"), matrixPassword),
			chromedp.Click(chromedp.CSS(`form[action="/portal/login"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "My requests")]`)),
		}},
		{"open the new-ticket form", []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(`main a[href="/portal/tickets/new"]`)),
			chromedp.WaitVisible(chromedp.ID("title")),
		}},
		{"fill in and send it", []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=service_id][value="%d"]`, pt.service.ID))),
			chromedp.SetValue(chromedp.ID("type_id"), fmt.Sprint(pt.typ.ID)),
			chromedp.SetValue(chromedp.ID("urgency"), "high"),
			chromedp.SendKeys(chromedp.ID("title"), "Drucker im Raum O27 druckt nicht"),
			chromedp.SendKeys(chromedp.ID("body"), "Er zeigt Papierstau, aber es klemmt nichts."),
			// While typing, the matching FAQ entry is suggested.
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#faq-suggestions a[href="/faq/%d"]`, faqID))),
			chromedp.SetUploadFiles(chromedp.ID("files"), []string{shot}),
			// The customer sends the request anyway.
			chromedp.Click(chromedp.CSS(`form[action="/portal/tickets"] button[type=submit]:not([formaction])`)),
			chromedp.WaitVisible(chromedp.ID("reply")),
		}},
	}
	// The browser starts with the first action, bound to its context:
	// the test's, not a step's.
	// A phone's screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.srv.URL+"/portal")); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := chromedp.Do(sctx, st.do...)
		cancel()
		if err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText + "\n" + (document.getElementById("faq-suggestions")||{}).outerHTML`))
			t.Fatalf("%s: %v; the browser shows %s", st.what, err, page)
		}
		phonePage(t, ctx, st.what)
	}
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	number := strings.TrimPrefix(path, "/portal/tickets/")
	row, err := models.TicketByNumber(t.Context(), s.db, pt.tenant.ID, number)
	if err != nil {
		t.Fatalf("the portal's ticket %q: %v", number, err)
	}
	// "Urgent" is the priority of rank 4, or the nearest there is.
	prios, err := models.Priorities(t.Context(), s.db)
	if err != nil {
		t.Fatal(err)
	}
	want := prios[0]
	for _, p := range prios {
		if p.Active && abs(p.Rank-4) < abs(want.Rank-4) {
			want = p
		}
	}
	if row.Channel != "portal" || row.CustomerID != pt.customer.ID || row.QueueID != pt.queues["Helpdesk"].ID || row.PriorityID != want.ID {
		t.Errorf("the portal's ticket: channel %q, customer %d, queue %d, priority %q (want %q)", row.Channel, row.CustomerID, row.QueueID,
			row.PriorityName, want.Name)
	}
	// The screenshot came along, and the customer can fetch it back.
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "Papierstau.png") {
		t.Error("the new request's page does not list its file")
	}
	first, err := s.desk.PortalTicket(t.Context(), desk.CustomerPrincipal(pt.customer), number)
	if err != nil || len(first.Articles) == 0 || len(first.Articles[0].Files) != 1 {
		t.Fatalf("the request's first message and its file: %+v, %v", first.Articles, err)
	}
	if f, err := s.desk.PortalFile(t.Context(), desk.CustomerPrincipal(pt.customer), number, first.Articles[0].Seq, 1); err != nil ||
		string(f.Data) != "\x89PNG Papierstau" {
		t.Errorf("the customer's own file: %v", err)
	}

	// The agent answers, and writes an internal note the customer must
	// never see.
	agent := desk.AgentPrincipal(pt.agents["1st level"])
	const secret = "INTERN: Toner-Lieferant anrufen"
	if _, err := s.desk.AddNote(t.Context(), agent, number, desk.AddNoteRequest{Kind: string(ticket.ArticleInternalNote), Body: secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.Reply(t.Context(), agent, number, desk.ReplyRequest{Subject: "Drucker", Body: "Bitte schalten Sie ihn einmal aus und wieder an."}); err != nil {
		t.Fatal(err)
	}

	err = chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(text(), "einmal aus und wieder an")]`)),
		chromedp.SendKeys(chromedp.ID("body"), "Hat geholfen, danke!"),
		chromedp.Click(chromedp.CSS(`form[action$="/replies"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(text(), "Hat geholfen, danke!")]`)),
	)
	if err != nil {
		t.Fatalf("read the answer and reply: %v", err)
	}
	html, err = chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, secret) || strings.Contains(html, "Toner-Lieferant") {
		t.Errorf("the portal shows the internal note:\n%s", html)
	}
	for _, want := range []string{"Er zeigt Papierstau", "einmal aus und wieder an", "Hat geholfen", "Being worked on"} {
		if !strings.Contains(html, want) {
			t.Errorf("the ticket's page lacks %q", want)
		}
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//button[contains(., "Problem solved")]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(text(), "The request is closed")]`)),
	)
	if err != nil {
		t.Fatalf("close as solved: %v", err)
	}
	closed, err := models.TicketByNumber(t.Context(), s.db, pt.tenant.ID, number)
	if err != nil || closed.State != string(ticket.StateClosedSuccessful) {
		t.Fatalf("after 'problem solved': %s, %v", closed.State, err)
	}
	html, err = chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, "Problem solved") || strings.Contains(html, secret) {
		t.Errorf("the closed ticket still offers 'problem solved' or shows the note")
	}
	// The agent's view has every article, the note included; the
	// customer's history names the customer as who closed it.
	detail, err := s.desk.Ticket(t.Context(), agent, number)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(detail.Articles, func(a models.Article) bool { return a.Body == secret }) {
		t.Error("the agent's view lacks the internal note")
	}
	if !slices.ContainsFunc(detail.History, func(h models.HistoryEntry) bool {
		return h.ActorKind == string(ticket.ActorCustomer) && h.NewValue == string(ticket.StateClosedSuccessful)
	}) {
		t.Error("the history does not say the customer closed the ticket")
	}

	// The suggested entry is for customers: the logged-in customer reads
	// it on the FAQ pages, nobody else.
	err = chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/faq/%d", s.srv.URL, faqID)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Paper jam, but nothing is stuck")]`)))
	if err != nil {
		t.Errorf("the customer reads the customers' FAQ entry: %v", err)
	}
	if res, err := http.Get(fmt.Sprintf("%s/faq/%d", s.srv.URL, faqID)); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("the customers' FAQ entry logged out: %v %v, want 404", res.Status, err)
	} else {
		res.Body.Close()
	}

	// The agent turns the solved ticket into a public FAQ entry: question
	// and answer from the ticket, linked to it, readable by anyone.
	form, err := s.desk.FAQFromTicket(t.Context(), admin, number, 0, "de")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(form.QuestionDE, "Papierstau") || !strings.Contains(form.AnswerDE, "einmal aus und wieder an") {
		t.Errorf("FAQ from the ticket: question %q, answer %q", form.QuestionDE, form.AnswerDE)
	}
	form.Visibility = string(models.FAQPublic)
	public, err := s.desk.CreateFAQ(t.Context(), admin, form)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.desk.FAQAct(t.Context(), admin, public, desk.FAQPublish, 1); err != nil {
		t.Fatal(err)
	}
	visitor := desk.Principal{TenantID: pt.tenant.ID, Name: "visitor"}
	if e, err := s.desk.FAQ(t.Context(), visitor, public); err != nil || e.Entry.State != models.FAQPublished {
		t.Errorf("the public entry from the ticket, logged out: %+v, %v", e.Entry, err)
	}
	if links, err := s.desk.TicketFAQs(t.Context(), admin, number); err != nil || !slices.ContainsFunc(links, func(e models.FAQEntry) bool { return e.ID == public }) {
		t.Errorf("the ticket does not link its FAQ entry: %v, %v", links, err)
	}

	// 91 days later (the desk's clock moved, nothing slept), the closed
	// ticket has left the portal.
	later := desk.New(s.db, s.client, desk.Options{Location: time.UTC, Now: func() time.Time { return time.Now().AddDate(0, 0, 91) }})
	me := desk.CustomerPrincipal(pt.customer)
	if _, err := later.PortalTicket(t.Context(), me, number); !errors.Is(err, desk.ErrNotFound) {
		t.Errorf("91 days after the close: %v, want not found", err)
	}
	if list, err := later.PortalTickets(t.Context(), me); err != nil || len(list.Closed)+len(list.Open) != 0 {
		t.Errorf("91 days after the close the portal lists %d+%d tickets, %v", len(list.Open), len(list.Closed), err)
	}
	if _, err := s.desk.PortalTicket(t.Context(), me, number); err != nil {
		t.Errorf("today the closed ticket is still readable: %v", err)
	}
}

// TestPortalPageWeights measures the portal's main pages as the server
// sends them: bytes, and the time the handler takes to render them (in
// process, no network), the median of 20. Logged, not asserted.
func TestPortalPageWeights(t *testing.T) {
	s := sharedStack(t, "sqlite", nil)
	pt := setUpPortalTenant(t, s, "portal-weights")
	b := newBrowser(t, s.srv.URL)
	_, page := b.get("/portal/login")
	if status, path, body := b.post(page, "/portal/login", map[string]string{"login": pt.customer.Login, "password": matrixPassword}); status != http.StatusOK || path != "/portal" {
		t.Fatalf("portal login: %d at %s\n%s", status, path, body)
	}
	me := desk.CustomerPrincipal(pt.customer)
	var number string
	for i := range 10 {
		v, err := s.desk.PortalCreate(t.Context(), me, desk.PortalCreateRequest{ServiceID: pt.service.ID, TypeID: pt.typ.ID,
			Urgency: desk.UrgencyNormal, Title: fmt.Sprintf("Drucker %d druckt nicht", i), Body: strings.Repeat("Papierstau im Fach 2. ", 20)})
		if err != nil {
			t.Fatal(err)
		}
		number = v.Number
	}
	agent := desk.AgentPrincipal(pt.agents["1st level"])
	for i := range 3 {
		if _, err := s.desk.Reply(t.Context(), agent, number, desk.ReplyRequest{Body: fmt.Sprintf("Antwort %d: bitte neu starten.", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.desk.AddNote(t.Context(), agent, number, desk.AddNoteRequest{Kind: string(ticket.ArticleInternalNote), Body: "GEHEIM"}); err != nil {
		t.Fatal(err)
	}
	cookies := b.c.Jar.Cookies(mustURL(t, s.srv.URL))
	for _, p := range []string{"/portal/login", "/portal", "/portal/tickets/new", "/portal/tickets/" + number} {
		var took []time.Duration
		var size int
		for range 20 {
			req := httptest.NewRequest(http.MethodGet, p, nil)
			req.Header.Set("Accept-Language", "de")
			if p != "/portal/login" {
				for _, c := range cookies {
					req.AddCookie(c)
				}
			}
			rec := httptest.NewRecorder()
			start := time.Now()
			s.handler.ServeHTTP(rec, req)
			took = append(took, time.Since(start))
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", p, rec.Code)
			}
			size = rec.Body.Len()
			if strings.Contains(rec.Body.String(), "GEHEIM") {
				t.Errorf("GET %s shows the internal note", p)
			}
		}
		slices.Sort(took)
		t.Logf("portal page %-36s %6d bytes (+ style.css), render median %v, max %v", p, size, took[len(took)/2].Round(10*time.Microsecond), took[len(took)-1].Round(10*time.Microsecond))
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// phonePage checks that the page fits the phone's width (no sideways
// scrolling) and keeps a screenshot of it for reviewers: in
// $KIZDESK_SCREENSHOTS if set, else in the test's temporary directory.
func phonePage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if wide {
		t.Errorf("%s: the page is wider than the phone's screen", name)
	}
	dir := os.Getenv("KIZDESK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "portal-"+strings.ReplaceAll(name, " ", "-")+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPortalDemoLogin: in `kizdesk dev`'s demo, mmuster logs into the
// portal with the demo password and finds his demo tickets and the demo
// services described for customers; the demo agents have no portal login.
func TestPortalDemoLogin(t *testing.T) {
	s := startDemoStack(t, "sqlite")
	b := newBrowser(t, s.srv.URL)
	_, page := b.get("/portal/login")
	status, path, body := b.post(page, "/portal/login", map[string]string{"login": demo.PortalLogin, "password": demo.Password})
	if status != http.StatusOK || path != "/portal" {
		t.Fatalf("mmuster's portal login: %d at %s\n%s", status, path, body)
	}
	for _, want := range []string{"Max Mustermann", "Outlook synchronisiert den Kalender nicht"} {
		if !strings.Contains(body, want) {
			t.Errorf("mmuster's portal lacks %q", want)
		}
	}
	if strings.Contains(body, "eduroam in der Bibliothek") {
		t.Error("mmuster's portal shows another customer's ticket")
	}
	_, form := b.get("/portal/tickets/new")
	if !strings.Contains(form, "Passwort vergessen oder Account gesperrt.") || strings.Contains(form, "kiz-Account</strong>") {
		t.Errorf("the demo's portal services:\n%s", form)
	}
	agent := newBrowser(t, s.srv.URL)
	_, page = agent.get("/portal/login")
	if status, _, _ := agent.post(page, "/portal/login", map[string]string{"login": "helpdesk", "password": demo.Password}); status != http.StatusUnauthorized {
		t.Errorf("a demo agent at the portal's login: %d, want 401", status)
	}
}

// TestKizAccountLogsIntoPortal: a kiz account logs into the portal with
// its directory password and becomes (or is) the customer of the
// directory's tenant; a wrong password is refused; a reset link is never
// sent to a kiz account (desk/portal_test.go).
func TestKizAccountLogsIntoPortal(t *testing.T) {
	slapd := slapdtest.Start(t)
	s := sharedStack(t, "sqlite", nil)
	dir, err := directory.New(directory.Config{
		URLs: []string{slapd.LDAPURL}, BindDN: slapdtest.ServiceDN, BindPassword: slapdtest.ServicePassword,
		BaseDN: slapdtest.People, UserFilter: slapdtest.UserFilter, GroupBaseDN: slapdtest.Groups, Timeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	d := desk.New(s.db, s.client, desk.Options{Location: time.UTC, Directory: dir})
	ctx := t.Context()
	if _, err := d.PortalLogin(ctx, desk.LoginRequest{Login: "bmueller", Password: "wrong"}); !errors.Is(err, desk.ErrBadLogin) {
		t.Errorf("a wrong directory password: %v", err)
	}
	ses, err := d.PortalLogin(ctx, desk.LoginRequest{Login: "bmueller", Password: "b-pw"})
	if err != nil {
		t.Fatalf("a kiz account's portal login: %v", err)
	}
	if c := ses.Customer; c.TenantID != s.fixture.Tenant.ID || c.Login != "bmueller" || c.Name != "Bernd Müller" || c.Source != models.SourceLDAP {
		t.Errorf("the kiz account's customer: %+v", c)
	}
	if c, err := d.SessionCustomer(ctx, ses.Token); err != nil || c.Login != "bmueller" {
		t.Errorf("the kiz account's session: %+v, %v", c, err)
	}
	if _, err := d.PortalTickets(ctx, desk.CustomerPrincipal(ses.Customer)); err != nil {
		t.Errorf("the kiz account's tickets: %v", err)
	}
}

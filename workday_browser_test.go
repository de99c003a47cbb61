package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// TestBrowserWorkday is an agent's working day in a real, headless
// Chromium, in German: the dashboard shows a breached ticket, the search
// finds a closed ticket by a word of one of its articles, a bulk close of
// three tickets closes two and names why the third was refused, a reply
// gets the queue's standard response, a file and the next state "pending
// reminder", and an article is split into a ticket of its own. The agent,
// queue and tickets are the test's own, so other tests on the shared
// stack change nothing here.
func TestBrowserWorkday(t *testing.T) {
	chromium := findChromium(t)
	s := sharedStack(t, "sqlite", nil)
	f := s.fixture
	ctx := t.Context()
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	shots := os.Getenv("KIZDESK_SCREENSHOTS")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// --- Set up the day: an agent of the test's own, a colleague, a queue
	// with a standard response, and the tickets.
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	newAgent := func(login, name string) models.Agent {
		t.Helper()
		a := models.Agent{TenantID: f.Tenant.ID, Login: login, Name: name, Email: login + "@example.org",
			PasswordHash: string(hash), Active: true}
		if err := s.db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		dbtest.Grant(t, s.db, a, models.AdminRole)
		return a
	}
	me := newAgent("tag-"+stamp, "Tanja Tagdienst "+stamp)
	colleague := newAgent("kollege-"+stamp, "Karl Kollege "+stamp)
	agent, other := desk.AgentPrincipal(me), desk.AgentPrincipal(colleague)

	queue := models.Queue{TenantID: f.Tenant.ID, Name: "Werkstatt " + stamp, Level: models.LevelFirst}
	if err := s.db.Create(&queue).Error; err != nil {
		t.Fatal(err)
	}
	response := models.StandardResponse{TenantID: f.Tenant.ID, Name: "Ersatzteil " + stamp, Active: true,
		BodyDE: "Hallo {{.Customer}}, das Ersatzteil für {{.Number}} ist bestellt.",
		BodyEN: "Hello {{.Customer}}, the spare part for {{.Number}} is on order."}
	if err := s.db.Create(&response).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.db.Create(&models.StandardResponseQueue{ResponseID: response.ID, QueueID: queue.ID}).Error; err != nil {
		t.Fatal(err)
	}

	open := func(key, title, body string) string {
		t.Helper()
		v, err := s.desk.CreateTicket(ctx, agent, desk.CreateTicketRequest{RequestKey: "workday-" + stamp + "-" + key,
			CustomerLogin: f.Customer.Login, Title: title, Body: body, QueueID: queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
		if err != nil {
			t.Fatalf("create %s: %v", title, err)
		}
		return v.Number
	}
	// 1. A ticket whose update clock ran out long ago, as the workflow's
	// timer records it: the longest breached come first on the dashboard.
	breached := open("breached", "Kühlschrank im Serverraum piept "+stamp, "Seit dem Wochenende.")
	if err := s.db.Model(&models.Ticket{}).Where("number = ?", breached).
		Updates(map[string]any{"update_due": time.Now().Add(-30 * 24 * time.Hour).UTC(), "update_breached": true}).Error; err != nil {
		t.Fatal(err)
	}
	// 2. A closed ticket; the word is in a note only, not in its title.
	word := "zahnradgetriebe" + stamp
	closed := open("closed", "Beamer flackert "+stamp, "Das Bild flackert im Hörsaal.")
	if _, err := s.desk.AddNote(ctx, agent, closed, desk.AddNoteRequest{RequestKey: "workday-" + stamp + "-note",
		Kind: string(ticket.ArticleInternalNote), Body: "Lüfter getauscht, das " + word + " war verschlissen."}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.desk.Close(ctx, agent, closed, desk.CloseRequest{RequestKey: "workday-" + stamp + "-close",
		State: string(ticket.StateClosedSuccessful)}); err != nil {
		t.Fatal(err)
	}
	// 3. Three tickets to close; the colleague has locked the third.
	bulk := []string{open("bulk-a", "Maus defekt "+stamp, "Klickt doppelt."),
		open("bulk-b", "Tastatur klemmt "+stamp, "Die Leertaste."),
		open("bulk-c", "Monitor dunkel "+stamp, "Kein Signal.")}
	if _, err := s.desk.Lock(ctx, other, bulk[2], desk.LockRequest{RequestKey: "workday-" + stamp + "-lock", Locked: true}); err != nil {
		t.Fatal(err)
	}
	// 4. and 5. The ticket worked in the zoom, with a second matter in a
	// phone note.
	work := open("work", "Drucker zieht kein Papier ein "+stamp, "Der Drucker im Flur zieht kein Papier ein.")
	second := "Außerdem ist der Kartenleser am Eingang kaputt " + stamp + "."
	if _, err := s.desk.AddNote(ctx, agent, work, desk.AddNoteRequest{RequestKey: "workday-" + stamp + "-phone",
		Kind: string(ticket.ArticlePhoneNote), Body: second}); err != nil {
		t.Fatal(err)
	}

	bctx := newChromium(t, ctx, chromium, "de-DE,de")
	bctx, cancel := context.WithTimeout(bctx, 120*time.Second)
	defer cancel()
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, "workday-"+name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// 1. Log in: the dashboard is the start page and shows the breach.
	err = chromedp.Do(bctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(s.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), me.Login),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("widget-sla")),
	)
	if err != nil {
		t.Fatalf("log in: %v", err)
	}
	if lang, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || lang != "de" {
		t.Errorf("the page is in %q (%v), want German", lang, err)
	}
	if landed, err := chromedp.Run(bctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || landed != "/agent/dashboard" {
		t.Errorf("the login landed on %q (%v), want the dashboard", landed, err)
	}
	sla, err := chromedp.Run(bctx, chromedp.Text(chromedp.Search(
		`//section[@id="widget-sla"]//*[self::li or self::tr][.//a[contains(., "`+breached+`")]]`)))
	if err != nil {
		t.Fatalf("the SLA widget does not list %s:\n%s", breached, text("#widget-sla"))
	}
	if !strings.Contains(sla, "Kühlschrank im Serverraum piept") || !strings.Contains(sla, "Aktualisierung") || !strings.Contains(sla, "überschritten") {
		t.Errorf("the SLA widget's line of %s does not say its update clock is breached: %q", breached, sla)
	}
	shot("dashboard")

	// 2. The header's quick search finds the closed ticket by the word of
	// its note.
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.CSS(`form.quick-search input[name=q]`), word),
		chromedp.Submit(chromedp.CSS(`form.quick-search input[name=q]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.search-results`)),
	)
	if err != nil {
		t.Fatalf("quick search for %s: %v\n%s", word, err, text("main"))
	}
	hit, err := chromedp.Run(bctx, chromedp.Text(chromedp.Search(`//table[contains(@class, "search-results")]//tr[.//a[.="`+closed+`"]]`)))
	if err != nil {
		t.Fatalf("the search for %s does not list the closed ticket %s:\n%s", word, closed, text("main"))
	}
	if !strings.Contains(hit, "Beamer flackert") || !strings.Contains(hit, "erfolgreich geschlossen") {
		t.Errorf("the hit does not show the closed ticket: %q", hit)
	}
	mark, err := chromedp.Run(bctx, chromedp.Text(chromedp.Search(`//table[contains(@class, "search-results")]//tr[.//a[.="`+closed+`"]]//mark`)))
	if err != nil || !strings.EqualFold(mark, word) {
		t.Errorf("the snippet highlights %q (%v), want %s", mark, err, word)
	}
	shot("search")

	// 3. The queue view: tick the three, close them; the colleague's lock
	// refuses one.
	queuePath := fmt.Sprintf("/agent/queues/%d", queue.ID)
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(s.srv.URL + queuePath),
		chromedp.WaitVisible(chromedp.CSS(`table.tickets`)),
	}
	for _, n := range bulk {
		actions = append(actions, chromedp.Click(chromedp.CSS(`input[name=number][value="`+n+`"]`)))
	}
	if err := chromedp.Do(bctx, actions...); err != nil {
		t.Fatalf("tick the tickets in the queue view: %v", err)
	}
	shot("queue")
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`details.bulk > summary`)),
		chromedp.WaitVisible(chromedp.ID("bulk-action")),
		chromedp.SetValue(chromedp.ID("bulk-action"), string(desk.BulkClose)),
		chromedp.SetValue(chromedp.ID("bulk-state"), string(ticket.StateClosedSuccessful)),
		chromedp.Click(chromedp.CSS(`form#bulk button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Sammelaktion")]`)),
	)
	if err != nil {
		t.Fatalf("bulk close: %v", err)
	}
	result := text("main")
	if !strings.Contains(result, "2 von 3 Tickets erledigt.") {
		t.Errorf("the result page does not say two of three were done:\n%s", result)
	}
	for i, n := range bulk {
		line, err := chromedp.Run(bctx, chromedp.Text(chromedp.Search(`//main//tr[.//a[.="`+n+`"]]`)))
		if err != nil {
			t.Errorf("the result page does not list %s: %v\n%s", n, err, result)
			continue
		}
		row := ticketRow(t, s, n)
		if i < 2 {
			if !strings.Contains(line, "erledigt") || strings.Contains(line, "nicht erledigt") {
				t.Errorf("the result for %s: %q, want done", n, line)
			}
			if row.State != string(ticket.StateClosedSuccessful) {
				t.Errorf("%s after the bulk close: %s", n, row.State)
			}
			continue
		}
		if !strings.Contains(line, "nicht erledigt") || !strings.Contains(line, "gesperrt") || !strings.Contains(line, colleague.Name) {
			t.Errorf("the result for %s: %q, want refused as locked by %s", n, line, colleague.Name)
		}
		if ticket.State(row.State).Closed() || !row.Locked {
			t.Errorf("the refused %s is %s, locked %v", n, row.State, row.Locked)
		}
	}

	// 4. The zoom: the standard response, a file, pending reminder.
	zoomPath := "/agent/tickets/" + work
	err = chromedp.Do(bctx,
		chromedp.Navigate(s.srv.URL+zoomPath),
		chromedp.WaitVisible(chromedp.CSS(`#reply > summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot("zoom")
	file := []byte("Fehlerprotokoll " + stamp + "\x00\xff\xfe Papiereinzug: Sensor 3 ohne Signal\n")
	name := "protokoll-" + stamp + ".log"
	upload := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(upload, file, 0o644); err != nil {
		t.Fatal(err)
	}
	filled := "Hallo " + f.Customer.Name + ", das Ersatzteil für " + work + " ist bestellt."
	insert := []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS(`#reply > summary`)),
		chromedp.WaitVisible(chromedp.ID("reply-response")),
		chromedp.SetValue(chromedp.ID("reply-response"), strconv.FormatInt(response.ID, 10)),
		chromedp.Click(chromedp.Search(`//form[contains(@action, "/replies")]//button[@data-insert="reply-body"]`)),
	}
	// Without JavaScript "Einfügen" asks the server, which sends the zoom
	// back with the response in the text.
	if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx, append([]chromedp.Action[chromedp.Void]{chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#reply > summary`))},
		append(insert, chromedp.WaitVisible(chromedp.Search(`//*[contains(., "Noch nichts gesendet")]`)))...)...)
	if err != nil {
		t.Fatalf("insert the standard response without JavaScript: %v", err)
	}
	if body, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("reply-body"))); err != nil || !strings.Contains(body, filled) {
		t.Errorf("after Einfügen without JavaScript the reply reads %q (%v), want %q", body, err, filled)
	}
	if row := ticketRow(t, s, work); row.State != string(ticket.StateOpen) && row.State != string(ticket.StateNew) {
		t.Errorf("inserting without JavaScript changed the ticket's state to %s", row.State)
	}
	if _, err := chromedp.Call(bctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx, append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(s.srv.URL + zoomPath), chromedp.WaitVisible(chromedp.CSS(`#reply > summary`))}, insert...)...)
	if err != nil {
		t.Fatalf("insert the standard response: %v", err)
	}
	body, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("reply-body")))
	if err != nil || !strings.Contains(body, filled) {
		t.Fatalf("after Einfügen the reply reads %q (%v), want %q", body, err, filled)
	}
	if path, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`location.pathname`)); path != zoomPath {
		t.Errorf("inserting with the script left the zoom for %s", path)
	}
	until := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	err = chromedp.Do(bctx,
		chromedp.SetValue(chromedp.ID("reply-subject"), "Ersatzteil bestellt"),
		chromedp.SetUploadFiles(chromedp.ID("reply-files"), []string{upload}),
		chromedp.SetValue(chromedp.ID("reply-next-state"), string(ticket.StatePendingReminder)),
		chromedp.SetValue(chromedp.ID("reply-next-until"), until.Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.Search(`//form[contains(@action, "/replies")]//button[not(@data-insert)][@type="submit"]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "flash")][contains(., "Antwort gesendet")]`)),
	)
	if err != nil {
		t.Fatalf("send the reply: %v\n%s", err, text("main"))
	}
	row := ticketRow(t, s, work)
	if row.State != string(ticket.StatePendingReminder) || row.PendingUntil == nil || !row.PendingUntil.Equal(until) {
		t.Errorf("after the reply %s is %s until %v, want pending reminder until %s", work, row.State, row.PendingUntil, until)
	}
	facts := text("dl.facts")
	if !strings.Contains(facts, "warten zur Erinnerung") || !strings.Contains(facts, "Warten bis") {
		t.Errorf("the zoom's facts do not say pending reminder:\n%s", facts)
	}
	arts, err := models.Articles(ctx, s.db, row.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := arts[len(arts)-1]
	if last.Body != filled || len(last.Files) != 1 || last.Files[0].Filename != name || last.Files[0].Size != int64(len(file)) {
		t.Errorf("the reply's article: %q with files %+v", last.Body, last.Files)
	}
	link := fmt.Sprintf(`//details[@id="article-%d"]//ul[contains(@class, "files")]//a[.="%s"]`, last.Seq, name)
	href, err := chromedp.Run(bctx, chromedp.Evaluate[string](
		`document.evaluate(`+strconv.Quote(link)+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue?.getAttribute("href") ?? ""`))
	if err != nil || href == "" {
		t.Fatalf("the reply's article does not show the file %s (%v):\n%s", name, err, text("#articles"))
	}
	got, err := chromedp.Run(bctx, chromedp.Evaluate[[]int](
		`fetch(`+strconv.Quote(href)+`).then(r => { if (!r.ok) throw new Error("HTTP " + r.status); return r.arrayBuffer() }).then(b => Array.from(new Uint8Array(b)))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download %s: %v", href, err)
	}
	downloaded := make([]byte, len(got))
	for i, b := range got {
		downloaded[i] = byte(b)
	}
	if !bytes.Equal(downloaded, file) {
		t.Errorf("the download of %s is %q, want %q", href, downloaded, file)
	}

	// 5. Split the phone note into a ticket of its own.
	id, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll("details.article")).find(d => d.querySelector(".body").textContent.includes(`+strconv.Quote(second)+`)) || {}).id || ""`))
	if err != nil || id == "" {
		t.Fatalf("the zoom does not show the phone note (%v):\n%s", err, text("#articles"))
	}
	if isOpen, _ := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById(`+strconv.Quote(id)+`).open`)); !isOpen {
		if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS("#"+id+" > summary"))); err != nil {
			t.Fatal(err)
		}
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("#"+id+" form.split button[type=submit]")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "flash")][contains(., "ist jetzt Ticket")]`)),
	)
	if err != nil {
		t.Fatalf("split the phone note: %v", err)
	}
	flash := text(".flash")
	number := regexp.MustCompile(`Ticket (\d+)`).FindStringSubmatch(flash)
	if number == nil || number[1] == work {
		t.Fatalf("the flash after the split names no new ticket: %q", flash)
	}
	split := number[1]
	err = chromedp.Do(bctx,
		chromedp.Navigate(s.srv.URL+"/agent/tickets/"+split),
		chromedp.WaitVisible(chromedp.CSS(`#articles`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if articles := text("#articles"); !strings.Contains(articles, second) {
		t.Errorf("the split ticket %s does not show the note's text:\n%s", split, articles)
	}
	if linked := text("#linked"); !strings.Contains(linked, work) {
		t.Errorf("the split ticket %s does not link to %s:\n%s", split, work, linked)
	}
	nz, err := s.desk.Ticket(ctx, agent, split)
	if err != nil {
		t.Fatal(err)
	}
	if nz.Ticket.CustomerID != f.Customer.ID || nz.Ticket.QueueID != queue.ID ||
		!slices.ContainsFunc(nz.Articles, func(a models.Article) bool { return a.Body == second }) {
		t.Errorf("the split ticket %s: %+v, articles %+v", split, nz.Ticket.Ticket, nz.Articles)
	}
}

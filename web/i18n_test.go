package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/i18n"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// Tests of the interface's two languages: every page in German and in
// English with no text missing or left in the other language, the
// catalogue holding every text templates and handlers ask for, the
// language switch, and the API's documented error schema.

// rawKeyRE finds a catalogue key shown instead of its text: what the
// localizer shows for a text it does not have.
var rawKeyRE = regexp.MustCompile(`\b(?:ui|state|action|field|msg|refused)\.[A-Za-z0-9_.]*[A-Za-z0-9_]`)

// events are the history events of package ticket (ticket/events.go), by
// constant name.
func events(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "ticket", "events.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Event") {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
			out[vs.Names[0].Name], _ = strconv.Unquote(lit.Value)
		}
		return true
	})
	if len(out) < 20 {
		t.Fatalf("found only %d events in ticket/events.go", len(out))
	}
	return out
}

// historyFields are the fields the workflow's history entries name: every
// string literal given as the field of a record call, and the SLA clocks.
func historyFields(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "workflows", "ticket.go"))
	if err != nil {
		t.Fatal(err)
	}
	fields := []string{ticket.ClockFirstResponse, ticket.ClockUpdate, ticket.ClockSolution}
	for _, m := range regexp.MustCompile(`t\.record\(ctx, [^,]+, [^,]+, "(\w+)"`).FindAllSubmatch(src, -1) {
		if f := string(m[1]); !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	if len(fields) < 15 {
		t.Fatalf("found only %d history fields in workflows/ticket.go: %v", len(fields), fields)
	}
	return fields
}

// TestCatalogueHasEveryUIText: every text a template or handler asks for
// exists in German and English; keys made at run time (a prefix and a
// name) are checked for every name the process has.
func TestCatalogueHasEveryUIText(t *testing.T) {
	c, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	de, en := c.For("de"), c.For("en")
	has := func(where, id string) {
		t.Helper()
		for _, l := range []*i18n.Localizer{de, en} {
			if !l.Has(id) {
				t.Errorf("%s: %s has no %s text", where, id, l.Lang())
			}
		}
	}

	sources, _ := filepath.Glob("templates/*.html")
	parts, _ := filepath.Glob("templates/parts/*.html")
	gofiles, _ := filepath.Glob("*.go")
	prefixes := map[string]bool{}
	keyRE := regexp.MustCompile(`"(ui\.[A-Za-z0-9_.]+)"`)
	n := 0
	for _, f := range append(append(sources, parts...), gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllSubmatch(b, -1) {
			id := string(m[1])
			if strings.HasSuffix(id, ".") {
				prefixes[id] = true
				continue
			}
			has(f, id)
			n++
		}
	}
	if n < 100 {
		t.Errorf("found only %d texts in the templates and handlers", n)
	}

	// The keys made from a prefix and a name, for every name there is.
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string][]string{
		"ui.level.":         {string(models.LevelFirst), string(models.LevelSecond), string(models.LevelTeam)},
		"ui.role.":          {models.AdminRole, "1st level"},
		"ui.kind.":          {string(ticket.ArticleInternalNote), string(ticket.ArticlePhoneNote), string(ticket.ArticleReply), string(ticket.ArticleCustomer)},
		"ui.actor.":         {string(ticket.ActorAgent), string(ticket.ActorCustomer), string(ticket.ActorSystem), string(ticket.ActorIntegration)},
		"ui.lock.":          {"lock", "unlock"},
		"ui.history.field.": historyFields(t),
		// Priorities and types are an admin's data: the OTRS defaults have
		// texts, other names show as they are.
		"ui.priority.":    {"1 very low", "2 low", "3 normal", "4 high", "5 very high"},
		"ui.type.":        {"Incident", "Service Request"},
		"ui.bulk.action.": desk.BulkActions,
		"ui.queue.state.": desk.QueueStates,
		"ui.queue.sort.":  queueSortNames(),
		// Reports (report_*.go): their kinds, periods, groupings,
		// formats, tables and columns.
		"ui.report.kind.":        reportNames(desk.ReportKinds),
		"ui.report.about.":       reportNames(desk.ReportKinds),
		"ui.report.granularity.": reportNames(desk.Granularities),
		"ui.report.dim.":         reportNames(models.ReportDims),
		"ui.report.format.":      append(reportNames(desk.ReportFormats), "svg"),
		"ui.report.table.":       desk.ReportTableIDs,
		"ui.report.col.":         desk.ReportColumnIDs,
		"ui.report.chart.":       {"area", "bar", "line"},
		"ui.faq2.perm.":          desk.FAQPerms,
		// The portal's plain words for states, types and urgencies.
		"ui.portal.state.":      stateNames(),
		"ui.portal.state_hint.": stateNames(),
		"ui.portal.type.":       {"Incident", "Service Request"},
		"ui.portal.urgency.":    portalUrgencies(),
		"ui.retention.action.":  {string(models.ActionArchive), string(models.ActionAnonymise)},
		"ui.retention.period.":  models.PeriodUnits,
		"ui.retention.reason.":  {models.ReasonRetention, models.ReasonErasure},
	}
	for _, e := range events(t) {
		names["ui.event."] = append(names["ui.event."], e)
	}
	// The admin pages' kinds, fields, hints, choices and actions.
	for id := range adminTextIDs() {
		i := strings.LastIndex(id, ".")
		names[id[:i+1]] = append(names[id[:i+1]], id[i+1:])
	}
	for name := range pages {
		// The ticket zoom and a queue's page are titled by their ticket and queue.
		if name != "ticket_show" && name != "queue_show" {
			names["ui.title."] = append(names["ui.title."], name)
		}
	}
	for prefix := range prefixes {
		if names[prefix] == nil {
			t.Errorf("texts are looked up as %q + a name, but this test does not know the names", prefix)
		}
	}
	for prefix, ns := range names {
		for _, name := range ns {
			id := prefix + name
			if prefix != "ui.event." && prefix != "ui.history.field." && prefix != "ui.title." {
				id = prefix + i18n.KeyOf(strings.ToLower(name))
			}
			has(prefix+"<name>", id)
		}
	}
	for _, s := range ticket.AllStates() {
		has("states", "state."+i18n.KeyOf(string(s)))
	}
}

// uiTexts reads one language's interface catalogue.
func uiTexts(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "i18n", "locales", "ui."+lang+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// tour visits every page of the agent interface in one language, in the
// states that change what a page shows, and returns the pages by name.
func tour(t *testing.T, lang string) map[string]string {
	b := newBrowser(t, Options{Location: berlin, TemporalUIURL: "http://temporal.example", Namespace: "kizdesk"})
	b.acceptLanguage = lang
	pages := map[string]string{}
	keep := func(name string, res response, status int) {
		t.Helper()
		if res.status != status {
			t.Errorf("%s %s: status %d, want %d\n%s", lang, name, res.status, status, res.body)
		}
		pages[name] = res.body
	}
	zoom := "/agent/tickets/" + testNumber

	keep("login", b.get("/login"), http.StatusOK)
	token := hidden(t, csrfRE, pages["login"])
	// Refused forms come back after a redirect (post/redirect/get).
	keep("login refused", b.follow(b.post("/login", url.Values{"csrf_token": {token}, "login": {"anna"}, "password": {"wrong"}})), http.StatusUnauthorized)
	keep("login incomplete", b.follow(b.post("/login", url.Values{"csrf_token": {token}})), http.StatusUnprocessableEntity)
	keep("form expired", b.post("/login", url.Values{"login": {"anna"}}), http.StatusForbidden)
	keep("no such page", b.get("/no/such/page"), http.StatusNotFound)

	b.login()
	keep("queues", b.get("/agent/queues"), http.StatusOK)
	b.desk.reminders = []models.TicketRow{reminderRow()}
	keep("queues, a reminder", b.get("/agent/queues"), http.StatusOK)
	keep("reminders", b.get("/agent/reminders"), http.StatusOK)
	b.desk.reminders = append(b.desk.reminders, reminderRow())
	keep("queues, reminders", b.get("/agent/queues"), http.StatusOK)
	b.desk.reminders = nil
	keep("no reminders", b.get("/agent/reminders"), http.StatusOK)
	b.desk.tickets[otherNumber] = desk.TicketDetail{Ticket: reminderRow()}
	keep("queue", b.get("/agent/queues/3"), http.StatusOK)
	b.desk.bulkErrs = map[string]error{otherNumber: &desk.RejectedError{Problem: ticket.P(ticket.RefusedLocked, "Owner", "Hannes", "Action", "close")}}
	bulkForm := url.Values{"csrf_token": {hidden(t, csrfRE, pages["queue"])}, "request_key": {"bulk-1"}, "number": {testNumber, otherNumber},
		"action": {"close"}, "state": {"closed successful"}, "back": {"/agent/queues/3"}}
	keep("bulk", b.post("/agent/bulk", bulkForm), http.StatusOK)
	bulkForm.Del("number")
	keep("bulk without tickets", b.follow(b.post("/agent/bulk", bulkForm)), http.StatusUnprocessableEntity)
	b.desk.bulkErrs = nil
	b.desk.queues = append(b.desk.queues, models.QueueCount{Queue: models.Queue{ID: 5, Name: "Team Druck", Level: models.LevelTeam}})
	keep("empty queue", b.get("/agent/queues/5"), http.StatusOK)
	b.desk.queues = nil
	keep("no queues", b.get("/agent/queues"), http.StatusOK)
	keep("new ticket", b.get("/agent/tickets/new"), http.StatusOK)

	csrf := hidden(t, csrfRE, pages["new ticket"])
	b.desk.createErr = desk.FieldErrors{"title": ticket.P(ticket.FieldRequired), "queue_id": ticket.P(ticket.FieldChoose)}
	keep("new ticket, fields", b.follow(b.post("/agent/tickets", url.Values{"csrf_token": {csrf}, "customer": {"carl"}})), http.StatusUnprocessableEntity)
	b.desk.createErr = nil
	res := b.post("/agent/tickets", url.Values{"csrf_token": {csrf}, "customer": {"carl"}, "title": {"x"}, "body": {"y"}, "type_id": {"1"}, "priority_id": {"3"}})
	wantStatus(t, res, http.StatusSeeOther)
	keep("flash created", b.get(zoom), http.StatusOK)

	// The zoom with everything it can show, in every state.
	b.setTicket(richTicket(t))
	for _, st := range ticket.AllStates() {
		b.setTicket(func(d *desk.TicketDetail) {
			d.Ticket.State, d.Ticket.MergedInto = string(st), ""
			if st == ticket.StateMerged {
				d.Ticket.MergedInto = otherNumber
			}
		})
		keep("zoom "+string(st), b.get(zoom), http.StatusOK)
	}
	b.setTicket(func(d *desk.TicketDetail) {
		d.Ticket.State, d.Ticket.MergedInto, d.Ticket.Locked, d.Ticket.Level = "open", "", false, models.LevelSecond
	})

	// Each action's flash, and a form shown again with what was wrong.
	for _, a := range []struct {
		name, path string
		fields     url.Values
	}{
		{"reply", "replies", url.Values{"body": {"x"}}},
		{"note", "notes", url.Values{"kind": {"phone note"}, "body": {"x"}}},
		{"pending", "pending", url.Values{"state": {"pending auto close+"}, "until": {"2099-01-02T08:00"}}},
		{"assign", "assign", url.Values{"owner_id": {"8"}}},
		{"lock", "lock", url.Values{"locked": {"true"}}},
		{"unlock", "lock", url.Values{"locked": {"false"}}},
		{"watch", "watch", url.Values{"watch": {"true"}}},
		{"unwatch", "watch", url.Values{"watch": {"false"}}},
		{"move", "move", url.Values{"queue_id": {"4"}}},
		{"escalate", "escalate", url.Values{"queue_id": {"5"}}},
		{"hand back", "hand-back", nil},
		{"classify", "classify", url.Values{"type_id": {"2"}, "priority_id": {"4"}}},
		{"merge", "merge", url.Values{"into": {otherNumber}}},
		{"link", "links", url.Values{"other": {otherNumber}}},
		{"close", "close", url.Values{"state": {"closed unsuccessful"}}},
	} {
		res, _ := b.postForm(a.path, a.fields)
		wantStatus(t, res, http.StatusSeeOther)
		keep("flash "+a.name, b.get(zoom), http.StatusOK)
	}
	b.setTicket(func(d *desk.TicketDetail) { d.Ticket.State = "closed successful" })
	res, _ = b.postForm("reopen", nil)
	wantStatus(t, res, http.StatusSeeOther)
	keep("flash reopen", b.get(zoom), http.StatusOK)
	b.setTicket(func(d *desk.TicketDetail) { d.Ticket.State = "open" })
	res, _ = b.postForm("assign", url.Values{"owner_id": {"eight"}})
	keep("zoom, field error", b.follow(res), http.StatusUnprocessableEntity)
	b.desk.errs["Move"] = &desk.RejectedError{Problem: ticket.P(ticket.RefusedLocked, "Owner", "Bert Second", "Action", "move")}
	res, _ = b.postForm("move", url.Values{"queue_id": {"5"}})
	keep("zoom, refused", b.follow(res), http.StatusConflict)

	keep("no such ticket", b.get("/agent/tickets/2099010110000011"), http.StatusNotFound)
	b.desk.ticketErr = fmt.Errorf("pq: connection refused")
	keep("internal error", b.get(zoom), http.StatusInternalServerError)
	b.desk.ticketErr = nil

	res = b.post("/logout", url.Values{"csrf_token": {hidden(t, csrfRE, b.get("/agent/queues").body)}})
	wantStatus(t, res, http.StatusSeeOther)
	keep("logged out", b.get("/login"), http.StatusOK)
	if len(pages) < 45 {
		t.Errorf("the tour saw only %d pages", len(pages))
	}
	return pages
}

// richTicket fills the zoom: SLA, watchers, lock, links, a merged ticket,
// an article of every kind, and a history entry for every event and every
// field, by every kind of actor.
func richTicket(t *testing.T) func(d *desk.TicketDetail) {
	past := time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)
	future := time.Date(2099, 1, 2, 7, 0, 0, 0, time.UTC)
	owner := int64(8)
	evs := events(t)
	fields := historyFields(t)
	return func(d *desk.TicketDetail) {
		tk := &d.Ticket
		tk.PendingUntil, tk.ReminderDue, tk.ClosedAt = &past, &past, &past
		tk.OwnerID, tk.OwnerName, tk.ResponsibleName, tk.Locked = &owner, "Bert Second", "Anna Agent", true
		tk.SLAName, tk.FirstResponseDue, tk.UpdateDue, tk.SolutionDue, tk.EscalationDue = "Standard 8x5", &past, &future, &future, &future
		tk.FirstResponseBreached, tk.UpdateBreached, tk.SolutionBreached, tk.FirstResponseAt, tk.EscalatedAt = true, true, true, &past, &past
		d.Watchers = []models.Agent{{ID: 7, Name: "Anna Agent"}}
		d.Linked = []models.TicketRow{{Ticket: models.Ticket{Number: otherNumber, Title: "Scanner too", State: "pending auto close+"}}}
		d.Merged = []desk.MergedTicket{{
			Ticket: models.TicketRow{Ticket: models.Ticket{Number: "2026112710000033", Title: "Printer again", State: "merged", MergedInto: testNumber}},
		}}
		d.Articles = nil
		for i, k := range []ticket.ArticleKind{ticket.ArticleInternalNote, ticket.ArticlePhoneNote, ticket.ArticleReply, ticket.ArticleCustomer} {
			d.Articles = append(d.Articles, models.Article{Seq: i + 1, Kind: string(k), CustomerVisible: k.CustomerVisible(),
				Author: "Anna Agent", Body: "body", CreatedAt: past})
		}
		d.History = nil
		actors := []ticket.ActorKind{ticket.ActorAgent, ticket.ActorCustomer, ticket.ActorSystem, ticket.ActorIntegration}
		names := make([]string, 0, len(evs))
		for _, e := range evs {
			names = append(names, e)
		}
		sort.Strings(names)
		for i, e := range names {
			who := ""
			if i%2 == 0 {
				who = "Anna Agent"
			}
			d.History = append(d.History, models.HistoryEntry{Seq: len(d.History) + 1, Event: e,
				ActorKind: string(actors[i%len(actors)]), ActorName: who, CreatedAt: past})
		}
		old := map[string][2]string{
			"State": {"open", "pending reminder"}, "Lock": {"unlock", "lock"}, "Level": {"1st level", "team"},
			"Priority": {"3 normal", "4 high"}, "Type": {"Incident", "Service Request"},
		}
		for _, f := range fields {
			v, ok := old[f]
			if !ok {
				v = [2]string{"", past.Format(time.RFC3339)}
			}
			d.History = append(d.History, models.HistoryEntry{Seq: len(d.History) + 1, Event: ticket.EventStateUpdate,
				ActorKind: "agent", ActorName: "Anna Agent", Field: f, OldValue: v[0], NewValue: v[1], CreatedAt: past})
		}
	}
}

// textNodes are the texts between a page's tags and in its aria-labels,
// unescaped, trimmed, without the contents of text areas (input).
func textNodes(page string) []string {
	page = regexp.MustCompile(`(?s)<textarea[^>]*>.*?</textarea>`).ReplaceAllString(page, "")
	var out []string
	for _, m := range regexp.MustCompile(`>([^<>]+)<|aria-label="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if s := strings.TrimSpace(html.UnescapeString(m[1] + m[2])); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestEveryPageInBothLanguages renders every page in German and in
// English and fails on a text missing from the catalogue (its key shows),
// and on a text that reads the same in both languages though it is
// neither data nor a word both languages share — a text written into a
// template instead of the catalogue.
func TestEveryPageInBothLanguages(t *testing.T) {
	tours := map[string]map[string]string{"de": tour(t, "de"), "en": tour(t, "en")}
	for lang, pages := range tours {
		for name, body := range pages {
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not marked as <html lang=%q>", lang, name, lang)
			}
			if keys := rawKeyRE.FindAllString(body, -1); len(keys) > 0 {
				t.Errorf("%s %s: untranslated %q", lang, name, keys)
			}
			for _, bad := range []string{"<no value>", "%!", "\u2063"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s %s: %q in the page", lang, name, bad)
				}
			}
		}
	}

	// What may read the same: the words both catalogues share, and data.
	same := []string{"kizdesk", "Ticket", "Deutsch", "English", "Europe/Berlin", "SLA:",
		"Anna Agent", "Bert Second", "Carl Customer", "carl", "Helpdesk", "Netz 2nd", "Team Druck", "Printing",
		"Printer <b>jams</b>", "Printer jams", "Printer again", "Scanner too", "Call back about <VPN>",
		"line one\nline <two>", "body", "Standard 8x5", "http://temporal.example"}
	deTexts, enTexts := uiTexts(t, "de"), uiTexts(t, "en")
	for k, v := range deTexts {
		if enTexts[k] == v && !strings.Contains(v, "{{") {
			same = append(same, v)
		}
	}
	sort.Slice(same, func(i, j int) bool { return len(same[i]) > len(same[j]) })
	letters := regexp.MustCompile(`\pL{2,}`)
	for name, de := range tours["de"] {
		en, ok := tours["en"][name]
		if !ok {
			continue
		}
		inEnglish := map[string]bool{}
		for _, s := range textNodes(en) {
			inEnglish[s] = true
		}
		reported := map[string]bool{}
		for _, s := range textNodes(de) {
			if !inEnglish[s] || reported[s] {
				continue
			}
			rest := s
			for _, w := range same {
				rest = strings.ReplaceAll(rest, w, "")
			}
			if letters.MatchString(rest) {
				reported[s] = true
				t.Errorf("%s: %q reads the same in German and English: a text not from the catalogue?", name, s)
			}
		}
	}

	// A few German words kiz staff know, and German dates.
	de := tours["de"]
	wantContains(t, de["login"], "<h1>Anmelden</h1>", "Kennung", "Passwort")
	wantContains(t, de["queues"], "<h1>Queues</h1>", ">Erinnerungen</a>", ">Neues Telefon-Ticket</a>", ">Abmelden</button>", "1st Level")
	wantContains(t, de["queues, a reminder"], ">1 Erinnerung erreicht</a>")
	wantContains(t, de["queues, reminders"], ">2 Erinnerungen erreicht</a>")
	wantContains(t, de["zoom pending reminder"], `<span class="state">warten zur Erinnerung</span> <span class="badge">Erinnerung erreicht</span>`,
		"<dt>Besitzer</dt>", "<dt>Verantwortlicher</dt>", "<dt>Priorität</dt><dd>3 normal</dd>", "<dt>Sperre</dt><dd>gesperrt</dd>",
		"<h2>Tickethistorie</h2>", "Bert Second hat dieses Ticket gesperrt", "<strong>interne Notiz</strong>",
		"<dt>Erstellt</dt><dd>27.11.2026 10:30</dd>", "Status: offen → warten zur Erinnerung", "Priorität: 3 normal → 4 hoch",
		"Sperre: frei → gesperrt", "Level: 1st Level → Team", "Warten bis: — → 15.01.2026 10:30")
	wantContains(t, de["zoom merged"], `Dieses Ticket wurde mit <a href="/agent/tickets/`+otherNumber+`">Ticket#`+otherNumber+`</a> zusammengefasst.`)
	wantContains(t, de["zoom closed successful"], "Dieses Ticket ist „erfolgreich geschlossen“; zum Weiterarbeiten bitte wiedereröffnen.")
	wantContains(t, de["flash created"], "Ticket "+testNumber+" angelegt.")
	wantContains(t, de["flash reopen"], "Ticket wiedereröffnet.")
	wantContains(t, de["flash pending"], "Ticket bis 02.01.2099 08:00 auf „warten auf erfolgreich schließen“ gesetzt.")
	wantContains(t, de["zoom, refused"], "Das Ticket ist von Bert Second gesperrt")
	wantContains(t, de["zoom, field error"], "Bitte die markierten Felder korrigieren.", "Bitte einen der angebotenen Werte wählen.")
	wantContains(t, de["no such page"], "Zurück zu den Queues")
	wantContains(t, de["logged out"], "Sie sind abgemeldet.")
	en := tours["en"]
	wantContains(t, en["zoom pending reminder"], "<dt>Created</dt><dd>2026-11-27 10:30</dd>", "Pending until: — → 2026-01-15 10:30",
		"<h2>History</h2>", "<strong>internal note</strong>")
	wantContains(t, en["no such page"], "Back to the queues")
}

// TestLanguageSwitch: Accept-Language speaks until someone chooses; the
// choice of the header's switch beats it, lasts the session (logout
// included), and for an agent is stored, so their other devices follow.
func TestLanguageSwitch(t *testing.T) {
	b := newBrowser(t, Options{})
	lang := func(body string) string {
		t.Helper()
		m := regexp.MustCompile(`<html lang="(\w+)">`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no <html lang> in\n%s", body)
		}
		return m[1]
	}
	switchTo := func(b *browser, page, to, next string) response {
		t.Helper()
		form := url.Values{"csrf_token": {hidden(t, csrfRE, page)}, "lang": {to}}
		if next != "" {
			form.Set("next", next)
		}
		return b.post("/language", form)
	}

	// Without a choice: the browser's language, German when it names none
	// kizdesk speaks, or none at all.
	for accept, want := range map[string]string{"": "de", "de-DE,de;q=0.9": "de", "en-GB,en;q=0.8": "en", "fr-FR": "de", "fr, en;q=0.5": "en"} {
		b.acceptLanguage = accept
		if got := lang(b.get("/login").body); got != want {
			t.Errorf("Accept-Language %q: login page in %s, want %s", accept, got, want)
		}
	}

	// The switch on the login page: the session's choice beats the header.
	b.acceptLanguage = "de"
	login := b.get("/login?next=/agent/reminders")
	wantContains(t, login.body, `action="/language"`, `name="next" value="/login?next=/agent/reminders"`, `value="de" lang="de" class="link" aria-pressed="true">Deutsch</button>`)
	res := switchTo(b, login.body, "en", "/login?next=/agent/reminders")
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/login?next=/agent/reminders" {
		t.Errorf("the switch went to %q, want back to the login page", loc)
	}
	page := b.get("/login")
	wantContains(t, page.body, "<h1>Log in</h1>", `value="en" lang="en" class="link" aria-pressed="true">English</button>`)
	if n := b.desk.called("SetLanguage"); n != 0 {
		t.Errorf("SetLanguage called %d times without an agent", n)
	}

	// Logging in keeps the session's choice; the agent has stored none.
	b.login()
	page = b.get("/agent/queues")
	if got := lang(page.body); got != "en" {
		t.Errorf("after login the pages are in %s, want the language chosen before (en)", got)
	}

	// An agent's choice is stored, and the switch comes back to the page.
	zoom := "/agent/tickets/" + testNumber
	res = switchTo(b, b.get(zoom).body, "de", zoom)
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != zoom {
		t.Errorf("the switch went to %q, want back to %s", loc, zoom)
	}
	if got := requestsOf[string](b.desk, "SetLanguage"); !slices.Equal(got, []string{"de"}) {
		t.Errorf("SetLanguage got %q, want [de]", got)
	}
	b.acceptLanguage = "en"
	page = b.get(zoom)
	if got := lang(page.body); got != "de" {
		t.Errorf("after choosing German (Accept-Language en) the zoom is in %s", got)
	}
	wantContains(t, page.body, "<h2>Tickethistorie</h2>", "27.11.2026")

	// Another device: a new session takes the stored language at login...
	other := newBrowser(t, Options{})
	other.desk, other.base = b.desk, b.base
	other.acceptLanguage = "en"
	wantContains(t, other.get("/login").body, "<h1>Log in</h1>")
	other.login()
	if got := lang(other.get("/agent/queues").body); got != "de" {
		t.Errorf("a second device after login: %s, want the stored de", got)
	}
	// ...and a change there reaches the first one at its next page.
	wantStatus(t, switchTo(other, other.get("/agent/queues").body, "en", "/agent/queues"), http.StatusSeeOther)
	if got := lang(b.get("/agent/queues").body); got != "en" {
		t.Errorf("after switching to English on another device, the first shows %s", got)
	}
	b.acceptLanguage = "de"
	if got := lang(b.get("/agent/queues").body); got != "en" {
		t.Errorf("the stored choice en lost against Accept-Language de: %s", got)
	}

	// Refused: a language kizdesk does not speak, a missing CSRF token;
	// an outside next goes to the start page; a failed store changes nothing.
	page = b.get("/agent/queues")
	wantStatus(t, switchTo(b, page.body, "fr", "/agent/queues"), http.StatusUnprocessableEntity)
	wantStatus(t, b.post("/language", url.Values{"lang": {"de"}}), http.StatusForbidden)
	b.desk.errs["SetLanguage"] = fmt.Errorf("pq: connection refused")
	wantStatus(t, switchTo(b, page.body, "de", "/agent/queues"), http.StatusInternalServerError)
	if got := lang(b.get("/agent/queues").body); got != "en" {
		t.Errorf("after refused switches the pages are in %s, want en", got)
	}
	delete(b.desk.errs, "SetLanguage")
	res = switchTo(b, page.body, "de", "//evil.example/")
	wantStatus(t, res, http.StatusSeeOther)
	if loc := res.header.Get("Location"); loc != "/agent/dashboard" {
		t.Errorf("next=//evil.example/ went to %q", loc)
	}

	// Logging out keeps the language: the login page and its flash.
	res = b.post("/logout", url.Values{"csrf_token": {hidden(t, csrfRE, b.get("/agent/queues").body)}})
	wantStatus(t, res, http.StatusSeeOther)
	b.acceptLanguage = "en"
	wantContains(t, b.get("/login").body, "Sie sind abgemeldet.", "<h1>Anmelden</h1>")

	// The API answers in English with codes, whatever the browser says.
	res = b.api(http.MethodGet, "/api/v1/tickets/2099010110000011", testToken, "", "Accept-Language", "de")
	wantStatus(t, res, http.StatusNotFound)
	wantContains(t, res.body, `{"code":"msg.not_found","error":"Not found."}`)
}

// TestErrorSchemaDocumented: openapi.yaml lists exactly the codes an API
// error's code and field_codes can carry.
func TestErrorSchemaDocumented(t *testing.T) {
	b, err := files.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Error struct {
					Required   []string
					Properties struct {
						Code       struct{ Enum []string }
						FieldCodes struct {
							AdditionalProperties struct{ Enum []string } `yaml:"additionalProperties"`
						} `yaml:"field_codes"`
					}
				} `yaml:"Error"`
			}
		}
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	e := doc.Components.Schemas.Error
	if !slices.Equal(e.Required, []string{"code", "error"}) {
		t.Errorf("Error requires %q, want code and error", e.Required)
	}
	var codes, fieldCodes []string
	for _, c := range ticket.AllCodes() {
		if strings.HasPrefix(string(c), "field.") {
			fieldCodes = append(fieldCodes, string(c))
		} else {
			codes = append(codes, string(c))
		}
	}
	// A reused request key is the request_key field's problem (desk.problemError).
	fieldCodes = append(fieldCodes, string(ticket.RefusedKeyReused))
	for name, c := range map[string][2][]string{
		"code":        {codes, e.Properties.Code.Enum},
		"field_codes": {fieldCodes, e.Properties.FieldCodes.AdditionalProperties.Enum},
	} {
		want, got := slices.Sorted(slices.Values(c[0])), slices.Sorted(slices.Values(c[1]))
		if !slices.Equal(got, want) {
			t.Errorf("openapi.yaml's Error.%s lists %q,\nthe codes are %q", name, got, want)
		}
	}
}

func queueSortNames() []string {
	var out []string
	for _, s := range models.QueueSorts {
		out = append(out, string(s))
	}
	return out
}

// reportNames are the names of a report's choices as strings.
func reportNames[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func stateNames() []string {
	var out []string
	for _, s := range ticket.AllStates() {
		out = append(out, string(s))
	}
	return out
}

func portalUrgencies() []string {
	var out []string
	for _, u := range desk.Urgencies() {
		out = append(out, string(u))
	}
	return out
}

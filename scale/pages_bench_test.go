package scale_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/dbtest"
	"github.com/kiz-ulm/kizdesk/demo"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/scale"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/web"
)

// BenchmarkPages times the agent's main pages as a browser gets them
// (web handler over the desk over the database, logged in) and reports
// their size: dashboard, the first page of the Helpdesk queue, the zoom of
// a ticket with many articles, and a word search.
//
// On PostgreSQL it reads a database `kizdesk gen-tickets` filled
// (KIZDESK_SCALE_DATABASE_URL). On SQLite it loads KIZDESK_BENCH_PAGES
// tickets (10 % open, two articles each, one with 500) into a fresh
// database first — 100,000 take a few minutes:
//
//	KIZDESK_BENCH_PAGES=100000 go test ./scale/ -run '^$' -bench Pages -benchtime 20x -timeout 1h
func BenchmarkPages(b *testing.B) {
	if u := os.Getenv("KIZDESK_SCALE_DATABASE_URL"); u != "" {
		b.Run("postgres", func(b *testing.B) {
			db, err := models.Open(context.Background(), u)
			if err != nil {
				b.Fatal(err)
			}
			defer models.Close(db)
			// A database gen-tickets filled before the latest migrations
			// gets their indexes, so the pages are timed as they will run.
			if err := models.Migrate(context.Background(), db, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
				b.Fatal(err)
			}
			var zoom string
			if err := db.Model(&models.Ticket{}).Where("title = ?", scale.ZoomTitle).Order("last_seq DESC").Limit(1).
				Pluck("number", &zoom).Error; err != nil || zoom == "" {
				b.Fatalf("no zoom ticket (%q): %v", scale.ZoomTitle, err)
			}
			benchPages(b, db, "helpdesk", demo.Password, zoom, "Zertifikat")
		})
	}
	n, _ := strconv.Atoi(os.Getenv("KIZDESK_BENCH_PAGES"))
	if n <= 0 {
		if os.Getenv("KIZDESK_SCALE_DATABASE_URL") == "" {
			b.Skip("set KIZDESK_BENCH_PAGES (tickets to load into SQLite) and/or KIZDESK_SCALE_DATABASE_URL (a PostgreSQL database filled by kizdesk gen-tickets)")
		}
		return
	}
	b.Run("sqlite", func(b *testing.B) {
		db := dbtest.Open(b, "sqlite")
		hash, _ := bcrypt.GenerateFromPassword([]byte("bench password"), bcrypt.MinCost)
		f := dbtest.Seed(b, db, string(hash))
		begin := time.Now()
		zoom := loadTickets(b, db, f, n, 500)
		b.Logf("loaded %d tickets into SQLite in %s", n+1, time.Since(begin).Round(time.Second))
		benchPages(b, db, f.Agent.Login, "bench password", zoom, "Drucker")
	})
}

// benchPages logs in as login and times each page.
func benchPages(b *testing.B, db *gorm.DB, login, password, zoom, word string) {
	d := desk.New(db, nil, desk.Options{})
	agent, err := models.AgentByLogin(context.Background(), db, login)
	if err != nil {
		b.Fatal(err)
	}
	var queue models.Queue
	if err := db.Where("tenant_id = ? AND name = ?", agent.TenantID, "Helpdesk").Take(&queue).Error; err != nil {
		b.Fatal(err)
	}
	h, err := web.New(d, web.Options{SessionKey: []byte(rand.Text() + rand.Text() + rand.Text())[:64],
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(path string) (string, error) {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			return "", err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err == nil && (res.StatusCode != http.StatusOK || !strings.Contains(string(body), "</html>")) {
			err = fmt.Errorf("%s: %s, %d bytes", path, res.Status, len(body))
		}
		return string(body), err
	}
	page, err := get("/login")
	if err != nil {
		b.Fatal(err)
	}
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		b.Fatal("login page without CSRF token")
	}
	res, err := client.PostForm(srv.URL+"/login", url.Values{"login": {login}, "password": {password}, "csrf_token": {m[1]}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	for _, p := range []struct{ name, path, want string }{
		{"Dashboard", "/agent/dashboard", `id="widget-sla"`},
		{"Queue", fmt.Sprintf("/agent/queues/%d", queue.ID), `rel="next"`},
		{"Zoom", "/agent/tickets/" + zoom, `id="article-500"`},
		{"Search", "/agent/search?q=" + url.QueryEscape(word), "<mark>"},
	} {
		var size int
		timed(b, p.name, func(int) error {
			body, err := get(p.path)
			if err == nil && !strings.Contains(body, p.want) {
				err = fmt.Errorf("%s lacks %q", p.path, p.want)
			}
			size = len(body)
			return err
		}, func(b *testing.B) { b.ReportMetric(float64(size)/1024, "KB/page") })
	}
}

// Words for the SQLite tickets: a search for one of the titles' words
// finds a few per cent of them.
var (
	benchTitles = []string{"Drucker druckt nicht", "VPN-Verbindung schlägt fehl", "Passwort vergessen", "Postfach voll",
		"eduroam bricht ab", "Zertifikat läuft ab", "Netzlaufwerk nicht erreichbar", "Moodle-Kurs anlegen",
		"Windows-Update hängt", "Account gesperrt", "Teams-Kanal fehlt", "Backup wiederherstellen"}
	benchPlaces = []string{"im Hörsaal H4/5", "in der Bibliothek", "im Büro O27/341", "im Labor N25", "zu Hause", "im Seminarraum 220"}
)

// loadTickets adds n tickets to f's queue, spread over three years, the
// newest tenth open with SLA due times, each with a customer's article and
// an answer, and one open ticket with zoomArticles articles, whose number
// it returns.
func loadTickets(b *testing.B, db *gorm.DB, f dbtest.Fixture, n, zoomArticles int) string {
	r := mrand.New(mrand.NewPCG(1, 2))
	now := time.Now().UTC()
	span := 3 * 365 * 24 * time.Hour
	const batch = 500
	closed := []string{string(ticket.StateClosedSuccessful), string(ticket.StateClosedUnsuccessful)}
	open := []string{string(ticket.StateNew), string(ticket.StateOpen), string(ticket.StateOpen), string(ticket.StatePendingReminder)}
	add := func(tks []models.Ticket, bodies [][]string) {
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(tks, 100).Error; err != nil {
				return err
			}
			var as []models.Article
			for i, t := range tks {
				for j, body := range bodies[i] {
					kind, visible, author := string(ticket.ArticleCustomer), true, "Kundin"
					if j%2 == 1 {
						kind, author = string(ticket.ArticleReply), f.Agent.Name
					}
					if j%5 == 4 {
						kind, visible, author = string(ticket.ArticleInternalNote), false, f.Agent.Name
					}
					as = append(as, models.Article{TicketID: t.ID, Seq: j + 1, Kind: kind, CustomerVisible: visible, Author: author,
						Subject: t.Title, Body: body, CreatedAt: t.CreatedAt.Add(time.Duration(j) * time.Hour)})
				}
			}
			return tx.CreateInBatches(as, 200).Error
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	mk := func(i int, created time.Time, state string) models.Ticket {
		title := benchTitles[r.IntN(len(benchTitles))] + " " + benchPlaces[r.IntN(len(benchPlaces))]
		t := models.Ticket{TenantID: f.Tenant.ID, Number: fmt.Sprintf("%s9%07d", created.Format("20060102"), i), Title: title,
			State: state, Level: models.LevelFirst, QueueID: f.Queue.ID, ServiceID: &f.Service.ID, TypeID: f.Type.ID,
			PriorityID: f.Priority.ID, CustomerID: f.Customer.ID, Channel: "email", LastSeq: 2, CreatedAt: created, UpdatedAt: created}
		if ticket.State(state).Open() || ticket.State(state).Pending() {
			due := created.Add(time.Duration(8+r.IntN(72)) * time.Hour)
			t.SolutionDue = &due
			t.SolutionBreached = due.Before(now)
		} else {
			at := created.Add(time.Duration(1+r.IntN(200)) * time.Hour)
			t.ClosedAt = &at
		}
		return t
	}
	for done := 0; done < n; done += batch {
		var tks []models.Ticket
		var bodies [][]string
		for i := done; i < min(n, done+batch); i++ {
			created := now.Add(-span + time.Duration(float64(i)/float64(n)*float64(span)))
			state := closed[r.IntN(len(closed))]
			if i >= n-n/10 {
				state = open[r.IntN(len(open))]
			}
			t := mk(i, created, state)
			tks = append(tks, t)
			bodies = append(bodies, []string{"Guten Tag,\n" + t.Title + ". Seit gestern geht es nicht mehr.\nViele Grüße",
				"Hallo,\nbitte versuchen Sie es noch einmal; wir haben die Einstellung geändert.\nIhr kiz"})
		}
		add(tks, bodies)
	}
	z := mk(n, now.Add(-60*24*time.Hour), string(ticket.StateOpen))
	z.LastSeq = zoomArticles
	var bodies []string
	for j := range zoomArticles {
		bodies = append(bodies, fmt.Sprintf("Nachricht %d zu diesem Ticket.\n%s", j+1, strings.Repeat("Eine Zeile Text, wie sie in Mails steht. ", 8)))
	}
	add([]models.Ticket{z}, [][]string{bodies})
	return z.Number
}

package scale_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/kiz-ulm/kizdesk/demo"
	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/scale"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/web"
)

// BenchmarkScale times what agents wait for on a database that
// `kizdesk gen-tickets` filled (KIZDESK_SCALE_DATABASE_URL), each read as
// the desk makes it, and reports the 50th and 95th percentile latency:
//
//	KIZDESK_SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kizdesk_scale?sslmode=disable \
//	  go test ./scale/ -run '^$' -bench Scale -benchtime 200x
//
// It only reads (and adds one web session for the end-to-end page).
func BenchmarkScale(b *testing.B) {
	dbURL := os.Getenv("KIZDESK_SCALE_DATABASE_URL")
	if dbURL == "" {
		b.Skip("KIZDESK_SCALE_DATABASE_URL is not set: name a PostgreSQL database filled by `kizdesk gen-tickets`")
	}
	ctx := context.Background()
	db, err := models.Open(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer models.Close(db)
	agent, err := models.AgentByLogin(ctx, db, "helpdesk")
	if err != nil {
		b.Fatalf("no agent helpdesk — was the database filled by kizdesk gen-tickets? %v", err)
	}
	var helpdesk models.Queue
	if err := db.Where("tenant_id = ? AND name = ?", agent.TenantID, "Helpdesk").Take(&helpdesk).Error; err != nil {
		b.Fatal(err)
	}
	var zoom string
	if err := db.Model(&models.Ticket{}).Where("title = ?", scale.ZoomTitle).Order("last_seq DESC").Limit(1).
		Pluck("number", &zoom).Error; err != nil || zoom == "" {
		b.Fatalf("no zoom ticket (%q): %v", scale.ZoomTitle, err)
	}
	// Tickets to look up: every thousandth, and those that others were
	// merged into, so the merged-into look-up finds something too.
	var numbers []string
	db.Raw(`(SELECT number FROM tickets WHERE id % 1000 = 0 LIMIT 900)
		UNION ALL (SELECT DISTINCT merged_into FROM tickets WHERE merged_into <> '' LIMIT 100)`).Scan(&numbers)
	if len(numbers) == 0 {
		b.Fatal("no tickets")
	}

	d := desk.New(db, nil, desk.Options{})
	p := desk.AgentPrincipal(agent)
	open := make([]string, 0, 5)
	for _, s := range ticket.OpenStates() {
		open = append(open, string(s))
	}

	timed(b, "QueuePage", func(int) error {
		_, rows, err := d.QueueTickets(ctx, p, helpdesk.ID)
		if err == nil && len(rows) == 0 {
			err = fmt.Errorf("Helpdesk queue is empty")
		}
		return err
	})
	timed(b, "QueueCounts", func(int) error {
		_, err := models.QueueCounts(ctx, db, agent.TenantID, open, string(ticket.StateNew))
		return err
	})
	timed(b, "RemindersCount", func(int) error {
		_, err := d.CountRemindersReached(ctx, p)
		return err
	})
	timed(b, "Reminders", func(int) error {
		_, err := d.RemindersReached(ctx, p)
		return err
	})
	timed(b, "Ticket", func(i int) error {
		t, err := models.TicketByNumber(ctx, db, agent.TenantID, numbers[i%len(numbers)])
		if err != nil {
			return err
		}
		_, err = models.MergedInto(ctx, db, agent.TenantID, t.Number)
		return err
	})
	timed(b, "Zoom", func(int) error {
		t, err := d.Ticket(ctx, p, zoom)
		if err == nil && len(t.Articles) < 100 {
			err = fmt.Errorf("zoom ticket %s has %d articles", zoom, len(t.Articles))
		}
		return err
	})
	timed(b, "Dashboard", func(int) error {
		_, err := d.Dashboard(ctx, p)
		return err
	})
	// A word in about one of seven generated articles, and a rare one.
	for _, word := range []string{"Zertifikat", "Müller"} {
		timed(b, "Search/"+word, func(int) error {
			r, err := d.Search(ctx, p, desk.SearchRequest{Text: word})
			if err == nil && len(r.Hits) == 0 {
				err = fmt.Errorf("search for %q found nothing", word)
			}
			return err
		})
	}
	webQueuePage(b, ctx, db, d, helpdesk.ID)
}

// webQueuePage times the Helpdesk queue page as a browser gets it: the
// web handler over the desk over the database, logged in as helpdesk.
// Reads need no Temporal client.
func webQueuePage(b *testing.B, ctx context.Context, db *gorm.DB, d *desk.Desk, queueID int64) {
	h, err := web.New(d, web.Options{SessionKey: []byte(rand.Text() + rand.Text() + rand.Text())[:64],
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Get(srv.URL + "/login")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		b.Fatal("login page without CSRF token")
	}
	res, err = client.PostForm(srv.URL+"/login", url.Values{"login": {"helpdesk"}, "password": {demo.Password},
		"csrf_token": {string(m[1])}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	var size int
	timed(b, "WebQueuePage", func(int) error {
		res, err := client.Get(fmt.Sprintf("%s/agent/queues/%d", srv.URL, queueID))
		if err != nil {
			return err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "</html>") {
			return fmt.Errorf("queue page: %s, %d bytes", res.Status, len(body))
		}
		size = len(body)
		return err
	}, func(b *testing.B) { b.ReportMetric(float64(size)/1024, "KB/page") })
}

// timed runs fn b.N times as a sub-benchmark and reports the median and
// the 95th percentile: a mean hides the slow requests agents notice.
func timed(b *testing.B, name string, fn func(i int) error, report ...func(*testing.B)) {
	b.Run(name, func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for i := 0; b.Loop(); i++ {
			start := time.Now()
			if err := fn(i); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		ms := func(q float64) float64 {
			return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / float64(time.Millisecond)
		}
		b.ReportMetric(ms(0.50), "p50-ms")
		b.ReportMetric(ms(0.95), "p95-ms")
		for _, r := range report {
			r(b)
		}
	})
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
	"github.com/kiz-ulm/kizdesk/worker"
)

// BenchmarkOpenTickets keeps many tickets open at once and reports how
// fast they were created, the memory of the whole process (Temporal
// server, worker with its cache of workflows, web, database) and what each
// open ticket added to it,
// and that every ticket's timer fired: each has an SLA whose first-response
// warning falls due after all of them were created. The 100,000
// take about half an hour to create on two cores; the default is 2,000:
//
//	KIZDESK_BENCH_OPEN=100000 KIZDESK_BENCH_OPEN_WARN=15m go test -run '^$' -bench OpenTickets -benchtime 1x -timeout 3h .
func BenchmarkOpenTickets(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("KIZDESK_BENCH_OPEN")); err == nil && v > 0 {
		n = v
	}
	// As dev and worker size it (KIZDESK_WORKER_CACHE): the SDK's cache
	// is per process, so it is set before the stack's worker starts.
	cache := worker.DefaultCacheSize
	if v, err := strconv.Atoi(os.Getenv("KIZDESK_WORKER_CACHE")); err == nil {
		cache = v
	}
	if err := worker.SetCacheSize(cache); err != nil {
		b.Fatal(err)
	}
	b.Logf("worker cache: %d workflows", cache)
	s := benchStack(b)
	ctx := b.Context()
	f := s.fixture
	for range b.N {
		run := benchRun()
		// Creating runs at 30 a second or more: the warnings (at half the
		// first-response time) fall due once all are open — or, with
		// KIZDESK_BENCH_OPEN_WARN set (e.g. 15m), that long after each
		// ticket's creation, so that a long run's timers fire while
		// tickets are still being created.
		warnAfter := time.Duration(n/30+1) * time.Second
		if d, err := time.ParseDuration(os.Getenv("KIZDESK_BENCH_OPEN_WARN")); err == nil && d > 0 {
			warnAfter = d
		}
		firstResponse := int((2*warnAfter)/time.Minute) + 1
		cal := models.Calendar{TenantID: f.Tenant.ID, Name: "24x7 " + run, Location: "Europe/Berlin", Week: "mon-sun 00:00-24:00"}
		queue := models.Queue{TenantID: f.Tenant.ID, Name: "Open " + run, Level: models.LevelFirst}
		for _, row := range []any{&cal, &queue} {
			if err := s.db.Create(row).Error; err != nil {
				b.Fatal(err)
			}
		}
		svc := models.Service{TenantID: f.Tenant.ID, Name: "Open " + run, QueueID: queue.ID}
		if err := s.db.Create(&svc).Error; err != nil {
			b.Fatal(err)
		}
		sla := models.SLA{TenantID: f.Tenant.ID, Name: "Open " + run, ServiceID: svc.ID, CalendarID: cal.ID,
			FirstResponseMinutes: firstResponse, WarnPercent: 50}
		if err := s.db.Create(&sla).Error; err != nil {
			b.Fatal(err)
		}

		runtime.GC()
		rss0 := residentBytes(b)
		began := time.Now()
		var next, retries atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for i := next.Add(1); i <= int64(n); i = next.Add(1) {
					if i%10000 == 0 {
						// A long run says how it goes while it goes.
						fmt.Fprintf(os.Stderr, "open tickets: %d created in %s, RSS %d MiB\n", i, time.Since(began).Round(time.Second), residentBytes(b)>>20)
					}
					// As a client does: a create the desk could not finish in
					// time is sent again with the same key, which makes it
					// one ticket however often it is sent.
					req := desk.CreateTicketRequest{RequestKey: fmt.Sprintf("open-%s-%d", run, i), CustomerLogin: f.Customer.Login,
						Title: "Open", Body: "Text.", ServiceID: svc.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID}
					_, err := s.desk.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), req)
					for try := 1; errors.Is(err, desk.ErrUnavailable) && try <= 5; try++ {
						retries.Add(1)
						_, err = s.desk.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), req)
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if b.Failed() {
			return
		}
		took := time.Since(began)
		runtime.GC()
		rss := residentBytes(b)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(n)/took.Seconds(), "creates/s")
		b.ReportMetric(float64(retries.Load()), "retried-creates")
		b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
		// What each open ticket adds: the rest is the stack itself.
		b.ReportMetric(float64(rss-rss0)/1024/float64(n), "rss-KiB/ticket")
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
		if path := os.Getenv("KIZDESK_BENCH_HEAPPROFILE"); path != "" {
			// Where the memory is: the worker's cache (go.temporal.io/sdk),
			// the server's (go.temporal.io/server), the databases.
			writeHeapProfile(b, path)
		}

		// Every ticket's warning, counted in the database: the last one
		// falls due warnAfter (and half a minute) after the last create.
		end := time.Now().Add(warnAfter + 3*time.Minute)
		var warned int64
		for time.Now().Before(end) {
			err := s.db.Table("ticket_history").Joins("JOIN tickets ON tickets.id = ticket_history.ticket_id").
				Where("tickets.queue_id = ? AND ticket_history.event = ?", queue.ID, ticket.EventSLAWarning).Count(&warned).Error
			if err != nil {
				b.Fatal(err)
			}
			if warned >= int64(n) {
				break
			}
			time.Sleep(time.Second)
		}
		if warned != int64(n) {
			b.Fatalf("%d of %d tickets' warnings fired", warned, n)
		}
		b.ReportMetric(time.Since(began).Seconds(), "all-fired-s")
		runtime.GC()
		b.ReportMetric(float64(residentBytes(b))/(1<<20), "rss-after-timers-MiB")
	}
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// residentBytes is the process's resident memory (VmRSS).
func residentBytes(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb * 1024
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/kiz-ulm/kizdesk/desk"
	"github.com/kiz-ulm/kizdesk/models"
	"github.com/kiz-ulm/kizdesk/ticket"
)

// The benchmarks measure ticket creation through the JSON API on the whole
// stack (embedded Temporal, worker, database, web). They run on
// PostgreSQL when KIZDESK_TEST_DATABASE_URL is set, else on SQLite, and
// with the embedded Temporal on PostgreSQL (as production runs it) when
// KIZDESK_TEST_TEMPORAL_DATABASE_URL is set, else on SQLite:
//
//	go test -run '^$' -bench CreateTicket -benchtime 200x .

func benchStack(b *testing.B) *testStack {
	kind := "sqlite"
	if os.Getenv("KIZDESK_TEST_DATABASE_URL") != "" {
		kind = "postgres"
	}
	temporalOn := "SQLite"
	if os.Getenv("KIZDESK_TEST_TEMPORAL_DATABASE_URL") != "" {
		temporalOn = "PostgreSQL"
	}
	if os.Getenv("KIZDESK_BENCH_MAIL") != "" {
		// As dev and web run: outgoing mail and notifications written
		// with every change (captured, not sent).
		b.Logf("database: %s, Temporal on %s, mail on", kind, temporalOn)
		out, err := mailOutConfigOf(values{"KIZDESK_MAIL_FROM": "kizdesk@localhost", "KIZDESK_MAIL_AUTOREPLY_LIMIT": "10",
			"KIZDESK_MAIL_RETRY_MAX": "10m", "KIZDESK_MAIL_TAG_PREFIX": "Ticket#"}, true, "http://localhost:8080/")
		if err != nil {
			b.Fatal(err)
		}
		return startTestStackConfig(b, kind, dbURL(b, kind), func(c *devConfig) { c.MailOut = out })
	}
	b.Logf("database: %s, Temporal on %s", kind, temporalOn)
	return sharedStack(b, kind, nil)
}

func createViaAPI(s *testStack, c *http.Client, key string) error {
	f := s.fixture
	body, _ := json.Marshal(map[string]any{"customer": f.Customer.Login, "title": "Benchmark " + key, "body": "Text.",
		"service_id": f.Service.ID, "type_id": f.Type.ID, "priority_id": f.Priority.ID})
	req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/tickets", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// benchRun tells the keys of one benchmark run from those of earlier runs
// on the same (shared) stack, so no create is answered as a repeat.
func benchRun() string { return strconv.FormatInt(time.Now().UnixNano(), 36) }

func BenchmarkCreateTicketSequential(b *testing.B) {
	s := benchStack(b)
	run := benchRun()
	c := &http.Client{Timeout: 30 * time.Second}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	cpu0 := processCPU()
	for i := range b.N {
		began := time.Now()
		if err := createViaAPI(s, c, fmt.Sprintf("seq-%s-%d", run, i)); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(began))
	}
	cpu := processCPU() - cpu0
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/create")
}

// BenchmarkCreateTicket8Clients: 8 clients create tickets through the JSON
// API at once. In the same run it measures what the embedded Temporal
// server does with a trivial workflow (started by 8 clients, each waiting
// for its result: one workflow task, as a create is), so the two rates
// are compared on the same machine at the same moment. It also reports the
// process's CPU per create — everything in the process: Temporal server,
// worker, web, database driver and the benchmark's own HTTP client.
// The targets: ≥ 70 % of the raw rate, ≤ 15 ms CPU per create.
//
//	go test -run '^$' -bench CreateTicket8Clients -benchtime 400x -count 3 .
func BenchmarkCreateTicket8Clients(b *testing.B) {
	s := benchStack(b)
	run := benchRun()
	c := &http.Client{Timeout: 30 * time.Second}
	raw, rawCPU := rawTemporalRate(b, s, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0 := processCPU()
	began := time.Now()
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := createViaAPI(s, c, fmt.Sprintf("par-%s-%d", run, i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	cpu := processCPU() - cpu0
	b.StopTimer()
	rate := float64(b.N) / took.Seconds()
	b.ReportMetric(rate, "tickets/s")
	b.ReportMetric(raw, "raw-workflows/s")
	b.ReportMetric(100*rate/raw, "%-of-raw")
	b.ReportMetric(float64(rawCPU.Microseconds())/1000, "raw-cpu-ms/workflow")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/create")
}

// rawTemporalRate runs n trivial workflows (8 clients, each waiting for
// the result) on a task queue of their own on the stack's Temporal server
// and returns how many completed per second, and the process's CPU per
// workflow: the floor under what a create can cost.
func rawTemporalRate(b *testing.B, s *testStack, n int) (float64, time.Duration) {
	b.Helper()
	queue := "bench-raw-" + benchRun()
	w := sdkworker.New(s.client, queue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(func(workflow.Context) error { return nil }, workflow.RegisterOptions{Name: "noop"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	ctx := b.Context()
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := processCPU()
	began := time.Now()
	for range 8 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				r, err := s.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("%s-%d", queue, i), TaskQueue: queue}, "noop")
				if err == nil {
					err = r.Get(ctx, nil)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	return float64(n) / took.Seconds(), (processCPU() - cpu0) / time.Duration(n)
}

// profileWhile writes a CPU profile of what follows, up to the returned
// stop, to the file the environment variable env names: the closes alone,
// without the creates that set them up (go test's -cpuprofile has both).
func profileWhile(b *testing.B, env string) (stop func()) {
	name := os.Getenv(env)
	if name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatalf("%s: %v (not with go test -cpuprofile)", env, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	}
}

// processCPU is the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAgentNote8Agents: 8 agents at once add internal notes through
// the JSON API, each to a ticket of their own, and the latency of each
// note is reported (the target: p50 ≤ 15 ms, p95 ≤ 50 ms):
//
//	go test -run '^$' -bench AgentNote -benchtime 400x .
func BenchmarkAgentNote8Agents(b *testing.B) {
	s := benchStack(b)
	numbers := agentTickets(b, s, "Notes")
	c := &http.Client{Timeout: 30 * time.Second}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for agent := range 8 {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/tickets/"+numbers[agent]+"/notes",
					bytes.NewReader([]byte(`{"kind":"internal note","body":"Checked again."}`)))
				req.Header.Set("Authorization", "Bearer "+s.token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("note: %s", resp.Status)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/time.Since(began).Seconds(), "notes/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}

// agentTickets opens a ticket for each of 8 agents to work on.
func agentTickets(b *testing.B, s *testStack, title string) []string {
	b.Helper()
	f := s.fixture
	numbers := make([]string, 8)
	for i := range numbers {
		v, err := s.desk.CreateTicket(b.Context(), desk.AgentPrincipal(f.Agent), desk.CreateTicketRequest{CustomerLogin: f.Customer.Login,
			Title: title, Body: "Text.", ServiceID: f.Service.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
		if err != nil {
			b.Fatal(err)
		}
		numbers[i] = v.Number
	}
	return numbers
}

// BenchmarkAgentActions: 8 agents at work at once, each on a ticket of
// their own, in turn adding an internal note, replying to the customer and
// setting the ticket pending (the three actions), through the JSON
// API; the latency of each action is reported, per kind and over all.
// Agents think between two actions, a random time around
// KIZDESK_BENCH_THINK (default 1s: far busier than a service desk's
// agents, who act every half minute at most); KIZDESK_BENCH_THINK=0 sends
// flat out, which measures throughput rather than what an agent waits:
// with 8 requests always in flight each one waits for the others' CPU.
//
//	go test -run '^$' -bench AgentActions -benchtime 240x .
//	KIZDESK_BENCH_THINK=0 go test -run '^$' -bench AgentActions -benchtime 400x .
func BenchmarkAgentActions(b *testing.B) {
	think := time.Second
	if v := os.Getenv("KIZDESK_BENCH_THINK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("KIZDESK_BENCH_THINK: %v", err)
		}
		think = d
	}
	s := benchStack(b)
	numbers := agentTickets(b, s, "Actions")
	kinds := []string{"note", "reply", "pending"}
	body := func(kind string, i int64) (string, string) {
		switch kind {
		case "note":
			return "notes", `{"kind":"internal note","body":"Checked again."}`
		case "reply":
			return "replies", `{"subject":"Your request","body":"We are on it."}`
		default:
			until := time.Now().Add(24*time.Hour + time.Duration(i)*time.Minute).UTC().Format(time.RFC3339)
			return "pending", `{"state":"pending reminder","until":"` + until + `","note":"Waiting for the customer."}`
		}
	}
	c := &http.Client{Timeout: 30 * time.Second}
	var next atomic.Int64
	var mu sync.Mutex
	lat := map[string][]time.Duration{}
	var wg sync.WaitGroup
	pause := func(r *rand.Rand) {
		if think > 0 {
			time.Sleep(think/2 + time.Duration(r.Int64N(int64(think))))
		}
	}
	b.ResetTimer()
	cpu0 := processCPU()
	began := time.Now()
	for agent := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(agent), 1))
			pause(r) // agents do not start in step
			for k := 0; ; k++ {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				kind := kinds[k%len(kinds)]
				path, payload := body(kind, i)
				req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/tickets/"+numbers[agent]+"/"+path, strings.NewReader(payload))
				req.Header.Set("Authorization", "Bearer "+s.token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took := time.Since(t0)
				if resp.StatusCode != http.StatusOK {
					b.Errorf("%s: %s", kind, resp.Status)
					return
				}
				mu.Lock()
				lat[kind] = append(lat[kind], took)
				lat["all"] = append(lat["all"], took)
				mu.Unlock()
				pause(r)
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	cpu := processCPU() - cpu0
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, kind := range append([]string{"all"}, kinds...) {
		l := lat[kind]
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		b.ReportMetric(ms(l[len(l)/2]), kind+"-p50-ms")
		b.ReportMetric(ms(l[len(l)*95/100]), kind+"-p95-ms")
	}
	b.ReportMetric(float64(len(lat["all"]))/took.Seconds(), "actions/s")
	b.ReportMetric(ms(cpu/time.Duration(max(len(lat["all"]), 1))), "cpu-ms/action")
	// Where an action's time goes inside Temporal, from one ticket's
	// history: the workflow task waits to be picked up by the worker
	// (matching, and the history write that starts it), then runs (workflow
	// code, the projection's transaction as a local activity, the history
	// write that completes it and answers the Update).
	wait, run := workflowTaskTimes(b, s, numbers[0])
	b.ReportMetric(ms(wait), "wft-wait-p50-ms")
	b.ReportMetric(ms(run), "wft-run-p50-ms")
}

// workflowTaskTimes returns the median time a ticket's workflow tasks
// waited from scheduled to started, and took from started to completed.
func workflowTaskTimes(b *testing.B, s *testStack, number string) (wait, run time.Duration) {
	b.Helper()
	it := s.client.GetWorkflowHistory(context.Background(), ticket.WorkflowID(number), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var scheduled, started time.Time
	var waits, runs []time.Duration
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		at := e.GetEventTime().AsTime()
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
			scheduled = at
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
			started = at
			waits = append(waits, at.Sub(scheduled))
		case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
			runs = append(runs, at.Sub(started))
		}
	}
	if len(waits) == 0 || len(runs) == 0 {
		b.Fatalf("ticket %s: no workflow tasks in its history", number)
	}
	slices.Sort(waits)
	slices.Sort(runs)
	return waits[len(waits)/2], runs[len(runs)/2]
}

// BenchmarkTimerLateness sets 100 tickets to close themselves at the same
// second and measures how late each close is: in the workflow (the history
// entry's time) and as an agent sees it (first seen in the database, polled
// every 25 ms). One iteration is one round of 100 tickets:
//
//	go test -run '^$' -bench TimerLateness -benchtime 1x .
func BenchmarkTimerLateness(b *testing.B) {
	tickets := 100
	if n, err := strconv.Atoi(os.Getenv("KIZDESK_BENCH_TICKETS")); err == nil && n > 0 {
		tickets = n
	}
	s := benchStack(b)
	ctx := b.Context()
	f := s.fixture
	for range b.N {
		// A queue of the round's own: polling for its closed tickets is an
		// index-only look-up (tickets_tenant_state_queue_service), which
		// keeps the measuring from slowing down what it measures — on
		// SQLite it shares the one connection with the projections.
		queue := models.Queue{TenantID: f.Tenant.ID, Name: "Lateness " + benchRun(), Level: models.LevelFirst}
		if err := s.db.Create(&queue).Error; err != nil {
			b.Fatal(err)
		}
		numbers := make([]string, tickets)
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 8 {
			wg.Go(func() {
				for i := next.Add(1) - 1; i < int64(tickets); i = next.Add(1) - 1 {
					v, err := s.desk.CreateTicket(ctx, desk.AgentPrincipal(f.Agent), desk.CreateTicketRequest{CustomerLogin: f.Customer.Login,
						Title: "Lateness", Body: "Text.", QueueID: queue.ID, TypeID: f.Type.ID, PriorityID: f.Priority.ID})
					if err != nil {
						b.Error(err)
						return
					}
					numbers[i] = v.Number
				}
			})
		}
		wg.Wait()
		// Setting 100 tickets pending takes a few seconds; all fall due at
		// one whole second after that.
		due := time.Now().Add(10*time.Second + time.Duration(tickets)*40*time.Millisecond).Truncate(time.Second).Add(time.Second)
		next.Store(0)
		for range 8 {
			wg.Go(func() {
				for i := next.Add(1) - 1; i < int64(tickets); i = next.Add(1) - 1 {
					_, err := s.desk.SetPending(ctx, desk.AgentPrincipal(f.Agent), numbers[i], desk.PendingRequest{
						State: string(ticket.StatePendingAutoClose), Until: due})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if time.Now().After(due) {
			b.Fatalf("setting the tickets pending took past their due time %s", due)
		}
		seen := map[string]time.Duration{}
		time.Sleep(time.Until(due))
		stopProfile := profileWhile(b, "KIZDESK_BENCH_CLOSE_CPUPROFILE")
		cpu0 := processCPU()
		end := due.Add(60 * time.Second)
		for len(seen) < tickets && time.Now().Before(end) {
			var closed []string
			err := s.db.Model(&models.Ticket{}).Where("tenant_id = ? AND state = ? AND queue_id = ?",
				f.Tenant.ID, string(ticket.StateClosedSuccessful), queue.ID).Pluck("number", &closed).Error
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			for _, n := range closed {
				if _, ok := seen[n]; !ok {
					seen[n] = now.Sub(due)
				}
			}
			time.Sleep(25 * time.Millisecond)
		}
		cpu := processCPU() - cpu0
		stopProfile()
		if len(seen) < tickets {
			b.Fatalf("%d of %d tickets closed within a minute of their due time", len(seen), tickets)
		}
		var inDB, inWorkflow []time.Duration
		for _, n := range numbers {
			inDB = append(inDB, seen[n])
			h := history(b, s, n)
			inWorkflow = append(inWorkflow, h[len(h)-1].CreatedAt.Sub(due))
		}
		slices.Sort(inDB)
		slices.Sort(inWorkflow)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(inWorkflow[tickets/2]), "workflow-p50-ms")
		b.ReportMetric(ms(inWorkflow[tickets-1]), "workflow-max-ms")
		b.ReportMetric(ms(inDB[tickets/2]), "seen-p50-ms")
		b.ReportMetric(ms(inDB[tickets-1]), "seen-max-ms")
		// What bounds the closes: the whole process's CPU per close,
		// against the two cores of the machine.
		b.ReportMetric(ms(cpu/time.Duration(tickets)), "cpu-ms/close")
	}
}

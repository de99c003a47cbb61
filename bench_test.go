package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The benchmarks measure ticket creation through the JSON API on the whole
// stack (embedded Temporal, worker, database, web). They run on
// PostgreSQL when KIZDESK_TEST_DATABASE_URL is set, else on SQLite:
//
//	go test -run '^$' -bench CreateTicket -benchtime 200x .

func benchStack(b *testing.B) *testStack {
	kind := "sqlite"
	if os.Getenv("KIZDESK_TEST_DATABASE_URL") != "" {
		kind = "postgres"
	}
	b.Logf("database: %s", kind)
	return startTestStack(b, kind)
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

func BenchmarkCreateTicketSequential(b *testing.B) {
	s := benchStack(b)
	c := &http.Client{Timeout: 30 * time.Second}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		began := time.Now()
		if err := createViaAPI(s, c, fmt.Sprintf("seq-%d", i)); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(began))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}

func BenchmarkCreateTicket8Clients(b *testing.B) {
	s := benchStack(b)
	c := &http.Client{Timeout: 30 * time.Second}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for range 8 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := createViaAPI(s, c, fmt.Sprintf("par-%d", i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "tickets/s")
}

package mailout

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCapture(t *testing.T) {
	c := NewCapture(3)
	clock := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	c.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	raw := testMail(t)
	for i := range 5 {
		if err := c.Send(context.Background(), "servicedesk@uni-ulm.de", []string{fmt.Sprintf("u%d@uni-ulm.de", i)}, raw); err != nil {
			t.Fatal(err)
		}
	}
	list := c.List()
	if len(list) != 3 {
		t.Fatalf("%d kept, want the last 3", len(list))
	}
	for i, want := range []string{"u4@uni-ulm.de", "u3@uni-ulm.de", "u2@uni-ulm.de"} {
		if list[i].To[0] != want {
			t.Errorf("List[%d] to %q, want %q (newest first)", i, list[i].To[0], want)
		}
	}
	if !list[0].Time.After(list[1].Time) || list[0].MessageID != "2026113010000052.a4711@kizdesk.uni-ulm.de" || string(list[0].Raw) != string(raw) {
		t.Errorf("entry %+v", list[0])
	}
	// What List hands out is a copy.
	list[0].Raw[0] = 'X'
	if c.List()[0].Raw[0] == 'X' {
		t.Error("List shares the stored message")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Send(ctx, "a@b", []string{"c@d"}, raw); err == nil {
		t.Error("Send with a cancelled context succeeded")
	}
}

func TestCaptureConcurrent(t *testing.T) {
	c := NewCapture(0)
	var zero Capture // the zero value works too
	raw := testMail(t)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 30 {
				to := []string{fmt.Sprintf("%d-%d@uni-ulm.de", i, j)}
				c.Send(context.Background(), "servicedesk@uni-ulm.de", to, raw)
				zero.Send(context.Background(), "servicedesk@uni-ulm.de", to, raw)
				c.List()
			}
		}()
	}
	wg.Wait()
	if n := len(c.List()); n != DefaultCaptureSize {
		t.Fatalf("%d kept, want %d", n, DefaultCaptureSize)
	}
	seen := map[string]bool{}
	for _, s := range c.List() {
		if seen[s.To[0]] {
			t.Fatalf("%s listed twice", s.To[0])
		}
		seen[s.To[0]] = true
	}
	var _ Sender = c
	var _ Sender = (*SMTPSender)(nil)
}

package mailout

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-message/textproto"
)

// DefaultCaptureSize is how many messages a Capture keeps.
const DefaultCaptureSize = 1000

// Sent is one message a Capture took.
type Sent struct {
	Time      time.Time
	From      string
	To        []string
	Raw       []byte
	MessageID string // without angle brackets; empty when the mail has none
}

// Capture is a Sender that keeps messages in memory instead of sending
// them, for `kizdesk dev` (its Outbox page) and tests. It keeps the newest
// messages only, so a dev instance running for weeks does not grow.
type Capture struct {
	// Now stamps the messages; time.Now when nil.
	Now func() time.Time

	mu   sync.Mutex
	max  int
	ring []Sent
	next int // index the next message goes to once the ring is full
}

// NewCapture keeps the last max messages (DefaultCaptureSize when max <= 0).
func NewCapture(max int) *Capture {
	if max <= 0 {
		max = DefaultCaptureSize
	}
	return &Capture{max: max}
}

// Send keeps a copy of the message.
func (c *Capture) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	s := Sent{
		Time:      now(),
		From:      from,
		To:        append([]string(nil), to...),
		Raw:       append([]byte(nil), raw...),
		MessageID: headerMessageID(raw),
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max == 0 {
		c.max = DefaultCaptureSize
	}
	if len(c.ring) < c.max {
		c.ring = append(c.ring, s)
		return nil
	}
	c.ring[c.next] = s
	c.next = (c.next + 1) % c.max
	return nil
}

// List returns the kept messages, newest first. The caller may modify the
// result.
func (c *Capture) List() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Sent, 0, len(c.ring))
	n := len(c.ring)
	for i := 0; i < n; i++ {
		// The newest is just before next (or the last appended).
		s := c.ring[(c.next-1-i+2*n)%n]
		s.To = append([]string(nil), s.To...)
		s.Raw = append([]byte(nil), s.Raw...)
		out = append(out, s)
	}
	return out
}

func headerMessageID(raw []byte) string {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil && h.Len() == 0 {
		return ""
	}
	id := strings.TrimSpace(h.Get("Message-Id"))
	return strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
}

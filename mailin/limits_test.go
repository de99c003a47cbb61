package mailin

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func wantQuarantine(t *testing.T, raw []byte, opts Options, reason string) {
	t.Helper()
	m, err := Parse(raw, opts)
	var q *QuarantineError
	if !errors.As(err, &q) {
		t.Fatalf("err = %v (message %d bytes, %d attachments), want quarantine %q", err, m.Size, len(m.Attachments), reason)
	}
	if !strings.Contains(q.Reason, reason) {
		t.Fatalf("reason %q, want it to contain %q", q.Reason, reason)
	}
}

const genHeader = "From: a@uni-ulm.de\r\nTo: servicedesk@uni-ulm.de\r\nSubject: generated\r\nMIME-Version: 1.0\r\n"

func TestOverMaxSize(t *testing.T) {
	body := strings.Repeat("x", 1<<20)
	raw := []byte(genHeader + "Content-Type: text/plain\r\n\r\n" + body)
	wantQuarantine(t, raw, Options{MaxSize: 1 << 20}, "over the limit of 1048576 bytes")
	if _, err := Parse(raw, Options{MaxSize: 2 << 20}); err != nil {
		t.Fatalf("under the limit: %v", err)
	}
}

func TestDefaultMaxSize(t *testing.T) {
	raw := make([]byte, DefaultMaxSize+1)
	copy(raw, genHeader+"\r\n")
	wantQuarantine(t, raw, Options{}, "over the limit of 26214400 bytes")
}

// partBomb is a flat multipart/mixed with n text parts.
func partBomb(n int) []byte {
	var b strings.Builder
	b.WriteString(genHeader + "Content-Type: multipart/mixed; boundary=B\r\n\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--B\r\nContent-Type: application/octet-stream\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--B--\r\n")
	return []byte(b.String())
}

func TestPartBomb(t *testing.T) {
	// The root counts as a part: 99 children make 100.
	m, err := Parse(partBomb(MaxParts-1), testOptions)
	if err != nil || len(m.Attachments) != MaxParts-1 {
		t.Fatalf("at the limit: %d attachments, %v", len(m.Attachments), err)
	}
	wantQuarantine(t, partBomb(MaxParts), testOptions, "more than 100 MIME parts")
	wantQuarantine(t, partBomb(100000), testOptions, "more than 100 MIME parts")
}

// nested wraps a text part in depth multipart/mixed levels.
func nested(depth int) []byte {
	var b strings.Builder
	b.WriteString(genHeader)
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=L%d\r\n\r\n--L%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ndeep inside\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--L%d--\r\n", i)
	}
	return []byte(b.String())
}

func TestDeepNesting(t *testing.T) {
	m, err := Parse(nested(MaxDepth), testOptions)
	if err != nil || m.Text != "deep inside" {
		t.Fatalf("at the limit: %q, %v", m.Text, err)
	}
	wantQuarantine(t, nested(MaxDepth+1), testOptions, "nested deeper than 10 levels")
	wantQuarantine(t, nested(5000), testOptions, "nested deeper than 10 levels")
}

// TestDecodedSize: windows-1252 "€" is one byte on the wire and three in
// UTF-8, so a body of them decodes to three times its size.
func TestDecodedSize(t *testing.T) {
	euros := strings.Repeat("\x80", 300<<10)
	raw := []byte(genHeader + "Content-Type: text/plain; charset=windows-1252\r\n\r\n" + euros)
	wantQuarantine(t, raw, Options{MaxSize: 400 << 10}, "decoded parts exceed 819200 bytes")
	m, err := Parse(raw, Options{MaxSize: 1 << 20})
	if err != nil || !strings.HasPrefix(m.Text, "€€€") {
		t.Fatalf("within the limit: %v", err)
	}
}

func TestEmptyAndHeaderless(t *testing.T) {
	wantQuarantine(t, nil, testOptions, "message is empty")
	wantQuarantine(t, []byte("\r\n\r\nbody only"), testOptions, "no header fields")
	wantQuarantine(t, []byte(" folded first line: x\r\n\r\n"), testOptions, "header cannot be read")
}

func TestMboxFromLine(t *testing.T) {
	m, err := Parse([]byte("From a@uni-ulm.de Mon Nov 30 09:15:00 2026\n"+genHeader+"\r\nbody\r\n"), testOptions)
	if err != nil || m.Subject != "generated" || m.Text != "body" {
		t.Fatalf("%+v, %v", m, err)
	}
}

// TestHostileHeaders: header values of megabytes, built so that anything
// quadratic in their length takes minutes, must be read in about linear
// time (the whole run takes about a second).
func TestHostileHeaders(t *testing.T) {
	const n = 1 << 20
	for name, header := range map[string]string{
		"commas in To":             "To: " + strings.Repeat(",", n),
		"name without address":     "To: " + strings.Repeat("a ", n),
		"addresses without commas": "To: " + strings.Repeat("a@b ", n/4),
		"open angles":              "References: " + strings.Repeat("<", n),
		"reply prefixes":           "Subject: " + strings.Repeat("AW: ", n/4),
		"tag candidates":           "Subject: " + strings.Repeat("xTicket#1", n/9),
		"encoded words":            "Subject: " + strings.Repeat("=?utf-8?q?=C3=A4?= ", n/20),
		"sender":                   "Sender: " + strings.Repeat(";", n),
		"filename segments":        "Content-Type: application/pdf\r\nContent-Disposition: attachment" + strings.Repeat("; filename*1*=%41", n/20),
	} {
		t.Run(name, func(t *testing.T) {
			raw := []byte("From: a@uni-ulm.de\r\n" + header + "\r\n\r\nbody\r\n")
			start := time.Now()
			m, err := Parse(raw, testOptions)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if err != nil {
				t.Logf("quarantined: %v", err)
			}
			_ = CleanSubject(m.Subject, "")
		})
	}
}

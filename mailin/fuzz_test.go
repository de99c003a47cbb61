package mailin

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParse runs over the corpus with plain `go test`. To fuzz:
//
//	go test -run '^$' -fuzz=FuzzParse -fuzztime=60s -fuzzminimizetime=2s ./mailin/
//
// The short minimize time matters: with the default minute, a worker spends
// most of a short run minimizing each new input and executes nothing.
func FuzzParse(f *testing.F) {
	for _, file := range corpusFiles(f) {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add(partBomb(5))
	f.Add(nested(4))
	opts := testOptions
	opts.MaxSize = 1 << 20 // keeps the decoded-size limit reachable
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, opts)
		if err != nil {
			var q *QuarantineError
			if !errors.As(err, &q) {
				t.Fatalf("error is not a QuarantineError: %v", err)
			}
			if strings.Contains(q.Reason, internalErrorReason) {
				t.Fatalf("Parse panicked: %s", q.Reason)
			}
			return
		}
		checkClean(t, "Text", m.Text)
		if strings.ContainsRune(m.Text, '\r') {
			t.Fatalf("Text has CR: %q", m.Text)
		}
		checkClean(t, "Subject", m.Subject)
		checkClean(t, "From.Name", m.From.Name)
		checkClean(t, "MessageID", m.MessageID)
		for _, id := range m.References {
			checkClean(t, "References", id)
		}
		if m.HTML != nil && !utf8.Valid(m.HTML) {
			t.Fatalf("HTML is not UTF-8")
		}
		for _, a := range m.Attachments {
			if !sanitised(a.Filename) {
				t.Fatalf("attachment name not sanitised: %q", a.Filename)
			}
			if a.SHA256 == "" || a.Data == nil || a.ContentType == "" {
				t.Fatalf("attachment incomplete: %+v", a)
			}
		}
		if len(m.Attachments) > MaxParts {
			t.Fatalf("%d attachments", len(m.Attachments))
		}
		if n := m.TicketNumber; n != "" && (len(n) != TicketNumberLen || strings.Trim(n, "0123456789") != "") {
			t.Fatalf("ticket number %q", n)
		}
	})
}

func checkClean(t *testing.T, field, s string) {
	t.Helper()
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		t.Fatalf("%s is not UTF-8 without NUL: %q", field, s)
	}
}

// sanitised is what the gateway relies on when it stores a file name.
func sanitised(name string) bool {
	if name == "" || name == "." || name == ".." || len(name) > maxFilenameBytes || !utf8.ValidString(name) {
		return false
	}
	if strings.ContainsAny(name, `/\<>:"|?*`) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, " ") {
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

func TestSanitizeFilename(t *testing.T) {
	long := strings.Repeat("ä", 150) + ".pdf"
	for _, c := range []struct{ in, want string }{
		{"Prüfung.pdf", "Prüfung.pdf"},
		{"Pru\u0308fung.pdf", "Prüfung.pdf"}, // macOS NFD
		{"../../etc/passwd", "passwd"},
		{`C:\Users\anna\Desktop\Antrag.docx`, "Antrag.docx"},
		{"rechnung\u202efdp.exe", "rechnungfdp.exe"},
		{"a\x00b\r\nc.txt", "abc.txt"},
		{`what?"*<>|:.txt`, "what_______.txt"},
		{"  .hidden  ", "hidden"},
		{"..", ""},
		{"CON.pdf", "_CON.pdf"},
		{"nul", "_nul"},
		{"Lpt1.tar.gz", "_Lpt1.tar.gz"},
		{"CONTRACT.pdf", "CONTRACT.pdf"},
		{"CON." + strings.Repeat("x", 300), "_CON." + strings.Repeat("x", 195)},
		{"", ""},
		{long, strings.Repeat("ä", 98) + ".pdf"},
	} {
		got := sanitizeFilename(c.in)
		if got != c.want {
			t.Errorf("sanitizeFilename(%q) = %q, want %q", c.in, got, c.want)
		}
		if got != "" && !sanitised(got) {
			t.Errorf("sanitizeFilename(%q) = %q is not sanitised", c.in, got)
		}
	}
}

func FuzzTicketNumber(f *testing.F) {
	for _, s := range []string{
		"AW: [Ticket#2026113010000052] Drucker", "[Ticket# 2026113010000052]", "ticket#:2026113010000052",
		"Rechnung 2026113010000052", "RE: WG: Fwd: Antwort: x", "[Ticket#20261130100000521]", "Ticket#\u00e4",
	} {
		f.Add(s, "Ticket#")
	}
	f.Add("[KIZ-2026113010000052]", "KIZ-")
	f.Add("[ZZZ2026113010000052]", strings.Repeat("Z", 1000)) // once slowed the fuzzer to a crawl
	f.Fuzz(func(t *testing.T, subject, prefix string) {
		n := TicketNumberFromSubject(subject, prefix)
		if n != "" {
			if len(n) != TicketNumberLen || strings.Trim(n, "0123456789") != "" {
				t.Fatalf("TicketNumberFromSubject(%q, %q) = %q", subject, prefix, n)
			}
			if !strings.Contains(subject, n) {
				t.Fatalf("number %q not in subject %q", n, subject)
			}
		}
		// A tag the desk writes is always found again, whatever the rest of
		// the subject and whatever the prefix (digits aside, which would
		// run into the number).
		if p := tagPrefix(prefix); len(p) <= MaxTagPrefixLen && utf8.ValidString(p) && !strings.ContainsAny(p, "0123456789") {
			const num = "2026113010000052"
			if got := TicketNumberFromSubject("AW: "+SubjectTag(p, num)+" "+subject, p); got != num {
				t.Fatalf("own tag with prefix %q not found in %q: %q", p, subject, got)
			}
		}
		c := CleanSubject(subject, prefix)
		if utf8.ValidString(subject) && !utf8.ValidString(c) {
			t.Fatalf("CleanSubject(%q) = %q is not UTF-8", subject, c)
		}
	})
}

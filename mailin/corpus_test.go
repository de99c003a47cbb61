package mailin

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// testOptions are the desk's settings the corpus is written for.
var testOptions = Options{
	OwnAddresses: []string{"servicedesk@uni-ulm.de", "helpdesk@kiz.uni-ulm.de"},
	LoopHeader:   "kizdesk@kiz.uni-ulm.de",
}

// want is a corpus expectation. Fields that are left out are not checked,
// except ticket, auto and problems: a mail must not grow a ticket number,
// an auto kind or a problem unnoticed.
type want struct {
	Subject      *string   `json:"subject"`
	CleanSubject *string   `json:"clean_subject"`
	From         *Address  `json:"from"`
	To           []string  `json:"to"`
	ToNames      []string  `json:"to_names"`
	Cc           []string  `json:"cc"`
	CcNames      []string  `json:"cc_names"`
	ReplyTo      []string  `json:"reply_to"`
	ReplyToNames []string  `json:"reply_to_names"`
	MessageID    *string   `json:"message_id"`
	InReplyTo    *string   `json:"in_reply_to"`
	References   []string  `json:"references"`
	Date         *string   `json:"date"`
	Text         *string   `json:"text"`
	TextContains []string  `json:"text_contains"`
	TextNot      []string  `json:"text_not_contains"`
	HTML         *bool     `json:"html"`
	Attachments  *[]wantAt `json:"attachments"`
	AttNames     []string  `json:"attachment_names"`
	Ticket       string    `json:"ticket"`
	Auto         AutoKind  `json:"auto"`
	Bounce       *struct {
		OriginalMessageID string            `json:"original_message_id"`
		ReportingMTA      string            `json:"reporting_mta"`
		Recipients        []BounceRecipient `json:"recipients"`
		Failed            int               `json:"failed"`
	} `json:"bounce"`
	Quarantine string   `json:"quarantine"`
	Problems   []string `json:"problems_contains"`
}

type wantAt struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Inline      bool   `json:"inline"`
	ContentID   string `json:"content_id"`
	Undecoded   bool   `json:"undecoded"`
}

func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("corpus has %d mails, want at least 30", len(files))
	}
	return files
}

func TestCorpus(t *testing.T) {
	for _, file := range corpusFiles(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wj, err := os.ReadFile(strings.TrimSuffix(file, ".eml") + ".want.json")
			if err != nil {
				t.Fatalf("no expectation: %v", err)
			}
			var w want
			dec := json.NewDecoder(strings.NewReader(string(wj)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&w); err != nil {
				t.Fatalf("expectation: %v", err)
			}
			m, err := Parse(raw, testOptions)
			checkMessage(t, m, err, w)
		})
	}
}

func checkMessage(t *testing.T, m Message, err error, w want) {
	t.Helper()
	if w.Quarantine != "" {
		var q *QuarantineError
		if !errors.As(err, &q) {
			t.Fatalf("err = %v, want quarantine %q", err, w.Quarantine)
		}
		if !strings.Contains(q.Reason, w.Quarantine) {
			t.Errorf("quarantine reason %q, want it to contain %q", q.Reason, w.Quarantine)
		}
		return
	}
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	eq := func(field string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", field, got, want)
		}
	}
	if w.Subject != nil {
		eq("Subject", m.Subject, *w.Subject)
	}
	if w.CleanSubject != nil {
		eq("CleanSubject", CleanSubject(m.Subject, testOptions.TagPrefix), *w.CleanSubject)
	}
	if w.From != nil {
		eq("From", m.From, *w.From)
	}
	emails := func(as []Address) (e, n []string) {
		for _, a := range as {
			e = append(e, a.Email)
			n = append(n, a.Name)
		}
		return
	}
	for _, c := range []struct {
		field        string
		got          []Address
		emails, name []string
	}{{"To", m.To, w.To, w.ToNames}, {"Cc", m.Cc, w.Cc, w.CcNames}, {"ReplyTo", m.ReplyTo, w.ReplyTo, w.ReplyToNames}} {
		e, n := emails(c.got)
		if c.emails != nil {
			eq(c.field, e, c.emails)
		}
		if c.name != nil {
			eq(c.field+" names", n, c.name)
		}
	}
	if w.MessageID != nil {
		eq("MessageID", m.MessageID, *w.MessageID)
	}
	if w.InReplyTo != nil {
		eq("InReplyTo", m.InReplyTo, *w.InReplyTo)
	}
	if w.References != nil {
		eq("References", m.References, w.References)
	}
	if w.Date != nil {
		got := ""
		if !m.Date.IsZero() {
			got = m.Date.Format(time.RFC3339)
		}
		eq("Date", got, *w.Date)
	}
	if w.Text != nil {
		eq("Text", m.Text, *w.Text)
	}
	for _, s := range w.TextContains {
		if !strings.Contains(m.Text, s) {
			t.Errorf("Text does not contain %q:\n%s", s, m.Text)
		}
	}
	for _, s := range w.TextNot {
		if strings.Contains(m.Text, s) {
			t.Errorf("Text contains %q:\n%s", s, m.Text)
		}
	}
	if !utf8.ValidString(m.Text) || strings.ContainsRune(m.Text, 0) || strings.ContainsRune(m.Text, '\r') {
		t.Errorf("Text is not clean UTF-8 with \\n line ends: %q", m.Text)
	}
	if w.HTML != nil {
		eq("has HTML", m.HTML != nil, *w.HTML)
	}
	if w.Attachments != nil {
		var got []wantAt
		for _, a := range m.Attachments {
			got = append(got, wantAt{a.Filename, a.ContentType, a.SHA256, a.Inline, a.ContentID, a.Undecoded})
		}
		if len(got) != len(*w.Attachments) || len(got) > 0 {
			eq("Attachments", got, *w.Attachments)
		}
	}
	if w.AttNames != nil {
		var got []string
		for _, a := range m.Attachments {
			got = append(got, a.Filename)
		}
		eq("attachment names", got, w.AttNames)
	}
	eq("TicketNumber", m.TicketNumber, w.Ticket)
	eq("Auto", m.Auto, w.Auto)
	if w.Bounce == nil {
		if m.Bounce != nil {
			t.Errorf("Bounce = %+v, want none", *m.Bounce)
		}
	} else if m.Bounce == nil {
		t.Errorf("no Bounce, want %+v", *w.Bounce)
	} else {
		eq("Bounce.OriginalMessageID", m.Bounce.OriginalMessageID, w.Bounce.OriginalMessageID)
		eq("Bounce.ReportingMTA", m.Bounce.ReportingMTA, w.Bounce.ReportingMTA)
		eq("Bounce.Recipients", m.Bounce.Recipients, w.Bounce.Recipients)
		eq("len(Bounce.Failed())", len(m.Bounce.Failed()), w.Bounce.Failed)
	}
	if len(w.Problems) == 0 && len(m.Problems) > 0 {
		t.Errorf("Problems = %q, want none", m.Problems)
	}
	for _, p := range w.Problems {
		found := false
		for _, got := range m.Problems {
			found = found || strings.Contains(got, p)
		}
		if !found {
			t.Errorf("Problems = %q, want one containing %q", m.Problems, p)
		}
	}
	if m.Size <= 0 {
		t.Errorf("Size = %d", m.Size)
	}
}

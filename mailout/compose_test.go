package mailout

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kiz-ulm/kizdesk/mailin"
)

var deskOptions = mailin.Options{
	OwnAddresses: []string{"servicedesk@uni-ulm.de"},
	LoopHeader:   "kizdesk@kiz.uni-ulm.de",
}

func reply() Outgoing {
	return Outgoing{
		From:            Address{Name: "kiz Servicedesk", Email: "servicedesk@uni-ulm.de"},
		To:              []Address{{Name: "Jürgen Müller", Email: "juergen.mueller@uni-ulm.de"}},
		Cc:              []Address{{Name: "Bärbel Öztürk-Weiß", Email: "baerbel@example.org"}},
		Subject:         "AW: Drucker im Raum O27/ß druckt nicht",
		TicketNumber:    "2026113010000052",
		Text:            "Hallo Herr Müller,\n\nder Drucker läuft wieder. Grüße\nIhr kiz\n",
		InReplyTo:       "<cust-2@mail.example.org>",
		References:      []string{"<cust-1@mail.example.org>", "cust-2@mail.example.org"},
		MessageIDDomain: "kizdesk.uni-ulm.de",
		ArticleKey:      "a4711",
		Date:            time.Date(2026, 11, 30, 14, 5, 0, 0, time.FixedZone("CET", 3600)),
		XLoop:           "kizdesk@kiz.uni-ulm.de",
	}
}

func parse(t *testing.T, raw []byte) mailin.Message {
	t.Helper()
	m, err := mailin.Parse(raw, deskOptions)
	if err != nil {
		t.Fatalf("mailin.Parse: %v\n%s", err, raw)
	}
	return m
}

func TestComposeRoundTrip(t *testing.T) {
	raw, id, err := Compose(reply())
	if err != nil {
		t.Fatal(err)
	}
	if id != "2026113010000052.a4711@kizdesk.uni-ulm.de" {
		t.Errorf("Message-ID %q", id)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d bytes", len(line))
		}
		for _, c := range []byte(line) {
			if c >= 0x80 {
				t.Fatalf("8-bit byte in %q", line)
			}
		}
	}
	m := parse(t, raw)
	if m.Subject != "[Ticket#2026113010000052] AW: Drucker im Raum O27/ß druckt nicht" {
		t.Errorf("Subject %q", m.Subject)
	}
	if m.TicketNumber != "2026113010000052" {
		t.Errorf("TicketNumber %q", m.TicketNumber)
	}
	if m.From != (Address{Name: "kiz Servicedesk", Email: "servicedesk@uni-ulm.de"}) {
		t.Errorf("From %+v", m.From)
	}
	if len(m.To) != 1 || m.To[0].Name != "Jürgen Müller" || m.To[0].Email != "juergen.mueller@uni-ulm.de" {
		t.Errorf("To %+v", m.To)
	}
	if len(m.Cc) != 1 || m.Cc[0].Name != "Bärbel Öztürk-Weiß" {
		t.Errorf("Cc %+v", m.Cc)
	}
	if m.MessageID != id || m.InReplyTo != "cust-2@mail.example.org" {
		t.Errorf("MessageID %q InReplyTo %q", m.MessageID, m.InReplyTo)
	}
	if want := []string{"cust-1@mail.example.org", "cust-2@mail.example.org"}; fmt.Sprint(m.References) != fmt.Sprint(want) {
		t.Errorf("References %q, want %q", m.References, want)
	}
	if m.Text != "Hallo Herr Müller,\n\nder Drucker läuft wieder. Grüße\nIhr kiz" {
		t.Errorf("Text %q", m.Text)
	}
	if !m.Date.Equal(reply().Date) {
		t.Errorf("Date %v", m.Date)
	}
	if !bytes.Contains(raw, []byte("Content-Transfer-Encoding: quoted-printable")) {
		t.Errorf("umlaut text not quoted-printable:\n%s", raw)
	}
	// Our own reply arriving at our own desk (a customer's auto-forward)
	// must not be answered.
	if m.Auto == mailin.AutoNone {
		t.Errorf("own mail not recognised as automatic")
	}
}

func TestComposeASCIIText7bit(t *testing.T) {
	o := reply()
	o.Text = "Hello,\r\nsolved.\r\n"
	raw, _, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("Content-Transfer-Encoding: 7bit")) || !bytes.Contains(raw, []byte("\r\n\r\nHello,\r\nsolved.\r\n")) {
		t.Errorf("plain ASCII not sent as 7bit:\n%s", raw)
	}
}

func TestSubjectTagNotDoubled(t *testing.T) {
	o := reply()
	o.Subject = "Re: [Ticket#2026113010000052] WLAN"
	raw, _, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	if m := parse(t, raw); m.Subject != "Re: [Ticket#2026113010000052] WLAN" {
		t.Errorf("Subject %q", m.Subject)
	}
	// Another ticket's tag in the subject: ours goes first, so replies
	// find this ticket.
	o.Subject = "Wie [Ticket#2026112910000011]"
	raw, _, _ = Compose(o)
	if m := parse(t, raw); m.TicketNumber != "2026113010000052" {
		t.Errorf("TicketNumber %q from %q", m.TicketNumber, m.Subject)
	}
	o.TagPrefix = "KIZ#"
	o.Subject = "Test"
	raw, _, _ = Compose(o)
	if m, _ := mailin.Parse(raw, mailin.Options{TagPrefix: "KIZ#"}); m.Subject != "[KIZ#2026113010000052] Test" || m.TicketNumber != "2026113010000052" {
		t.Errorf("custom prefix: %q %q", m.Subject, m.TicketNumber)
	}
}

func TestMessageIDStable(t *testing.T) {
	a, ida, err := Compose(reply())
	if err != nil {
		t.Fatal(err)
	}
	o := reply()
	o.Attachments = []Attachment{{Filename: "x.txt", Data: []byte("x")}}
	b1, idb, _ := Compose(o)
	b2, _, _ := Compose(o)
	if ida != idb {
		t.Errorf("Message-ID changed: %q vs %q", ida, idb)
	}
	if !bytes.Equal(b1, b2) {
		t.Errorf("Compose is not deterministic")
	}
	o.ArticleKey = "a4712"
	_, idc, _ := Compose(o)
	if idc == ida {
		t.Errorf("different articles share a Message-ID")
	}
	if !bytes.Equal(a, mustCompose(t, reply())) {
		t.Errorf("same article, different bytes")
	}
}

func mustCompose(t *testing.T, o Outgoing) []byte {
	t.Helper()
	raw, _, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestReferencesBounded(t *testing.T) {
	o := reply()
	o.References = nil
	for i := range 30 {
		o.References = append(o.References, fmt.Sprintf("<r%d@example.org>", i))
	}
	o.InReplyTo = "<r30@example.org>"
	m := parse(t, mustCompose(t, o))
	if len(m.References) != MaxReferences {
		t.Fatalf("%d references", len(m.References))
	}
	if m.References[0] != "r0@example.org" || m.References[MaxReferences-1] != "r30@example.org" || m.References[1] != "r12@example.org" {
		t.Errorf("References %q", m.References)
	}
	// A hostile ID from a customer's mail must not inject a header.
	o.References = []string{"<ok@example.org>", "<bad\r\nBcc: x@example.org>"}
	o.InReplyTo = "x y@z"
	raw := mustCompose(t, o)
	if bytes.Contains(raw, []byte("Bcc:")) || bytes.Contains(raw, []byte("In-Reply-To")) {
		t.Errorf("hostile IDs written:\n%s", raw)
	}
}

func TestAutoResponseHeaders(t *testing.T) {
	o := reply()
	o.AutoSubmitted = "auto-replied"
	o.Subject = "Ihre Anfrage ist eingegangen"
	raw := mustCompose(t, o)
	for _, h := range []string{"Auto-Submitted: auto-replied\r\n", "X-Loop: kizdesk@kiz.uni-ulm.de\r\n", "X-Auto-Response-Suppress: All\r\n"} {
		if !bytes.Contains(raw, []byte(h)) {
			t.Errorf("missing %q", h)
		}
	}
	if bytes.Contains(raw, []byte("Precedence")) {
		t.Errorf("Precedence written")
	}
	// Another kizdesk (different own addresses, same kind of check) sees
	// an automatic mail and does not acknowledge it.
	other, err := mailin.Parse(raw, mailin.Options{OwnAddresses: []string{"helpdesk@other.example"}, LoopHeader: "kizdesk@other.example"})
	if err != nil {
		t.Fatal(err)
	}
	if other.Auto != mailin.AutoSubmitted {
		t.Errorf("other desk: Auto = %q, want %q", other.Auto, mailin.AutoSubmitted)
	}
	// Our own acknowledgement coming back is a loop.
	own, _ := mailin.Parse(raw, mailin.Options{LoopHeader: "kizdesk@kiz.uni-ulm.de"})
	if own.Auto != mailin.AutoLoop {
		t.Errorf("own desk: Auto = %q, want %q", own.Auto, mailin.AutoLoop)
	}
	// An agent's reply is not marked automatic for other desks.
	o.AutoSubmitted = ""
	m, _ := mailin.Parse(mustCompose(t, o), mailin.Options{})
	if m.Auto != mailin.AutoNone {
		t.Errorf("agent reply: Auto = %q", m.Auto)
	}
}

func TestAttachments(t *testing.T) {
	o := reply()
	long := strings.Repeat("Überweisungsträger ", 5) + "März.pdf" // needs RFC 2231 continuations
	huge := strings.Repeat("ä", 300) + ".pdf"
	o.Attachments = []Attachment{
		{Filename: "Prüfungsanmeldung Größe.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 äöü\x00\xff")},
		{Filename: "plain.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("Grüße\n")},
		{Filename: long, Data: bytes.Repeat([]byte{1, 2, 3}, 1000)},
		{Filename: "../../etc/passwd", Data: []byte("x")},
		{Filename: huge, Data: []byte("y")},
	}
	raw := mustCompose(t, o)
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line of %d bytes", len(line))
		}
	}
	if !bytes.Contains(raw, []byte("filename*=utf-8''Pr%C3%BCfungsanmeldung")) {
		t.Errorf("umlaut filename not RFC 2231:\n%s", raw)
	}
	m := parse(t, raw)
	if m.Text != "Hallo Herr Müller,\n\nder Drucker läuft wieder. Grüße\nIhr kiz" {
		t.Errorf("Text %q", m.Text)
	}
	if !bytes.Contains(raw, []byte("filename*1*=")) {
		t.Errorf("long name without continuations:\n%s", raw)
	}
	if len(m.Attachments) != 5 {
		t.Fatalf("%d attachments: %+v", len(m.Attachments), m.Attachments)
	}
	for i, want := range []struct {
		name, ct string
		data     []byte
	}{
		{"Prüfungsanmeldung Größe.pdf", "application/pdf", o.Attachments[0].Data},
		{"plain.txt", "text/plain; charset=utf-8", o.Attachments[1].Data},
		{long, "application/octet-stream", o.Attachments[2].Data},
		{"_.._etc_passwd", "application/octet-stream", o.Attachments[3].Data},
		{strings.Repeat("ä", 98) + ".pdf", "application/octet-stream", o.Attachments[4].Data},
	} {
		a := m.Attachments[i]
		if a.Filename != want.name || !strings.HasPrefix(a.ContentType, want.ct) || !bytes.Equal(a.Data, want.data) {
			t.Errorf("attachment %d: %q %q %d bytes, want %q %q %d bytes", i, a.Filename, a.ContentType, len(a.Data), want.name, want.ct, len(want.data))
		}
	}
}

func TestComposeRefusesBadInput(t *testing.T) {
	for name, mod := range map[string]func(*Outgoing){
		"no date":           func(o *Outgoing) { o.Date = time.Time{} },
		"no key":            func(o *Outgoing) { o.ArticleKey = "" },
		"key with space":    func(o *Outgoing) { o.ArticleKey = "a b" },
		"no domain":         func(o *Outgoing) { o.MessageIDDomain = "" },
		"no recipients":     func(o *Outgoing) { o.To, o.Cc = nil, nil },
		"bad address":       func(o *Outgoing) { o.To = []Address{{Email: "x@y\r\nBcc: z@w"}} },
		"bad from":          func(o *Outgoing) { o.From = Address{Email: "nobody"} },
		"bad content type":  func(o *Outgoing) { o.Attachments = []Attachment{{Filename: "a", ContentType: "not a type;;"}} },
		"ticket with space": func(o *Outgoing) { o.TicketNumber = "1 2" },
	} {
		o := reply()
		mod(&o)
		if _, _, err := Compose(o); !errors.Is(err, ErrInvalid) || IsTemporary(err) {
			t.Errorf("%s: err = %v, want a permanent ErrInvalid", name, err)
		}
	}
}

func TestHeaderInjection(t *testing.T) {
	o := reply()
	o.Subject = "Hallo\r\nBcc: evil@example.org"
	o.To[0].Name = "Evil\r\nBcc: evil@example.org"
	o.XLoop = "x\r\nBcc: evil@example.org"
	raw := mustCompose(t, o)
	if bytes.Contains(raw, []byte("\r\nBcc:")) {
		t.Fatalf("header injected:\n%s", raw)
	}
}

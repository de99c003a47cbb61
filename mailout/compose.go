package mailout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	netmail "net/mail"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/kiz-ulm/kizdesk/mailin"
)

// Address is the same type mailin reads, so a reply goes to the address a
// customer's mail came from without conversion.
type Address = mailin.Address

// Attachment is a file sent with an article.
type Attachment struct {
	Filename    string // may contain any Unicode; sent per RFC 2231
	ContentType string // application/octet-stream when empty
	Data        []byte
}

// Outgoing is one article to be sent.
type Outgoing struct {
	From   Address
	To, Cc []Address

	// Subject as the agent wrote it; Compose adds the ticket tag unless the
	// subject already carries it.
	Subject      string
	TicketNumber string // empty for mail that belongs to no ticket
	TagPrefix    string // mailin's default when empty

	Text        string // UTF-8 plain text
	Attachments []Attachment

	// InReplyTo is the customer's last Message-ID, References that mail's
	// References; both without or with angle brackets.
	InReplyTo  string
	References []string

	// MessageIDDomain and ArticleKey make the Message-ID. ArticleKey must
	// be stable for the article (e.g. its database ID) so that a resend
	// keeps the Message-ID.
	MessageIDDomain string
	ArticleKey      string

	Date time.Time // the article's time; required, so a resend is identical

	// AutoSubmitted is "auto-replied" for acknowledgements and other
	// automatic answers (RFC 3834); empty for mail an agent wrote.
	AutoSubmitted string
	// XLoop is the desk's loop value (mailin.Options.LoopHeader); set it on
	// every mail so the desk recognises its own mail coming back.
	XLoop string
}

// MaxReferences bounds the References header: long threads would otherwise
// grow it with every reply until servers refuse the header.
const MaxReferences = 20

// ErrInvalid marks an Outgoing that cannot be composed.
var ErrInvalid = errors.New("mailout: invalid message")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Compose writes the raw message and returns it with its Message-ID
// (without angle brackets). The same Outgoing always gives the same bytes.
func Compose(m Outgoing) ([]byte, string, error) {
	if m.Date.IsZero() {
		return nil, "", invalid("no Date")
	}
	msgID, err := messageID(m.TicketNumber, m.ArticleKey, m.MessageIDDomain)
	if err != nil {
		return nil, "", err
	}
	from, err := addrList([]Address{m.From})
	if err != nil || len(from) != 1 {
		return nil, "", invalid("From: %v", err)
	}
	to, err := addrList(m.To)
	if err != nil {
		return nil, "", invalid("To: %v", err)
	}
	cc, err := addrList(m.Cc)
	if err != nil {
		return nil, "", invalid("Cc: %v", err)
	}
	if len(to)+len(cc) == 0 {
		return nil, "", invalid("no recipients")
	}

	var h mail.Header
	h.SetDate(m.Date)
	h.SetAddressList("From", from)
	h.SetAddressList("To", to)
	h.SetAddressList("Cc", cc)
	h.SetSubject(subject(m.Subject, m.TicketNumber, m.TagPrefix))
	h.SetMessageID(msgID)
	inReplyTo := cleanID(m.InReplyTo)
	if inReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{inReplyTo})
	}
	h.SetMsgIDList("References", references(m.References, inReplyTo))
	if v := mailin.CleanLine(m.AutoSubmitted); v != "" {
		h.Set("Auto-Submitted", v)
		// Exchange answers Auto-Submitted mail with out-of-office notes
		// unless told not to.
		h.Set("X-Auto-Response-Suppress", "All")
	}
	if v := mailin.CleanLine(m.XLoop); v != "" {
		h.Set("X-Loop", v)
	}
	text := crlf(m.Text)
	textEnc := transferEncoding(text)
	// A fixed boundary keeps the output deterministic; "=_" cannot occur in
	// quoted-printable or base64 content, so no part can contain it.
	sum := sha256.Sum256([]byte(msgID))
	boundary := "=_kizdesk_" + hex.EncodeToString(sum[:12])
	h.Set("MIME-Version", "1.0")
	if len(m.Attachments) == 0 {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Content-Transfer-Encoding", textEnc)
	} else {
		h.Set("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary}))
	}
	h = inSetOrder(h)

	var buf bytes.Buffer
	if len(m.Attachments) == 0 {
		w, err := message.CreateWriter(&buf, h.Header)
		if err != nil {
			return nil, "", err
		}
		if err := writeAll(w, text); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), msgID, nil
	}
	mw, err := message.CreateWriter(&buf, h.Header)
	if err != nil {
		return nil, "", err
	}
	var th message.Header
	// Set in reverse: go-message writes the last field set first.
	th.Set("Content-Disposition", "inline")
	th.Set("Content-Transfer-Encoding", textEnc)
	th.Set("Content-Type", "text/plain; charset=utf-8")
	pw, err := mw.CreatePart(th)
	if err != nil {
		return nil, "", err
	}
	if err := writeAll(pw, text); err != nil {
		return nil, "", err
	}
	for i, a := range m.Attachments {
		name := cleanFilename(a.Filename, i)
		ct := "application/octet-stream"
		if a.ContentType != "" {
			t, params, err := mime.ParseMediaType(a.ContentType)
			if err != nil {
				return nil, "", invalid("attachment %q: content type %q: %v", name, a.ContentType, err)
			}
			delete(params, "name")
			ct = mime.FormatMediaType(t, params)
			if ct == "" {
				return nil, "", invalid("attachment %q: content type %q", name, a.ContentType)
			}
		}
		var ah message.Header
		ah.Set("Content-Transfer-Encoding", "base64")
		ah.Set("Content-Disposition", "attachment; "+param2231("filename", name))
		// name= as well as filename=: some Outlook versions only look at
		// the Content-Type's name.
		ah.Set("Content-Type", ct+"; "+param2231("name", name))
		aw, err := mw.CreatePart(ah)
		if err != nil {
			return nil, "", err
		}
		if _, err := aw.Write(a.Data); err != nil {
			return nil, "", err
		}
		if err := aw.Close(); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), msgID, nil
}

// inSetOrder returns h with its fields in the order they were set: go-message
// writes the newest field first, which puts Content-Type on top and Date
// last, the reverse of what a person reading a raw mail expects.
func inSetOrder(h mail.Header) mail.Header {
	type kv struct{ k, v string }
	var fields []kv
	for f := h.Fields(); f.Next(); {
		fields = append(fields, kv{f.Key(), f.Value()})
	}
	var out mail.Header
	for _, f := range fields {
		out.Add(f.k, f.v)
	}
	return out
}

func writeAll(w io.WriteCloser, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return err
	}
	return w.Close()
}

// messageID builds "ticket.key@domain". Only dot-atom text is allowed, so
// the ID survives every mail system unchanged and compares byte for byte.
func messageID(ticket, key, domain string) (string, error) {
	if key == "" || !dotAtom(key) {
		return "", invalid("article key %q is not dot-atom text", key)
	}
	if domain == "" || !dotAtom(domain) {
		return "", invalid("Message-ID domain %q", domain)
	}
	left := key
	if ticket != "" {
		if !dotAtom(ticket) {
			return "", invalid("ticket number %q", ticket)
		}
		left = ticket + "." + key
	}
	return left + "@" + domain, nil
}

func dotAtom(s string) bool {
	if s == "" || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return false
	}
	for _, r := range s {
		if r > 0x7e || r <= 0x20 || strings.ContainsRune(`()<>[]:;@\,"`, r) {
			return false
		}
	}
	return true
}

// cleanID takes an ID with or without brackets and drops it when it could
// break the header: it comes from a customer's mail.
func cleanID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if id == "" || len(id) > 500 {
		return ""
	}
	for _, r := range id {
		if r <= 0x20 || r > 0x7e || r == '<' || r == '>' {
			return ""
		}
	}
	return id
}

// references is the customer's References plus the mail answered, without
// duplicates. Past MaxReferences the first (the thread's root, which
// clients thread by) is kept with the newest ones.
func references(refs []string, inReplyTo string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range append(append([]string(nil), refs...), inReplyTo) {
		if r = cleanID(r); r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) > MaxReferences {
		out = append(out[:1:1], out[len(out)-(MaxReferences-1):]...)
	}
	return out
}

func subject(s, ticket, prefix string) string {
	s = mailin.CleanLine(s)
	if ticket == "" || mailin.TicketNumberFromSubject(s, prefix) == ticket {
		return s
	}
	tag := mailin.SubjectTag(prefix, ticket)
	if s == "" {
		return tag
	}
	return tag + " " + s
}

func addrList(as []Address) ([]*mail.Address, error) {
	var out []*mail.Address
	for _, a := range as {
		email := strings.TrimSpace(a.Email)
		parsed, err := netmail.ParseAddress("<" + email + ">")
		if err != nil || parsed.Address != email || strings.ContainsAny(email, "\r\n") {
			return nil, fmt.Errorf("address %q is not valid", a.Email)
		}
		out = append(out, &mail.Address{Name: mailin.CleanLine(a.Name), Address: email})
	}
	return out, nil
}

// crlf gives the text CRLF line ends and a final line break.
func crlf(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// transferEncoding: 7bit when the text can travel as it is, otherwise
// quoted-printable, which keeps German text mostly readable in the raw
// mail and survives relays that are not 8-bit clean.
func transferEncoding(text string) string {
	for _, line := range strings.Split(text, "\r\n") {
		if len(line) > 76 || strings.HasPrefix(line, "From ") || strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return "quoted-printable"
		}
		for i := 0; i < len(line); i++ {
			if c := line[i]; c >= 0x80 || c < 0x20 && c != '\t' {
				return "quoted-printable"
			}
		}
	}
	return "7bit"
}

// cleanFilename keeps the name a person gave the file but nothing that
// reads as a path, and bounds it: a header line has 998 characters.
func cleanFilename(name string, i int) string {
	name = mailin.CleanLine(name)
	name = strings.NewReplacer("/", "_", "\\", "_").Replace(name)
	name = strings.TrimLeft(name, ". ")
	if name == "" {
		return fmt.Sprintf("attachment-%d", i+1)
	}
	// The same bound mailin applies, so the name a customer sees is the
	// name the desk would read back.
	const maxBytes = 200
	if len(name) > maxBytes {
		ext := path.Ext(name)
		if len(ext) > 16 || !utf8.ValidString(ext) {
			ext = ""
		}
		base := name[:maxBytes-len(ext)]
		for len(base) > 0 && !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
		name = base + ext
	}
	return name
}

// param2231 formats key=value for a MIME header. Non-ASCII values are
// percent-encoded UTF-8 (RFC 2231) and split into continuations
// (name*0*=, name*1*=) so that the folded header stays within line limits.
func param2231(key, value string) string {
	if plain := mime.FormatMediaType("x/x", map[string]string{key: value}); plain != "" && !strings.Contains(plain, "*=") && len(plain) < 70 {
		return strings.TrimPrefix(plain, "x/x; ")
	}
	const chunk = 60
	var parts []string
	var cur strings.Builder
	cur.WriteString("utf-8''")
	// Chunks end between characters: the RFC allows splitting a UTF-8
	// sequence, but some clients decode each chunk on its own.
	for _, r := range value {
		var enc strings.Builder
		var b [utf8.UTFMax]byte
		for _, c := range b[:utf8.EncodeRune(b[:], r)] {
			if isAttrChar(c) {
				enc.WriteByte(c)
			} else {
				fmt.Fprintf(&enc, "%%%02X", c)
			}
		}
		if cur.Len()+enc.Len() > chunk {
			parts = append(parts, cur.String())
			cur.Reset()
		}
		cur.WriteString(enc.String())
	}
	parts = append(parts, cur.String())
	if len(parts) == 1 {
		return key + "*=" + parts[0]
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = fmt.Sprintf("%s*%d*=%s", key, i, p)
	}
	return strings.Join(out, "; ")
}

// isAttrChar is RFC 2231's attribute-char: a token character other than
// '*', '\” and '%'.
func isAttrChar(c byte) bool {
	if c <= 0x20 || c >= 0x7f {
		return false
	}
	return !strings.ContainsRune(`*'%()<>@,;:\"/[]?=`, rune(c))
}

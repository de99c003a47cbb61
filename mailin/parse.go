package mailin

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // ISO-8859-x, Windows-125x and the rest for bodies and RFC 2047 words
	"github.com/emersion/go-message/textproto"
)

const (
	DefaultTagPrefix = "Ticket#"
	DefaultMaxSize   = 25 << 20

	// MaxParts and MaxDepth bound the MIME tree. Real mail from people has
	// a handful of parts and three or four levels; far more is a bomb.
	MaxParts = 100
	MaxDepth = 10
)

// Options says how the desk reads mail. The zero value works.
type Options struct {
	TagPrefix    string   // subject tag prefix, "Ticket#" when empty
	MaxSize      int64    // raw size limit, DefaultMaxSize when 0 or less
	OwnAddresses []string // the desk's own addresses: mail from them is never answered
	LoopHeader   string   // the X-Loop value the desk puts on its mail
}

func (o Options) withDefaults() Options {
	if strings.TrimSpace(o.TagPrefix) == "" {
		o.TagPrefix = DefaultTagPrefix
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	return o
}

// QuarantineError is returned for a mail that cannot be read as a whole.
// The caller keeps the raw message for a person to look at.
type QuarantineError struct {
	Reason string
}

func (e *QuarantineError) Error() string { return "mail quarantined: " + e.Reason }

func quarantine(format string, args ...any) *QuarantineError {
	return &QuarantineError{Reason: shorten(CleanLine(fmt.Sprintf(format, args...)))}
}

// shorten bounds reasons and problems, which quote header lines from the
// mail: a log line, not a copy of the message.
func shorten(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// Address is a decoded mailbox. Email is as the sender wrote it; compare
// it case-insensitively.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// Attachment is every part that is not the mail's text.
type Attachment struct {
	Filename    string // decoded and sanitised, never empty
	ContentType string // media type, with charset/method/smime-type when given
	Data        []byte // transfer-decoded; text parts keep their own charset
	Inline      bool   // shown within the text by the sender (inline image)
	ContentID   string // without <>
	SHA256      string // hex of Data, for content-addressed storage
	// Undecoded marks a part that could not be decoded: Data is the part's
	// body exactly as it arrived, still transfer-encoded.
	Undecoded bool
}

// Message is what the desk needs from one mail.
type Message struct {
	MessageID  string // without <>; empty when the mail has none
	InReplyTo  string
	References []string

	From    Address
	To, Cc  []Address
	ReplyTo []Address

	Subject string
	Date    time.Time // zero when missing or unreadable

	Text        string // UTF-8 plain text, \n line ends, no NUL
	HTML        []byte // the HTML body converted to UTF-8; to be stored, never rendered
	Attachments []Attachment

	TicketNumber string
	Auto         AutoKind
	Bounce       *Bounce

	Size     int64
	Problems []string // what could not be read; the mail was read anyway
}

// Parse reads one raw message. It returns a *QuarantineError for a mail
// that cannot be read; any other part-level trouble ends up in
// Message.Problems.
func Parse(raw []byte, opts Options) (m Message, err error) {
	// Belt and braces: a panic in a decoder must not take the gateway down.
	// The fuzz test treats this reason as a failure.
	defer func() {
		if r := recover(); r != nil {
			m = Message{}
			err = quarantine("%s: %v", internalErrorReason, r)
		}
	}()
	opts = opts.withDefaults()
	if int64(len(raw)) > opts.MaxSize {
		return Message{}, quarantine("message is %d bytes, over the limit of %d bytes", len(raw), opts.MaxSize)
	}
	p := &parser{opts: opts, maxDecoded: 2 * opts.MaxSize}
	return p.parse(raw)
}

const internalErrorReason = "internal error while reading the message"

type parser struct {
	opts       Options
	parts      int
	decoded    int64
	maxDecoded int64

	msg       Message
	texts     []string // text/plain body parts, in order
	htmlTexts []string // HTML body parts as text, used when there is no plain text
	report    *Bounce
	isReport  bool // multipart/report that is not a DSN (read receipts)
}

// node is one entity of the MIME tree. Leaves keep their body as it was
// transferred, so that a part that fails to decode can be kept unchanged.
type node struct {
	header    textproto.Header
	mediaType string
	params    map[string]string
	children  []*node
	multipart bool // read as multipart; false for a broken one kept raw
	raw       []byte
}

func (p *parser) parse(raw []byte) (Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Message{}, quarantine("message is empty")
	}
	// An mbox envelope line ("From sender date") is not a header; IMAP and
	// LMTP do not send one, but mail copied from a mailbox file does.
	if bytes.HasPrefix(raw, []byte("From ")) && len(raw) > 5 && raw[5] != ':' && raw[5] != ' ' {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	br := bufio.NewReader(bytes.NewReader(raw))
	h, err := textproto.ReadHeader(br)
	if err != nil && !(errors.Is(err, io.EOF) && h.Len() > 0) {
		return Message{}, quarantine("header cannot be read: %v", err)
	}
	if h.Len() == 0 {
		return Message{}, quarantine("message has no header fields")
	}
	p.msg.Size = int64(len(raw))
	p.readHeader(h)

	root, err := p.readEntity(h, br, 0)
	if err != nil {
		return Message{}, err
	}
	if err := p.walk(root, walkCtx{}); err != nil {
		return Message{}, err
	}
	switch {
	case len(p.texts) > 0:
		p.msg.Text = joinTexts(p.texts)
	case len(p.htmlTexts) > 0:
		p.msg.Text = joinTexts(p.htmlTexts)
	case p.msg.HTML != nil:
		// The plain version was there but could not be decoded.
		p.msg.Text = normaliseText(HTMLToText(p.msg.HTML))
	}
	p.msg.Bounce = p.report
	p.msg.TicketNumber = TicketNumberFromSubject(p.msg.Subject, p.opts.TagPrefix)
	p.msg.Auto = detectAuto(h, &p.msg, p.isReport, p.opts)
	return p.msg, nil
}

func (p *parser) problem(format string, args ...any) {
	p.msg.Problems = append(p.msg.Problems, shorten(CleanLine(fmt.Sprintf(format, args...))))
}

// readEntity reads the MIME tree, streaming through multiparts so that only
// leaf bodies are held in memory, and enforces the part and depth limits as
// it goes.
func (p *parser) readEntity(h textproto.Header, body io.Reader, depth int) (*node, error) {
	p.parts++
	if p.parts > MaxParts {
		return nil, quarantine("more than %d MIME parts", MaxParts)
	}
	if depth > MaxDepth {
		return nil, quarantine("MIME parts nested deeper than %d levels", MaxDepth)
	}
	n := &node{header: h}
	n.mediaType, n.params = contentType(h)
	if !strings.HasPrefix(n.mediaType, "multipart/") {
		raw, err := io.ReadAll(body)
		if err != nil {
			p.problem("%s part is cut off: %v", n.mediaType, err)
		}
		n.raw = raw
		return n, nil
	}
	boundary := n.params["boundary"]
	if boundary == "" {
		p.problem("%s without boundary kept as it was", n.mediaType)
		n.raw, _ = io.ReadAll(body)
		return n, nil
	}
	// Until the first boundary is found everything read is kept, so a
	// multipart whose boundary never comes is still kept as it was; after
	// that only the parts are kept.
	tee := &preambleTee{r: body}
	mr := textproto.NewMultipartReader(tee, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if len(n.children) == 0 {
				p.problem("%s without any part kept as it was: %v", n.mediaType, err)
				rest, _ := io.ReadAll(tee)
				n.raw = append(tee.buf.Bytes(), rest...)
				return n, nil
			}
			p.problem("%s ends early: %v", n.mediaType, err)
			break
		}
		tee.stop()
		child, err := p.readEntity(part.Header, part, depth+1)
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, child)
	}
	n.multipart = true
	return n, nil
}

type preambleTee struct {
	r       io.Reader
	buf     bytes.Buffer
	stopped bool
}

func (t *preambleTee) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if !t.stopped {
		t.buf.Write(b[:n])
	}
	return n, err
}

func (t *preambleTee) stop() {
	if !t.stopped {
		t.stopped = true
		t.buf = bytes.Buffer{}
	}
}

type walkCtx struct {
	related bool // inside multipart/related: parts with a Content-ID are inline
	report  bool // inside a delivery-status report
	noText  bool // inside an alternative that lost to text/plain
}

func (p *parser) walk(n *node, ctx walkCtx) error {
	if !n.multipart {
		return p.leaf(n, ctx)
	}
	switch n.mediaType {
	case "multipart/alternative":
		return p.alternative(n, ctx)
	case "multipart/related":
		ctx.related = true
	case "multipart/encrypted":
		// Said in Problems so an agent looking at an empty text knows why.
		p.problem("PGP-encrypted message: its content is in the attachment and not read")
	case "multipart/report":
		if strings.EqualFold(n.params["report-type"], "delivery-status") {
			if p.report == nil {
				p.report = &Bounce{}
			}
			ctx.report = true
		} else {
			p.isReport = true
		}
	}
	for _, c := range n.children {
		if err := p.walk(c, ctx); err != nil {
			return err
		}
	}
	return nil
}

// alternative takes the text/plain version as the text and keeps the HTML
// version only as HTML; everything else offered (calendar data, rich
// text) becomes an attachment.
func (p *parser) alternative(n *node, ctx walkCtx) error {
	plain := -1
	for i, c := range n.children {
		if !c.multipart && c.mediaType == "text/plain" && isBodyCandidate(c) {
			plain = i
			break
		}
	}
	for i, c := range n.children {
		cctx := ctx
		if plain >= 0 && i != plain {
			cctx.noText = true
		}
		if err := p.walk(c, cctx); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) leaf(n *node, ctx walkCtx) error {
	if ctx.report {
		if err := p.reportPart(n); err != nil {
			return err
		}
	}
	if isBodyCandidate(n) {
		switch {
		case n.mediaType == "text/plain" && !ctx.noText:
			return p.bodyText(n)
		case n.mediaType == "text/html" && p.msg.HTML == nil:
			return p.bodyHTML(n, ctx.noText)
		}
	}
	return p.attach(n, ctx)
}

// decode runs the part through go-message: transfer encoding always, and
// the charset only for the body (attachments keep their bytes). broken
// reports an undecodable transfer encoding; badCharset a charset go-message
// does not know, in which case data is transfer-decoded only.
func (p *parser) decode(n *node, convertCharset bool) (data []byte, broken, badCharset bool, err error) {
	// go-message decodes from a header rebuilt from what this package
	// read, so a Content-Type only the lenient reading understood still
	// gets its charset converted.
	h := message.Header{}
	if cte := n.header.Get("Content-Transfer-Encoding"); cte != "" {
		h.Set("Content-Transfer-Encoding", cte)
	}
	if cs := n.params["charset"]; convertCharset && cs != "" {
		h.SetContentType(n.mediaType, map[string]string{"charset": cs})
	}
	e, nerr := message.New(h, bytes.NewReader(n.raw))
	if e == nil {
		return nil, true, false, nil
	}
	if message.IsUnknownEncoding(nerr) {
		p.problem("%s part has unknown transfer encoding %q", n.mediaType, strings.TrimSpace(n.header.Get("Content-Transfer-Encoding")))
		return nil, true, false, nil
	}
	badCharset = message.IsUnknownCharset(nerr)
	remaining := p.maxDecoded - p.decoded
	data, rerr := io.ReadAll(io.LimitReader(e.Body, remaining+1))
	p.decoded += int64(len(data))
	if p.decoded > p.maxDecoded {
		return nil, false, false, quarantine("decoded parts exceed %d bytes", p.maxDecoded)
	}
	if rerr != nil {
		p.problem("%s part cannot be decoded: %v", n.mediaType, rerr)
		return nil, true, badCharset, nil
	}
	return data, false, badCharset, nil
}

func (p *parser) bodyText(n *node) error {
	data, broken, badCharset, err := p.decode(n, true)
	if err != nil {
		return err
	}
	if broken {
		return p.keepRaw(n)
	}
	if badCharset {
		p.problem("text has unknown charset %q, read as UTF-8", n.params["charset"])
		if err := p.keepRaw(n); err != nil {
			return err
		}
	}
	text := normaliseText(string(data))
	if strings.EqualFold(n.params["format"], "flowed") {
		text = unflow(text, strings.EqualFold(n.params["delsp"], "yes"))
	}
	p.texts = append(p.texts, text)
	return nil
}

func (p *parser) bodyHTML(n *node, noText bool) error {
	data, broken, badCharset, err := p.decode(n, true)
	if err != nil {
		return err
	}
	if broken {
		return p.keepRaw(n)
	}
	if badCharset {
		p.problem("HTML has unknown charset %q, read as UTF-8", n.params["charset"])
		if err := p.keepRaw(n); err != nil {
			return err
		}
	}
	p.msg.HTML = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	if !noText {
		p.htmlTexts = append(p.htmlTexts, normaliseText(HTMLToText(p.msg.HTML)))
	}
	return nil
}

func (p *parser) attach(n *node, ctx walkCtx) error {
	a := Attachment{ContentType: attachmentType(n)}
	switch n.mediaType {
	case "application/pkcs7-mime", "application/x-pkcs7-mime":
		p.problem("S/MIME %s message: its content is in the attachment and not read", cmp.Or(n.params["smime-type"], "enveloped-data"))
	}
	if strings.HasPrefix(n.mediaType, "multipart/") {
		// A multipart that could not be split: nothing to decode.
		a.Data, a.Undecoded = n.raw, true
	} else {
		data, broken, _, err := p.decode(n, false)
		if err != nil {
			return err
		}
		if broken {
			return p.keepRaw(n)
		}
		a.Data = data
	}
	p.finishAttachment(&a, n, ctx)
	return nil
}

// keepRaw stores a part that failed to decode exactly as it arrived.
func (p *parser) keepRaw(n *node) error {
	a := Attachment{ContentType: attachmentType(n), Data: n.raw, Undecoded: true}
	p.finishAttachment(&a, n, walkCtx{})
	return nil
}

func (p *parser) finishAttachment(a *Attachment, n *node, ctx walkCtx) {
	if a.Data == nil {
		a.Data = []byte{}
	}
	disp, _ := disposition(n.header)
	a.ContentID = normaliseID(n.header.Get("Content-Id"))
	a.Inline = disp == "inline" || disp == "" && ctx.related && a.ContentID != ""
	name := decodeWords(rawFilename(n.header))
	if isMessageType(n.mediaType) && !a.Undecoded {
		if s := innerSubject(a.Data); s != "" {
			// A subject is not a path: its slashes are kept as "_"
			// rather than cutting the name.
			name = strings.NewReplacer("/", "_", "\\", "_").Replace(s) + ".eml"
		}
	}
	a.Filename = sanitizeFilename(name)
	if a.Filename == "" {
		a.Filename = fallbackName(n.mediaType)
	}
	sum := sha256.Sum256(a.Data)
	a.SHA256 = hex.EncodeToString(sum[:])
	p.msg.Attachments = append(p.msg.Attachments, *a)
}

func isMessageType(mt string) bool {
	return mt == "message/rfc822" || mt == "message/global"
}

// attachmentType keeps the parameters a reader of the attachment needs:
// the charset of text files, the method of calendar data (REQUEST, REPLY,
// CANCEL) and the S/MIME type.
func attachmentType(n *node) string {
	keep := map[string]string{}
	for _, k := range []string{"charset", "method", "smime-type"} {
		if v := n.params[k]; v != "" {
			keep[k] = v
		}
	}
	if s := mime.FormatMediaType(n.mediaType, keep); s != "" {
		return s
	}
	return n.mediaType
}

// innerSubject is the decoded subject of an attached message.
func innerSubject(data []byte) string {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	if err != nil && h.Len() == 0 {
		return ""
	}
	mh := message.Header{Header: h}
	s, _ := mh.Text("Subject")
	return CleanLine(fixHeaderText(s))
}

func joinTexts(ts []string) string {
	var nonEmpty []string
	for _, t := range ts {
		if strings.TrimSpace(t) != "" {
			nonEmpty = append(nonEmpty, strings.TrimRight(t, "\n"))
		}
	}
	return strings.Join(nonEmpty, "\n\n")
}

package mailin

import (
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

func (p *parser) readHeader(h textproto.Header) {
	mh := mail.Header{Header: message.Header{Header: h}}
	p.msg.MessageID = normaliseID(h.Get("Message-Id"))
	if ids := msgIDList(h.Get("In-Reply-To")); len(ids) > 0 {
		p.msg.InReplyTo = ids[0]
	}
	p.msg.References = msgIDList(h.Get("References"))

	if s, err := mh.Text("Subject"); err == nil {
		p.msg.Subject = CleanLine(fixHeaderText(s))
	} else {
		p.problem("subject cannot be decoded: %v", err)
		p.msg.Subject = CleanLine(fixHeaderText(h.Get("Subject")))
	}
	if from := p.addresses(mh, "From"); len(from) > 0 {
		p.msg.From = from[0]
	}
	p.msg.To = p.addresses(mh, "To")
	p.msg.Cc = p.addresses(mh, "Cc")
	p.msg.ReplyTo = p.addresses(mh, "Reply-To")
	if h.Get("Date") != "" {
		if d, err := mh.Date(); err == nil {
			p.msg.Date = d
		} else {
			p.problem("date cannot be read: %v", err)
		}
	}
}

func (p *parser) addresses(mh mail.Header, key string) []Address {
	v := mh.Get(key)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if !utf8.ValidString(v) {
		// Raw 8-bit names: decoded before net/mail turns them into U+FFFD.
		v = fixHeaderText(v)
		mh = mail.Header{}
		mh.Set(key, v)
	}
	list, err := mh.AddressList(key)
	if err != nil {
		out := lenientAddresses(v)
		if len(out) == 0 {
			p.problem("%s cannot be read: %v", key, err)
		}
		return out
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		if a == nil {
			continue
		}
		out = append(out, Address{Name: CleanLine(fixHeaderText(a.Name)), Email: CleanLine(a.Address)})
	}
	return out
}

// normaliseID strips the angle brackets and whatever should not be in an ID.
func normaliseID(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			s = s[i+1 : i+j]
		}
	}
	s = strings.Trim(s, "<> \t")
	return CleanLine(strings.Join(strings.Fields(s), ""))
}

// msgIDList reads In-Reply-To and References leniently: clients put
// comments, missing brackets and commas there.
func msgIDList(v string) []string {
	var out []string
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		if id := normaliseID(rest[i : i+j+1]); id != "" {
			out = append(out, id)
		}
		rest = rest[i+j+1:]
	}
	if len(out) == 0 {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
			if strings.Contains(f, "@") {
				out = append(out, normaliseID(f))
			}
		}
	}
	return out
}

package mailin

import (
	"bytes"
	"io"
	"mime"
	"net/url"
	"strconv"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// contentType is the lower-case media type and its parameters. A header
// the standard parser rejects (a stray quote, a duplicate parameter) still
// yields its type and what parameters can be made out.
func contentType(h textproto.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return "text/plain", map[string]string{}
	}
	mh := message.Header{Header: h}
	mt, params, err := mh.ContentType()
	if err != nil {
		mt, params = lenientParams(v)
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "" || !strings.Contains(mt, "/") {
		mt = "application/octet-stream"
	}
	if params == nil {
		params = map[string]string{}
	}
	return mt, params
}

// lenientParams splits "type; a=b; c="d"" without RFC 2045's strictness.
// It only runs after mime.ParseMediaType refused the header.
func lenientParams(v string) (string, map[string]string) {
	fields := strings.Split(v, ";")
	params := map[string]string{}
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if _, dup := params[k]; !dup && k != "" {
			params[k] = decodeWords(val)
		}
	}
	return strings.TrimSpace(fields[0]), params
}

func decodeWords(s string) string {
	d := mime.WordDecoder{CharsetReader: message.CharsetReader}
	if out, err := d.DecodeHeader(s); err == nil {
		return out
	}
	return s
}

// isBodyCandidate tells a part meant to be read as the message from a
// text file attached to it.
func isBodyCandidate(n *node) bool {
	if n.mediaType != "text/plain" && n.mediaType != "text/html" {
		return false
	}
	disp, _ := disposition(n.header)
	if disp == "attachment" {
		return false
	}
	return rawFilename(n.header) == ""
}

func disposition(h textproto.Header) (string, map[string]string) {
	v := h.Get("Content-Disposition")
	if strings.TrimSpace(v) == "" {
		return "", map[string]string{}
	}
	mh := message.Header{Header: h}
	d, params, err := mh.ContentDisposition()
	if err != nil {
		d, params = lenientParams(v)
	}
	return strings.ToLower(strings.TrimSpace(d)), params
}

func rawFilename(h textproto.Header) string {
	// The fallback first: for another charset than UTF-8 the library drops
	// the encoded segments but keeps plain continuations, which would
	// leave a truncated name.
	if f := rfc2231Fallback(h.Get("Content-Disposition"), "filename"); f != "" {
		return f
	}
	_, dp := disposition(h)
	if f := dp["filename"]; f != "" {
		return f
	}
	if f := rfc2231Fallback(h.Get("Content-Type"), "name"); f != "" {
		return f
	}
	_, cp := contentType(h)
	return cp["name"]
}

// rfc2231Fallback decodes an RFC 2231 parameter (name*=charset”%XX, also
// in continuations name*0*=, name*1*=) in a charset other than UTF-8:
// mime.ParseMediaType knows only UTF-8 and US-ASCII and drops the rest,
// but older mail programs send ISO-8859-1.
func rfc2231Fallback(v, key string) string {
	type segment struct {
		val     string
		encoded bool
	}
	segs := map[int]segment{}
	for _, f := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || !strings.HasPrefix(k, key+"*") {
			continue
		}
		rest := k[len(key)+1:]
		idx := 0
		if rest != "" {
			n, err := strconv.Atoi(strings.TrimSuffix(rest, "*"))
			if err != nil || n < 0 || n > 100 {
				continue
			}
			idx = n
		}
		segs[idx] = segment{strings.Trim(strings.TrimSpace(val), `"`), rest == "" || strings.HasSuffix(rest, "*")}
	}
	first, ok := segs[0]
	if !ok || !first.encoded {
		return ""
	}
	charset, rest, ok1 := strings.Cut(first.val, "'")
	_, value, ok2 := strings.Cut(rest, "'")
	switch strings.ToLower(charset) {
	case "utf-8", "us-ascii", "":
		return "" // mime.ParseMediaType's own
	}
	if !ok1 || !ok2 || message.CharsetReader == nil {
		return ""
	}
	var raw []byte
	for i := 0; ; i++ {
		s, ok := segs[i]
		if !ok {
			break
		}
		if i == 0 {
			s.val = value
		}
		if s.encoded {
			d, err := url.PathUnescape(s.val)
			if err != nil {
				return ""
			}
			s.val = d
		}
		raw = append(raw, s.val...)
	}
	r, err := message.CharsetReader(strings.ToLower(charset), bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return ""
	}
	return string(out)
}

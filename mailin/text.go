package mailin

import (
	"net/mail"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// normaliseText makes body text storable: valid UTF-8 (bytes of an unknown
// or missing charset become U+FFFD), \n line ends, no NUL.
func normaliseText(s string) string {
	s = validUTF8(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\x00", "")
	return s
}

// fixHeaderText handles raw 8-bit header bytes, which RFC 5322 forbids but
// older German mail programs send in Windows-1252; UTF-8 (RFC 6532) passes
// unchanged.
func fixHeaderText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	if out, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
		return out
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// CleanLine is for one-line values (subject, names, header text):
// invalid UTF-8 is replaced, control characters (line breaks too, so
// nothing can inject a header) become spaces, runs of space collapse.
func CleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

const maxFilenameBytes = 200

// sanitizeFilename turns a sender's file name into one that is safe to
// store and offer for download: no directories, no control or
// bidirectional-override characters (which disguise "exe" as "pdf"), none
// of the characters Windows refuses nor its device names, NFC (macOS sends
// decomposed umlauts),
// and at most maxFilenameBytes bytes with the extension kept. It returns ""
// when nothing usable is left.
func sanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = norm.NFC.String(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	name = strings.Trim(name, " .")
	if stem, _, _ := strings.Cut(name, "."); windowsDevice[strings.ToUpper(strings.TrimSpace(stem))] {
		name = "_" + name
	}
	if len(name) > maxFilenameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 || !utf8.ValidString(ext) {
			ext = ""
		}
		base := name[:maxFilenameBytes-len(ext)]
		for len(base) > 0 && !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
		name = strings.TrimRight(base, " .") + ext
	}
	return name
}

// windowsDevice are names Windows opens as devices, whatever the
// extension: an agent saving "CON.pdf" gets an error, or worse, "AUX".
var windowsDevice = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// fallbackName names a part that has no name. The table is fixed rather
// than mime.ExtensionsByType, which depends on the host's mime.types.
func fallbackName(mediaType string) string {
	switch mediaType {
	case "text/plain":
		return "text.txt"
	case "text/html":
		return "text.html"
	case "text/calendar":
		return "invite.ics"
	case "text/rfc822-headers", "message/global-headers":
		return "headers.txt"
	case "message/delivery-status", "message/global-delivery-status":
		return "delivery-status.txt"
	case "message/disposition-notification":
		return "disposition-notification.txt"
	case "message/rfc822", "message/global":
		return "message.eml"
	case "application/pkcs7-signature", "application/x-pkcs7-signature":
		return "smime.p7s"
	case "application/pkcs7-mime", "application/x-pkcs7-mime":
		return "smime.p7m"
	case "application/pgp-signature":
		return "signature.asc"
	case "application/pdf":
		return "attachment.pdf"
	case "application/zip":
		return "attachment.zip"
	case "image/png":
		return "image.png"
	case "image/jpeg", "image/jpg", "image/pjpeg":
		return "image.jpg"
	case "image/gif":
		return "image.gif"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		return "part.mime"
	}
	if strings.HasPrefix(mediaType, "text/") {
		return "text.txt"
	}
	return "attachment.bin"
}

// lenientAddresses reads an address list net/mail refuses, such as
// `Müller, Hans <h.mueller@uni-ulm.de>` with an unquoted comma or
// a lone address with a trailing dot. Whatever looks like an address is
// kept; the rest of its piece becomes the name.
func lenientAddresses(v string) []Address {
	var out []Address
	for _, piece := range splitAddressList(v) {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		if a, err := mail.ParseAddress(piece); err == nil {
			out = append(out, Address{Name: CleanLine(fixHeaderText(decodeWords(a.Name))), Email: CleanLine(a.Address)})
			continue
		}
		email, name := "", piece
		if i := strings.LastIndexByte(piece, '<'); i >= 0 {
			if j := strings.IndexByte(piece[i:], '>'); j > 0 {
				email = piece[i+1 : i+j]
				name = piece[:i]
			}
		} else {
			last := ""
			for _, f := range strings.Fields(piece) {
				if strings.Contains(f, "@") {
					last = f
				}
			}
			if last != "" {
				email = strings.Trim(last, `"'(),;.`)
				name = strings.Replace(piece, last, "", 1)
			}
		}
		email = strings.TrimSpace(email)
		if !strings.Contains(email, "@") {
			continue
		}
		name = strings.Trim(strings.TrimSpace(name), `"'`)
		out = append(out, Address{Name: CleanLine(fixHeaderText(decodeWords(name))), Email: CleanLine(email)})
	}
	return out
}

// splitAddressList splits at commas that end an address: an unquoted comma
// inside a name ("Müller, Hans <...>") is not one, so a piece without "@"
// is joined to the next.
func splitAddressList(v string) []string {
	var pieces []string
	var cur strings.Builder
	inQuote, inAngle, hasAt := false, false, false
	for _, r := range v {
		switch {
		case r == '"':
			inQuote = !inQuote
		case r == '<' && !inQuote:
			inAngle = true
		case r == '>' && !inQuote:
			inAngle = false
		case r == '@':
			hasAt = true
		case (r == ',' || r == ';') && !inQuote && !inAngle:
			if hasAt {
				pieces = append(pieces, cur.String())
				cur.Reset()
				hasAt = false
				continue
			}
		}
		cur.WriteRune(r)
	}
	return append(pieces, cur.String())
}

// validUTF8 replaces every byte that is not part of valid UTF-8 with
// U+FFFD, one for each, as a charset decoder would: "Gr\xfc\xdfe" keeps
// its length.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676), which
// Thunderbird sends by default: without it every paragraph arrives cut into
// 72-character lines. Quoted lines are only joined at the same quote depth.
func unflow(s string, delsp bool) string {
	lines := strings.Split(s, "\n")
	var out, para strings.Builder
	depth, open := 0, false
	flush := func() {
		if depth > 0 {
			out.WriteString(strings.Repeat(">", depth) + " ")
		}
		out.WriteString(para.String())
		out.WriteByte('\n')
		para.Reset()
		open = false
	}
	for _, l := range lines {
		d := len(l) - len(strings.TrimLeft(l, ">"))
		content := strings.TrimPrefix(l[d:], " ") // space-stuffing
		if open && d != depth {
			flush()
		}
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		depth = d
		para.WriteString(content)
		open = true
		if !soft {
			flush()
		}
	}
	if open {
		flush()
	}
	return strings.TrimSuffix(out.String(), "\n")
}

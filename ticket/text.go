package ticket

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text checks: every text that reaches a workflow passes one of these at
// the edge (desk, web, mail). A NUL byte or invalid UTF-8 that slipped
// through would be refused by PostgreSQL on every retry of the projection,
// so such text must never get that far.

// TextKind says what a text may contain.
type TextKind int

const (
	// Line is one line: a title, subject, login, key or name.
	Line TextKind = iota
	// Lines may contain line breaks and tabs: article bodies and notes.
	Lines
)

// CheckText returns the problem with s as a field's text of kind k and at
// most max bytes, and whether there is one. Empty text is fine here;
// whether a field is required is the caller's business.
func CheckText(s string, k TextKind, max int) (Problem, bool) {
	if !utf8.ValidString(s) {
		return P(FieldBadUTF8), true
	}
	if len(s) > max {
		return P(FieldTooLong, "Max", strconv.Itoa(max)), true
	}
	for _, r := range s {
		if IsControl(r, k) {
			return P(FieldControlChars), true
		}
	}
	return Problem{}, false
}

// IsControl tells whether r is a control character that a text of kind k
// must not contain: C0 (NUL included) and C1 controls, DEL, and the
// Unicode non-characters U+FFFE and U+FFFF; a multi-line text may contain
// tab, line feed and carriage return.
func IsControl(r rune, k TextKind) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return k == Line && r != '\t'
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0xfffe, r == 0xffff:
		return true
	}
	return false
}

// CleanLine trims a one-line text; it changes nothing else, so what was
// checked is what is stored.
func CleanLine(s string) string { return strings.TrimSpace(s) }

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

// MaxFileName bounds an attached file's name in bytes.
const MaxFileName = 255

// CheckFiles returns the problem with an article's attached files, and
// whether there is one: too many, too large, or a name or reference that
// cannot be right. Both the desk (before it stores anything) and the
// workflow (before it records the article) ask it.
func CheckFiles(files []File) (Problem, bool) {
	if len(files) > MaxFiles {
		return P(FieldTooManyFiles, "Max", strconv.Itoa(MaxFiles)), true
	}
	var total int64
	for _, f := range files {
		if p, bad := CheckText(f.Name, Line, MaxFileName); bad {
			return p, true
		}
		if strings.TrimSpace(f.Name) == "" || !validSHA256(f.SHA256) || f.Size < 0 {
			return P(FieldBadFile), true
		}
		if p, bad := CheckText(f.Type, Line, MaxFileName); bad {
			return p, true
		}
		if f.Size > MaxFileSize {
			return P(FieldFileTooLarge, "Name", f.Name, "Max", strconv.Itoa(MaxFileSize>>20)), true
		}
		total += f.Size
	}
	if total > MaxFilesSize {
		return P(FieldFilesTooBig, "Max", strconv.Itoa(MaxFilesSize>>20)), true
	}
	return Problem{}, false
}

func validSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

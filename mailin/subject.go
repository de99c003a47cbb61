package mailin

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// TicketNumberLen is the length of a ticket number: yyyymmdd, a 2-digit
// system ID, a 6-digit counter (OTRS DateChecksum: counter and check digit).
const TicketNumberLen = 16

// SubjectTag is what outgoing mail puts in the subject so that replies find
// their ticket.
func SubjectTag(prefix, number string) string {
	return "[" + tagPrefix(prefix) + number + "]"
}

func tagPrefix(prefix string) string {
	if prefix = strings.TrimSpace(prefix); prefix == "" {
		return DefaultTagPrefix
	}
	return prefix
}

// TicketNumberFromSubject finds the ticket number in a subject's tag. Mail
// clients and people mangle tags ("[Ticket# 2026…]", "Ticket#:2026…",
// "ticket#2026…", brackets lost), so the prefix is matched without regard
// to case, brackets and spaces around its punctuation; a number without the
// prefix is not a tag, and a number that is not exactly TicketNumberLen
// digits is not a ticket number. The first tag wins: in "AW: [A] WG: [B]"
// the reply is to A.
func TicketNumberFromSubject(subject, prefix string) string {
	prefix = tagPrefix(prefix)
	re := tagRegexp(prefix)
	for _, m := range re.FindAllStringSubmatchIndex(subject, -1) {
		if number := subject[m[2]:m[3]]; len(number) == TicketNumberLen && tagBoundary(subject, m[0], prefix) {
			return number
		}
	}
	return ""
}

// tagBoundary refuses a prefix glued to a word ("MyTicket#…").
func tagBoundary(s string, start int, prefix string) bool {
	for start < len(s) && strings.IndexByte("[ \t\r\n", s[start]) >= 0 {
		start++
	}
	if start == 0 {
		return true
	}
	first := []rune(prefix)
	if len(first) == 0 || !isWordRune(first[0]) {
		return true
	}
	prev := []rune(s[:start])
	return !isWordRune(prev[len(prev)-1])
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// CleanSubject is the subject without reply and forward prefixes and
// without ticket tags, as a ticket title.
func CleanSubject(subject, prefix string) string {
	re := tagRegexp(prefix)
	s := re.ReplaceAllStringFunc(subject, func(tag string) string {
		m := re.FindStringSubmatch(tag)
		if len(m[1]) != TicketNumberLen {
			return tag
		}
		return " "
	})
	s = strings.ReplaceAll(s, "[ ]", " ")
	s = strings.Join(strings.Fields(s), " ")
	for {
		loc := replyPrefix.FindStringIndex(s)
		if loc == nil {
			break
		}
		s = strings.TrimSpace(s[loc[1]:])
	}
	return s
}

// replyPrefix is one reply or forward marker as German and English mail
// clients write it (Outlook "AW:"/"WG:", Lotus Notes "Antwort:", counters
// like "Re[2]:" and "AW(3):"), and the tag-less auto-reply prefixes.
var replyPrefix = regexp.MustCompile(`(?i)^\s*(?:re|aw|antw|antwort|wg|fw|fwd|wtr|sv|tr|automatische antwort|automatic reply)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]`)

var tagRegexps sync.Map // prefix → *regexp.Regexp

// tagRegexp matches a tag for prefix: group 1 is the digits. Spaces may
// surround the prefix's punctuation, a ':' '=' or '-' may follow it, and
// brackets are optional; letters match case-insensitively.
func tagRegexp(prefix string) *regexp.Regexp {
	prefix = tagPrefix(prefix)
	if re, ok := tagRegexps.Load(prefix); ok {
		return re.(*regexp.Regexp)
	}
	var b strings.Builder
	b.WriteString(`(?i)\[?\s*`)
	for _, r := range prefix {
		switch {
		case unicode.IsSpace(r):
			b.WriteString(`\s*`)
		case isWordRune(r):
			b.WriteString(regexp.QuoteMeta(string(r)))
		default:
			b.WriteString(`\s*` + regexp.QuoteMeta(string(r)) + `\s*`)
		}
	}
	b.WriteString(`\s*[:=\-]?\s*(\d+)\s*\]?`)
	re := regexp.MustCompile(b.String())
	tagRegexps.Store(prefix, re)
	return re
}

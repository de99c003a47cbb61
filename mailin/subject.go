package mailin

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
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
	if re == nil {
		return ""
	}
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
	prev, _ := utf8.DecodeLastRuneInString(s[:start])
	return !isWordRune(prev)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// CleanSubject is the subject without reply and forward prefixes and
// without ticket tags, as a ticket title.
func CleanSubject(subject, prefix string) string {
	s := subject
	if re := tagRegexp(prefix); re != nil {
		s = re.ReplaceAllStringFunc(s, func(tag string) string {
			m := re.FindStringSubmatch(tag)
			if len(m[1]) != TicketNumberLen {
				return tag
			}
			return " "
		})
	}
	s = strings.ReplaceAll(s, "[ ]", " ")
	s = strings.Join(strings.Fields(s), " ")
	// Bounded: real chains are a dozen deep, a hostile subject may repeat
	// "AW:" a million times.
	for range 100 {
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
var replyPrefix = regexp.MustCompile(`(?i)^\s*(?:re|aw|antw|antwort|wg|fw|fwd|sv|tr|automatische antwort|automatic reply)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]`)

// MaxTagPrefixLen bounds the configured prefix: matching costs grow with
// the prefix times the subject, and a real prefix is a word and a sign.
// Longer prefixes find no tags.
const MaxTagPrefixLen = 32

// tagRegexps caches the compiled pattern per prefix; a desk has one or
// two prefixes, so the cache stays small and a caller passing ever new
// prefixes does not grow it without end.
var tagRegexps = struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}{m: map[string]*regexp.Regexp{}}

// tagRegexp matches a tag for prefix: group 1 is the digits. Spaces may
// surround the prefix's punctuation, a ':' '=' or '-' may follow it, and
// brackets are optional; letters match case-insensitively.
func tagRegexp(prefix string) *regexp.Regexp {
	prefix = tagPrefix(prefix)
	if len(prefix) > MaxTagPrefixLen {
		return nil
	}
	tagRegexps.Lock()
	defer tagRegexps.Unlock()
	if re, ok := tagRegexps.m[prefix]; ok {
		return re
	}
	var b strings.Builder
	b.WriteString(`(?i)\[?\s*`)
	for _, r := range prefix {
		switch {
		case unicode.IsSpace(r):
			// \s is ASCII space only; the prefix's own space (a tab, U+00A0)
			// must still match itself.
			b.WriteString(`(?:\s|` + regexp.QuoteMeta(string(r)) + `)*`)
		case isWordRune(r):
			b.WriteString(regexp.QuoteMeta(string(r)))
		default:
			b.WriteString(`\s*` + regexp.QuoteMeta(string(r)) + `\s*`)
		}
	}
	b.WriteString(`\s*[:=\-]?\s*(\d+)\s*\]?`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		re = nil
	}
	if len(tagRegexps.m) < 16 {
		tagRegexps.m[prefix] = re
	}
	return re
}
